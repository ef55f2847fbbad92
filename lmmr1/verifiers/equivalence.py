"""Math answers: exact fast paths first, then math-verify/sympy under the time budget."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from lmmr1.verifiers.budget import get_pool
from lmmr1.verifiers.config import MathConfig
from lmmr1.verifiers.normalize import Normalized, drop_lhs_variable, is_text_answer, normalize, text_key
from lmmr1.verifiers.rational import decimal_places, parse_rational

Outcome = tuple[bool | None, str, str | None]  # (correct, reason, detail)


def _is_relation(s: str) -> bool:
    return bool(re.search(r"=|<|>|\\[lg]eq?\b|\\neq", s))


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
        g = replace(g, text=drop_lhs_variable(g.text))
        p = replace(p, text=drop_lhs_variable(p.text))
    if not g.text:
        return None, "gold_unparseable", "empty gold answer"
    if not p.text:
        return False, "no_answer", None
    if config.units == "strict" and normalize(gold).had_unit != normalize(pred).had_unit:
        return False, "not_equal", "units differ (units='strict')"
    if is_text_answer(g.text) and is_text_answer(p.text):
        return (True, "equal", None) if text_key(g.text) == text_key(p.text) else (False, "not_equal", None)
    if top_level_commas(p.text) > top_level_commas(g.text) == 0 and not re.search(r"[\[\]()]", g.text):
        return False, "hedged", "several answers given for a single-valued gold"
    if re.search(r"\bor\b", p.text) and not re.search(r"\bor\b", g.text):
        return False, "hedged", "alternatives joined by 'or'"
    gv, pv = parse_rational(g.text), parse_rational(p.text)
    if gv is not None and pv is not None:
        same = bool(_candidates(gv, g, config.percent) & _candidates(pv, p, config.percent))
        places = decimal_places(p.text)
        if not same and places is not None and places >= config.long_decimal_places:
            same = abs(gv - pv) <= Fraction(5, 10 ** (places + 1))  # 0.0833333333333333 for 1/12
        return (True, "equal", None) if same else (False, "not_equal", None)
    if g.text.replace(" ", "") == p.text.replace(" ", "") and g.percent == p.percent:
        return True, "equal", None
    return get_pool().call("symbolic_equal", (g.text, p.text, config.rel_tol), timeout)
