"""The ``math`` task: exact fast paths first, then math-verify/sympy in a worker, one deadline.

Policies (each decided here, once):
* a unit on one side only is stripped (``units="strip"``) or makes the answer wrong
  (``"strict"``); units on both sides are compared, converted where sympy's units can
  (``500 cm`` = ``5 m``), and differ otherwise (``5 cm`` ≠ ``5 m``);
* several values (``1, 2``, ``3 and 5``, ``x = 3 \\text{ or } x = 5``, ``\\pm 2``) answer a
  multi-valued gold as a set, in any order (a sequence with ``\\ldots`` in order, term by term);
  against a single-valued gold, two different values are a hedge;
* integers, decimals and fractions compare exactly; a decimal literal may differ from an exact
  value by ``rel_tol`` (or round it, from ``long_decimal_places`` places on); exact values compare
  exactly, however large (``2^{1009}/(2^{1009}+2018)`` is not ``2^{1009}/(2^{1009}+1009)``);
* a gold that no rule can parse still matches a prediction written the same way; otherwise it is
  ``gold_unparseable``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from lmmr1.verifiers.budget import get_pool
from lmmr1.verifiers.cache import ByteBoundedCache
from lmmr1.verifiers.config import MathConfig
from lmmr1.verifiers.extract import Extraction
from lmmr1.verifiers.hedge import is_hedge, value_key
from lmmr1.verifiers.normalize import (
    MAX_ANSWER_CHARS,
    Normalized,
    as_interval,
    drop_lhs_variable,
    is_interval,
    is_text_answer,
    normalize,
    text_key,
)
from lmmr1.verifiers.numeric import latex_float
from lmmr1.verifiers.rational import decimal_places, parse_rational
from lmmr1.verifiers.tasks import Context, Outcome, register
from lmmr1.verifiers.text import strip_wrappers, unwrap_text

_COMMAND = re.compile(r"\\(?:text|textbf|textit|mathrm|mathbf|mbox|operatorname)\s*\{[^{}]*\}|\\[a-zA-Z]+")
_ELLIPSIS = re.compile(r"^(?:\\l?dots|\\cdots|\.\.\.|…)$")
_ITEM_SPLIT = re.compile(r"(?<![a-zA-Z\\])or(?![a-zA-Z])|\\lor\b|\\text\{\s*or\s*\}|或", re.IGNORECASE)
_NOT_A_VALUE = re.compile(r"\?\s*$|^\s*\\(?:neg|lnot|sim)\b")
_SET_LITERAL = re.compile(r"^\\\{(.*)\\\}$")
_VARIABLE = re.compile(r"[a-df-hj-zA-Z]")  # e and i are constants
# a Greek letter other than \pi is a variable (\theta, \alpha): "\frac{1}{1+\sin\theta}" is no number
_GREEK_VARIABLE = re.compile(
    r"\\(?:alpha|beta|gamma|delta|varepsilon|epsilon|zeta|eta|vartheta|theta|iota|kappa|lambda|mu|nu|xi|rho|"
    r"sigma|tau|upsilon|varphi|phi|chi|psi|omega|Gamma|Delta|Theta|Lambda|Xi|Sigma|Phi|Psi|Omega)(?![a-zA-Z])"
)
MAX_ITEMS = 24  # longer lists are compared whole by math-verify, not item by item
FAST_REJECT_REL = 1e-9  # an exact value this far (relative) from a plain number cannot equal it


def never_a_number(s: str) -> bool:
    """True for answers no plain number can equal: intervals, tuples, matrices, lists, words,
    a lone letter, an expression in variables (``x^5 - x + 1``). ``e`` and ``i`` count as constants."""
    if "\\begin{" in s or "\\cup" in s or "\\infty" in s or top_level_commas(s) > 0:
        return True
    if _is_relation(s) or "\\pm" in s:
        return False  # `f(x) = 1` may answer 1: let math-verify decide
    if re.match(r"^[(\[].*,.*[)\]]$", s) or is_text_answer(s):
        return True
    return bool(_VARIABLE.search(_COMMAND.sub("", s)) or _GREEK_VARIABLE.search(s))


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


def _split_top(s: str) -> list[str]:
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in ",;" and depth == 0:
            parts.append(s[start:i])
            start = i + 1
    parts.append(s[start:])
    return parts


def items(text: str) -> list[str]:
    """The values an answer lists: ``1, 2``; ``x = 3 \\text{ or } x = 5`` → ``3``, ``5``; ``\\pm 2`` → ``2``, ``-2``."""
    out: list[str] = []
    literal = _SET_LITERAL.match(text.strip())
    if literal and top_level_commas(literal.group(1)):
        text = literal.group(1)  # \{-12, -11\}: a set literal lists its members
    for chunk in _split_top(text):
        for piece in _ITEM_SPLIT.split(chunk):
            piece = strip_wrappers(piece.strip())
            if not piece:
                continue
            lhs_dropped = drop_lhs_variable(piece)
            if lhs_dropped.count("\\pm") == 1 and not _is_relation(lhs_dropped):
                before, after = lhs_dropped.split("\\pm")
                before, after = before.strip(), after.strip()
                out += [f"{before}+{after}", f"{before}-{after}"] if before else [after, f"-{after}"]
            else:
                out.append(lhs_dropped if lhs_dropped != piece and top_level_commas(lhs_dropped) == 0 else piece)
    return out


_GOLD_VALUES = ByteBoundedCache(16 * 2**20)  # gold text -> numeric value; 16 samples share one gold


def gold_value(gold: str, ctx: Context) -> float | None:
    """The gold's numeric value (``None`` if not a real constant), computed once per gold."""
    plain = latex_float(gold)
    if plain is not None:
        return plain
    if gold in _GOLD_VALUES:
        return _GOLD_VALUES.get(gold)
    value = get_pool().call("numeric_value", (gold,), deadline=ctx.deadline)  # timeouts raise: nothing cached
    _GOLD_VALUES.put(gold, value)
    return value


