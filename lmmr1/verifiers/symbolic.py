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

import functools
import logging
import re

import sympy
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse
from math_verify import verify as mv_verify

logger = logging.getLogger(__name__)

_EXTRACTION = (LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig())
_SYMPY_NAMES = {
    "sqrt": sympy.sqrt, "pi": sympy.pi, "E": sympy.E, "e": sympy.E, "exp": sympy.exp, "log": sympy.log,
    "ln": sympy.log, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "asin": sympy.asin,
    "acos": sympy.acos, "atan": sympy.atan, "Rational": sympy.Rational, "Integer": sympy.Integer,
}
_SYMPY_SYNTAX = re.compile(r"^[\d\s.+\-*/()a-zA-Z_]*$")
_PRECISION = 50  # significant digits for the exact veto


@functools.lru_cache(maxsize=4096)
def parse_answer(text: str) -> tuple:
    """math-verify's parse of one normalized answer, or sympy syntax, cached (golds repeat)."""
    if _SYMPY_SYNTAX.match(text) and re.search(r"[a-z]{2,}|\*\*", text):
        names = set(re.findall(r"[A-Za-z_]+", text))
        if names <= set(_SYMPY_NAMES):
            try:
                expr = sympy.sympify(text, locals=dict(_SYMPY_NAMES), rational=True)
                return (expr, text)
            except (sympy.SympifyError, SyntaxError, TypeError, ValueError, ZeroDivisionError):
                logger.debug("not sympy syntax: %r", text)
    parsed = tuple(parse(f"${text}$", extraction_config=_EXTRACTION, parsing_timeout=None))
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


def symbolic_equal(gold: str, pred: str, rel_tol: float) -> tuple[bool | None, str, str | None]:
    """(correct, reason, detail) for two normalized answers."""
    g = parse_answer(gold) if gold.isprintable() else ()
    if not g:
        return None, "gold_unparseable", "math-verify cannot parse the gold answer"
    p = parse_answer(pred)
    if not p:
        return False, "not_equal", "prediction cannot be parsed"
    ok = mv_verify(list(g), list(p), timeout_seconds=None, float_rounding=10)
    if not ok:
        return False, "not_equal", None
    veto = _veto(g[0], p[0], rel_tol)
    if veto:
        return False, "not_equal", veto
    return True, "equal", None


def _veto(g: object, p: object, rel_tol: float) -> str | None:
    """Why math-verify's 'equal' is wrong, or None when it stands."""
    if isinstance(g, sympy.Eq) and isinstance(p, sympy.Eq):
        return None if _same_relation(g, p) else "different equations"
    if isinstance(g, sympy.Expr) and isinstance(p, sympy.Expr) and not g.free_symbols and not p.free_symbols:
        return None if _close(g, p, rel_tol) else "values differ beyond rounding"
    return None


def _close(a: sympy.Expr, b: sympy.Expr, rel_tol: float) -> bool:
    a, b = a.doit(), b.doit()
    if a.is_Rational and b.is_Rational:
        return a == b or abs(a - b) <= rel_tol * max(abs(a), abs(b))
    try:
        # sympy Floats have unbounded exponents: 1/2006! does not underflow to 0 as a float would.
        x, y = a.evalf(_PRECISION), b.evalf(_PRECISION)
        diff, scale = abs(x - y).evalf(_PRECISION), max(abs(x), abs(y))
        if scale == 0:
            return True
        return bool(diff <= rel_tol * scale) or bool(diff / scale < sympy.Float(10) ** (-_PRECISION + 5))
    except (TypeError, ValueError, OverflowError):
        return True  # cannot evaluate: keep math-verify's answer


def _same_relation(g: sympy.Eq, p: sympy.Eq) -> bool:
    a, b = sympy.expand(g.lhs - g.rhs), sympy.expand(p.lhs - p.rhs)
    if a == 0 or b == 0:
        return a == b
    ratio = sympy.simplify(a / b)
    return bool(ratio.is_number and ratio != 0)
