"""Geometry answers: numeric comparison that respects rounding.

A decimal literal counts as rounded at its last digit (``12.67`` stands for [12.665, 12.675]),
so gold ``12.67`` accepts ``\\frac{38}{3}`` and gold ``2\\sqrt{3}`` accepts ``3.46``, but a
prediction rounded more coarsely than a decimal gold is not accepted (``10.4`` for ``10.44``); a relative
tolerance (default 1e-4) absorbs float noise; integers on both sides compare exactly.
Answers that are not real constants (expressions in variables) fall back to math equivalence.
"""

from __future__ import annotations

from lmmr1.verifiers.budget import get_pool
from lmmr1.verifiers.config import GeometryConfig, MathConfig
from lmmr1.verifiers.equivalence import Outcome, compare_math
from lmmr1.verifiers.normalize import normalize
from lmmr1.verifiers.numeric import latex_float
from lmmr1.verifiers.rational import decimal_places, is_integer_literal, parse_rational


def _value(text: str, timeout: float) -> float | None:
    exact = parse_rational(text)
    if exact is not None:
        return float(exact)
    plain = latex_float(text)  # 2\sqrt{3}, \frac{\pi}{3}: no sympy needed
    if plain is not None:
        return plain
    return get_pool().call("numeric_value", (text,), timeout)


def compare_geometry(gold: str, pred: str, config: GeometryConfig, deadline_left) -> Outcome:
    """``deadline_left()`` gives the seconds left of the call's budget."""
    g = normalize(gold, units=config.units).text
    p = normalize(pred, units=config.units).text
    if not g:
        return None, "gold_unparseable", "empty gold answer"
    if not p:
        return False, "no_answer", None
    if is_integer_literal(g) and is_integer_literal(p):
        return (True, "equal", None) if int(g) == int(p) else (False, "not_equal", None)
    gv = _value(g, deadline_left())
    pv = _value(p, deadline_left()) if gv is not None else None
    if gv is None or pv is None:
        math = MathConfig(timeout_s=config.timeout_s, units=config.units)
        return compare_math(gold, pred, math, deadline_left())
    half_ulp = 0.0
    gold_places, pred_places = decimal_places(g), decimal_places(p)
    if config.rounding in ("either", "gold") and gold_places is not None:
        half_ulp = 0.5 * 10.0**-gold_places
    # A rounded prediction may not be coarser than a rounded gold: 10.4 does not answer 10.44.
    if config.rounding == "either" and pred_places is not None and (gold_places is None or pred_places >= gold_places):
        half_ulp = max(half_ulp, 0.5 * 10.0**-pred_places)
    tolerance = half_ulp + config.rel_tol * max(abs(gv), abs(pv))
    if abs(gv - pv) <= tolerance * (1 + 1e-12):
        return True, "equal", None
    return False, "not_equal", f"|{gv:.6g} - {pv:.6g}| > {tolerance:.3g}"
