"""Stage 2: canonical text of an answer, before anything is parsed.

Pure string work, no sympy: strips wrappers (``$``, ``\\boxed``, ``\\left``), spacing commands,
thousands separators, qualifiers (``\\text{ for all } n``, "(in cm)"), a noun phrase after a value
(``26 slices`` → ``26``) and ``x =`` prefixes. A trailing *unit* is split off and reported, so that
the comparison can strip it when only one side has one and compare it when both do.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lmmr1.verifiers.rational import parse_rational
from lmmr1.verifiers.text import CJK, HAS_CJK, strip_wrappers, unicode_to_latex, unwrap_text

__all__ = ["UNITS", "Normalized", "drop_lhs_variable", "is_text_answer", "normalize", "split_cjk_unit", "split_value_words",
           "strip_wrappers", "text_key", "unwrap_text"]

MAX_ANSWER_CHARS = 2000  # an extracted answer longer than this is prose, not a value to compare

# Words after a number that are units of measure (`5 cm`, `12 \text{ square feet}`).
UNITS = frozenset(
    """
    mm cm dm m km in inch inches ft foot feet yd yard yards mi mile miles
    g kg mg lb lbs pound pounds oz ounce ounces ton tons l ml liter liters litre litres gallon gallons
    s sec secs second seconds min mins minute minutes h hr hrs hour hours day days week weeks month months year years
    degree degrees deg rad radian radians cent cents dollar dollars euro euros
    sq square cubic meter meters metre metres centimeter centimeters centimetre centimetres
    millimeter millimeters kilometer kilometers kilometre kilometres mph kmh am pm
    """.split()
)
UNIT_PREFIXES = frozenset({"sq", "square", "cubic"})  # "square feet": a prefix is part of the unit
# Chinese units after a value ("5厘米", "20海里"), by their English name where UNITS has one; other
# Chinese words after a value are measure words or nouns ("3个", "12人") and are dropped.
CJK_UNITS = {
    "毫米": "mm", "厘米": "cm", "分米": "dm", "米": "m", "千米": "km", "公里": "km", "海里": "海里",
    "克": "g", "千克": "kg", "公斤": "kg", "吨": "ton", "升": "l", "毫升": "ml",
    "秒": "s", "分钟": "min", "小时": "h", "天": "day", "周": "week", "月": "month", "年": "year", "度": "degree",
    "平方米": "square m", "平方厘米": "square cm", "立方米": "cubic m", "立方厘米": "cubic cm",
}
_CJK_TAIL = re.compile(rf"(?<=[\d}}).])\s*([{CJK}]{{1,4}})$")


def split_cjk_unit(s: str) -> tuple[str, str | None] | None:
    """``5厘米`` → ``("5", "cm")``; ``3个`` → ``("3", None)``; ``None`` unless ``s`` is a value (a digit,
    no Chinese) followed by a short Chinese word."""
    tail = _CJK_TAIL.search(s)
    if tail is None or not re.search(r"\d", s[: tail.start()]) or HAS_CJK.search(s, 0, tail.start()):
        return None
    return s[: tail.start()].strip(), CJK_UNITS.get(tail.group(1))

_NEG_SPACE = re.compile(r"\\!\s*")
_AND_LIST = re.compile(r"\s*(?:,\s*)?\band\b\s*")
_SPACING = re.compile(r"\\[,;: ]|\\quad|\\qquad|\\displaystyle|\\left(?![a-z])|\\right(?![a-z])|~")
_DFRAC = re.compile(r"\\[dt]frac")
_DEGREE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\degree|\^\s*\{\s*\\text\{\s*o\s*\}\s*\}")
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^-?\d{1,3}(?: \d{3})+(?:\.\d+)?$")
_CURRENCY = re.compile(r"^(?:\\\$|\$|€|£|¥)\s*(?=[-+]?[\d.])|(?<=[\d.])\s*(?:\\\$|\$|€|£|¥|元)$")
_LHS_VAR = re.compile(r"^\s*[a-zA-Z](?:_\{?\w+\}?)?\s*(?:=|\\approx)\s*(?!.*[=<>])")
_PERCENT = re.compile(r"\s*(?:\\%|%|\\text\{\s*percent\s*\}|\bpercent(?:age)?|\bpct)\s*$")
_QUALIFIER = re.compile(
    r"\s*(?:\\text\{\s*)?\b(?:for|where|when|with)\s+(?:all|any|every|each|some)\b.*$"
    r"|\s*\((?:in|units?:?|measured\s+in)\s+[^()]{1,30}\)\s*$",
    re.IGNORECASE,
)
# value, then words: "26 slices", "5 \text{ cm}", "14 years ago", "12 square feet"
# (the words are split by whitespace only, so the match is linear: no nested quantifier can backtrack)
_VALUE_WORDS = re.compile(
    r"^(?P<value>.{0,200}?[\d}).])\s*(?P<words>[a-zA-Z][a-zA-Z'.-]*(?:\s+[a-zA-Z][a-zA-Z'.-]*){0,7})\s*"
    r"(?:\^\{?(?P<pow>[23])\}?)?$"
)
_SMALL_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALE_WORDS = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SCALES = {w: v for w, v in _SCALE_WORDS.items() if 10**3 <= v <= 10**9}  # spelled numbers: "two thousand"
_WORD = re.compile(r"[A-Za-z]+")
_WORD_GAP = re.compile(r"[ \t-]*")
_NEGATIVE_WORD = re.compile(r"(?:minus|negative)\s+", re.IGNORECASE)
_ENDS_IN_WORD = re.compile(r"[a-zA-Z](?:\^\{?[23]\}?)?\s*$")  # "26 slices", "6 cm^{2}"
_MERIDIEM = re.compile(r"\b([ap])\.?\s?m\b\.?")  # "4:30 p.m.": pm is a unit, so am ≠ pm
_MIXED = re.compile(r"^(-?)(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}$")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Canonical answer text; ``percent`` says a trailing percent sign was removed; ``unit`` is the
    unit split off the end (``"cm"``, ``"square feet"``, ``"degree"`` for ``^\\circ``), if any."""

    text: str
    percent: bool = False
    unit: str | None = None

    @property
    def had_unit(self) -> bool:
        return self.unit is not None


