"""Multiple choice: the prediction must name the gold option, by letter or by its text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from lmmr1.verifiers.config import ChoiceConfig, MathConfig
from lmmr1.verifiers.equivalence import Outcome, compare_math
from lmmr1.verifiers.normalize import normalize, strip_wrappers, text_key, unwrap_text
from lmmr1.verifiers.rational import parse_rational

Options = Mapping[str, str] | Sequence[str] | None

_MATH = MathConfig()
MAX_SYMPY_CHARS = 80  # longer predictions are sentences, not values
_LETTER_GOLD = re.compile(r"\(?[A-Z]\)?")
_LETTER_ONLY = re.compile(r"^\(?\s*([A-Za-z])\s*\)?\s*[.:)]?$")
_LETTER_LEAD = re.compile(r"^(?:option|choice)?\s*\(?([A-Z])\)?\s*[.:),]\s*\S")
_OPTION_WORD = re.compile(r"^(?:option|choice)\s*\(?([A-Za-z])\)?\s*[.:)]?$", re.IGNORECASE)
_FILLER_LEAD = re.compile(
    r"^(?:for sure|surely|definitely|clearly|probably|likely|option|choice)\s*:?\s*\(?([A-Z])\)?(?=$|[\s.,:;)])",
    re.IGNORECASE,
)
_PHRASE = re.compile(
    r"(?:answer\s*(?:is|:)|it'?s|it\s+is|choose|select|pick|go\s+with)\s*(?:option\s*|choice\s*)?"
    r"\(?([A-Z])\)?(?=$|[\s.,:;)!])"
)
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


def letter_in_prose(text: str) -> str | None:
    """``for sure D, not A`` → D; ``… therefore I think it's B`` → B (the last such phrase)."""
    m = _FILLER_LEAD.match(_clean(text))
    if m:
        return m.group(1).upper()
    found = _PHRASE.findall(text)
    return found[-1] if found else None


def _key(text: str) -> str:
    return text_key(normalize(text).text).replace(" ", "")


def _same_text(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)
    if ka == kb:
        return True
    va, vb = parse_rational(ka), parse_rational(kb)
    return va is not None and va == vb


def _letter_for_text(text: str, options: dict[str, str], left: Callable[[], float] | None = None) -> str | None:
    """The option whose text is ``text`` (same words, same value; with ``left``, sympy-equal)."""
    matches = [k for k, v in options.items() if _same_text(text, v)]
    # sympy only for a short, math-looking prediction: prose never equals an option's value
    if matches or left is None or len(text) > MAX_SYMPY_CHARS or not re.search(r"\\|\d", text) or re.search(r"[a-zA-Z]{4,}", re.sub(r"\\[a-zA-Z]+", "", text)):
        return matches[0] if matches else None
    for k, v in options.items():  # "\sqrt{\frac{4}{\pi}}" is the option "\frac{2}{\sqrt{\pi}}"
        if compare_math(strip_wrappers(v), text, _MATH, left())[0]:
            return k
    return None


def compare_choice(
    gold: str, pred: str, options: Options, config: ChoiceConfig, left: Callable[[], float] | None = None
) -> Outcome:
    """``left()`` gives the seconds left of the budget, for sympy comparisons of option texts."""
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
    two = _TWO_LETTERS.match(t)
    if two and two.group(1).upper() != two.group(2).upper():
        return False, "hedged", f"two letters: {two.group(1)} and {two.group(2)}"
    letter = _letter_for_text(t, opts) if config.match_option_text and opts else None
    if letter is None:
        letter = as_letter(t) or letter_in_prose(t)
    if letter is None and config.match_option_text and opts:
        letter = _letter_for_text(t, opts, left)
        if letter is None:
            return False, "not_equal", "matches no option"
    if letter is None:
        return False, "not_equal", "no choice letter found"
    if opts and letter not in opts:
        return False, "letter_not_in_options", f"{letter} is not among {''.join(opts)}"
    return (True, "equal", None) if letter == gold_letter else (False, "not_equal", None)
