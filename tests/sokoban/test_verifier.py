"""score_sokoban: the answer parser, the solved reward, the shaped reward against hand-computed values."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmmr1.sokoban.generate import GeneratorConfig, generate_level
from lmmr1.sokoban.verifier import SOKOBAN_REASONS, SokobanConfig, parse_actions, score_sokoban

ONE = "#####\n#@$.#\n#####"  # Right solves it
TWO = "#######\n#@$.$.#\n#######"  # Right, Right, Right solves it; the first Right puts one box on
CORRIDOR = "#########\n#   @$. #\n#########"  # Right solves it; room to walk back and forth
SOLVED = SokobanConfig()
SHAPED = SokobanConfig(reward="shaped")


def score(completion: str, level: str = ONE, config: SokobanConfig = SOLVED):
    result = score_sokoban(completion, level, config, time.monotonic() + 5)
    assert result.reason in SOKOBAN_REASONS
    assert 0.0 <= result.score <= 1.0
    return result


@pytest.mark.parametrize(
    ("completion", "reason", "extracted"),
    [
        ("<answer>Right</answer>", "solved", "Right"),
        ("<think>push it</think><answer>RIGHT</answer>", "solved", "Right"),
        ("<answer>right</answer>", "solved", "Right"),
        ("<answer> r </answer>", "solved", "Right"),  # the standard one-letter move
        ("<answer>[Right]</answer>", "solved", "Right"),
        ("<answer>Left, Right</answer>", "solved", "Left, Right"),  # into the wall, then the push
        ("<answer>Left Right</answer>", "solved", "Left, Right"),
        ("<answer>Left,Right</answer>", "solved", "Left, Right"),
        ("<answer>Left,\n Right</answer>", "solved", "Left, Right"),
        ("<answer>Left</answer>", "not_solved", "Left"),
        ("<answer>Up, Down</answer>", "not_solved", "Up, Down"),
        ("<answer>Right</answer> then <answer>Left</answer>", "not_solved", "Left"),  # the last span wins
        ("<answer>Jump</answer>", "bad_action", "Jump"),
        ("<answer>Right, Jump</answer>", "bad_action", "Right, Jump"),
        ("<answer>Right.</answer>", "bad_action", "Right."),
        ("<answer>1</answer>", "bad_action", "1"),
        ("<answer></answer>", "no_answer", None),
        ("<answer> , </answer>", "no_answer", None),
        ("I would push it right.", "no_answer", None),
        ("", "no_answer", None),
        # bare answers: a completion that is, tags aside, only actions
        ("<think></think><answer>Right", "solved", "Right"),  # cut off before </answer>
        ("<think></think> Right", "solved", "Right"),
        ("<think>push it</think><answer>Right", "no_answer", None),  # prose is not a bare answer
        ("Right", "solved", "Right"),
        ("<answer><answer>", "no_answer", None),
    ],
)
def test_parser_and_solved_reward(completion, reason, extracted):
    result = score(completion)
    assert (result.reason, result.extracted) == (reason, extracted)
    assert result.correct is (reason == "solved")
    assert result.score == (1.0 if reason == "solved" else 0.0)


def test_actions_after_the_solve_are_not_played():
    """The episode ends when solved, as in the environment: a later push off the target is ignored."""
    result = score("<answer>Right, Right, Right, Left, Left</answer>", "########\n#@$.   #\n########")
    assert result.reason == "solved" and "played 1 of 5" in result.detail


def test_too_many_actions():
    assert score("<answer>" + "Left, " * 50 + "Right</answer>").reason == "too_many_actions"
    assert score("<answer>" + "Left, " * 49 + "Right</answer>").reason == "solved"  # exactly 50
    assert score("<answer>Left, Right</answer>", config=SokobanConfig(max_actions=1)).reason == "too_many_actions"


def test_parse_reads_a_bounded_number_of_words():
    """A huge answer costs no more than max_actions + 1 words (the rest is never split)."""
    huge = "Left " * 2_000_000
    start = time.perf_counter()
    with pytest.raises(ValueError, match="max_actions=50"):
        parse_actions(huge, 50)
    assert time.perf_counter() - start < 1.0  # generous: a full split takes seconds more, not less


def test_unparseable_level_is_undecided():
    result = score("<answer>Right</answer>", "#####\n#@$ #\n#####")
    assert (result.correct, result.score, result.reason) == (None, 0.0, "level_unparseable")
    assert "target" in result.detail


def test_past_deadline_is_undecided():
    result = score_sokoban("<answer>Right</answer>", ONE, SOLVED, time.monotonic() - 1)
    assert (result.correct, result.score, result.reason) == (None, 0.0, "timeout")


# Shaped: raw = best running sum of (-0.1 a step, +1 box on, -1 box off, +10 solved) + 0.5 action
# bonus - 1.0 if a pattern repeats; score = (raw + 2) / (ceiling + 2), ceiling = boxes + 10 + 0.5 - 0.1.
THINK = "<think>t</think>"
SHAPED_TABLE = [
    # level, answer, raw, ceiling
    (ONE, "Right", 10.9 + 0.5, 11.4),  # one push: the best possible
    (ONE, "Left", -0.1 + 0.5, 11.4),  # a bump into the wall
    (ONE, "Left, Right", 10.8 + 0.5, 11.4),  # one wasted step first
    (TWO, "Right", 0.9 + 0.5, 12.4),  # one of two boxes on
    (TWO, "Right, Right, Right", 0.9 + 0.5, 12.4),  # 0.9, then two bumps (box into box): 0.8, 0.7
    ("######\n#@*  #\n######", "Right", -1.1 + 0.5, 11.4),  # a box pushed off its target
    (CORRIDOR, "Left, Right, Left, Right, Left, Right", -0.1 + 0.5 - 1.0, 11.4),  # a repeated pattern
    (CORRIDOR, "Left, Right, Left, Right", -0.1 + 0.5, 11.4),  # twice is not yet a pattern
    (CORRIDOR, "Left, Left, Left", -0.1 + 0.5, 11.4),  # one action repeated is not a pattern
]


@pytest.mark.parametrize(("level", "answer", "raw", "ceiling"), SHAPED_TABLE)
def test_shaped_reward_table(level, answer, raw, ceiling):
    result = score(f"{THINK}<answer>{answer}</answer>", level, SHAPED)
    assert result.score == pytest.approx((raw + 2.0) / (ceiling + 2.0))
    assert f"raw={raw:.4g}" in result.detail


@pytest.mark.parametrize(
    ("completion", "reason"),
    [
        ("<answer>Right</answer>", "bad_format"),  # the format gate: no <think>
        (THINK + "Right", "no_answer"),  # no bare answers for the shaped reward
        (THINK + "<answer>Jump</answer>", "bad_action"),
        (THINK + "<answer>" + "Left " * 51 + "</answer>", "too_many_actions"),
    ],
)
def test_shaped_failures_score_the_floor(completion, reason):
    result = score(completion, ONE, SHAPED)
    assert (result.reason, result.score, result.correct) == (reason, 0.0, False)
    assert "raw=-2" in result.detail


def test_format_gate_can_be_turned_off():
    assert score("<answer>Right</answer>", ONE, SokobanConfig(reward="shaped", format_gate=False)).score == 1.0


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), boxes=st.integers(1, 3), extra=st.lists(st.sampled_from(["Up", "Down", "Left", "Right"]), max_size=10))
def test_generated_solutions_score_as_solved_and_shaped_ranks_them_higher(seed, boxes, extra):
    """The kept solution of every generated level solves it; with a detour first, the shaped score is
    lower, and it stays in [0, 1]."""
    generated = generate_level(GeneratorConfig(num_boxes=boxes), seed)
    answer = ", ".join(generated.solution)
    assert score(f"<answer>{answer}</answer>", generated.level).reason == "solved"
    best = score(f"{THINK}<answer>{answer}</answer>", generated.level, SHAPED)
    assert best.correct and 0.0 < best.score <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reward": "dense"}, "'solved' or 'shaped'"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"max_actions": 0}, "max_actions"),
        ({"step_penalty": -0.1}, "magnitude"),
        ({"repeat_times": 1}, "repeat_times"),
        ({"shaped_floor": 0.0}, "shaped_floor"),
    ],
)
def test_config_errors_say_how_to_fix(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SokobanConfig(**kwargs)