def split_value_words(s: str) -> tuple[str, str | None] | None:
    """``26 slices`` → ``("26", None)``; ``5 cm long`` → ``("5", "cm")``; ``12 square feet`` →
    ``("12", "square feet")``; ``None`` when ``s`` is not a value followed by plain words.

    A noun phrase after a value is dropped; units (``UNITS``) at its start are kept as the unit.
    """
    m = _VALUE_WORDS.match(s.strip())
    if not m or not re.search(r"\d", m.group("value")):
        return None
    words = _MERIDIEM.sub(r"\1m", m.group("words").lower()).replace(".", " ").split()
    value = m.group("value").strip()
    if words[0] in _SCALE_WORDS:  # "5 million" is 5000000, not 5 and a noun
        exact = parse_rational(value.replace(",", ""))
        if exact is None:
            return None
        scaled = exact * _SCALE_WORDS[words[0]]
        value, words = (str(scaled.numerator) if scaled.denominator == 1 else str(float(scaled))), words[1:]
    unit: list[str] = []
    for w in words:
        if w in UNITS and (not unit or unit[-1] in UNIT_PREFIXES or w in UNIT_PREFIXES):
            unit.append(w)
        else:
            break
    if unit and unit[-1] in UNIT_PREFIXES:
        unit = []
    if any(len(w) == 1 for w in words[len(unit) :]):
        return None  # "5 x", "4:30p..": a lone letter after a value is math (or a corrupted answer), not a noun
    if unit and m.group("pow"):
        unit.append("^" + m.group("pow"))
    return value, " ".join(unit) or None


