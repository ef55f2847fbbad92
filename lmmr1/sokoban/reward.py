"""The Sokoban reward for TRL's GRPOTrainer: :class:`lmmr1.rewards.AccuracyReward` on task ``sokoban``.

One scoring path: the level comes from the ``solution`` column (``level_column``), each completion's
actions are played by ``verify(..., task="sokoban")``, a row that cannot be judged (unparseable
level, timeout) gets ``None`` so TRL leaves it out of the mean, and the reasons go to TRL's
completions table as ``<name>_reason``.
"""

from __future__ import annotations

from lmmr1.sokoban.verifier import SokobanConfig
from lmmr1.verifiers.config import VerifierConfig
from lmmr1.verifiers.rewards import AccuracyReward

__all__ = ["SokobanReward"]


class SokobanReward(AccuracyReward):
    """``AccuracyReward(default_task="sokoban")`` configured by ``config`` (solved or shaped)."""

    def __init__(
        self,
        config: SokobanConfig | None = None,
        level_column: str = "solution",
        name: str = "sokoban_reward",  # TRL logs rewards/<name>/mean
        log_reasons: bool = True,  # add an "<name>_reason" column to TRL's completions table
        workers: int | None = None,
    ) -> None:
        sokoban = SokobanConfig() if config is None else config
        super().__init__(gold_column=level_column, default_task="sokoban", config=VerifierConfig(sokoban=sokoban),
                         workers=workers, name=name, log_reasons=log_reasons)
