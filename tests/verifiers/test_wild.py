"""Answers as policies and people really write them: prose, Unicode, Chinese, truncation, hedges.

One table per class of issue 14. Every row was written for this file (none is copied from a
labelled set); each asserts the verdict and, where it matters, the reason.
"""

import pytest

from lmmr1 import verify

# (completion, gold, expected correct)
WORDS_AFTER_NUMBER = [
    ("The answer is 3 bolts.", "3", True),
    ("She was born 14 years ago.", "14", True),
    ("Solving gives x equals 2", "2", True),
    ("<answer>26 slices</answer>", "26", True),
    ("<answer>26 slices</answer>", "27", False),
    ("So in total Tom needs 45 more stamps.", "45", True),
    ("Therefore, the farmer has 120 sheep left in the field.", "120", True),
    ("The answer is 12 marbles.", "13", False),
    (r"<answer>$18$ feet long</answer>", "18", True),
    ("#### 7 hours", "7", True),
]

UNICODE_AND_CHINESE = [
    ("【解析】由题意可得结果。<eoe>\n【答案】2/3<eoa>", r"$\frac{2}{3}$", True),
    ("【答案】$\\frac{1}{2}$<eoa>", "$\\frac{1}{3}$", False),
    ("所以∠BOC＝145°", "145", True),
    ("所以CD的长度是5。", "5", True),
    ("故答案为：－３", "-3", True),
    ("<answer>５/√３</answer>", r"\frac{5}{\sqrt{3}}", True),
    ("<answer>5/√3</answer>", "5", False),
    ("<answer>3√2</answer>", "3", False),
    ("<answer>3√2</answer>", r"3\sqrt{2}", True),
    ("<answer>−35</answer>", "35", False),
    ("<answer>−35</answer>", "-35", True),
    ("<answer>10⁻³</answer>", "10", False),
    ("<answer>10⁻³</answer>", "0.001", True),
    ("<answer>x² + 1</answer>", "x^2+1", True),
    ("<answer>2π</answer>", r"2\pi", True),
    ("<answer>x ≤ 3</answer>", r"x \le 3", True),
    ("<answer>5厘米</answer>", "5 cm", True),
    ("<answer>5厘米</answer>", "5 m", False),
    ("<answer>500厘米</answer>", "5米", True),
    ("<answer>3个</answer>", "3", True),
]

SEVERAL_SOLUTIONS = [
    ("<answer>W,Z</answer>", r"W \text{ and } Z", True),
    ("<answer>3 and 5</answer>", "3, 5", True),
    ("<answer>x = 3 or x = 5</answer>", "3, 5", True),
    (r"<answer>\pm 2</answer>", "2, -2", True),
    (r"<answer>2 \quad -2</answer>", r"\pm 2", True),
    ("<answer>3 and 6</answer>", "3, 5", False),
]

CURRENCY = [
    ("Josh's profit was $70,000.", "70000", True),
    ("She paid $12.50 for the book and $3 for a pen, so $15.50 in all.", "15.50", True),
    ("The total cost is $45.", "45", True),
    ("The total cost is $45.", "46", False),
]

QUALIFIERS = [
    (r"<answer>$f(n) = n \text{ for all } n$</answer>", "f(n)=n", True),
    ("<answer>x = 2 for some x</answer>", "2", True),
    ("<answer>12 (in cm)</answer>", "12", True),
]

GOLDS_THAT_DO_NOT_PARSE = [
    (r"<answer>$\text{ML}\perp\text{NK}$</answer>", r"\text{ML}\perp\text{NK}", True),
    (r"<answer>$\frac{N_1}{N}$</answer>", r"\frac{\mathrm{N}_{1}}{\mathrm{~N}}", True),
]

