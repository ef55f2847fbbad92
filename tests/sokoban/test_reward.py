"""The TRL reward: by name in a recipe, the level read from the solution column, None when undecidable."""

from __future__ import annotations

import pickle

import pytest

from lmmr1.sokoban.reward import SokobanReward
from lmmr1.sokoban.verifier import SokobanConfig
from lmmr1.train.rewards import build_rewards

ONE = "#####\n#@$.#\n#####"


def test_scores_per_row_and_none_when_the_level_is_bad():
    reward = SokobanReward()
    completions = ["<answer>Right</answer>", [{"role": "assistant", "content": "<answer>Left</answer>"}], "<answer>Right</answer>"]
    logged = {}
    scores = reward(None, completions, solution=[ONE, ONE, "not a level"], log_extra=lambda k, v: logged.setdefault(k, v))
    assert scores == [1.0, 0.0, None]
    assert logged == {"sokoban_reward_reason": ["solved", "not_solved", "level_unparseable"]}


def test_by_name_in_a_recipe():
    solved, shaped, one = build_rewards(["sokoban", "sokoban_shaped", "sokoban_one_action"])
    think = "<think>t</think>"
    assert solved(None, [think + "<answer>Right</answer>"], solution=[ONE]) == [1.0]
    assert shaped(None, [think + "<answer>Left, Right</answer>"], solution=[ONE])[0] == pytest.approx(13.3 / 13.4)
    # one action at most: hedging over all four pushes solves nothing
    assert one(None, ["<answer>Up, Down, Left, Right</answer>"], solution=[ONE]) == [0.0]
    assert one(None, ["<answer>R</answer>"], solution=[ONE]) == [1.0]
    assert 0.0 < one(None, ["<answer>L</answer>"], solution=[ONE])[0] < 0.2  # a valid action earns a little


def test_picklable_with_a_name_and_clear_errors():
    reward = SokobanReward(SokobanConfig(reward="shaped"), name="soko")
    assert pickle.loads(pickle.dumps(reward)).__name__ == "soko"
    with pytest.raises(ValueError, match="column 'solution'"):
        reward(None, ["<answer>Right</answer>"], level=[ONE])
    with pytest.raises(ValueError, match="1 values for 2 completions"):
        reward(None, ["a", "b"], solution=[ONE])
    with pytest.raises(TypeError, match="SokobanConfig"):
        SokobanReward(config={"reward": "shaped"})
