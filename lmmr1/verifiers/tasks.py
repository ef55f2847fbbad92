"""The task contract: every task is a ``compare(gold, extraction, options, ctx) -> Outcome``,
registered by name, and runs inside one :class:`Context` (the whole config, one deadline).

``verify`` is: validate → extract → ``TASKS[task].compare``. A task that needs another (choice
compares option values as math, geometry falls back to math) calls it with the *same* context, so
every setting of :class:`~lmmr1.verifiers.config.VerifierConfig` reaches every task, and every
worker call shares the call's one absolute deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lmmr1.verifiers.budget import BudgetExceeded

if TYPE_CHECKING:
    from lmmr1.verifiers.config import VerifierConfig
    from lmmr1.verifiers.extract import Extraction
    from lmmr1.verifiers.verdict import Verdict

Outcome = tuple[bool | None, str, str | None]  # (correct, reason, detail)


@dataclass(frozen=True, slots=True)
class Context:
    """What every comparison of one ``verify`` call shares: the whole config and one deadline."""

    config: VerifierConfig
    deadline: float  # absolute, time.monotonic() seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def check(self) -> None:
        """Raise :class:`BudgetExceeded` once the deadline has passed (between text stages)."""
        if time.monotonic() >= self.deadline:
            raise BudgetExceeded("the call's deadline passed")


# A task answers an Outcome, or a whole Verdict when its score is not 1/0 (Sokoban's shaped reward).
# It reads only what ``Extraction.judged`` holds: verify caches outcomes by that key.
Compare = Callable[[str, "Extraction", dict[str, str], Context], "Outcome | Verdict"]


@dataclass(frozen=True, slots=True)
class Task:
    name: str
    compare: Compare
    choice_extraction: bool  # extract as for multiple choice: the final sentence, not its last number
    raw_completion: bool = False  # the task reads the whole completion itself (no answer extraction, no hedging)


TASKS: dict[str, Task] = {}


def register(name: str, *, choice_extraction: bool = False, raw_completion: bool = False) -> Callable[[Compare], Compare]:
    """Register ``compare`` as the task ``name``; a second task of the same name is refused."""

    def decorator(compare: Compare) -> Compare:
        if name in TASKS:
            raise ValueError(f"a verifier task named {name!r} is already registered ({TASKS[name].compare.__module__})")
        TASKS[name] = Task(name, compare, choice_extraction, raw_completion)
        return compare

    return decorator