PROSE = [
    ("Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether in April and May.", "72", True),
    ("So, the answer is 18 dollars.", "18", True),
    ("Weng earns 0.2 x 50 = $10.", "10", True),
    ("In total, she has 5 + 3 = 8 apples.", "8", True),
    ("Final answer: 1,234 people attended.", "1234", True),
    ("So Betty needs $5 more.", "5", True),
    ("The total cost is $1,200.50.", "1200.5", True),
    ("That means 20% of the students, or 6 students, passed.", "6", True),
    ("The answer is 5 because 2 + 3 = 5.", "3", False),
    ("The value of x is 5, so y is 10.", "10", True),
    ("<answer>The area is 25 square units.</answer>", "25", True),
    ("<answer>There are 4 solutions</answer>", "4", True),
    ("<answer>Approximately 3.14</answer>", "3.14", True),
    ("<answer>It is 12.</answer>", "12", True),
    # Markdown around the anchor, as chat models write it
    ("**Answer:** $\\frac{3}{4}$", "0.75", True),
    ("**Final Answer**: 42", "42", True),
    ("### Final Answer\n\n$x = -2$", "-2", True),
    ("**Answer:** 41", "42", False),
    # several solutions stated in a sentence
    ("The solutions are x = 2 and x = -3.", "2, -3", True),
    ("The solutions are $x=2$ and $x=-3$.", "-3, 2", True),
    ("The solutions are x = 2 and x = -4.", "2, -3", False),
    ("The solutions are x = 2 and x = -3.", "2", False),  # two values for one: a hedge
    # a number and a comma before more words; numbers in words
    ("I think the answer might be 6, but I'm not sure.", "6", True),
    ("The answer is seven.", "7", True),
    ("The answer is one hundred and five.", "105", True),
    ("<answer>twenty-one apples</answer>", "21", True),
    ("<answer>minus three</answer>", "-3", True),
    ("<answer>seven</answer>", "8", False),
    ("The answer is one of the options above.", "1", False),  # words, not the number one
    # a qualifier with math of its own after the answer; a unit squared; Chinese "or"
    ("Thus $f(x)=x^2$ for all real $x$.", "f(x)=x^2", True),
    ("So $x = 3$ where $x>0$.", "3", True),
    ("So $x = 3$ where $x>0$.", "0", False),
    ("The area of triangle ABC is 6 cm².", "6", True),
    ("故答案为：2或3", "2, 3", True),
    ("故答案为：2或3", "2", False),
    # scale words, denied values, a thought that trails off
    ("The answer is 5 million.", "5000000", True),
    ("The answer is 5 million.", "5", False),
    ("The answer is 2.5 thousand.", "2500", True),
    ("答案不是5", "5", False),
    ("The answer isn't 5.", "5", False),
    ("Let me think. If the answer were 5, then ...", "5", False),
    ("The sequence is 1, 2, 3, ...", "1", False),
]

SMALLER = [
    ("<answer>f(z)=z</answer>", "f(x)=x", True),  # a function defined with another variable
    ("<answer>f(z)=2z</answer>", "f(x)=x", False),
    ("<answer>y^2+1</answer>", "x^2+1", False),  # an expression in another variable is another answer
    (r"<answer>$i(2-i)$</answer>", "1+2i", True),  # i read as the imaginary unit on both sides
    (r"<answer>$i(2+i)$</answer>", "1+2i", False),
    (r"<answer>$-2 \le x \le 7$</answer>", r"x \in [-2,7]", True),  # inequalities against intervals
    (r"<answer>$-2 < x \le 7$</answer>", r"[-2,7]", False),
    (r"<answer>$x \ge 3$</answer>", r"[3,\infty)", True),
    (r"<answer>$x > 3$</answer>", r"[3,\infty)", False),
    (r"<answer>$2\frac{1}{2}$</answer>", r"\frac{5}{2}", True),  # a mixed number
    ("<answer>4:30 p.m.</answer>", "4:30 pm", True),
    ("<answer>4:30 a.m.</answer>", "4:30 pm", False),
]


@pytest.mark.parametrize(
    ("completion", "gold", "expected"),
    WORDS_AFTER_NUMBER + UNICODE_AND_CHINESE + SEVERAL_SOLUTIONS + CURRENCY + QUALIFIERS + GOLDS_THAT_DO_NOT_PARSE + PROSE + SMALLER,
)
def test_wild_answers(completion, gold, expected):
    v = verify(completion, gold)
    assert v.correct is expected, v


