"""Stage 3 (slow path): symbolic comparison with math-verify, plus the checks it lacks.

Runs inside a budget worker process (see :mod:`lmmr1.verifiers.budget`), so it may take as long
as sympy likes: the parent kills the worker when the budget runs out. math-verify's own
SIGALRM timeouts are switched off here (``parsing_timeout=None``, ``timeout_seconds=None``).

What is added on top of math-verify:
* an exact veto: when math-verify says equal but both sides are constants, they must agree to
  ``rel_tol`` at 50 significant digits (math-verify rounds to 6 digits, so it accepts
  ``1/2^{99}`` for ``1/2^{98}`` and ``1/2004!`` for ``1/2006!``);
* equations compare as the same relation up to a non-zero factor (``3x-y+13=0`` is not
  ``3x+4y+14=0``, though math-verify may compare right-hand sides only);
* plain sympy syntax (``180*acos(97/111)/pi``), read with a whitelist of names.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import re

import sympy
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse
from math_verify import verify as mv_verify
from sympy.core.function import AppliedUndef

logger = logging.getLogger(__name__)

@functools.lru_cache(maxsize=2)
def _extraction(strip_units: bool) -> tuple:
    """math-verify's extraction, normalising units only when the config strips them."""
    normalization = dataclasses.replace(LatexExtractionConfig().normalization_config, units=strip_units)
    return (LatexExtractionConfig(boxed_match_priority=0, normalization_config=normalization), ExprExtractionConfig())


_SYMPY_NAMES = {
    "sqrt": sympy.sqrt, "pi": sympy.pi, "E": sympy.E, "e": sympy.E, "exp": sympy.exp, "log": sympy.log,
    "ln": sympy.log, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "asin": sympy.asin,
    "acos": sympy.acos, "atan": sympy.atan, "Rational": sympy.Rational, "Integer": sympy.Integer,
}
_SYMPY_SYNTAX = re.compile(r"^[\d\s.+\-*/()a-zA-Z_]*$")
_PRECISION = 50  # significant digits for the exact veto, plus the digits of the numbers involved
MAX_DIGITS = 5000  # precision cap for the exact veto (the call's deadline bounds it anyway)


@functools.lru_cache(maxsize=4096)
def parse_answer(text: str, strip_units: bool = True) -> tuple:
    """math-verify's parse of one normalized answer, or sympy syntax, cached (golds repeat)."""
    if _SYMPY_SYNTAX.match(text) and re.search(r"[a-z]{2,}|\*\*", text):
        names = set(re.findall(r"[A-Za-z_]+", text))
        if names <= set(_SYMPY_NAMES):
            try:
                expr = sympy.sympify(text, locals=dict(_SYMPY_NAMES), rational=True)
                return (expr, text)
            except (sympy.SympifyError, SyntaxError, TypeError, ValueError, ZeroDivisionError):
                logger.debug("not sympy syntax: %r", text)
    parsed = tuple(parse(f"${text}$", extraction_config=_extraction(strip_units), parsing_timeout=None))
    # math-verify returns only the raw string when no rule could read it: that is not a parse.
    return parsed if any(not isinstance(x, str) for x in parsed) else ()


def numeric_value(text: str) -> float | None:
    """The answer's value as a float if it is a real constant, else ``None``."""
    parsed = parse_answer(text)
    if not parsed:
        return None
    expr = parsed[0]
    if not isinstance(expr, sympy.Basic) or getattr(expr, "free_symbols", True):
        return None
    try:
        value = complex(expr.evalf(30))
    except (TypeError, ValueError, OverflowError, AttributeError):
        return None
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return None
    return value.real


def symbolic_equal(gold: str, pred: str, rel_tol: float, strip_units: bool = True) -> tuple[bool | None, str, str | None]:
    """(correct, reason, detail) for two normalized answers."""
    g = parse_answer(gold, strip_units) if gold.isprintable() else ()
    if not g:
        return None, "gold_unparseable", "math-verify cannot parse the gold answer"
    p = parse_answer(pred, strip_units)
    if not p:
        return False, "not_equal", "prediction cannot be parsed"
    ok = mv_verify(list(g), list(p), timeout_seconds=None, float_rounding=10)
    if not ok:
        renamed = _renamed(g[0], p[0])
        if renamed is None or not mv_verify([g[0]], [renamed], timeout_seconds=None, float_rounding=10):
            return False, "not_equal", None
        p = (renamed, *p[1:])
    veto = _veto(g[0], p[0], rel_tol)
    if veto:
        return False, "not_equal", veto
    return True, "equal", None


def _renamed(g: object, p: object) -> sympy.Basic | None:
    """The prediction with ``i`` read as the imaginary unit when both sides use it (``i(2-i)`` for
    ``1+2i``), or a function defined with another variable (``f(z)=z`` for ``f(x)=x``); else None."""
    if not isinstance(g, sympy.Basic) or not isinstance(p, sympy.Basic):
        return None
    gs, ps = g.free_symbols, p.free_symbols
    if {x.name for x in gs} == {x.name for x in ps} == {"i"} and isinstance(g, sympy.Expr) and isinstance(p, sympy.Expr):
        imaginary = sympy.simplify(g.subs(next(iter(gs)), sympy.I) - p.subs(next(iter(ps)), sympy.I)) == 0
        return g if imaginary else None
    if len(gs) == len(ps) == 1 and gs != ps and _defines_function_of(g, gs) and _defines_function_of(p, ps):
        return p.subs(next(iter(ps)), next(iter(gs)))
    return None


