"""Degenerate completions (what a collapsing policy writes) are answered within the budget.

The text stage is linear by construction; the property builds inputs up to 1 MB from the
pieces that made it super-linear before (runaway ``\\boxed{`` chains, brace walls, newline floods,
unclosed delimiters and tags) and checks the whole call, text stage included, keeps its deadline.
"""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmmr1 import MathConfig, verify, warm_up

PIECES = ["\\boxed{", "{", "}", "\n", "$", "\\(", "\\[", "<answer>", "</answer>", "A:", " ", "5", "\\frac{",
          "^", " cm", "or ", "\\", "$$", "answer is ", "【答案】", "√", "−", "addthistooriginaldistance", "6+\\pi",
          "x \\le ", " = "]
BUDGET_S = 5.0
SLACK = 1.10  # budget + 10 %


@pytest.fixture(scope="module", autouse=True)
def _warm():
    warm_up(1)


degenerate = st.builds(
    lambda parts, reps: "".join(parts) * reps,
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=2**20),
).map(lambda s: s[: 2**20])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(degenerate, st.sampled_from(["5", "\\frac{1}{2}", "B"]))
def test_degenerate_text_keeps_the_budget(completion, gold):
    start = time.monotonic()
    v = verify(completion, gold, config=MathConfig(timeout_s=BUDGET_S))
    elapsed = time.monotonic() - start
    assert elapsed <= BUDGET_S * SLACK, f"{elapsed:.2f} s for {len(completion)} chars ({completion[:40]!r}…): {v.reason}"


@pytest.mark.parametrize(
    "completion",
    ["\\boxed{" * 4681, "\n" * 65536, "\n" * 2**20, "{" * 65536, "<answer>" * 100_000, "$" * 2**20, "\\(" * 200_000,
     "A:\n" * 100_000, "5 cm " * 100_000, "1." + "abcdefghij" * 5 + "6+\\pi", "1 " + "ab" * 1000,
     "<answer>" + "{" * 8192 + "}" * 8192 + "</answer>"],
)
def test_named_degenerate_inputs(completion):
    start = time.monotonic()
    v = verify(completion, "5")
    assert time.monotonic() - start <= BUDGET_S * SLACK
    assert v.correct is not True and v.reason != "error", v.reason


ANSWER_ALPHABET = st.sampled_from(list("abcxyzABC0123456789 .,;:()[]{}^_=+-*/\\$%'") + ["\\frac", "\\text{", "\\pi", " cm", " or ", "addthistooriginaldistance"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANSWER_ALPHABET, min_size=1, max_size=400).map("".join))
def test_answer_stage_regexes_cannot_backtrack(answer):
    """normalize and the choice rules run on extracted answers of up to 2,000 characters: no pattern
    may backtrack on them (a letter run once took 27 s in the value-and-words pattern)."""
    from lmmr1.verifiers.choice import listed_letters
    from lmmr1.verifiers.normalize import as_interval, normalize

    start = time.monotonic()
    normalize(answer[:2000])
    as_interval(answer)
    listed_letters(answer)
    assert time.monotonic() - start < 1.0, repr(answer[:80])