def _last_side(s: str) -> str:
    """``20+21+63={104}`` → ``104``: a chain of equalities answers with its last side (as math-verify);
    ``7 = 5`` (two different numbers) is false and stays as it is."""
    if "<" in s or ">" in s or "\\le" in s or "\\ge" in s or top_level_commas(s):
        return s
    sides = [side.strip() for side in s.split("=")]
    if len(sides) < 2 or not sides[-1]:
        return s
    values = [parse_rational(side) for side in sides]
    if all(v is not None for v in values) and len(set(values)) > 1:
        return s
    return sides[-1]


def _false_equation(s: str) -> bool:
    """``7 = 5``: every side a plain number, and they differ."""
    values = [parse_rational(side) for side in s.split("=")]
    return all(v is not None for v in values) and len(set(values)) > 1


def _is_relation(s: str) -> bool:
    return bool(re.search(r"=|<|>|\\[lg]eq?\b|\\neq?\b|\\approx", s))


def _candidates(value: Fraction, percent: bool, policy: str) -> set[Fraction]:
    if not percent:
        return {value}
    return {"strip": {value}, "strict": {value / 100}, "either": {value, value / 100}}[policy]


@dataclass(frozen=True, slots=True)
class _Side:
    text: str
    percent: bool


def compare_math(gold: str, pred: str, ctx: Context) -> Outcome:
    """Is ``pred`` the same answer as ``gold``? Both are extracted answer texts."""
    cfg = ctx.config.math
    g, p = normalize(gold), normalize(pred)
    if not g.text or len(g.text) > MAX_ANSWER_CHARS:
        return None, "gold_unparseable", "empty gold answer" if not g.text else "gold answer too long"
    if not p.text:
        return False, "no_answer", None
    if len(p.text) > MAX_ANSWER_CHARS:
        return False, "not_equal", f"answer longer than {MAX_ANSWER_CHARS} characters"
    scale, why = _unit_scale(g, p, cfg, ctx)
    if why is not None:
        return False, "not_equal", why
    gi, pi = _distinct(items(g.text)), _distinct(items(p.text))
    if len(gi) > 1 or len(pi) > 1:
        return _compare_items(gi, pi, g, p, cfg, ctx)
    return _compare_one(_Side(g.text, g.percent), _Side(p.text, p.percent), cfg, ctx, scale)


