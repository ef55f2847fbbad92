"""Reward functions chosen by name in a recipe (``reward_funcs: [format, accuracy]``).

Weights are TRL's ``reward_weights``; LMM-R1's code weighs format 0.5 and accuracy 1.0. The shaping
rewards are TRL's own (``trl.rewards``), with parameters from recipe keys (:class:`Shaping`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lmmr1.train.config import StagePlan

from lmmr1.rewards import AccuracyReward, FormatReward
from lmmr1.sokoban.reward import SokobanReward
from lmmr1.sokoban.verifier import SokobanConfig


@dataclass(frozen=True)
class Shaping:
    """Parameters of the shaping rewards; defaults: GRPOConfig's and TRL's.

    ``overlong_buffer_len`` ``None`` is a fifth of ``max_completion_length`` (DAPO: 4,096 of 20,480).
    """

    max_completion_length: int = 256  # tokens; GRPOConfig's default
    overlong_buffer_len: int | None = None  # tokens before the limit where punishment starts
    repetition_ngram_size: int = 3
    repetition_max_penalty: float = -1.0

    @property
    def buffer(self) -> int:
        if self.overlong_buffer_len is not None:
            return self.overlong_buffer_len
        return max(1, self.max_completion_length // 5)


def shaping_for(plan: StagePlan) -> Shaping:
    """The stage's shaping parameters; a buffer outside ``1..max_completion_length`` is a ``RecipeError``."""
    from lmmr1.train.config import RecipeError

    s = plan.script
    shaping = Shaping(plan.training.max_completion_length, s.overlong_buffer_len, s.repetition_ngram_size,
                      s.repetition_max_penalty)
    buffer = shaping.overlong_buffer_len
    if buffer is not None and (isinstance(buffer, bool) or not isinstance(buffer, int)
                               or not 1 <= buffer <= shaping.max_completion_length):
        raise RecipeError(
            f"overlong_buffer_len={buffer!r}; give a number of tokens from 1 to max_completion_length "
            f"({shaping.max_completion_length}), or null for a fifth of it"
        )
    return shaping


def _soft_overlong(shaping: Shaping):
    from trl.rewards import get_soft_overlong_punishment

    return get_soft_overlong_punishment(shaping.max_completion_length, shaping.buffer)


def _repetition(shaping: Shaping):
    from trl.rewards import get_repetition_penalty_reward

    return get_repetition_penalty_reward(shaping.repetition_ngram_size, shaping.repetition_max_penalty)


REWARDS: dict[str, Callable[..., Any]] = {
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
    # Shaping, from TRL (trl.rewards), on the completion's token ids:
    "soft_overlong": _soft_overlong,  # DAPO's soft overlong punishment: 0, then linear to -1 over the last overlong_buffer_len tokens
    "repetition": _repetition,  # (1 - unique / all repetition_ngram_size-grams) x repetition_max_penalty: 0 without repeats
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
SHAPED = {"soft_overlong", "repetition"}  # rewards built with the stage's Shaping


def build_rewards(names: list[str], verifier: Any = None, shaping: Shaping | None = None) -> list[Any]:
    """The reward callables for ``names``, in order; an unknown name is an error listing the known ones.

    ``verifier``: the recipe's ``verifier:`` mapping (or a ``VerifierConfig``), given to the accuracy reward.
    ``shaping``: the stage's shaping parameters (``shaping_for(plan)``; default ``Shaping()``).
    """
    from lmmr1.train.config import verifier_config
    from lmmr1.verifiers.config import VerifierConfig

    check_reward_funcs(names)
    config = verifier if isinstance(verifier, VerifierConfig) else verifier_config(verifier)
    shaping = shaping or Shaping()
    built = []
    for n in names:
        if n in VERIFIED:
            built.append(REWARDS[n](config=config))
        elif n in SHAPED:
            built.append(REWARDS[n](shaping))
        else:
            built.append(REWARDS[n]())
    return built