# Answers that must never pay: (completion, gold, task, options)
NEVER_PAY = [
    # truncated text: a text that ends inside an unfinished expression has no answer
    (r"We sum the terms: $S = (a_1 + \cdots + a_{10}) +", "10", "math", None),
    (r"Next we evaluate $f_{", "2", "math", None),
    (r"so the total is 3 \times \sqrt{3}\)", "3", "math", None),
    # the wrong number of an answer sentence
    ("The answer is 40 cups of feed, since she feeds Wendi's 20 chickens.", "20", "math", None),
    # a function's argument in a final sentence that gives no value
    ("The graph does not give enough information to determine the value of g(3).", "3", "math", None),
    # a ratio "a:b" is not the Q/A layout's "A:" anchor before the answer b
    ("<answer>a:b</answer>", "B", "choice", ["2:1", "(2+\\sqrt{3}):1", "3:1"]),
    # an unclosed <answer> cut off by the length limit, after the gold boxed in <think>
    (r"<think>maybe \boxed{5}</think><answer>7", "5", "math", None),
    # echoed questions
    ("A pentagon has how many sides? Choose from 3, 4 or 5.", "5", "math", None),
    ("Find the number of sides. Give your answer as a number, e.g. 5.", "5", "math", None),
    # hedges
    ("<answer>B, C, D</answer>", "B", "choice", ["1", "2", "3", "4"]),
    ("<answer>(B) (C)</answer>", "B", "choice", ["1", "2", "3", "4"]),
    ("<answer>B: 12, C: 14</answer>", "B", "choice", ["10", "12", "14", "16"]),
    (r"<answer>x = 4 \text{ or } x = 5</answer>", "4", "math", None),
    ("<answer>either 4 or 5</answer>", "5", "math", None),
    ("<answer>4 or 5 or 12</answer>", "12", "math", None),
    (r"<answer>4 \lor 5</answer>", "4", "math", None),
    ("<answer>$4$, $5$, $12$</answer>", "5", "math", None),
    # different explicit units
    ("<answer>5 cm</answer>", "5 m", "math", None),
    ("<answer>5 minutes</answer>", "5 hours", "math", None),
    # odd forms
    (r"<answer>\neg 5</answer>", "5", "math", None),
    ("<answer>5?</answer>", "5", "math", None),
    ("<answer>7 = 5</answer>", "5", "math", None),
    # sequences with \ldots whose listed terms differ
    (r"<answer>1, 2, 4, \ldots</answer>", r"1, 2, 3, \ldots", "math", None),
    # huge exact values that agree to 50 digits
    (r"<answer>$\frac{2^{1009}}{2^{1009}+2018}$</answer>", r"\frac{2^{1009}}{2^{1009}+1009}", "math", None),
]


@pytest.mark.parametrize(("completion", "gold", "task", "options"), NEVER_PAY)
def test_never_pays(completion, gold, task, options):
    v = verify(completion, gold, task, options)
    assert v.correct is not True, v


def test_the_option_named_in_a_sentence_is_the_answer():
    assert verify("The correct option is B.", "B", "choice", ["1", "2", "3"]).correct is True
    assert verify("The correct option is C.", "B", "choice", ["1", "2", "3"]).correct is False
    assert verify("Since A and B are equal, the answer is C.", "C", "choice", ["1", "2", "3"]).correct is True
    for hedge in ("I'd choose A or B.", "The answer is B, C and D."):
        v = verify(hedge, "B", "choice", ["1", "2", "3", "4"])
        assert (v.correct, v.reason) == (False, "hedged"), hedge


def test_an_option_with_a_chinese_unit_is_its_value():
    options = ["20海里", "20√{2}海里", "15海里", "30海里"]
    assert verify("<answer>20√{2}</answer>", "B", "choice", options).correct is True
    assert verify("<answer>20</answer>", "B", "choice", options).correct is False


def test_both_units_are_compared():
    assert verify("<answer>500 cm</answer>", "5 m").correct is True
    assert verify("<answer>2 hours</answer>", "120 minutes").correct is True
    assert verify("<answer>5 cm</answer>", "5").correct is True  # a unit only on one side is stripped


def test_named_hedges_say_hedged():
    assert verify("<answer>4 or 5 or 12</answer>", "12").reason == "hedged"
    assert verify("<answer>B, C, D</answer>", "B", "choice", ["1", "2", "3", "4"]).reason == "hedged"
