"""Multiple-choice filters: options missing, options drawn only in the image, gold letter not an option."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lmmr1.curation.filters.base import Decision, Drop, Filter, register
from lmmr1.curation.sources import LETTERS, Example
from lmmr1.verifiers.choice import is_letter_gold

_LETTER = re.compile(r"\(?([A-Za-z])[).]?")


def options_are_bare_labels(options: tuple[str, ...]) -> bool:
    """True when every option is only its own label (``A``..``E``, ``A)``, ``a``): the text is in the image."""
    if not options:
        return False
    for i, opt in enumerate(options):
        m = _LETTER.fullmatch(opt.strip())
        if not m or m.group(1).upper() != LETTERS[i]:
            return False
    return True


@register("choice_without_options")
@dataclass(frozen=True)
class ChoiceWithoutOptions(Filter):
    """A letter gold with no options to choose from (e.g. MATH-V free-form rows whose gold is ``C``)."""

    def check(self, ex: Example) -> Decision:
        if not ex.options and is_letter_gold(ex.gold) and not re.search(r"\(\s*[A-E]\s*\)|\b[A-E]\s*[:.)]\s", ex.question):
            return Drop("choice_without_options", f"gold {ex.gold!r} is a letter but the row has no options")
        return None


@register("choice_options_only_in_image")
@dataclass(frozen=True)
class ChoiceOptionsOnlyInImage(Filter):
    """Options that are just their labels (A–E): the choices are drawn in the image, no rule can read them."""

    def check(self, ex: Example) -> Decision:
        if options_are_bare_labels(ex.options):
            return Drop("choice_options_only_in_image", f"options are {list(ex.options)}")
        return None


@register("choice_letter_not_in_options")
@dataclass(frozen=True)
class ChoiceLetterNotInOptions(Filter):
    """A choice gold that names no option (letter out of range, or option text not among the choices)."""

    def check(self, ex: Example) -> Decision:
        if not ex.options:
            return None
        gold = ex.gold.strip().strip("()")
        if len(gold) == 1 and gold.upper() in LETTERS:
            if LETTERS.index(gold.upper()) >= len(ex.options):
                return Drop("choice_letter_not_in_options", f"gold {gold!r} but only {len(ex.options)} options")
            return None
        if gold in ex.options:
            return None
        return Drop("choice_letter_not_in_options", f"gold {ex.gold[:60]!r} is neither a letter nor an option's text")
