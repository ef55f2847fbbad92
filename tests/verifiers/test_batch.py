"""verify_batch gives verify's verdicts, in order, and survives bad items."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmmr1 import MathConfig, verify, verify_batch
from lmmr1.verifiers.api import clear_caches
from lmmr1.verifiers.batch import verify_row

TOWER = r"\boxed{\dfrac{5^{\left(5^{\left(5^{5}\right)}\right)}}{16}}"


def _batch():
    golds = ["5", r"\frac{\sqrt{3}}{2}", "B", r"\{1,2\}", "12.67", "7"]
    completions = []
    for g in golds:
        completions += [f"<answer>{g}</answer>", r"\boxed{3}", f"The answer is ${g}$.", "<answer></answer>"]
    golds = [g for g in golds for _ in range(4)]
    tasks = ["geometry" if g == "12.67" else "auto" for g in golds]
    options = [{"A": "1", "B": "2"} if g == "B" else None for g in golds]
    return completions, golds, tasks, options


def test_same_verdicts_as_one_by_one():
    c, g, t, o = _batch()
    one_by_one = [verify(*args) for args in zip(c, g, t, o, strict=True)]
    clear_caches()
    assert verify_batch(c, g, t, o, workers=2) == one_by_one
    assert verify_batch(c, g, t, o, workers=1) == one_by_one


def test_hung_item_loses_no_other_item():
    completions = [r"\boxed{\sqrt{4}}", TOWER, r"\boxed{\sqrt{9}}", r"\boxed{x^2}"]
    golds = ["2", "3", "3", "x \\cdot x"]
    verdicts = verify_batch(completions, golds, config=MathConfig(timeout_s=1.0), workers=2)
    assert [v.reason for v in verdicts] == ["equal", "timeout", "equal", "equal"]


def test_length_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="one gold per completion"):
        verify_batch(["1", "2"], ["1"])
    with pytest.raises(ValueError, match="tasks has 1 entries"):
        verify_batch(["1", "2"], ["1", "2"], tasks=["math"])


def test_empty_batch():
    assert verify_batch([], []) == []


@pytest.mark.data
def test_real_batch_matches_verify(shared_data):
    rows = [json.loads(line) for line in (shared_data / "text_math" / "math500_test.jsonl").open()][:60]
    golds = [r["answer"] for r in rows for _ in range(3)]
    completions = [w.format(r["answer"]) for r in rows for w in ("<answer>${}$</answer>", r"\boxed{{{}}}", "<answer>0</answer>")]
    batch = verify_batch(completions, golds)
    assert batch == [verify(c, g) for c, g in zip(completions, golds, strict=True)]
    assert sum(v.correct is True for v in batch) >= 118  # both correct wrappings of nearly every gold


BAD_GOLDS = [None, float("nan"), float("inf"), -float("inf"), 10**5000, [5], {"answer": 5}, object(), True]


def test_one_bad_row_never_takes_the_batch_down():
    """A missing (None), NaN, infinite, huge-int or non-text gold is gold_unparseable; the rest are scored.

    Before, a gold int of > 4,300 digits raised ValueError and lost the whole batch.
    """
    completions = [r"\boxed{\sqrt{4}}"] * (len(BAD_GOLDS) + 2)
    golds = ["2", *BAD_GOLDS, "3"]
    verdicts = verify_batch(completions, golds, workers=2)
    assert [v.reason for v in verdicts] == ["equal"] + ["gold_unparseable"] * len(BAD_GOLDS) + ["not_equal"]
    assert all(v.score == 0.0 and v.correct is None and v.detail for v in verdicts[1:-1])


def test_bad_completions_tasks_and_options_are_rows_not_crashes():
    completions = [None, 42, "<answer>5</answer>", "<answer>A</answer>", "<answer>5</answer>"]
    golds = ["5", "5", "5", "A", "5"]
    tasks = ["auto", "auto", "poetry", "choice", "auto"]
    options = [None, None, None, 7, None]  # an int is no option list
    verdicts = verify_batch(completions, golds, tasks=tasks, options=options)
    assert [v.reason for v in verdicts] == ["no_answer", "no_answer", "gold_unparseable", "gold_unparseable", "equal"]
    assert verdicts[0].correct is False and "NoneType" in verdicts[0].detail
    assert "poetry" in verdicts[2].detail and "options" in verdicts[3].detail


def test_verify_itself_still_refuses_misuse():
    with pytest.raises(TypeError, match="gold"):
        verify("1", None)  # type: ignore[arg-type]


_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.just(10**5000),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=2), st.text(max_size=2), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(completion=st.one_of(st.text(max_size=30), _ANY_VALUE), gold=_ANY_VALUE, task=st.sampled_from(["auto", "math", "choice", "geometry", "poetry", None]))
def test_verify_row_never_raises(completion, gold, task):
    v = verify_row(completion, gold, task)
    assert v.reason in {"equal", "not_equal", "no_answer", "hedged", "letter_not_in_options", "gold_unparseable", "timeout", "error"}
    if not isinstance(completion, str) or not isinstance(gold, (str, int, float)) or isinstance(gold, bool):
        assert v.reason in {"no_answer", "gold_unparseable"}
