"""too_easy / too_hard from a pass-rate column (e.g. 16 rollouts: drop 0/16 and 16/16).

A missing rate (null, or NaN as pandas writes a missing float) means "not measured" (``curate
pass-rate`` says why in ``lmmr1_pass_reason``): the row is kept, since it is known to be neither.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from lmmr1.curation.filters.base import Decision, Drop, Filter, register
from lmmr1.curation.sources import Example


def parse_pass_rate(value) -> float:
    """A pass rate in [0, 1] from a float or a ``"k/n"`` string; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a pass rate")
    if isinstance(value, str):
        value = float(Fraction(value.strip()))
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"pass rate {rate} is outside [0, 1]")
    return rate


@register("pass_rate")
@dataclass(frozen=True)
class PassRate(Filter):
    """Rows the policy always solves teach nothing, nor do rows it never solves (GRPO's advantage is 0)."""

    reasons = ("too_easy", "too_hard", "bad_pass_rate")
    min_rate: float = 0.0  # drop when pass rate <= this (0/16 rollouts correct)
    max_rate: float = 1.0  # drop when pass rate >= this (16/16 correct)

    def check(self, ex: Example) -> Decision:
        if ex.pass_rate is None or isinstance(ex.pass_rate, float) and math.isnan(ex.pass_rate):
            return None  # not measured: kept
        try:
            rate = parse_pass_rate(ex.pass_rate)
        except (ValueError, TypeError, ZeroDivisionError) as exc:
            return Drop("bad_pass_rate", f"{ex.pass_rate!r}: {exc}")
        if rate <= self.min_rate:
            return Drop("too_hard", f"pass rate {rate:.3f} <= {self.min_rate}")
        if rate >= self.max_rate:
            return Drop("too_easy", f"pass rate {rate:.3f} >= {self.max_rate}")
        return None
