"""Classify a gold answer by the shape a rule would have to check.

Types: ``empty``, ``sentinel``, ``proof``, ``choice``, ``yes_no``, ``integer``, ``decimal``,
``fraction``, ``interval``, ``set_tuple``, ``matrix``, ``equation``, ``multi_part``, ``expression``,
``text``. The classifier is cheap (regular expressions only) and deterministic.
"""

from __future__ import annotations

import re

from lmmr1.verifiers.choice import is_letter_gold
from lmmr1.verifiers.normalize import UNITS
from lmmr1.verifiers.text import TEXT_COMMANDS

ANSWER_TYPES: tuple[str, ...] = (
    "empty", "sentinel", "proof", "choice", "yes_no", "integer", "decimal", "fraction", "interval",
    "set_tuple", "matrix", "equation", "multi_part", "expression", "text",
)

#: Golds that say "there is no checkable answer here" (compared lower-cased, punctuation stripped).
DEFAULT_SENTINELS: tuple[str, ...] = (
    "proof", "notfound", "not found", "n/a", "na", "none", "null", "nan", "unknown", "no answer",
    "see solution", "see explanation", "omitted", "cannot be determined", "-", "?", "tbd",
)

_NUM = r"[-+]?(?:\d{1,3}(?:,\\!?\d{3})+|\d+)"
_INTEGER = re.compile(rf"{_NUM}(?:\^\\circ|°)?")
_DECIMAL = re.compile(rf"[-+]?(?:\d+)?\.\d+(?:\^\\circ|°|\\%|%)?|{_NUM}(?:\\%|%)")
_FRACTION = re.compile(r"[-+]?(?:\\[dt]?frac\{[^{}]+\}\{[^{}]+\}|\d+\s*/\s*\d+)")
_INTERVAL = re.compile(r"[\[(]\s*[^,\[\]()]+,\s*[^,\[\]()]+[\])](?:\s*\\cup\s*[\[(].*[\])])*")
_MATRIX = re.compile(r"\\begin\{[pbv]?matrix\}")
_YES_NO = {"yes", "no", "true", "false"}
_PROOF = re.compile(r"\b(proof|prove|proved|q\.?e\.?d|shown above)\b", re.IGNORECASE)
_MULTI = re.compile(r"(\([a-d]\)|\b[a-d]\))\s*\S.*(\([a-d]\)|\b[a-d]\))\s*\S|\\text\{\s*and\s*\}|;\s*\S", re.DOTALL)
_WORD = re.compile(r"[A-Za-z]{4,}")
_LATEX_TEXT = re.compile(r"\\(?:" + "|".join(TEXT_COMMANDS) + r")\{([^{}]*)\}")
_LATEX_CMD = re.compile(r"\\[A-Za-z]+")
_FUNCTIONS = re.compile(r"\b(a?sin|a?cos|a?tan|sqrt|log|ln|exp|pi|sec|csc|cot|abs)\b")
_UNITS = re.compile(r"\b(" + "|".join(sorted(UNITS | {"unit", "units", "percent"}, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def normalize_sentinel(text: str) -> str:
    return re.sub(r"[\s.]+", " ", text.strip().lower()).strip()


def classify(gold: str, options: tuple[str, ...] | list[str] = (), sentinels: tuple[str, ...] = DEFAULT_SENTINELS) -> str:
    """The answer type of ``gold`` (already cleaned of ``$`` and ``\\boxed{}``)."""
    text = gold.strip()
    if not text:
        return "empty"
    low = normalize_sentinel(text)
    if low in sentinels or low.strip("\\{}() ") in sentinels:
        return "sentinel"
    if _PROOF.search(text) and len(text) > 12 or low in ("proof", "qed"):
        return "proof"
    if options and re.fullmatch(r"\(?[A-Za-z]\)?", text):
        return "choice"
    if is_letter_gold(text):  # what verify's task="auto" reads as a choice
        return "choice"
    if re.sub(r"\\text\{(.*)\}", r"\1", low).strip("$ ") in _YES_NO:
        return "yes_no"
    bare = text.replace(" ", "")
    if _INTEGER.fullmatch(bare):
        return "integer"
    if _DECIMAL.fullmatch(bare):
        return "decimal"
    if _FRACTION.fullmatch(bare):
        return "fraction"
    if _MATRIX.search(text):
        return "matrix"
    if _MULTI.search(text) and not _INTERVAL.fullmatch(bare):
        return "multi_part"
    if _INTERVAL.fullmatch(bare) and "," in bare and (text[0] == "[" or text[-1] == "]" or "\\infty" in text):
        return "interval"
    if re.fullmatch(r"\\left\(.*\\right\)|\(.*\)|\\\{.*\\\}|\{.*\}|\[.*\]", bare) and "," in bare or (
        "," in bare and not re.search(r"\d,\\?!?\d{3}", bare)
    ):
        return "set_tuple"
    if "=" in text or re.search(r"\\[lg]eq?\b|<|>", text):
        return "equation"
    stripped = _FUNCTIONS.sub(" ", _UNITS.sub("", _LATEX_CMD.sub(" ", _LATEX_TEXT.sub(r" \1 ", text))))
    if len(_WORD.findall(stripped)) >= 2 or (len(_WORD.findall(stripped)) == 1 and not re.search(r"[\d^_=+*/]", stripped)):
        return "text"
    return "expression"
