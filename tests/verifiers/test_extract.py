"""Which answer a completion commits to."""

import pytest

from lmmr1 import verify
from lmmr1.verifiers.extract import extract_answer

TABLE = [
    # the last <answer> span wins, a \boxed{} inside <think> never overrides it
    (r"<think>maybe \boxed{3}</think><answer>$5$</answer>", "5", "math"),
    ("<answer>1</answer> no wait <answer>2</answer>", "2", "answer_tag"),
    (r"<answer>so \boxed{7}</answer>", "7", "boxed"),
    ("<answer>The answer is 9.</answer>", "9", "anchor"),
    ("<answer>  12  </answer>", "12", "answer_tag"),
    # without tags
    (r"We get \boxed{4}. Then, checking again, \boxed{5}", "5", "boxed"),
    (r"The final answer is $\frac{1}{2}$.", r"\frac{1}{2}", "anchor"),
    ("Answer: 12.5", "12.5", "anchor"),
    ("Janet sells 13 eggs.\nA: 26", "26", "anchor"),
    ("Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.", "120", "anchor"),
    ("42", "42", "bare"),
    ("16 $\\pi$", "16 \\pi", "bare"),
    ("So the ordered pair $(x, y)$ that solves the system is $(7, 6)$. <|im_start|>user\nnext", "(7, 6)", "last_math"),
    ("Therefore, there are 12 distinct sequences. I hope it is correct.", "12", "last_sentence"),
]


@pytest.mark.parametrize(("completion", "text", "source"), TABLE)
def test_extraction(completion, text, source):
    e = extract_answer(completion)
    assert (e.text, e.source) == (text, source)


def test_hedged_boxes():
    e = extract_answer(r"It is \boxed{2} or \boxed{3}")
    assert e.hedged and e.alternatives == ("2", "3")


def test_working_box_is_not_a_hedge():
    e = extract_answer(r"First \boxed{4} is wrong. After more work we find the final value \boxed{5}")
    assert not e.hedged and e.text == "5"


def test_unclosed_box_is_ignored():
    assert extract_answer(r"\boxed{5").text != "5" or extract_answer(r"\boxed{5").source != "boxed"


def test_verdict_reports_extracted_text():
    v = verify(r"<think>\boxed{3}</think><answer>$5$</answer>", "5")
    assert v.extracted == "5"