def _distinct(values: list[str]) -> list[str]:
    """The values in order, each once (``(3,17,3,7)`` repeated as ``(3, 17, 3, 7)`` counts once)."""
    seen: dict[str, str] = {}
    for v in values:
        seen.setdefault(value_key(v), v)
    return list(seen.values()) if not any(_ELLIPSIS.match(v) for v in values) else values


def _unit_scale(g: Normalized, p: Normalized, cfg: MathConfig, ctx: Context) -> tuple[Fraction | None, str | None]:
    """(factor turning the prediction's unit into the gold's, or None; why the units rule it out)."""
    if g.unit is None and p.unit is None:
        return None, None
    if (g.unit is None) != (p.unit is None):
        return None, "units differ (units='strict')" if cfg.units == "strict" else None
    if _unit_key(g.unit) == _unit_key(p.unit):
        return None, None
    factor = get_pool().call("unit_factor", (p.unit, g.unit), deadline=ctx.deadline)
    if factor is None:
        return None, f"units differ: {p.unit} vs {g.unit}"
    return Fraction(factor), None


_UNIT_ALIASES = {"inches": "in", "inch": "in", "feet": "ft", "foot": "ft", "meters": "m", "meter": "m", "metre": "m",
                 "metres": "m", "hours": "h", "hour": "h", "hr": "h", "hrs": "h", "minutes": "min", "minute": "min",
                 "mins": "min", "seconds": "s", "second": "s", "sec": "s", "secs": "s", "degrees": "degree",
                 "deg": "degree", "dollars": "dollar", "cents": "cent", "pounds": "lb", "pound": "lb", "lbs": "lb"}


def _unit_key(unit: str | None) -> str:
    words = (unit or "").split()
    return " ".join(_UNIT_ALIASES.get(w, w.rstrip("s") if len(w) > 3 else w) for w in words)


def _compare_items(gi: list[str], pi: list[str], g: Normalized, p: Normalized, cfg: MathConfig, ctx: Context) -> Outcome:
    if len(gi) == 1:  # however long the list: "b1, b2, …, b150" for 244 is a hedge, not work for sympy
        if is_hedge(gi, pi):
            return False, "hedged", "several answers given for a single-valued gold"
        return _compare_one(_Side(gi[0], g.percent), _Side(pi[0], p.percent), cfg, ctx, None)
    if len(pi) == 1:
        return False, "not_equal", f"one value for a gold with {len(gi)}"
    if len(gi) > MAX_ITEMS or len(pi) > MAX_ITEMS:
        return _symbolic(g.text, p.text, cfg, ctx)
    ordered = any(_ELLIPSIS.match(x) for x in gi + pi)
    if ordered or len(gi) != len(pi):
        if len(gi) != len(pi):
            return False, "not_equal", f"{len(pi)} values for a gold with {len(gi)}"
        for a, b in zip(gi, pi, strict=True):
            if _ELLIPSIS.match(a) or _ELLIPSIS.match(b):
                if not (_ELLIPSIS.match(a) and _ELLIPSIS.match(b)):
                    return False, "not_equal", "the sequences differ"
                continue
            if _compare_one(_Side(a, False), _Side(b, False), cfg, ctx, None)[0] is not True:
                return False, "not_equal", "the sequences differ"
        return True, "equal", None
    unused = list(range(len(pi)))
    for a in gi:  # a set, in any order: every gold value matched by a different predicted one
        match = next((j for j in unused if _compare_one(_Side(a, g.percent), _Side(pi[j], p.percent), cfg, ctx, None)[0]), None)
        if match is None:
            return False, "not_equal", f"no predicted value equals {a}"
        unused.remove(match)
    return True, "equal", None


