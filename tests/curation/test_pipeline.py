"""The pipeline's guarantees: accounting, first reasons, --mark, bad rows as reasons."""

from __future__ import annotations

import dataclasses

import datasets
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmmr1.curation.config import ConfigError, config_from_dict, load_config
from lmmr1.curation.filters import Drop, Filter
from lmmr1.curation.filters.base import UndeclaredReason
from lmmr1.curation.pipeline import curate

GOLDS = ["5", "", "N/A", "A", "E", "Yes", "\\frac{1}{2}", "(a) 1 (b) 2", "the red one", "x=3", "proof"]
OPTIONS = [[], ["A", "B", "C", "D", "E"], ["1", "2", "3"], ["red", "blue"]]
QUESTIONS = ["What is 2+3?", "Find x.", "Find x.", "How many apples are left if Tom eats two of five apples?", ""]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(QUESTIONS), st.sampled_from(GOLDS), st.sampled_from(OPTIONS),
                          st.one_of(st.none(), st.floats(0, 1))), min_size=1, max_size=30))
def test_accounting_invariant(fast_config, rows):
    ds = datasets.Dataset.from_list(
        [{"question": q, "answer": g, "options": o, "pass_rate": p} for q, g, o, p in rows])
    kept, rejected, stats = curate(ds, fast_config)
    assert stats.input_rows == len(rows) == len(kept) + len(rejected)
    assert stats.input_rows == stats.kept_rows + sum(stats.dropped.values())
    assert sum(sum(f["sequential"].values()) for f in stats.filters) == len(rejected)
    for f in stats.filters:  # a filter alone drops at least what it drops after the others (row filters)
        if f["name"] not in ("duplicate_exact", "near_duplicate"):
            assert sum(f["standalone"].values()) >= sum(f["sequential"].values())
    assert all(r[0] == first for r, first in zip(rejected["lmmr1_reasons"], rejected["lmmr1_reason"], strict=True))
    declared = {r for f in stats.filters for r in f["reasons"]}
    assert set(rejected["lmmr1_reason"]) <= declared  # every dropped row has a declared reason
    for f in stats.filters:  # every declared reason is counted, zeros included, and nothing else is
        assert list(f["sequential"]) == list(f["standalone"]) == f["reasons"]


def test_first_reason_and_mark(fast_config):
    ds = datasets.Dataset.from_list([
        {"question": "What is 2+3?", "answer": "5", "options": []},
        {"question": "Which one?", "answer": "", "options": ["A", "B", "C", "D", "E"]},
        {"question": "Which one?", "answer": "B", "options": ["A", "B", "C", "D", "E"]},
        {"question": "What is 2+3?", "answer": "5", "options": []},
    ])
    kept, rejected, stats = curate(ds, fast_config)
    assert kept["answer"] == ["5"]
    assert rejected["lmmr1_reason"] == ["empty_gold", "choice_options_only_in_image", "duplicate_exact"]
    assert rejected["lmmr1_reasons"][0] == ["empty_gold", "choice_options_only_in_image", "choice_letter_not_in_options"]
    assert stats.dropped == {"empty_gold": 1, "choice_options_only_in_image": 1, "duplicate_exact": 1}
    marked, _, _ = curate(ds, fast_config, mark=True)
    assert len(marked) == 4
    assert marked["lmmr1_keep"] == [True, False, False, False]
    assert marked["lmmr1_reasons"][0] == []
    assert kept["lmmr1_answer_type"] == ["integer"] and kept["lmmr1_task"] == ["math"]


def test_sequential_duplicates_ignore_rows_dropped_earlier(fast_config):
    ds = datasets.Dataset.from_list([
        {"question": "Same text here", "answer": ""},     # dropped first: empty_gold
        {"question": "Same text here", "answer": "4"},    # so this one is not a duplicate of a dropped row
    ])
    kept, rejected, stats = curate(ds, fast_config)
    assert kept["answer"] == ["4"] and rejected["lmmr1_reason"] == ["empty_gold"]
    dup = next(f for f in stats.filters if f["name"] == "duplicate_exact")
    assert dup["sequential"] == {"duplicate_exact": 0, "filter_error": 0}
    assert dup["standalone"] == {"duplicate_exact": 1, "filter_error": 0}


def test_bad_rows_are_reasons_not_crashes(fast_config, tmp_path):
    ds = datasets.Dataset.from_list([
        {"message": "[{'role': 'user', 'content': [{'type': 'text', 'text': 'What is 1+1?'}]}]", "answer": "$\\boxed{2}$"},
        {"message": "not a chat at all [", "answer": "$\\boxed{3}$"},
        {"message": "[{'role': 'user', 'content': [{'type': 'image', 'image': 'missing.png'}, {'type': 'text', 'text': 'Find x.'}]}]",
         "answer": "$\\boxed{60}$"},
    ])
    kept, rejected, _ = curate(ds, fast_config)
    assert len(kept) == 1
    assert rejected["lmmr1_reason"] == ["malformed_row", "missing_image"]


def test_pass_rate_column(fast_config):
    ds = datasets.Dataset.from_list([{"problem": f"Question number {i} about sums?", "answer": str(i), "pass_rate": p}
                                     for i, p in enumerate([0.0, 0.5, 1.0])])
    kept, rejected, _ = curate(ds, fast_config)
    assert kept["answer"] == ["1"] and rejected["lmmr1_reason"] == ["too_hard", "too_easy"]