def spelled_number(s: str) -> tuple[int, int] | None:
    """``seven`` → (7, 5); ``one hundred and five apples`` → (105, 21): the value of the number words
    ``s`` starts with and where they end; ``None`` when it does not start with one."""
    total = current = 0
    end, pos, seen = 0, 0, False
    while True:
        m = _WORD.match(s, _WORD_GAP.match(s, pos).end())
        if m is None:
            break
        w = m.group(0).lower()
        if w in _SMALL_NUMBERS or w in _TENS:
            current += _SMALL_NUMBERS.get(w, _TENS.get(w, 0))
        elif w == "hundred" and seen:
            current *= 100
        elif w in _SCALES and seen:
            total, current = total + current * _SCALES[w], 0
        elif not (w == "and" and seen):
            break
        if w != "and":
            seen, end = True, m.end()
        pos = m.end()
    return (total + current, end) if seen else None


def _spelled_out(s: str) -> str:
    """``seven`` → ``7``, ``twenty-one apples`` → ``21 apples``, ``minus five`` → ``-5``; number words
    followed by more than one word are left alone."""
    sign = _NEGATIVE_WORD.match(s)
    body = s[sign.end() :] if sign else s
    found = spelled_number(body)
    if found is None:
        return s
    value, end = found
    rest = body[end:].split()
    if len(rest) > 1 or rest and rest[0].lower() in ("of", "and", "or", "to", "by"):
        return s  # "one of the options", "one by one": words, not a value with its noun
    return f"{'-' if sign else ''}{value}{body[end:]}"


def _strip_text_unit(s: str) -> tuple[str, str | None]:
    """``5 \\text{ cm}`` / ``5\\mbox{cm}`` / ``26 slices`` → value and unit (noun phrases dropped)."""
    plain = unwrap_text(s) if "\\" in s else s
    if plain == s and not _ENDS_IN_WORD.search(s):
        return s, None
    split = split_value_words(plain)
    if split is None:
        return s, None
    value, unit = split
    if re.search(r"[a-zA-Z]", re.sub(r"\\[a-zA-Z]+", "", value)) and unit is None:
        return s, None  # "x + y equals": a letter in the value means the words may be math
    return value, unit


MAX_CACHED_CHARS = 500  # shorter answers (golds, options, most predictions) are normalised once


def normalize(answer: str) -> Normalized:
    """Canonical text of one answer (gold or prediction); the unit policy is the comparison's."""
    return _normalize_cached(answer) if len(answer) <= MAX_CACHED_CHARS else _normalize(answer)


@functools.lru_cache(maxsize=16384)  # bounded: 16,384 x 500 characters at most
def _normalize_cached(answer: str) -> Normalized:
    return _normalize(answer)


def _normalize(answer: str) -> Normalized:
    s = strip_wrappers(unicode_to_latex(answer))
    if len(s) > MAX_ANSWER_CHARS:
        return Normalized(s)
    s = _NEG_SPACE.sub("", s)
    s = re.sub(r"(?<=\d)\. (?=\d)", ".", s)  # "0. 98": a decimal point followed by a space
    s = re.sub(r"(?<=\S)\s*\\q?quad\s*(?=\S)", ", ", s)  # "2 \quad -2": \quad separates answers
    s = _SPACING.sub(" ", s)
    s = _DFRAC.sub(r"\\frac", s)
    s = re.sub(r"\\mathrm\{\s*([a-zA-Z])\s*\}", r"\1", s)  # \mathrm{e}, \mathrm{i}, \mathrm{~N}
    s = re.sub(r"\s+", " ", s).strip()
    s = _QUALIFIER.sub("", s).strip()
    if s[:1].isalpha():
        s = _spelled_out(s)  # "seven", "twenty-one apples", "minus five"
    unit = None
    s, n = _DEGREE.subn("", s)
    if n:
        unit = "degree"
    s = s.strip()
    percent = False
    m = _PERCENT.search(s)
    if m and s[: m.start()].strip():
        s, percent = s[: m.start()].strip(), True
    s, word_unit = _strip_text_unit(s)
    unit = unit or word_unit
    cjk = split_cjk_unit(s) if unit is None else None
    if cjk is not None:
        s, unit = cjk
    s = strip_wrappers(_CURRENCY.sub("", s)).strip()
    if " and " in unwrap_text(s) and (re.search(r"\d", s) or _short_items(unwrap_text(s))):
        s = _AND_LIST.sub(",", unwrap_text(s))  # "6 \text{ and } 8" → "6,8"; "W and Z" → "W,Z"
    if _THOUSANDS.match(s):
        s = s.replace(",", "").replace(" ", "")
    mixed = _MIXED.match(s)
    if mixed and int(mixed.group(3)) < int(mixed.group(4)):  # 2\frac{1}{2} is two and a half
        whole, num, den = int(mixed.group(2)), int(mixed.group(3)), int(mixed.group(4))
        s = f"{mixed.group(1)}\\frac{{{whole * den + num}}}{{{den}}}"
    return Normalized(s, percent, unit)