def _defines_function_of(expr: sympy.Basic, symbols: set) -> bool:
    """``f(x) = …``: an equation whose left side is a function applied to its one variable."""
    lhs = getattr(expr, "lhs", None)
    return isinstance(expr, sympy.Eq) and isinstance(lhs, AppliedUndef) and set(lhs.args) == symbols


def _veto(g: object, p: object, rel_tol: float) -> str | None:
    """Why math-verify's 'equal' is wrong, or None when it stands."""
    if isinstance(g, sympy.Eq) and isinstance(p, sympy.Eq):
        return None if _same_relation(g, p) else "different equations"
    if isinstance(g, sympy.Expr) and isinstance(p, sympy.Expr) and not g.free_symbols and not p.free_symbols:
        return None if _close(g, p, rel_tol) else "values differ beyond rounding"
    return None


def _digits(expr: sympy.Expr) -> int:
    """About how many decimal digits the largest number written in ``expr`` has (``2^{1009}``: 304)."""
    digits = 0
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Integer):
            digits = max(digits, len(str(abs(int(node)))))
        elif isinstance(node, sympy.Pow) and node.base.is_Integer and node.exp.is_Integer and node.exp > 0:
            digits = max(digits, int(float(node.exp) * math.log10(max(2, abs(int(node.base))))) + 1)
    return min(digits, MAX_DIGITS)


def _close(a: sympy.Expr, b: sympy.Expr, rel_tol: float) -> bool:
    """Equal values: exactly, unless a decimal (a Float) makes one side inexact, then to ``rel_tol``."""
    inexact = a.has(sympy.Float) or b.has(sympy.Float)
    precision = _PRECISION + _digits(a) + _digits(b)  # 2^{1009}/(2^{1009}+2018) differs in digit ~600
    a, b = a.doit(), b.doit()
    if a.is_Rational and b.is_Rational:
        return a == b
    try:
        # sympy Floats have unbounded exponents: 1/2006! does not underflow to 0 as a float would.
        x, y = a.evalf(precision), b.evalf(precision)
        diff, scale = abs(x - y).evalf(precision), max(abs(x), abs(y))
        if scale == 0:
            return True
        if inexact and bool(diff <= rel_tol * scale):
            return True
        return bool(diff / scale < sympy.Float(10) ** (-precision + 5))
    except (TypeError, ValueError, OverflowError):
        return True  # cannot evaluate: keep math-verify's answer


_UNIT_NAMES = {
    "mm": "millimeter", "cm": "centimeter", "dm": "decimeter", "m": "meter", "km": "kilometer", "in": "inch",
    "ft": "foot", "yd": "yard", "mi": "mile", "g": "gram", "kg": "kilogram", "mg": "milligram", "lb": "pound",
    "l": "liter", "ml": "milliliter", "s": "second", "min": "minute", "h": "hour", "day": "day", "week": "week",
    "year": "year", "degree": "degree", "rad": "radian", "radian": "radian",
    "centimeter": "centimeter", "millimeter": "millimeter", "kilometer": "kilometer", "liter": "liter",
    "litre": "liter", "mile": "mile", "yard": "yard", "gram": "gram", "minute": "minute", "hour": "hour",
    "second": "second", "meter": "meter", "metre": "meter", "kilogram": "kilogram", "pound": "pound",
}


def _sympy_unit(words: str) -> sympy.Expr | None:
    from sympy.physics import units

    power = 1
    parts = words.split()
    if parts and parts[-1] in ("^2", "^3"):
        power = int(parts.pop()[1])
    if parts and parts[0] in ("sq", "square"):
        power, parts = 2, parts[1:]
    elif parts and parts[0] == "cubic":
        power, parts = 3, parts[1:]
    if len(parts) != 1:
        return None
    word = parts[0]
    name = _UNIT_NAMES.get(word) or _UNIT_NAMES.get(word.rstrip("s")) or _UNIT_NAMES.get(word[:-2] if word.endswith("es") else "")
    if name is None and word in ("feet", "foot"):
        name = "foot"
    if name is None and word in ("inches", "inch"):
        name = "inch"
    unit = getattr(units, name, None) if name else None
    return unit**power if unit is not None else None


def unit_factor(from_unit: str, to_unit: str) -> str | None:
    """``"cm", "m"`` → ``"1/100"``: the exact factor from one unit to the other, None if they are not
    the same kind of quantity (sympy.physics.units does the conversion)."""
    from sympy.physics.units import convert_to

    a, b = _sympy_unit(from_unit), _sympy_unit(to_unit)
    if a is None or b is None:
        return None
    ratio = sympy.nsimplify(convert_to(a, b) / b)
    return str(ratio) if ratio.is_Rational and ratio != 0 else None


def _same_relation(g: sympy.Eq, p: sympy.Eq) -> bool:
    a, b = sympy.expand(g.lhs - g.rhs), sympy.expand(p.lhs - p.rhs)
    if a == 0 or b == 0:
        return a == b
    ratio = sympy.simplify(a / b)
    return bool(ratio.is_number and ratio != 0)