def test_num_proc_gives_same_result(fast_config):
    ds = datasets.Dataset.from_list([{"problem": f"What is {i} plus {i}?", "answer": "" if i % 3 == 0 else str(2 * i)}
                                     for i in range(40)])
    one = curate(ds, fast_config)[2]
    two = curate(ds, fast_config, num_proc=2)[2]
    assert one.dropped == two.dropped and one.kept_rows == two.kept_rows


def test_config_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match="unknown key"):
        config_from_dict({"filters": [], "filtres": []})
    with pytest.raises(ConfigError, match=r"filters\[0\].*no parameter"):
        config_from_dict({"filters": [{"name": "image", "min_sid": 3}]})
    with pytest.raises(ConfigError, match="unknown filter"):
        config_from_dict({"filters": ["no_such_filter"]})
    with pytest.raises(ConfigError, match="listed twice"):
        config_from_dict({"filters": ["empty_gold", "empty_gold"]})
    with pytest.raises(ConfigError, match="verifier"):
        config_from_dict({"filters": [], "verifier": {"math": {"percent": "sometimes"}}})
    with pytest.raises(ConfigError, match="no filter 'imag'"):
        load_config().toggled(disable=("imag",))
    bad = tmp_path / "bad.yaml"
    bad.write_text("filters: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_user_filter_by_dotted_path():
    cfg = config_from_dict({"filters": [{"name": "tests.curation.test_filters.ShortQuestion", "min_words": 3}]})
    ds = datasets.Dataset.from_list([{"problem": "Too short", "answer": "1"}, {"problem": "Long enough question", "answer": "2"}])
    kept, rejected, _ = curate(ds, cfg)
    assert rejected["lmmr1_reason"] == ["short_question"] and kept["answer"] == ["2"]


@pytest.mark.slow
def test_synthetic_benchmark_rows_account_with_workers():
    from benchmarks.curate_speed import make_rows

    ds = datasets.Dataset.from_list(make_rows(5000, seed=3))
    kept, rejected, stats = curate(ds, load_config(), num_proc=2)
    assert len(kept) + len(rejected) == 5000 == stats.kept_rows + sum(stats.dropped.values())
    assert {"empty_gold", "sentinel_gold", "choice_options_only_in_image", "duplicate_exact"} <= set(stats.dropped)


@dataclasses.dataclass(frozen=True)
class SaysOops(Filter):
    reasons = ("declared",)

    def check(self, e):
        return Drop("oops") if "oops" in e.question else None


@dataclasses.dataclass(frozen=True)
class Raises(Filter):
    reasons = ("never",)

    def check(self, e):
        if "boom" in e.question:
            raise RuntimeError("cannot cope")
        return None


def _cfg(*names):
    return config_from_dict({"filters": [f"tests.curation.test_pipeline.{n}" for n in names]})


def test_an_undeclared_reason_is_a_bug_and_raises():
    ds = datasets.Dataset.from_list([{"problem": "fine?", "answer": "1"}, {"problem": "oops?", "answer": "2"}])
    with pytest.raises(UndeclaredReason, match="'oops'.*does not declare"):
        curate(ds, _cfg("SaysOops"))


def test_filter_error_is_declared_and_counted():
    ds = datasets.Dataset.from_list([{"problem": "boom?", "answer": "1"}, {"problem": "calm?", "answer": "2"}])
    kept, rejected, stats = curate(ds, _cfg("Raises"))
    assert rejected["lmmr1_reason"] == ["filter_error"] and "cannot cope" in rejected["lmmr1_detail"][0]
    assert stats.filters[0]["sequential"] == {"never": 0, "filter_error": 1}


def test_dataset_filters_prepare_once_per_run(fast_config, monkeypatch):
    from lmmr1.curation.filters.dedup import NearDuplicate

    calls = []
    real = NearDuplicate.prepare
    monkeypatch.setattr(NearDuplicate, "prepare", lambda self, rows: calls.append(len(rows)) or real(self, rows))
    ds = datasets.Dataset.from_list([{"problem": f"How many apples does person {i} hold today?", "answer": str(i)}
                                     for i in range(6)])
    curate(ds, fast_config)
    assert calls == [6]  # stand-alone and sequential passes share one prepared state


@dataclasses.dataclass(frozen=True)
class WantsEverything(Filter):
    reasons = ("seen",)
    in_main = True
    needs_phash = needs_verifier = needs_corpus = True
    verifier: object = None
    benchmarks: tuple = ()

    def check_all(self, examples, state=None):
        assert self.verifier is not None and self.benchmarks == ("b.jsonl",)
        return [Drop("seen", key="b") if ex.phashes and ex.phashes[0] else None for ex in examples]


def test_capability_flags_not_names(png):
    cfg = _cfg("WantsEverything").with_corpus(("b.jsonl",))
    ds = datasets.Dataset.from_list([{"problem": "Find x.", "answer": "1", "image": str(png())}])
    _, rejected, stats = curate(ds, cfg)
    assert rejected["lmmr1_reason"] == ["seen"] and stats.benchmark_hits == {"b": 1}
    assert stats.filters[0]["needs"] == ["phash", "verifier", "corpus"]
