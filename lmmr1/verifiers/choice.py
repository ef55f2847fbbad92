"""Multiple choice: the prediction must name the gold option, by letter or by its text."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction

from lmmr1.verifiers.equivalence import compare_math
from lmmr1.verifiers.extract import Extraction
from lmmr1.verifiers.normalize import normalize, text_key
from lmmr1.verifiers.rational import parse_rational
from lmmr1.verifiers.tasks import Context, Outcome, register
from lmmr1.verifiers.text import LETTERS, strip_wrappers, unwrap_text

Options = Mapping[str, str] | Sequence[str] | None

MAX_SYMPY_CHARS = 80  # longer predictions are sentences, not values
MAX_CACHED_CHARS = 500  # option texts up to this long have their keys cached
MAX_LETTER_LIST_CHARS = 200  # "B, C, D" / "B: 12, C: 14": a list of lettered options is short
_MATHY = re.compile(r"\\|\d")
_WORD = re.compile(r"[a-zA-Z]{4,}")
_COMMAND = re.compile(r"\\[a-zA-Z]+")
_LETTER_GOLD = re.compile(r"\(?[A-Z]\)?")
_LETTER_ONLY = re.compile(r"^\(?\s*([A-Za-z])\s*\)?\s*[.:)]?$")
_LETTER_LEAD = re.compile(r"^(?:option|choice)?\s*\(?([A-Z])\)?\s*[.:),]\s*\S")
_OPTION_WORD = re.compile(r"^(?:option|choice)\s*\(?([A-Za-z])\)?\s*[.:)]?$", re.IGNORECASE)
_FILLER_LEAD = re.compile(
    r"^(?:for sure|surely|definitely|clearly|probably|likely|option|choice)\s*:?\s*\(?([A-Z])\)?(?=$|[\s.,:;)])",
    re.IGNORECASE,
)
# another letter joined to the one named: "choose A or B", "A, B and C"
_MORE_LETTER = re.compile(r"\s*(?:,|/|\bor\b|\band\b)\s*(?:option\s*|choice\s*)?\(?([A-Z])\)?(?=$|[\s.,:;)!])")
_PHRASE = re.compile(
    r"(?:(?:answer|option|choice)\s*(?:is|:)|it'?s|it\s+is|choose|select|pick|go\s+with)\s*(?:option\s*|choice\s*)?"
    r"\(?([A-Z])\)?(?=$|[\s.,:;)!])"
)
# one lettered option, alone or with its text: "B", "(B)", "B: 12", "B. 12"
_LETTER_ITEM = re.compile(r"\(?\s*([A-Z])\s*\)?(?:\s*[:.]\s*(?:[^,;()a-zA-Z]|\b[a-zA-Z]\b)*?)?(?=\s*(?:,|;|/|&|\bor\b|\band\b|\(|$))")
_ITEM_GAP = re.compile(r"^(?:\s|,|;|/|&|\bor\b|\band\b)*$", re.IGNORECASE)


def option_map(options: Options) -> dict[str, str]:
    """Options as ``{"A": text, ...}``: a list is lettered A, B, C…; mapping keys are upper-cased."""
    if options is None:
        return {}
    if isinstance(options, Mapping):
        return {str(k).strip().strip("()").upper(): str(v) for k, v in options.items()}
    return {LETTERS[i]: str(v) for i, v in enumerate(options[: len(LETTERS)])}


def _clean(text: str) -> str:
    return unwrap_text(strip_wrappers(text)).strip()


def is_letter_gold(gold: str) -> bool:
    """A gold that is a lone capital letter (``C``, ``(C)``): ``task="auto"`` reads it as a choice."""
    return _LETTER_GOLD.fullmatch(gold.strip()) is not None


def as_letter(text: str) -> str | None:
    """``B``, ``(B)``, ``B.``, ``\\text{(B)}``, ``b``, ``B: 12``, ``Option B`` → ``"B"``."""
    t = _clean(text)
    for pattern in (_LETTER_ONLY, _OPTION_WORD, _LETTER_LEAD):
        m = pattern.match(t)
        if m:
            return m.group(1).upper()
    return None


def letters_in_prose(text: str) -> list[str]:
    """The letters the (last) answer phrase names: ``for sure D, not A`` → [D]; ``… therefore I think
    it's B`` → [B]; ``I'd choose A or B`` → [A, B] (a hedge)."""
    m = _FILLER_LEAD.match(_clean(text))
    if m:
        return [m.group(1).upper()]
    found = list(_PHRASE.finditer(text))
    if not found:
        return []
    letters, pos = [found[-1].group(1)], found[-1].end()
    while (more := _MORE_LETTER.match(text, pos)) is not None:
        letters.append(more.group(1))
        pos = more.end()
    return letters


def _key(text: str) -> tuple[str, Fraction | None]:
    """(words, exact value) of an option or answer text; the unit stays in the words: "5 cm" is not "5 m"."""
    n = normalize(text)
    words = text_key(n.text).replace(" ", "") + (f"[{n.unit}]" if n.unit else "")
    return words, parse_rational(words)


_cached_key = functools.lru_cache(maxsize=8192)(_key)  # the 16 samples of a prompt share its options


def _same_text(a: tuple[str, Fraction | None], b: tuple[str, Fraction | None]) -> bool:
    return a[0] == b[0] or (a[1] is not None and a[1] == b[1])


def _letter_for_text(text: str, options: dict[str, str], ctx: Context | None = None) -> str | None:
    """The option whose text is ``text`` (same words, same value; with ``ctx``, equal as math)."""
    key = _key(text)
    matches = [k for k, v in options.items() if _same_text(key, _cached_key(v) if len(v) <= MAX_CACHED_CHARS else _key(v))]
    # sympy only for a short, math-looking prediction: prose never equals an option's value
    if matches or ctx is None or len(text) > MAX_SYMPY_CHARS or not _MATHY.search(text) or _WORD.search(_COMMAND.sub("", text)):
        return matches[0] if matches else None
    for k, v in options.items():  # "\sqrt{\frac{4}{\pi}}" is the option "\frac{2}{\sqrt{\pi}}"
        if compare_math(strip_wrappers(v), text, ctx)[0]:
            return k
    return None


def _named_letter(text: str) -> str | Outcome | None:
    """The letter ``text`` names by itself or in an answer phrase; a hedged outcome when the phrase
    names several ("I'd choose A or B")."""
    letter = as_letter(text)
    if letter is not None:
        return letter
    named = letters_in_prose(text)
    if len(set(named)) > 1:
        return False, "hedged", f"several letters: {', '.join(dict.fromkeys(named))}"
    return named[0] if named else None


def listed_letters(text: str) -> list[str]:
    """``B, C, D`` / ``(B) (C)`` / ``B: 12, C: 14`` → the letters, when the text is nothing but a list
    of lettered options; ``[]`` otherwise."""
    if len(text) > MAX_LETTER_LIST_CHARS:
        return []
    found = list(_LETTER_ITEM.finditer(text))
    if len(found) < 2 or not _ITEM_GAP.match(_LETTER_ITEM.sub(" ", text)):
        return []
    return [m.group(1) for m in found]


def compare_choice(gold: str, pred: str, options: Options, ctx: Context) -> Outcome:
    """Does ``pred`` name the gold option? Option values are compared as math with ``ctx``'s config."""
    config = ctx.config.choice
    opts = option_map(options)
    # MathVista's gold is the option text, even when the options are "(a)", "(b)"…
    gold_letter = _letter_for_text(gold, opts) if opts else None
    if gold_letter is None:
        gold_letter = as_letter(gold)
        if gold_letter is not None and opts and gold_letter not in opts:
            gold_letter = None
    if gold_letter is None:
        return None, "gold_unparseable", "gold is neither a choice letter nor one of the options"
    t = _clean(pred)
    if not t:
        return False, "no_answer", None
    letters = listed_letters(t)
    if len(set(letters)) > 1:
        return False, "hedged", f"several letters: {', '.join(dict.fromkeys(letters))}"
    letter = _letter_for_text(t, opts) if config.match_option_text and opts else None
    if letter is None:
        named = _named_letter(t)
        if isinstance(named, tuple):
            return named
        letter = named
    if letter is None and config.match_option_text and opts:
        letter = _letter_for_text(t, opts, ctx)
        if letter is None:
            return False, "not_equal", "matches no option"
    if letter is None:
        return False, "not_equal", "no choice letter found"
    if opts and letter not in opts:
        return False, "letter_not_in_options", f"{letter} is not among {''.join(opts)}"
    return (True, "equal", None) if letter == gold_letter else (False, "not_equal", None)


@register("choice", choice_extraction=True)
def _choice_task(gold: str, extraction: Extraction, options: dict[str, str], ctx: Context) -> Outcome:
    answer = extraction.text
    assert answer is not None
    if extraction.source == "last_sentence":
        # prose at the end of an untagged text: a letter named there counts, a value does not
        named = _named_letter(answer)
        if isinstance(named, tuple):
            return named
        if named is None:
            return False, "no_answer", "no letter in the final sentence"
        answer = named
    if extraction.hedged:
        return False, "hedged", " | ".join(extraction.alternatives)
    return compare_choice(gold, answer, options, ctx)
