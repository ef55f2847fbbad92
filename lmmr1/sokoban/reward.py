"""The Sokoban reward for TRL's GRPOTrainer: plays each completion's actions on its row's level.

Same contract as :class:`lmmr1.rewards.AccuracyReward`: ``f(prompts, completions, **columns) ->
list[float | None]``, ``None`` for a row that cannot be judged (unparseable level, timeout), so TRL
leaves it out of the mean. The level comes from the ``solution`` column (``level_column``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lmmr1.sokoban.verifier import SokobanConfig, score_sokoban
from lmmr1.verifiers.rewards import completion_text

logger = logging.getLogger(__name__)

__all__ = ["SokobanReward"]


@dataclass(frozen=True)
class SokobanReward:
    """Score completions with :func:`lmmr1.sokoban.score_sokoban` (``config`` picks solved or shaped)."""

    config: SokobanConfig = field(default_factory=SokobanConfig)
    level_column: str = "solution"
    name: str = "sokoban_reward"  # TRL logs rewards/<name>/mean
    log_reasons: bool = True  # add an "<name>_reason" column to TRL's completions table

    def __post_init__(self) -> None:
        if not isinstance(self.config, SokobanConfig):
            raise TypeError(f"SokobanReward.config must be a SokobanConfig, got {type(self.config).__name__}")
        for attr in ("level_column", "name"):
            if not (isinstance(getattr(self, attr), str) and getattr(self, attr)):
                raise ValueError(f"SokobanReward.{attr} must be a non-empty string, got {getattr(self, attr)!r}")

    @property
    def __name__(self) -> str:
        return self.name

    def __call__(
        self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), completion_ids: Any = None, **kwargs: Any
    ) -> list[float | None]:
        texts = [completion_text(c) for c in completions]
        if self.level_column not in kwargs:
            raise ValueError(
                f"{self.name}: dataset column {self.level_column!r} (the levels) was not passed to the reward; "
                f"columns: {sorted(kwargs)}. Put each row's level, in Sokoban text notation, in that column"
            )
        levels = list(kwargs[self.level_column])
        if len(levels) != len(texts):
            raise ValueError(f"{self.name}: {len(levels)} levels for {len(texts)} completions; they must match")
        results = []
        for text, level in zip(texts, levels, strict=True):
            deadline = time.monotonic() + self.config.timeout_s  # each completion gets the whole budget
            results.append(score_sokoban(text, level, self.config, deadline))
        log_extra = kwargs.get("log_extra")
        if self.log_reasons and callable(log_extra):
            log_extra(f"{self.name}_reason", [r.reason for r in results])
        if results and all(r.correct is None for r in results):
            logger.warning("%s: no completion in this batch could be judged (%s)", self.name,
                           sorted({r.reason for r in results}))
        return [r.score if r.correct is not None else None for r in results]
