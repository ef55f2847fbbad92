"""Multiple choice: letters and option texts."""

import pytest

from lmmr1 import verify

OPTS = {"A": "10", "B": "12", "C": r"\frac{3}{2}", "D": r"$2 \pi$"}

TABLE = [
    ("B", "<answer>B</answer>", True, "equal"),
    ("B", "<answer>(B)</answer>", True, "equal"),
    ("B", "<answer>B.</answer>", True, "equal"),
    ("B", r"\boxed{B}", True, "equal"),
    ("B", r"\boxed{\text{(B)}}", True, "equal"),
    ("B", "The answer is B", True, "equal"),
    ("B", "<answer>b</answer>", True, "equal"),
    ("B", "<answer>B: 12</answer>", True, "equal"),
    ("B", "<answer>12</answer>", True, "equal"),  # the option's text
    ("12", "<answer>B</answer>", True, "equal"),  # gold as option text
    ("C", "<answer>1.5</answer>", True, "equal"),  # same value as the option
    ("D", r"\boxed{2\pi}", True, "equal"),  # same text up to spacing
    ("B", "Let's think. It's not A because it doesn't fit, therefore I think it's B", True, "equal"),
    ("B", "<answer>A</answer>", False, "not_equal"),
    ("B", "<answer>A or B</answer>", False, "hedged"),
    ("B", "<answer>A, B</answer>", False, "hedged"),
    ("B", "<answer>F</answer>", False, "letter_not_in_options"),
    ("B", "<answer>13</answer>", False, "not_equal"),
    ("B", "<answer></answer>", False, "no_answer"),
]


@pytest.mark.parametrize(("gold", "completion", "correct", "reason"), TABLE)
def test_choice_table(gold, completion, correct, reason):
    v = verify(completion, gold, task="choice", options=OPTS)
    assert (v.correct, v.reason) == (correct, reason), v


def test_options_as_list_are_lettered():
    assert verify("<answer>C</answer>", "C", options=["1", "2", "3"]).correct is True
    assert verify("<answer>3</answer>", "C", options=["1", "2", "3"]).correct is True


def test_auto_detects_choice():
    assert verify("<answer>B</answer>", "B").task == "choice"
    assert verify("<answer>12</answer>", "12", options=OPTS).task == "choice"
    assert verify("<answer>12</answer>", "12").task == "math"


def test_gold_option_text_beats_letter_reading():
    # MathVista: options are "(a)".."(e)" and the gold is the option TEXT "(b)", i.e. letter D.
    opts = ["(c)", "(d)", "(a)", "(b)", "(e)"]
    assert verify("<answer>(b)</answer>", "(b)", options=opts).correct is True
    assert verify("<answer>B</answer>", "(b)", options=opts).correct is False


def test_gold_not_among_options_cannot_be_verified():
    v = verify("<answer>A</answer>", "99", task="choice", options=OPTS)
    assert v.correct is None and v.reason == "gold_unparseable"
