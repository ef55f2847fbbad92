"""Math answers: exact fast paths first, then math-verify/sympy under the time budget."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from lmmr1.verifiers.budget import get_pool
from lmmr1.verifiers.config import MathConfig
from lmmr1.verifiers.normalize import (
    Normalized,
    drop_lhs_variable,
    is_text_answer,
    normalize,
    strip_wrappers,
    text_key,
)
from lmmr1.verifiers.numeric import latex_float
from lmmr1.verifiers.rational import decimal_places, parse_rational

Outcome = tuple[bool | None, str, str | None]  # (correct, reason, detail)


_COMMAND = re.compile(r"\\(?:text|textbf|textit|mathrm|mathbf|mbox|operatorname)\s*\{[^{}]*\}|\\[a-zA-Z]+")


def never_a_number(s: str) -> bool:
    """True for answers no plain number can equal: intervals, tuples, matrices, lists, words,
    a lone letter, an expression in variables (``x^5 - x + 1``). ``e`` and ``i`` count as constants."""
    if "\\begin{" in s or "\\cup" in s or "\\infty" in s or top_level_commas(s) > 0:
        return True
    if _is_relation(s) or "\\pm" in s:
        return False  # `f(x) = 1` may answer 1: let math-verify decide
    if re.match(r"^[(\[].*,.*[)\]]$", s) or is_text_answer(s):
        return True
    return bool(re.search(r"[a-df-hj-zA-Z]", _COMMAND.sub("", s)))


_GOLD_VALUES: dict[str, float | None] = {}  # gold text -> value; 16 samples share one gold
_GOLD_VALUES_MAX = 16384


def gold_value(gold: str, timeout: float) -> float | None:
    """The gold's numeric value (``None`` if not a real constant), computed once per gold."""
    plain = latex_float(gold)
    if plain is not None:
        return plain
    if gold not in _GOLD_VALUES:
        value = get_pool().call("numeric_value", (gold,), timeout)  # timeouts raise: nothing cached
        if len(_GOLD_VALUES) >= _GOLD_VALUES_MAX:
            _GOLD_VALUES.clear()
        _GOLD_VALUES[gold] = value
    return _GOLD_VALUES[gold]


def _last_side(s: str) -> str:
    """``20+21+63={104}`` → ``104``: a chain of equalities answers with its last side (as math-verify)."""
    if "<" in s or ">" in s or "\\le" in s or "\\ge" in s or top_level_commas(s):
        return s
    sides = s.split("=")
    return sides[-1].strip() if len(sides) > 1 and sides[-1].strip() else s


def _is_relation(s: str) -> bool:
    return bool(re.search(r"=|<|>|\\[lg]eq?\b|\\neq|\\approx", s))


def top_level_commas(s: str) -> int:
    """Commas outside any brackets: ``1, 2, 3`` has 2, ``(1, 2)`` has 0."""
    depth, count = 0, 0
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            count += 1
    return count


def _candidates(value: Fraction, n: Normalized, policy: str) -> set[Fraction]:
    if not n.percent:
        return {value}
    return {"strip": {value}, "strict": {value / 100}, "either": {value, value / 100}}[policy]


def compare_math(gold: str, pred: str, config: MathConfig, timeout: float) -> Outcome:
    """Is ``pred`` the same answer as ``gold``? Both are extracted answer texts."""
    g = normalize(gold, units=config.units)
    p = normalize(pred, units=config.units)
    if _is_relation(g.text) != _is_relation(p.text):  # `x = 5` answers the gold `5`, and vice versa
        g = replace(g, text=strip_wrappers(drop_lhs_variable(g.text)))
        p = replace(p, text=strip_wrappers(_last_side(drop_lhs_variable(p.text))))
    if not g.text:
        return None, "gold_unparseable", "empty gold answer"
    if not p.text:
        return False, "no_answer", None
    if config.units == "strict" and normalize(gold).had_unit != normalize(pred).had_unit:
        return False, "not_equal", "units differ (units='strict')"
    if is_text_answer(g.text) and is_text_answer(p.text):
        return (True, "equal", None) if text_key(g.text) == text_key(p.text) else (False, "not_equal", None)
    if top_level_commas(p.text) > top_level_commas(g.text) == 0 and not re.search(r"[\[\]()]|\\pm", g.text):
        return False, "hedged", "several answers given for a single-valued gold"
    if re.search(r"\bor\b", p.text) and not re.search(r"\bor\b", g.text):
        return False, "hedged", "alternatives joined by 'or'"
    gv, pv = parse_rational(g.text), parse_rational(p.text)
    if (pv is not None and never_a_number(g.text)) or (gv is not None and never_a_number(p.text)):
        return False, "not_equal", "a number against a structure, text or expression in variables"
    if (pv is None) != (gv is None) and not g.percent and not p.percent:
        # One side is a plain number: if the other's value clearly differs, no sympy is needed.
        number = float(pv if pv is not None else gv)  # type: ignore[arg-type]
        value = gold_value(g.text, timeout) if pv is not None else latex_float(p.text)
        if value is not None and abs(value - number) > 1e-6 * max(1.0, abs(value)):
            return False, "not_equal", None
    if gv is not None and pv is not None:
        same = bool(_candidates(gv, g, config.percent) & _candidates(pv, p, config.percent))
        places = decimal_places(p.text)
        if not same and places is not None and places >= config.long_decimal_places:
            same = abs(gv - pv) <= Fraction(5, 10 ** (places + 1))  # 0.0833333333333333 for 1/12
        return (True, "equal", None) if same else (False, "not_equal", None)
    if g.text.replace(" ", "") == p.text.replace(" ", "") and g.percent == p.percent:
        return True, "equal", None
    return get_pool().call("symbolic_equal", (g.text, p.text, config.rel_tol), timeout)
