"""The result of every verifier: a small, frozen, picklable value."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

# TASKS is the task registry (name -> Task), filled when lmmr1.verifiers is imported: `task in TASKS`
# and `(*TASKS, "auto")` read the registered names, so a task added with register() is known everywhere.
from lmmr1.sokoban.verifier import SOKOBAN_REASONS
from lmmr1.verifiers.tasks import TASKS  # noqa: F401 - re-exported

Task = Literal["math", "choice", "geometry", "sokoban"]
TaskArg = Literal["math", "choice", "geometry", "sokoban", "auto"]

#: Every reason a verifier may give, with its meaning. Codes are stable: code may match on them.
REASONS: dict[str, str] = {
    "equal": "the prediction equals the gold answer",
    "not_equal": "the prediction differs from the gold answer",
    "no_answer": "no answer could be extracted from the completion (or it was empty)",
    "hedged": "the completion gives several different answers (e.g. '2 or 3', 'A or B')",
    "letter_not_in_options": "the predicted choice letter is not one of the options",
    "gold_unparseable": "the gold answer cannot be read by any rule, so nothing can be verified",
    "timeout": "checking took longer than the time budget",
    "error": "an unexpected internal error; the completion is not judged",
    # check_format
    "format_ok": "the completion follows the required <think>/<answer> format",
    "format_bad": "the completion does not follow the required format",
    "format_partial": "some of the required tags are used correctly (style='tags')",
}
# task="sokoban" (lmmr1.sokoban): its codes join the others; "no_answer" and "timeout" mean the same
REASONS.update({k: v for k, v in SOKOBAN_REASONS.items() if k not in REASONS})


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a verifier concluded about one completion.

    ``correct`` is ``True``/``False`` when a rule could decide, and ``None`` when it could not
    (unparseable gold, timeout, internal error): "cannot verify" is said, never guessed.
    ``score`` is the reward in [0, 1]; it is 0.0 whenever ``correct`` is ``None``.
    """

    correct: bool | None
    score: float
    reason: str
    extracted: str | None = None
    task: str | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"unknown verdict reason {self.reason!r}; known: {sorted(REASONS)}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be in [0, 1], got {self.score!r}")
        if self.correct is None and self.score != 0.0:
            raise ValueError("a verdict that cannot verify (correct=None) must score 0.0")

    @property
    def verifiable(self) -> bool:
        return self.correct is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judged(correct: bool, reason: str, extracted: str | None, task: str | None, detail: str | None = None) -> Verdict:
    """A decided verdict: score 1.0 when correct, else 0.0."""
    return Verdict(correct, 1.0 if correct else 0.0, reason, extracted, task, detail)


def undecided(reason: str, extracted: str | None, task: str | None, detail: str | None = None) -> Verdict:
    """A verdict that cannot verify: correct=None, score 0.0."""
    return Verdict(None, 0.0, reason, extracted, task, detail)
