"""Regression table for task="math": (gold, completion, expected correct, expected reason).

Rows are real model output shapes (MATH-500, GSM8K, Qwen2.5-Math, Math-Verify's tables) plus the
false positives of math-verify that the issue names and that lmmr1 must reject.
"""

import pytest

from lmmr1 import MathConfig, verify

TABLE = [
    # numbers, fractions, decimals, separators
    ("5", "<answer>$5$</answer>", True, "equal"),
    ("0.5", r"<answer>$\frac{1}{2}$</answer>", True, "equal"),
    ("0.50", r"\boxed{0.5}", True, "equal"),
    (r"\frac{1}{2}", r"\boxed{\dfrac{1}{2}}", True, "equal"),
    ("-3", r"\boxed{-3}", True, "equal"),
    ("10080", r"\boxed{10,\!080}", True, "equal"),
    (r"10,\!080", r"\boxed{10080}", True, "equal"),
    ("1000000", r"\boxed{1,000,000}", True, "equal"),
    ("1000", "<answer>1 000</answer>", True, "equal"),
    ("025", r"\boxed{25}", True, "equal"),  # AIME24 gold
    ("27.0", r"\boxed{27}", True, "equal"),  # AMC23 gold is a float
    (r"\frac{1}{12}", "<answer>0.0833333333333333</answer>", True, "equal"),  # long decimal of a fraction
    (r"\frac{1}{12}", "<answer>0.083</answer>", False, "not_equal"),  # short decimal is not exact
    # x = 5, units, degrees, percent, currency
    ("5", r"\boxed{x=5}", True, "equal"),
    ("x=5", r"\boxed{5}", True, "equal"),
    ("90", r"\boxed{90^\circ}", True, "equal"),
    (r"90^\circ", r"\boxed{90}", True, "equal"),
    ("12", r"\boxed{12 \text{ cm}^2}", True, "equal"),
    ("5", "<answer>5 cm</answer>", True, "equal"),
    (r"28\%", r"\boxed{28}", True, "equal"),
    (r"28\%", r"\boxed{0.28}", True, "equal"),
    (r"28\%", "<answer>28 pct</answer>", True, "equal"),
    ("16386.20", r"The final answer is $\$16,\!386.20$.", True, "equal"),
    # text answers are case-insensitive
    (r"\text{Evelyn}", r"\boxed{\text{evelyn}}", True, "equal"),
    (r"\text{(C)}", r"\boxed{C}", True, "equal"),
    ("odd", r"\boxed{\text{Even}}", False, "not_equal"),
    # structures
    (r"\{1,2\}", r"\boxed{\{2,1\}}", True, "equal"),
    ("1,-2", r"\boxed{-2, 1}", True, "equal"),
    ("(1,2)", r"\boxed{(1,2)}", True, "equal"),
    ("(1,2)", r"\boxed{(2,1)}", False, "not_equal"),  # tuples keep their order
    ("[1,2)", r"\boxed{[1,2)}", True, "equal"),
    ("[1,2)", r"\boxed{(1,2]}", False, "not_equal"),  # intervals keep their brackets
    (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\boxed{\begin{bmatrix}1&2\\3&4\end{bmatrix}}", True, "equal"),
    (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\boxed{\begin{bmatrix}1&2\\3&5\end{bmatrix}}", False, "not_equal"),
    ("3x-y+13=0", r"\boxed{6x-2y+26=0}", True, "equal"),  # same line, scaled
    ("2x+4y-3=0", r"$y=-\frac{1}{2}x+\frac{3}{4}$", True, "equal"),
    ("x>3", r"\boxed{3<x}", True, "equal"),
    ("6 - 5i", r"\boxed{6-5i}", True, "equal"),
    (r"2\sqrt{3}", r"\boxed{\sqrt{12}}", True, "equal"),
    (r"\sqrt{3}", r"\boxed{\sqrt3}", True, "equal"),
    (r"\frac{9}{4}\pi", r"Therefore $\boxed{\frac94\pi}$.", True, "equal"),
    ("(2,1),(1,2)", r"\boxed{(1, 2)}, \boxed{(2, 1)}", True, "equal"),  # boxes answering a list
    # math-verify's known false positives: must NOT be accepted
    (r"\frac{1}{2^{99}}", r"\boxed{\frac{1}{2^{98}}}", False, "not_equal"),
    ("1/2004!", r"\boxed{1/2006!}", False, "not_equal"),
    (r"1-\frac{1}{\mathrm{e}}", r"\boxed{1+\frac{1}{\mathrm{e}}}", False, "not_equal"),
    ("3x-y+13=0", r"\boxed{3x+4y+14=0}", False, "not_equal"),
    ("10", r"\boxed{10.001}", False, "not_equal"),
    # hedges
    ("2", r"\boxed{2} or \boxed{3}", False, "hedged"),
    ("2", r"\boxed{1, 2, 3}", False, "hedged"),
    ("2", "<answer>$2$ or $3$</answer>", False, "hedged"),
    ("2", r"\boxed{2 \text{ or } 3}", False, "hedged"),
    # nothing to judge
    ("5", "<answer></answer>", False, "no_answer"),
    ("5", "<answer>  </answer>", False, "no_answer"),
    ("5", "I am not sure. " * 20, False, "no_answer"),
]


@pytest.mark.parametrize(("gold", "completion", "correct", "reason"), TABLE)
def test_math_table(gold, completion, correct, reason):
    v = verify(completion, gold, task="math")
    assert (v.correct, v.reason) == (correct, reason), v
    assert v.score == (1.0 if correct else 0.0)


def test_unparseable_gold_is_not_guessed():
    v = verify(r"\boxed{3}", "\x0crac{36}{13}")  # MATH-V id 2830: a JSON \f ate the backslash
    assert v.correct is None and v.reason == "gold_unparseable" and v.score == 0.0
    v = verify(r"\boxed{3}", "")
    assert v.correct is None and v.reason == "gold_unparseable"


def test_percent_policies():
    assert verify(r"\boxed{0.28}", r"28\%", config=MathConfig(percent="strip")).correct is False
    assert verify(r"\boxed{28}", r"28\%", config=MathConfig(percent="strip")).correct is True
    assert verify(r"\boxed{28}", r"28\%", config=MathConfig(percent="strict")).correct is False
    assert verify(r"\boxed{0.28}", r"28\%", config=MathConfig(percent="strict")).correct is True


def test_units_strict_keeps_units():
    assert verify("<answer>5 cm</answer>", "5", config=MathConfig(units="strict")).correct is False


def test_numeric_gold_is_accepted():
    assert verify(r"\boxed{27}", 27.0).correct is True
    assert verify(r"\boxed{27}", 27).correct is True


def test_a_number_is_told_from_an_expression_in_a_greek_variable_without_sympy():
    from lmmr1.verifiers.budget import defer_slow_calls

    with defer_slow_calls():  # a worker call would raise Deferred here
        v = verify(r"<answer>1</answer>", r"\frac{\cos^2\theta}{1 + \sin\theta}")
        assert (v.correct, v.reason) == (False, "not_equal")
    assert verify(r"<answer>2\alpha</answer>", r"\alpha + \alpha").correct is True  # sympy still decides "equal"


def test_a_long_list_for_a_single_value_is_a_hedge_not_sympy_work():
    listing = ", ".join(f"b_{{{i}}}" for i in range(1, 151))  # a degenerate "answer" of 150 labels
    v = verify(f"<answer>{listing}</answer>", "244")
    assert (v.correct, v.reason) == (False, "hedged")
