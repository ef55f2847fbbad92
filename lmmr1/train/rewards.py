"""Reward functions chosen by name in a recipe (``reward_funcs: [format, accuracy]``).

Weights are TRL's ``reward_weights``; LMM-R1's code weighs format 0.5 and accuracy 1.0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lmmr1.rewards import AccuracyReward, FormatReward
from lmmr1.sokoban.reward import SokobanReward
from lmmr1.sokoban.verifier import SokobanConfig

REWARDS: dict[str, Callable[[], Any]] = {
    "accuracy": AccuracyReward,  # lmmr1's verifiers, with the recipe's `verifier:` config; math / choice / geometry from the `task` column
    "format": lambda: FormatReward(style="strict"),  # LMM-R1's strict <think>…</think><answer>…</answer>
    "tag_count": lambda: FormatReward(style="tags"),  # open-r1's partial credit, 0.25 a tag
    # Sokoban (lmmr1.sokoban): the row's level in `solution`, the answer's actions played on it.
    "sokoban": SokobanReward,  # 1 solved / 0 not, up to 50 actions
    "sokoban_shaped": lambda: SokobanReward(SokobanConfig(reward="shaped")),  # the authors' shaped reward, in [0, 1]
    # The tiny recipe's (one-push levels): one action at most, so a list of all four pushes is
    # too_many_actions rather than a hedge that solves every row (an image-blind policy solves
    # exactly a quarter); shaped without the format gate, so any single action earns a little
    # (0.18) and the push that solves 1.0: a denser signal for a random model than solved 0/1.
    "sokoban_one_action": lambda: SokobanReward(SokobanConfig(reward="shaped", max_actions=1, format_gate=False)),
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
