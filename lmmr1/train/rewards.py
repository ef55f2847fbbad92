"""Reward functions chosen by name in a recipe (``reward_funcs: [format, accuracy]``).

Weights are TRL's ``reward_weights``; LMM-R1's code weighs format 0.5 and accuracy 1.0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lmmr1.rewards import AccuracyReward, FormatReward

REWARDS: dict[str, Callable[[], Any]] = {
    "accuracy": AccuracyReward,  # lmmr1's verifiers, with the recipe's `verifier:` config; math / choice / geometry from the `task` column
    "format": lambda: FormatReward(style="strict"),  # LMM-R1's strict <think>…</think><answer>…</answer>
    "tag_count": lambda: FormatReward(style="tags"),  # open-r1's partial credit, 0.25 a tag
}


def check_reward_funcs(names: list[str]) -> None:
    """Raise ``RecipeError`` unless ``names`` is a non-empty list of distinct known reward names."""
    from lmmr1.train.config import RecipeError

    if not names:
        raise RecipeError(f"reward_funcs is empty; choose some of {sorted(REWARDS)}")
    unknown = [n for n in names if n not in REWARDS]
    if unknown:
        raise RecipeError(f"unknown reward function(s) {unknown} in reward_funcs; known: {sorted(REWARDS)}")
    if len(set(names)) != len(names):
        raise RecipeError(f"reward_funcs lists a reward twice: {names}")


VERIFIED = {"accuracy"}  # rewards built with the recipe's `verifier:` config


def build_rewards(names: list[str], verifier: Any = None) -> list[Any]:
    """The reward callables for ``names``, in order; an unknown name is an error listing the known ones.

    ``verifier``: the recipe's ``verifier:`` mapping (or a ``VerifierConfig``), given to the accuracy reward.
    """
    from lmmr1.train.config import verifier_config
    from lmmr1.verifiers.config import VerifierConfig

    check_reward_funcs(names)
    config = verifier if isinstance(verifier, VerifierConfig) else verifier_config(verifier)
    return [REWARDS[n](config=config) if n in VERIFIED else REWARDS[n]() for n in names]
