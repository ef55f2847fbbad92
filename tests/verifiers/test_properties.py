"""Properties: every value verifies against itself in every wrapping; changing it changes the verdict."""

import time
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmmr1 import MathConfig, verify

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

integers = st.integers(min_value=-10**9, max_value=10**9).map(str)
decimals = st.builds(lambda i, f, z: f"{i}.{f}{'0' * z}", st.integers(-999, 999), st.integers(0, 9999), st.integers(0, 2))
fractions = st.builds(
    lambda p, q, d: rf"{'-' if p < 0 else ''}\{d}{{{abs(p)}}}{{{q}}}",
    st.integers(-500, 500).filter(bool),
    st.integers(2, 500),
    st.sampled_from(["frac", "dfrac", "tfrac"]),
)
expressions = st.builds(
    lambda a, b, kind: {
        "sqrt": rf"{a}\sqrt{{{b}}}",
        "pi": rf"\frac{{{a}\pi}}{{{b}}}",
        "poly": rf"{a}x^{{2}}+{b}x",
        "paren": rf"\left( {a}+\sqrt{{{b}}} \right)",
    }[kind],
    st.integers(2, 50),
    st.integers(2, 50).filter(lambda b: int(b**0.5) ** 2 != b),
    st.sampled_from(["sqrt", "pi", "poly", "paren"]),
)
values = st.one_of(integers, decimals, fractions, expressions)

WRAPPINGS = [
    "{}",
    "${}$",
    r"\boxed{{{}}}",
    "<answer>{}</answer>",
    "<think>work</think><answer>${}$</answer>",
    "<think>w</think>\n<answer> \\boxed{{{}}} </answer>\n",
    "The final answer is ${}$.",
    "  \\( {} \\)  ",
]


@SETTINGS
@given(values, st.sampled_from(WRAPPINGS))
def test_value_verifies_against_itself(value, wrapping):
    v = verify(wrapping.format(value), value, task="math")
    assert v.correct is True, (value, wrapping, v)


@SETTINGS
@given(st.integers(-10**6, 10**6), st.integers(1, 1000), st.sampled_from(WRAPPINGS))
def test_changing_an_integer_changes_the_verdict(n, delta, wrapping):
    assert verify(wrapping.format(n + delta), str(n), task="math").correct is False


@SETTINGS
@given(st.integers(-500, 500), st.integers(2, 500), st.integers(1, 50))
def test_changing_a_fraction_changes_the_verdict(p, q, delta):
    gold = rf"\frac{{{p}}}{{{q}}}"
    other = Fraction(p, q) + Fraction(delta, q + 1)
    pred = rf"\frac{{{other.numerator}}}{{{other.denominator}}}"
    assert verify(rf"\boxed{{{pred}}}", gold, task="math").correct is False


@SETTINGS
@given(st.integers(2, 50), st.integers(2, 50).filter(lambda b: int(b**0.5) ** 2 != b), st.integers(1, 9))
def test_changing_a_surd_changes_the_verdict(a, b, delta):
    assert verify(rf"\boxed{{{a + delta}\sqrt{{{b}}}}}", rf"{a}\sqrt{{{b}}}", task="math").correct is False


BUDGET = MathConfig(timeout_s=2.0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200), st.text(max_size=40), st.sampled_from(["math", "choice", "geometry", "auto"]))
def test_no_string_raises_or_overruns(completion, gold, task):
    start = time.monotonic()
    v = verify(completion, gold, task=task, config=BUDGET) if task == "math" else verify(completion, gold, task=task)
    assert time.monotonic() - start < 5.5
    assert 0.0 <= v.score <= 1.0 and (v.correct is not None or v.score == 0.0)


TOKENS = list("0123456789+-*/^_{}()[]\\$x=., ") + [r"\frac", r"\sqrt", r"\boxed", "<answer>", "</answer>", " or "]
LATEXY = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LATEXY, LATEXY)
def test_latex_soup_never_raises_or_overruns(completion, gold):
    start = time.monotonic()
    v = verify(completion, gold, config=BUDGET)
    assert time.monotonic() - start < 2.5
    assert v.reason in {"equal", "not_equal", "no_answer", "hedged", "gold_unparseable", "timeout", "letter_not_in_options"}


@SETTINGS
@given(values, st.sampled_from(WRAPPINGS))
def test_deterministic(value, wrapping):
    c = wrapping.format(value)
    assert verify(c, value) == verify(c, value)