def _compare_one(g: _Side, p: _Side, cfg: MathConfig, ctx: Context, scale: Fraction | None) -> Outcome:
    gt, pt = g.text, p.text
    g_interval = gt if is_interval(gt) else as_interval(gt)
    p_interval = pt if is_interval(pt) else as_interval(pt)
    if g_interval and p_interval:  # "-2 \\le x \\le 7" answers "x \\in [-2, 7]", and vice versa
        gt, pt = g_interval, p_interval
    if _is_relation(gt) != _is_relation(pt):  # `x = 5` answers the gold `5`, and vice versa
        gt = strip_wrappers(drop_lhs_variable(gt))
        pt = strip_wrappers(_last_side(drop_lhs_variable(pt)))
    if not pt:
        return False, "no_answer", None
    if "=" in pt and not _is_relation(gt) and _false_equation(pt):
        return False, "not_equal", "a false equation between numbers"
    if _NOT_A_VALUE.search(pt) and not _NOT_A_VALUE.search(gt):
        return False, "not_equal", "a question or a negation is not a value"
    if is_text_answer(gt) and is_text_answer(pt):
        return (True, "equal", None) if text_key(gt) == text_key(pt) else (False, "not_equal", None)
    gv, pv = parse_rational(gt), parse_rational(pt)
    if scale is not None:
        if pv is None:
            return False, "not_equal", "units differ and the value is not a plain number"
        pv, pt = pv * scale, str(pv * scale)
    if (pv is not None and never_a_number(gt)) or (gv is not None and never_a_number(pt)):
        return False, "not_equal", "a number against a structure, text or expression in variables"
    if gv is not None and pv is not None:
        same = bool(_candidates(gv, g.percent, cfg.percent) & _candidates(pv, p.percent, cfg.percent))
        if not same and not g.percent and not p.percent:
            same = _decimal_close(pt, pv, gv, cfg) or _decimal_close(gt, gv, pv, cfg)
        return (True, "equal", None) if same else (False, "not_equal", None)
    if (pv is None) != (gv is None) and not g.percent and not p.percent:
        # One side is a plain number: compare it with the other's value without sympy where possible.
        number_text, number = (pt, pv) if pv is not None else (gt, gv)
        value = gold_value(gt, ctx) if pv is not None else latex_float(pt)
        if value is not None:
            places = decimal_places(number_text)
            diff, size = abs(value - float(number)), max(1.0, abs(value))
            if places is not None:  # a decimal: the tolerance and the rounding rule decide, here
                close = diff <= cfg.rel_tol * size or (places >= cfg.long_decimal_places and diff <= 0.5 * 10.0**-places)
                return (True, "equal", None) if close else (False, "not_equal", None)
            if diff > FAST_REJECT_REL * size:
                return False, "not_equal", None
    if gt.replace(" ", "") == pt.replace(" ", "") and g.percent == p.percent:
        return True, "equal", None
    return _symbolic(gt, pt, cfg, ctx)


def _decimal_close(text: str, value: Fraction, other: Fraction, cfg: MathConfig) -> bool:
    """A decimal literal within ``rel_tol`` of the other value, or rounding it from ``long_decimal_places`` on."""
    places = decimal_places(text)
    if places is None:
        return False
    diff = abs(value - other)
    if diff <= Fraction(cfg.rel_tol) * max(abs(value), abs(other)):
        return cfg.rel_tol > 0
    return places >= cfg.long_decimal_places and diff <= Fraction(5, 10 ** (places + 1))  # 0.0833333 for 1/12


def _symbolic(gt: str, pt: str, cfg: MathConfig, ctx: Context) -> Outcome:
    outcome = get_pool().call("symbolic_equal", (gt, pt, cfg.rel_tol, cfg.units == "strip"), deadline=ctx.deadline)
    if outcome[1] == "gold_unparseable" and _string_key(gt) == _string_key(pt):
        return True, "equal", "gold unparseable; same text"  # \text{ML}\perp\text{NK}, cases, …
    return outcome


def _string_key(s: str) -> str:
    s = unwrap_text(s)
    s = re.sub(r"[\s~{}]|\\[,;! ]", "", s)
    return s.lower()


@register("math")
def _math_task(gold: str, extraction: Extraction, options: dict[str, str], ctx: Context) -> Outcome:
    assert extraction.text is not None
    return compare_math(gold, extraction.text, ctx)
