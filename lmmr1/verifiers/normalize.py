"""Stage 2: canonical text of an answer, before anything is parsed.

Pure string work, no sympy: strips wrappers (``$``, ``\\boxed``, ``\\left``), spacing commands,
thousands separators, units and degree marks (per policy), and ``x =`` prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lmmr1.verifiers.extract import find_boxed

# Words after a number that are units, not math (`5 cm`, `12 \text{ square feet}`).
UNITS = frozenset(
    """
    mm cm dm m km in inch inches ft foot feet yd yard yards mi mile miles unit units
    g kg mg lb lbs pound pounds oz ounce ounces ton tons l ml liter liters litre litres gallon gallons
    s sec second seconds min minute minutes h hr hour hours day days week weeks month months year years
    degree degrees deg rad radian radians percent cent cents dollar dollars euro euros
    sq square cubic meter meters metre metres centimeter centimeters kilometer kilometers
    mph kmh people person persons students apples pages times items
    """.split()
)

_NEG_SPACE = re.compile(r"\\!\s*")
_AND_LIST = re.compile(r"\s*(?:,\s*)?\band\b\s*")
_SPACING = re.compile(r"\\[,;: ]|\\quad|\\qquad|\\displaystyle|\\left(?![a-z])|\\right(?![a-z])|~")
_DFRAC = re.compile(r"\\[dt]frac")
_DEGREE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|°|\\degree|\^\s*\{\s*\\text\{\s*o\s*\}\s*\}")
_TEXT_CMD = re.compile(r"\\(?:text|textbf|textit|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}")
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^-?\d{1,3}(?: \d{3})+(?:\.\d+)?$")
_CURRENCY = re.compile(r"^(?:\\\$|\$|€|£|¥)\s*(?=[-+]?[\d.])|(?<=[\d.])\s*(?:\\\$|\$|€|£|¥)$")
_LHS_VAR = re.compile(r"^\s*[a-zA-Z](?:_\{?\w+\}?)?\s*(?:=|\\approx)\s*(?!.*[=<>])")
_PERCENT = re.compile(r"\s*(?:\\%|%|\\text\{\s*percent\s*\}|\bpercent(?:age)?|\bpct)\s*$")
_UNIT_TAIL = re.compile(r"^(?P<num>.*?[\d}).])\s*(?:\\text\{\s*(?P<t>[^{}]*)\}|\\mbox\{\s*(?P<m>[^{}]*)\}|(?P<w>[a-zA-Z][a-zA-Z .]*))(?:\^\{?[23]\}?)?$")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Canonical answer text; ``percent`` says a trailing percent sign was removed."""

    text: str
    percent: bool = False
    had_unit: bool = False


def strip_wrappers(s: str) -> str:
    """Remove math delimiters and ``\\boxed`` around the whole answer."""
    s = s.strip()
    changed = True
    while changed and s:
        changed = False
        for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
            if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
                s = s[len(left) : len(s) - len(right)].strip()
                changed = True
        boxes = find_boxed(s)
        if len(boxes) == 1 and boxes[0][0] == 0 and boxes[0][1] == len(s):
            s = boxes[0][2].strip()
            changed = True
        if s.startswith("{") and s.endswith("}") and _outer_braces_match(s):  # "{1440}" → "1440"
            s = s[1:-1].strip()
            changed = True
        if s.count("$") == 1 and (s.startswith("$") or s.endswith("$")):  # a stray delimiter: "\frac{3}{4}$"
            s = s.strip("$").strip()
            changed = True
        if s.endswith(".") and not re.search(r"\d\.$", s[-2:]):
            s = s[:-1].rstrip()
            changed = True
    return s


def _outer_braces_match(s: str) -> bool:
    depth = 0
    for i, ch in enumerate(s):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and i < len(s) - 1:
            return False
    return depth == 0


def unwrap_text(s: str) -> str:
    """``\\text{abc}`` → ``abc`` (repeatedly, innermost first)."""
    previous = None
    while previous != s:
        previous, s = s, _TEXT_CMD.sub(lambda m: m.group(1), s)
    return s


def normalize(answer: str, *, units: str = "strip") -> Normalized:
    """Canonical text of one answer (gold or prediction)."""
    s = strip_wrappers(answer)
    s = s.replace("\u2212", "-").replace("\u00d7", "\\times ").replace("\u00f7", "\\div ")
    s = _NEG_SPACE.sub("", s)
    s = _SPACING.sub(" ", s)
    s = _DFRAC.sub(r"\\frac", s)
    s = re.sub(r"\\mathrm\{e\}", "e", s)
    s = re.sub(r"\\mathrm\{i\}", "i", s)
    had_unit = False
    if units == "strip":
        s, n = _DEGREE.subn("", s)
        had_unit = n > 0
    s = re.sub(r"\s+", " ", s).strip()
    percent = False
    m = _PERCENT.search(s)
    if m and s[: m.start()].strip():
        s, percent = s[: m.start()].strip(), True
    if units == "strip":
        s, unit = _strip_unit(s)
        had_unit = had_unit or unit
    s = strip_wrappers(_CURRENCY.sub("", s)).strip()
    if re.search(r"\d", s) and " and " in unwrap_text(s) and not is_text_answer(s):
        s = _AND_LIST.sub(",", unwrap_text(s))  # "6 \text{ and } 8" → "6,8"
    if _THOUSANDS.match(s):
        s = s.replace(",", "").replace(" ", "")
    return Normalized(s, percent, had_unit)


def drop_lhs_variable(s: str) -> str:
    """``x = 5`` → ``5`` (a lone variable on the left of the only relation)."""
    m = _LHS_VAR.match(s)
    return s[m.end() :].strip() if m and s[m.end() :].strip() else s


def _strip_unit(s: str) -> tuple[str, bool]:
    m = _UNIT_TAIL.match(s)
    if not m:
        return s, False
    words = (m.group("t") or m.group("m") or m.group("w") or "").strip().lower().replace(".", " ")
    tokens = words.split()
    if not tokens or not all(t in UNITS for t in tokens):
        return s, False
    return m.group("num").strip(), True


def is_text_answer(s: str) -> bool:
    """An answer made of words (``\\text{Evelyn}``, ``odd``), compared case-insensitively."""
    plain = unwrap_text(s).strip()
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z' -]*", plain)) and (len(plain) > 1 or "\\text" in s)


def text_key(s: str) -> str:
    return re.sub(r"\s+", " ", unwrap_text(s)).strip().lower()
