"""Several datasets in one stage, sampled with probabilities (``dataset_name: {a: 0.7, b: 0.3}``)."""

from __future__ import annotations

import json
import textwrap
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("trl")
from PIL import Image  # noqa: E402

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.config import RecipeError  # noqa: E402
from lmmr1.train.data import (  # noqa: E402
    MIXTURE_SOURCE_COLUMN,
    PROBABILITY_TOLERANCE,
    DataError,
    check_dataset_name,
    load_stage_dataset,
    mixture_sources,
)


def _write(path, n: int, tag: str, extra: dict | None = None):
    rows = [{"prompt": f"{tag} {i}?", "solution": str(i), "task": "math", **(extra or {})} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


@pytest.fixture
def sources(tmp_path):
    return _write(tmp_path / "a.jsonl", 3000, "a"), _write(tmp_path / "b.jsonl", 3000, "b")


def test_realised_proportions_follow_the_probabilities(sources):
    a, b = sources
    ds = load_stage_dataset({a: 0.7, b: 0.3}, seed=0)
    first = Counter(ds.select(range(2000))[MIXTURE_SOURCE_COLUMN])
    assert abs(first[a] / 2000 - 0.7) < 0.03
    assert all(p.startswith(("a ", "b ")) for p in ds["prompt"])
    # first_exhausted: it ends when a (drawn more often) runs out; no row of either repeats.
    assert Counter(ds[MIXTURE_SOURCE_COLUMN])[a] == 3000 and len(set(ds["prompt"])) == len(ds)
    again = load_stage_dataset({a: 0.7, b: 0.3}, seed=0)
    assert again["prompt"] == ds["prompt"]  # deterministic with the seed
    assert load_stage_dataset({a: 0.7, b: 0.3}, seed=1)["prompt"] != ds["prompt"]


def test_max_samples_cuts_the_mixture_not_each_source(sources):
    a, b = sources
    ds = load_stage_dataset({a: 0.5, b: 0.5}, max_samples=100)
    assert len(ds) == 100 and set(ds[MIXTURE_SOURCE_COLUMN]) == {a, b}


def test_a_one_image_source_joins_a_multi_image_one():
    ds = load_stage_dataset({"synthetic:mgt": 0.5, "synthetic:mgt_pair": 0.5}, synthetic_size=16)
    assert "image" not in ds.column_names
    counts = {src: {len(r["images"]) for r in ds if r[MIXTURE_SOURCE_COLUMN] == src} for src in set(ds[MIXTURE_SOURCE_COLUMN])}
    assert counts == {"synthetic:mgt": {1}, "synthetic:mgt_pair": {2}}


def test_a_json_file_mixes_with_generated_rows(tmp_path):
    """A JSON file's message parts load as ``Json`` features, generated ones as structs: still one mixture."""
    Image.new("RGB", (40, 40), "red").save(tmp_path / "r.png")
    parts = [{"type": "image"}, {"type": "image"}, {"type": "text", "text": "Colour 2?"}]
    row = {"prompt": [{"role": "user", "content": parts}], "images": ["r.png", "r.png"], "solution": "1", "task": "math"}
    (tmp_path / "p.jsonl").write_text((json.dumps(row) + "\n") * 20)
    ds = load_stage_dataset({str(tmp_path / "p.jsonl"): 0.5, "synthetic:mgt_pair": 0.5}, synthetic_size=20)
    by_source = {r[MIXTURE_SOURCE_COLUMN]: r for r in ds}
    assert len(by_source) == 2
    for r in by_source.values():
        assert [p["type"] for p in r["prompt"][0]["content"]] == ["image", "image", "text"]
        assert len(r["images"]) == 2
    assert by_source[str(tmp_path / "p.jsonl")]["images"][0].size == (40, 40)


def test_mismatching_columns_name_the_source_and_the_columns(sources, tmp_path):
    a, _ = sources
    c = _write(tmp_path / "c.jsonl", 10, "c", {"options": ["x", "y"]})
    with pytest.raises(DataError, match=r"source '.*c\.jsonl' has columns .*lacks \[\], has extra \['options'\]"):
        load_stage_dataset({a: 0.5, c: 0.5})


def test_incompatible_column_types_are_named(sources, tmp_path):
    a, _ = sources
    rows = [{"prompt": "d?", "solution": {"value": 1}, "task": "math"}]
    d = tmp_path / "d.jsonl"
    d.write_text(json.dumps(rows[0]) + "\n")
    with pytest.raises(DataError, match=r"source '.*d\.jsonl' stores column\(s\) \['solution'\]"):
        load_stage_dataset({a: 0.5, str(d): 0.5})


@pytest.mark.parametrize(("name", "message"), [
    ({"synthetic:fre": 0.7, "synthetic:mgt": 0.2}, r"sum to 0\.9, not 1"),
    ({"synthetic:fre": 1.5, "synthetic:mgt": -0.5}, r"'synthetic:mgt' has probability -0\.5; give a number >= 0"),
    ({"synthetic:fre": "half", "synthetic:mgt": 0.5}, r"'synthetic:fre' has probability 'half'"),
    (["synthetic:fre", "synthetic:mgt"], r"is a list; to mix sources .*synthetic:fre: 0\.5, synthetic:mgt: 0\.5"),
    ({"synthetic:fre": 0.5, "synthetic:geometry": 0.5}, r"unknown synthetic dataset 'synthetic:geometry'"),
])
def test_bad_mixtures_are_refused_with_a_fix(name, message):
    with pytest.raises(DataError, match=message):
        check_dataset_name(name)


def test_probabilities_within_tolerance_of_one_are_accepted(sources):
    a, b = sources
    ds = load_stage_dataset({a: 0.333, b: 0.667}, max_samples=10)
    assert len(ds) == 10


def _recipe(tmp_path, mgt: str) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(textwrap.dedent(f"""
        output_dir: {tmp_path / "out"}
        use_cpu: true
        model_name_or_path: some/model
        num_generations: 4
        per_device_train_batch_size: 8
        synthetic_size: 16
        fre:
          dataset_name: synthetic:fre
        mgt:
        """) + textwrap.indent(textwrap.dedent(mgt), "  "))
    return str(path)


def test_a_bad_mixture_in_a_recipe_is_a_recipe_error_naming_the_stage(tmp_path):
    with pytest.raises(RecipeError, match=r"stage mgt: .*sum to 1\.2, not 1"):
        pipeline.plan(_recipe(tmp_path, "dataset_name: {synthetic:mgt: 0.6, synthetic:mgt_pair: 0.6}\n"))


def test_the_dry_run_reports_the_mixture(tmp_path):
    plans = pipeline.plan(
        _recipe(tmp_path, "dataset_name:\n  synthetic:mgt: 0.7\n  synthetic:mgt_pair: 0.3\n"), for_dry_run=True
    )
    report = pipeline.dry_run(plans, tmp_path / "out", None)
    assert report.ok, report.problems
    (line,) = [x for x in report.lines if x.startswith("stage mgt")]
    assert "dataset 0.7 synthetic:mgt + 0.3 synthetic:mgt_pair (interleaved, first_exhausted)" in line


def test_the_dry_run_names_a_missing_source_of_a_mixture(tmp_path):
    plans = pipeline.plan(
        _recipe(tmp_path, f"dataset_name: {{synthetic:mgt: 0.5, {tmp_path / 'absent.jsonl'}: 0.5}}\n"), for_dry_run=True
    )
    report = pipeline.dry_run(plans, tmp_path / "out", None)
    assert any("absent.jsonl' does not exist" in p for p in report.problems)


@settings(max_examples=80, deadline=None)
@given(probs=st.lists(st.floats(-0.5, 1.5, allow_nan=False), min_size=1, max_size=4))
def test_a_mixture_is_accepted_exactly_when_its_probabilities_are_a_distribution(probs):
    name = {f"source{i}.jsonl": p for i, p in enumerate(probs)}  # names are checked later, by check_dataset_name
    valid = all(p >= 0 for p in probs) and abs(sum(probs) - 1) <= PROBABILITY_TOLERANCE
    try:
        pairs = mixture_sources(name)
    except DataError:
        assert not valid
    else:
        assert valid and [p for _, p in pairs] == probs
