"""Multiple choice: the prediction must name the gold option, by letter or by its text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from lmmr1.verifiers.config import ChoiceConfig
from lmmr1.verifiers.equivalence import Outcome
from lmmr1.verifiers.normalize import normalize, strip_wrappers, text_key, unwrap_text
from lmmr1.verifiers.rational import parse_rational

Options = Mapping[str, str] | Sequence[str] | None

_LETTER_ONLY = re.compile(r"^\(?\s*([A-Za-z])\s*\)?\s*[.:)]?$")
_LETTER_LEAD = re.compile(r"^(?:option|choice)?\s*\(?([A-Z])\)?\s*[.:)]\s*\S")
_OPTION_WORD = re.compile(r"^(?:option|choice)\s*\(?([A-Za-z])\)?\s*[.:)]?$", re.IGNORECASE)
_TWO_LETTERS = re.compile(r"^\(?([A-Z])\)?\s*(?:,|or|and|/|&)\s*\(?([A-Z])\)?\s*[.]?$", re.IGNORECASE)


def option_map(options: Options) -> dict[str, str]:
    """Options as ``{"A": text, ...}``: a list is lettered A, B, C…; mapping keys are upper-cased."""
    if options is None:
        return {}
    if isinstance(options, Mapping):
        return {str(k).strip().strip("()").upper(): str(v) for k, v in options.items()}
    return {chr(ord("A") + i): str(v) for i, v in enumerate(options)}


def _clean(text: str) -> str:
    return unwrap_text(strip_wrappers(text)).strip()


def as_letter(text: str) -> str | None:
    """``B``, ``(B)``, ``B.``, ``\\text{(B)}``, ``b``, ``B: 12``, ``Option B`` → ``"B"``."""
    t = _clean(text)
    for pattern in (_LETTER_ONLY, _OPTION_WORD, _LETTER_LEAD):
        m = pattern.match(t)
        if m:
            return m.group(1).upper()
    return None


def _same_text(a: str, b: str) -> bool:
    na, nb = normalize(a).text, normalize(b).text
    if text_key(na) == text_key(nb):
        return True
    va, vb = parse_rational(na), parse_rational(nb)
    return va is not None and va == vb


def _letter_for_text(text: str, options: dict[str, str]) -> str | None:
    matches = [k for k, v in options.items() if _same_text(text, v)]
    return matches[0] if matches else None


def compare_choice(gold: str, pred: str, options: Options, config: ChoiceConfig) -> Outcome:
    opts = option_map(options)
    gold_letter = as_letter(gold)
    if gold_letter is None or (opts and gold_letter not in opts):
        gold_letter = _letter_for_text(gold, opts) if opts else None
    if gold_letter is None:
        return None, "gold_unparseable", "gold is neither a choice letter nor one of the options"
    t = _clean(pred)
    if not t:
        return False, "no_answer", None
    two = _TWO_LETTERS.match(t)
    if two and two.group(1).upper() != two.group(2).upper():
        return False, "hedged", f"two letters: {two.group(1)} and {two.group(2)}"
    letter = as_letter(t)
    if letter is None and config.match_option_text and opts:
        letter = _letter_for_text(t, opts)
        if letter is None:
            return False, "not_equal", "matches no option"
    if letter is None:
        return False, "not_equal", "no choice letter found"
    if opts and letter not in opts:
        return False, "letter_not_in_options", f"{letter} is not among {''.join(opts)}"
    return (True, "equal", None) if letter == gold_letter else (False, "not_equal", None)
