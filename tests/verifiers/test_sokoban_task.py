"""task="sokoban" through verify and every adapter: the gold is the level, the actions are played."""

import pytest

from lmmr1 import REASONS, VerifierConfig, verify, verify_batch
from lmmr1.sokoban import SOKOBAN_REASONS, SokobanConfig
from lmmr1.verifiers.rewards import AccuracyReward
from lmmr1.verifiers.verl import compute_score

LEVEL = "#####\n#@$.#\n#####"  # one push right solves it


@pytest.mark.parametrize(
    ("completion", "correct", "reason"),
    [
        ("<think>push</think><answer>Right</answer>", True, "solved"),
        ("<answer>left</answer>", False, "not_solved"),
        ("<answer>Jump</answer>", False, "bad_action"),
        ("I would go right.", False, "no_answer"),
    ],
)
def test_verify_plays_the_actions(completion, correct, reason):
    v = verify(completion, LEVEL, "sokoban")
    assert (v.correct, v.reason, v.task) == (correct, reason, "sokoban")


def test_an_unplayable_level_is_undecided():
    v = verify("<answer>Right</answer>", "#####\n#@$x#\n#####", "sokoban")
    assert (v.correct, v.score, v.reason) == (None, 0.0, "level_unparseable")


def test_reasons_join_the_registry():
    assert set(SOKOBAN_REASONS) <= set(REASONS)


def test_the_shaped_score_reaches_the_verdict_and_the_adapters():
    shaped = VerifierConfig(sokoban=SokobanConfig(reward="shaped", format_gate=False))
    v = verify("<answer>Left, Right, Right</answer>", LEVEL, "sokoban", config=shaped)
    assert v.correct is False or 0.0 < v.score <= 1.0
    solved = verify("<answer>Right</answer>", LEVEL, "sokoban", config=shaped)
    assert solved.correct is True and 0.0 < solved.score <= 1.0


def test_trl_verl_and_batch_read_the_level_from_the_row():
    reward = AccuracyReward(gold_column="solution")
    rewards = reward(prompts=["", ""], completions=["<answer>Right</answer>", "<answer>Left</answer>"],
                     solution=[LEVEL, LEVEL], task=["sokoban", "sokoban"])
    assert rewards == [1.0, 0.0]
    out = compute_score("sokoban", "<answer>Right</answer>", LEVEL, {"task": "sokoban"})
    assert (out["acc"], out["reason"]) == (1.0, "solved")
    verdicts = verify_batch(["<answer>Right</answer>"] * 3, [LEVEL, LEVEL, None], tasks="sokoban")
    assert [v.reason for v in verdicts] == ["solved", "solved", "gold_unparseable"]


def test_the_openrlhf_server_scores_sokoban_rows():
    from lmmr1.verifiers.server import ServerConfig, parse_request, score_items

    config = ServerConfig()
    items = parse_request({"query": ["<answer>Right</answer>", "<answer>Up</answer>"], "prompts": ["", ""],
                           "labels": [LEVEL, LEVEL], "tasks": ["sokoban", "sokoban"]}, config)
    result = score_items(items, config)
    assert result["scores"] == [1.0, 0.0] and result["reasons"] == ["solved", "not_solved"]