def _short_items(s: str) -> bool:
    """``W and Z``, ``A, B and C``: each item one short token (points, letters, names)."""
    items = [i.strip() for i in re.split(r",|\band\b", s)]
    return len(items) > 1 and all(re.fullmatch(r"[A-Za-z]{1,3}|\(?[\w\\{}^ ]{1,12}\)?", i) for i in items)


_LT = r"(<|\\leq?\b|\\leqslant\b)"
_GT = r"(>|\\geq?\b|\\geqslant\b)"
_SIDE = r"([^<>=]+?)"
_CHAIN = re.compile(rf"^{_SIDE}\s*{_LT}\s*[a-zA-Z]\s*{_LT}\s*{_SIDE}$")
_ABOVE = re.compile(rf"^[a-zA-Z]\s*{_GT}\s*{_SIDE}$|^{_SIDE}\s*{_LT}\s*[a-zA-Z]$")
_BELOW = re.compile(rf"^[a-zA-Z]\s*{_LT}\s*{_SIDE}$|^{_SIDE}\s*{_GT}\s*[a-zA-Z]$")
MAX_INTERVAL_CHARS = 200  # longer relations are not "a ≤ x ≤ b" answers
_IN_SET = re.compile(r"^[a-zA-Z]\s*\\in\s*")


def as_interval(s: str) -> str | None:
    """An inequality in one variable as an interval: ``-2 \\le x < 7`` → ``[-2, 7)``, ``x > 3`` →
    ``(3, \\infty)``, ``x \\in [0, 1]`` → ``[0, 1]``; ``None`` for anything else."""
    s = s.strip()
    if len(s) > MAX_INTERVAL_CHARS:
        return None
    if _IN_SET.match(s):
        return _IN_SET.sub("", s)
    m = _CHAIN.match(s)
    if m:
        low, op1, op2, high = m.groups()
        return f"{'(' if op1 == '<' else '['}{low.strip()}, {high.strip()}{')' if op2 == '<' else ']'}"
    m = _ABOVE.match(s)
    if m:
        op, bound = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{'(' if op in '<>' else '['}{bound.strip()}, \\infty)"
    m = _BELOW.match(s)
    if m:
        op, bound = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"(-\\infty, {bound.strip()}{')' if op in '<>' else ']'}"
    return None


def is_interval(s: str) -> bool:
    return bool(re.fullmatch(r"[\[(].*,.*[\])](?:\s*\\cup\s*[\[(].*[\])])*", s.strip()))


def drop_lhs_variable(s: str) -> str:
    """``x = 5`` → ``5`` (a lone variable on the left of the only relation)."""
    m = _LHS_VAR.match(s)
    return s[m.end() :].strip() if m and s[m.end() :].strip() else s


def is_text_answer(s: str) -> bool:
    """An answer made of words (``\\text{Evelyn}``, ``odd``), compared case-insensitively."""
    plain = unwrap_text(s).strip()
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z' -]*", plain)) and (len(plain) > 1 or "\\text" in s)


def text_key(s: str) -> str:
    return re.sub(r"\s+", " ", unwrap_text(s)).strip().lower()
