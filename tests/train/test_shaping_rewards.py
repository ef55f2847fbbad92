"""Shaping rewards by name (TRL's soft overlong punishment and repetition penalty), parameters from the recipe."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("trl")

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.config import RecipeError  # noqa: E402
from lmmr1.train.rewards import Shaping, build_rewards, shaping_for  # noqa: E402


def _call(reward, completion_ids):
    """As GRPOTrainer calls a reward function: keywords, with the completions' token ids."""
    texts = ["x"] * len(completion_ids)
    return reward(prompts=texts, completions=texts, completion_ids=completion_ids, solution=texts)


@pytest.mark.parametrize(("length", "expected"), [(1, 0.0), (6, 0.0), (7, -0.25), (8, -0.5), (10, -1.0), (11, -1.0)])
def test_soft_overlong_is_zero_then_linear_over_the_buffer(length, expected):
    (reward,) = build_rewards(["soft_overlong"], shaping=Shaping(max_completion_length=10, overlong_buffer_len=4))
    assert _call(reward, [[5] * length]) == [pytest.approx(expected)]


def test_soft_overlong_buffer_defaults_to_a_fifth_of_the_completion_limit():
    (reward,) = build_rewards(["soft_overlong"], shaping=Shaping(max_completion_length=20))
    assert _call(reward, [[1] * 16, [1] * 18, [1] * 20]) == [0.0, -0.5, -1.0]  # buffer 4


@pytest.mark.parametrize(("ids", "expected"), [
    ([1, 2, 3, 4, 5], 0.0),  # no trigram repeats
    ([7] * 6, -0.75),  # 4 trigrams, 1 distinct
    ([1, 2, 3, 1, 2, 3], -0.25),  # 4 trigrams, 3 distinct
    ([1, 2], 0.0),  # shorter than one n-gram
])
def test_repetition_penalises_the_share_of_repeated_ngrams(ids, expected):
    (reward,) = build_rewards(["repetition"])
    assert _call(reward, [ids]) == [pytest.approx(expected)]


def test_repetition_parameters_are_used():
    (reward,) = build_rewards(["repetition"], shaping=Shaping(repetition_ngram_size=2, repetition_max_penalty=-0.5))
    assert _call(reward, [[5, 5, 5, 5, 5]]) == [pytest.approx(-0.375)]  # 4 bigrams, 1 distinct: 0.75 x -0.5


BASE = """
output_dir: {out}
use_cpu: true
model_name_or_path: some/model
num_generations: 4
per_device_train_batch_size: 8
max_completion_length: 40
reward_funcs: [accuracy, soft_overlong, repetition]
reward_weights: [1.0, 0.5, 0.1]
fre:
  dataset_name: synthetic:fre
mgt:
  dataset_name: synthetic:mgt
"""


def _write(tmp_path, extra: str = "") -> str:
    path = tmp_path / "r.yaml"
    path.write_text(BASE.format(out=tmp_path / "out") + textwrap.dedent(extra))
    return str(path)


def test_a_recipe_with_shaping_rewards_builds_them_from_its_keys(tmp_path):
    recipe = _write(tmp_path, "overlong_buffer_len: 10\nrepetition_ngram_size: 2\n")
    fre, mgt = pipeline.plan(recipe, overrides=["mgt.max_completion_length=20", "mgt.overlong_buffer_len=5"])
    assert shaping_for(fre) == Shaping(40, 10, 2, -1.0)
    assert shaping_for(mgt) == Shaping(20, 5, 2, -1.0)
    names = [r.__name__ for r in build_rewards(fre.script.reward_funcs, fre.script.verifier, shaping_for(fre))]
    assert names[1:] == ["soft_overlong_punishment_reward", "repetition_penalty_reward"]  # TRL's own
    _, overlong, _ = build_rewards(fre.script.reward_funcs, shaping=shaping_for(fre))
    assert _call(overlong, [[1] * 30, [1] * 35]) == [0.0, -0.5]


def test_the_default_buffer_follows_each_stage_s_completion_limit(tmp_path):
    (fre,) = pipeline.plan(_write(tmp_path), stages=["fre"], overrides=["fre.max_completion_length=100"])
    assert shaping_for(fre).buffer == 20


@pytest.mark.parametrize(("override", "message"), [
    ("overlong_buffer_len=0", r"stage fre: overlong_buffer_len=0; give a number of tokens from 1 to max_completion_length \(40\)"),
    ("overlong_buffer_len=41", r"overlong_buffer_len=41"),
    ("repetition_max_penalty=0.5", r"repetition_max_penalty=0.5; .*give a number <= 0"),
    ("repetition_ngram_size=0", r"repetition_ngram_size=0; give a positive n-gram size"),
])
def test_bad_shaping_parameters_are_recipe_errors(tmp_path, override, message):
    with pytest.raises(RecipeError, match=message):
        pipeline.plan(_write(tmp_path), overrides=[override])


@settings(max_examples=60, deadline=None)
@given(limit=st.integers(1, 64), data=st.data())
def test_soft_overlong_is_in_minus_one_to_zero_and_never_rewards_length(limit, data):
    buffer = data.draw(st.integers(1, limit))
    (reward,) = build_rewards(["soft_overlong"], shaping=Shaping(max_completion_length=limit, overlong_buffer_len=buffer))
    values = _call(reward, [[0] * n for n in range(limit + 3)])
    assert all(-1.0 <= v <= 0.0 for v in values)
    assert values == sorted(values, reverse=True)  # longer is never better
    assert values[limit - buffer] == 0.0 and values[limit] == -1.0


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(st.integers(0, 5), max_size=30), n=st.integers(1, 4), penalty=st.floats(-2.0, 0.0))
def test_repetition_is_between_the_max_penalty_and_zero(ids, n, penalty):
    (reward,) = build_rewards(["repetition"], shaping=Shaping(repetition_ngram_size=n, repetition_max_penalty=penalty))
    (value,) = _call(reward, [ids])
    assert penalty <= value <= 0.0
    grams = [tuple(ids[i : i + n]) for i in range(len(ids) - n + 1)]
    assert (value == 0.0) == (len(set(grams)) == len(grams) or penalty == 0.0)
