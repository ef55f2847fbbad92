"""The ``geometry`` task: numeric comparison that respects rounding.

A decimal literal counts as rounded at its last digit (``12.67`` stands for [12.665, 12.675]),
so gold ``12.67`` accepts ``\\frac{38}{3}`` and gold ``2\\sqrt{3}`` accepts ``3.46``, but a
prediction rounded more coarsely than a decimal gold is not accepted (``10.4`` for ``10.44``); a relative
tolerance (default 1e-4) absorbs float noise; integers on both sides compare exactly.
Answers that are not real constants (expressions in variables), lists and answers with units on
both sides go to the math task, with the same context (``units`` is geometry's own policy).
"""

from __future__ import annotations

from dataclasses import replace

from lmmr1.verifiers.budget import get_pool
from lmmr1.verifiers.config import VerifierConfig
from lmmr1.verifiers.equivalence import compare_math, items
from lmmr1.verifiers.extract import Extraction
from lmmr1.verifiers.normalize import normalize
from lmmr1.verifiers.numeric import latex_float
from lmmr1.verifiers.rational import decimal_places, is_integer_literal, parse_rational
from lmmr1.verifiers.tasks import Context, Outcome, register


def _value(text: str, ctx: Context) -> float | None:
    exact = parse_rational(text)
    if exact is not None:
        return float(exact)
    plain = latex_float(text)  # 2\sqrt{3}, \frac{\pi}{3}: no sympy needed
    if plain is not None:
        return plain
    return get_pool().call("numeric_value", (text,), deadline=ctx.deadline)


def _as_math(ctx: Context) -> Context:
    """The same context, with geometry's unit policy for the math task it falls back to."""
    cfg: VerifierConfig = ctx.config
    if cfg.math.units == cfg.geometry.units:
        return ctx
    return replace(ctx, config=replace(cfg, math=replace(cfg.math, units=cfg.geometry.units)))


def compare_geometry(gold: str, pred: str, ctx: Context) -> Outcome:
    config = ctx.config.geometry
    gn, pn = normalize(gold), normalize(pred)
    g, p = gn.text, pn.text
    if not g:
        return None, "gold_unparseable", "empty gold answer"
    if not p:
        return False, "no_answer", None
    if (gn.unit and pn.unit) or (gn.unit or pn.unit) and config.units == "strict" or len(items(g)) > 1 or len(items(p)) > 1:
        return compare_math(gold, pred, _as_math(ctx))
    if is_integer_literal(g) and is_integer_literal(p):
        return (True, "equal", None) if int(g) == int(p) else (False, "not_equal", None)
    gv = _value(g, ctx)
    pv = _value(p, ctx) if gv is not None else None
    if gv is None or pv is None:
        return compare_math(gold, pred, _as_math(ctx))
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


@register("geometry")
def _geometry_task(gold: str, extraction: Extraction, options: dict[str, str], ctx: Context) -> Outcome:
    assert extraction.text is not None
    return compare_geometry(gold, extraction.text, ctx)
