"""verl adapter: loaded the way verl loads a custom reward function (a file path and a name)."""

from __future__ import annotations

import importlib.util
import inspect
import json
from functools import partial

import pytest

import lmmr1.verifiers.verl as verl_module
from lmmr1.verifiers.verl import compute_score

KEYS = {"score", "acc", "format", "verifiable", "reason", "extracted"}


def _load_like_verl(reward_kwargs=None):
    """verl's get_custom_reward_fn: import the file by path, take the name, bind reward_kwargs."""
    spec = importlib.util.spec_from_file_location("custom_module", verl_module.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = module.compute_score
    return partial(fn, **(reward_kwargs or {}))


def test_signature_matches_verl_keywords():
    params = inspect.signature(compute_score).parameters
    assert list(params)[:4] == ["data_source", "solution_str", "ground_truth", "extra_info"]


def test_correct_and_wrong_by_keyword_call():
    fn = _load_like_verl()
    good = fn(data_source="gsm8k", solution_str="<think>6*7</think><answer>42</answer>", ground_truth="42", extra_info={})
    bad = fn(data_source="gsm8k", solution_str="The answer is $\\boxed{41}$.", ground_truth="42", extra_info=None)
    assert set(good) == set(bad) == KEYS  # verl stacks every key into a per-sample column
    assert (good["score"], good["acc"], good["reason"], good["verifiable"]) == (1.0, 1.0, "equal", True)
    assert (bad["score"], bad["acc"], bad["reason"]) == (0.0, 0.0, "not_equal")
    json.dumps([good, bad])  # plain values only


def test_format_weight_from_reward_kwargs_like_lmmr1():
    fn = _load_like_verl({"format_weight": 0.5})
    out = fn(data_source="x", solution_str="<think>ok</think><answer>42</answer>", ground_truth="42")
    assert out["score"] == 1.5 and out["format"] == 1.0
    out = fn(data_source="x", solution_str="so $\\boxed{42}$", ground_truth="42")
    assert out["score"] == 1.0 and out["format"] == 0.0


def test_cannot_verify_is_reported_not_rewarded():
    out = compute_score("x", "<answer>42</answer>", "")
    assert out["score"] == 0.0 and out["verifiable"] is False and out["reason"] == "gold_unparseable"
    assert out["extracted"] is not None  # "" rather than None keeps verl's columns uniform


def test_task_and_options_from_extra_info():
    info = {"task": "choice", "options": {"A": "3", "B": "7"}}
    assert compute_score("mathv", "<answer>B</answer>", "B", extra_info=info)["acc"] == 1.0
    assert compute_score("mathv", "<answer>A</answer>", "B", extra_info=info)["acc"] == 0.0


def test_unknown_keywords_from_newer_verl_are_ignored():
    assert compute_score("x", "<answer>42</answer>", "42", None, reward_router_address=None)["acc"] == 1.0


def test_bad_format_weight_says_how_to_fix():
    with pytest.raises(ValueError, match="LMM-R1 uses 0.5"):
        compute_score("x", "42", "42", format_weight=-1)


def test_parquet_padded_options_lose_their_none_entries():
    # verl reads extra_info from parquet, where a dict column holds every key of every row.
    info = {"task": "choice", "options": {"A": "3", "B": "7", "C": None, "D": None}}
    assert compute_score("mathv", "<answer>D</answer>", "B", extra_info=info)["reason"] == "letter_not_in_options"


@pytest.mark.parametrize(
    "ground_truth", [None, float("nan"), float("inf"), 10**5000, [42], {"x": 1}], ids=["None", "nan", "inf", "5000-digit-int", "list", "dict"]
)
def test_a_bad_ground_truth_is_unverifiable_not_a_crash(ground_truth):
    out = compute_score("x", "<think>ok</think><answer>42</answer>", ground_truth, format_weight=0.5)
    assert (out["acc"], out["verifiable"], out["reason"], out["score"]) == (0.0, False, "gold_unparseable", 0.5)
    json.dumps(out)


@pytest.mark.parametrize("response", [None, 42, ["<answer>42</answer>"]])
def test_a_response_that_is_not_text_is_no_answer(response):
    out = compute_score("x", response, "42", format_weight=0.5)
    assert (out["score"], out["reason"], out["verifiable"], out["format"]) == (0.0, "no_answer", True, 0.0)
