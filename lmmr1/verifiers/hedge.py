"""The hedging policy, decided in one place: several different answers for one gold pay nothing.

A completion hedges when it commits to several values (``\\boxed{2} or \\boxed{3}``, ``4 or 5 or
12``, ``either 4 or 5``, ``x = 4 \\text{ or } x = 5``, ``$4$, $5$, $12$``, ``B, C, D``). Against a
gold with several values (``1, 2``, ``\\pm 2``, ``W \\text{ and } Z``) the values are compared as a
set instead; repeating one value (``4, 4``) is not a hedge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_SPACE_OR_DOLLARS = re.compile(r"\s+|^\$|\$$")


def value_key(value: str) -> str:
    """One predicted value, spacing and enclosing ``$`` ignored: ``(3, 17)`` and ``$(3,17)$`` are one value."""
    return _SPACE_OR_DOLLARS.sub("", value)


def is_hedge(gold_values: Sequence[str], pred_values: Sequence[str]) -> bool:
    """Several *different* predicted values for a gold with one value."""
    return len(gold_values) <= 1 and len({value_key(v) for v in pred_values}) > 1
