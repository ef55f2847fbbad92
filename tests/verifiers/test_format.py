"""The <think>/<answer> format reward."""

import pytest

from lmmr1 import check_format

STRICT = [
    ("<think>a</think><answer>b</answer>", True),
    ("  <think>a\nb</think>\n<answer>b</answer>\n", True),
    ("<think>a</think><answer>b</answer> trailing", False),
    ("lead <think>a</think><answer>b</answer>", False),
    ("<answer>b</answer><think>a</think>", False),
    ("<think>a</think><think>c</think><answer>b</answer>", False),
    ("<think>a</think><answer></answer>", False),
    ("<think>a</think>", False),
    ("", False),
]


@pytest.mark.parametrize(("completion", "ok"), STRICT)
def test_strict(completion, ok):
    v = check_format(completion)
    assert v.correct is ok and v.reason == ("format_ok" if ok else "format_bad")


@pytest.mark.parametrize(
    ("completion", "score"),
    [
        ("<think>a</think><answer>b</answer>", 1.0),
        ("<think>a</think> b", 0.5),
        ("<think>a <answer>b</answer>", 0.75),
        ("plain", 0.0),
        ("<think><think>a</think><answer>b</answer>", 0.75),
        ("<think>a</think><answer></answer>", 0.75),  # empty answer: no credit for </answer>
        ("<think></think><answer> \n</answer>", 0.75),
        ("<think></think><answer>0</answer>", 1.0),
    ],
)
def test_tags_partial_credit(completion, score):
    v = check_format(completion, style="tags")
    assert v.score == score
    assert v.reason == {1.0: "format_ok", 0.0: "format_bad"}.get(score, "format_partial")


def test_bad_style_and_type():
    with pytest.raises(ValueError, match="style"):
        check_format("x", style="loose")
    with pytest.raises(TypeError, match="completion"):
        check_format(None)
