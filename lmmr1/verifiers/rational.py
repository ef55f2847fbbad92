"""The sympy-free fast path: exact values of plain numbers, decimals and simple fractions.

Most RL answers are integers, decimals or simple fractions; comparing them exactly as
:class:`fractions.Fraction` is ~1000× cheaper than parsing LaTeX into sympy.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction

_INT = r"[+-]?\d+"
_DEC = r"[+-]?(?:\d+\.\d*|\.\d+)"
_NUMBER = re.compile(rf"^(?:{_DEC}|{_INT})$")
_PLAIN_INT = re.compile(_INT)
_DECIMAL_PLACES = re.compile(r"[+-]?\d*\.(\d+)")
_SLASH = re.compile(r"^([+-]?)\(?(\d+(?:\.\d+)?)\)?\s*/\s*\(?(\d+(?:\.\d+)?)\)?$")
_FRAC = re.compile(r"^([+-]?)\s*\\frac\s*(?:\{\s*(\d+)\s*\}|(\d))\s*(?:\{\s*(\d+)\s*\}|(\d))$")
_SCI = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*(?:\\times|\\cdot|\*)\s*10\s*\^\s*\{?\s*([+-]?\d+)\s*\}?$")
MAX_DIGITS = 400  # longer digit strings go to the slow path rather than building huge integers


def parse_rational(s: str) -> Fraction | None:
    """Exact value of ``s`` if it is a plain number, decimal, ``a/b``, ``\\frac{a}{b}`` or a×10^k."""
    s = s.strip()
    if not s or len(s) > MAX_DIGITS:
        return None
    return _parse_rational(s)


@functools.lru_cache(maxsize=16384)  # pure, on texts of at most MAX_DIGITS characters: 16 samples repeat values
def _parse_rational(s: str) -> Fraction | None:
    if _PLAIN_INT.fullmatch(s):
        return Fraction(int(s))
    if _NUMBER.match(s):
        return Fraction(s)
    m = _FRAC.match(s) or _SLASH.match(s)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        groups = [g for g in m.groups()[1:] if g is not None]
        num, den = Fraction(groups[0]), Fraction(groups[1])
        return None if den == 0 else sign * num / den
    m = _SCI.match(s)
    if m and abs(int(m.group(2))) <= 300:
        return Fraction(m.group(1)) * Fraction(10) ** int(m.group(2))
    return None


def decimal_places(s: str) -> int | None:
    """Digits after the point if ``s`` is a decimal literal (``3.46`` → 2), else ``None``."""
    m = _DECIMAL_PLACES.fullmatch(s.strip())
    return len(m.group(1)) if m else None


def is_integer_literal(s: str) -> bool:
    return _PLAIN_INT.fullmatch(s.strip()) is not None
