"""`curate pass-rate`: exact rates from scripted completions, every row kept, and the chain into `curate filter`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import datasets
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lmmr1.curation.cli import main
from lmmr1.curation.config import load_config
from lmmr1.curation.filters.pass_rate import PassRate
from lmmr1.curation.pass_rate import COLUMNS, PassRateError, PassRateSettings, measure, row_result, summarize
from lmmr1.curation.pipeline import curate
from lmmr1.curation.sources import Example, SourceInfo
from lmmr1.evaluate.backends import Generation, GenerationSettings
from lmmr1.verifiers import Verdict
from tests.curation.conftest import write_jsonl

N = 4
RECIPES = Path(__file__).resolve().parents[2] / "recipes"


def ans(x: str) -> str:
    return f"<think>.</think><answer>{x}</answer>"


class ScriptedBackend:
    """Answers each question with ``script[question][k]`` in sample round ``k`` (read from the reseeded
    ``settings.seed``, as a real backend samples differently per round); records every request."""

    name = "scripted"

    def __init__(self, script: dict[str, list[str]], fail_on: str | None = None) -> None:
        self.settings = GenerationSettings(temperature=1.0, seed=100)
        self.script = script
        self.fail_on = fail_on
        self.failures = 0
        self.requests = []

    def generate(self, requests, max_new_tokens):
        out = []
        for r in requests:
            content = r.messages[-1]["content"]
            text = content if isinstance(content, str) else content[-1]["text"]
            if text == self.fail_on:
                self.failures += 1
                raise ValueError(f"prompt too long: {text}")
            self.requests.append(r)
            out.append(Generation(self.script[text][self.settings.seed - 100], 3, False))
        return out


SCRIPT = {
    "always?": [ans("5")] * N,
    "never?": [ans("4")] * N,
    "half?": [ans("7"), ans("1"), ans("7"), "no tags at all"],
    "one of three?\nChoices:\n(A) 1\n(B) 2\n(C) 3": [ans("B"), ans("C"), ans("C"), ans("C")],
    "no gold?": [ans("1")] * N,
    "too long?": [ans("1")] * N,
}
ROWS = [
    {"problem": "always?", "answer": "5", "options": []},
    {"problem": "never?", "answer": "5", "options": []},
    {"problem": "half?", "answer": "7", "options": []},
    {"problem": "one of three?", "answer": "B", "options": ["1", "2", "3"]},
    {"problem": "no gold?", "answer": "", "options": []},
    {"problem": "too long?", "answer": "1", "options": []},
    {"problem": None, "answer": "1", "options": []},
]


def _measure(rows=ROWS, **kwargs):
    backend = ScriptedBackend(SCRIPT, fail_on="too long?")
    settings = PassRateSettings(n=N, system_prompt="SYS", workers=1, chunk=3, **kwargs)
    out, summary = measure(datasets.Dataset.from_list(rows), backend, settings)
    return out, summary, backend


def test_scripted_completions_give_exact_pass_rates_and_every_row_survives():
    out, summary, backend = _measure()
    assert len(out) == len(ROWS) and out["problem"] == [r["problem"] for r in ROWS]
    table = [tuple(row[c] for c in COLUMNS) for row in out]
    assert table == [
        (1.0, N, 4, 0, None),
        (0.0, N, 0, 0, None),
        (0.5, N, 2, 0, None),  # "no tags at all" is a wrong answer (no_answer), not an undecided one
        (0.25, N, 1, 0, None),  # a choice row: its letters against its options
        (None, N, 0, 4, "undecided"),  # an empty gold: the verifier decides no sample
        (None, N, 0, 0, "generation_error"),  # the backend fails on it alone
        (None, N, 0, 0, "malformed_row"),
    ]
    assert summary["histogram"] == {"0/4": 1, "1/4": 1, "2/4": 1, "4/4": 1}
    assert (summary["rows"], summary["measured"], summary["all_wrong"], summary["all_right"]) == (7, 4, 1, 1)
    assert summary["no_pass_rate"] == {"generation_error": 1, "malformed_row": 1, "undecided": 1}
    assert summary["mean_pass_rate"] == pytest.approx((1 + 0 + 0.5 + 0.25) / 4)
    assert summary["verdict_reasons"]["gold_unparseable"] == 4
    assert backend.settings.seed == 100  # the caller's seed is given back
    assert backend.failures == 2  # its batch, then itself alone; not again in the later sample rounds
    first = backend.requests[0]
    assert first.messages[0] == {"role": "system", "content": "SYS"} and first.messages[1]["content"] == "always?"


def test_limit_writes_the_first_rows_and_a_rerun_replaces_the_old_columns():
    out, summary, _ = _measure(limit=2)
    assert len(out) == 2 and summary["rows"] == 2
    again, _ = measure(out, ScriptedBackend(SCRIPT), PassRateSettings(n=2, workers=1))
    assert again["lmmr1_pass_samples"] == [2, 2] and again.column_names.count("lmmr1_pass_rate") == 1


def test_images_reach_the_backend_before_the_text_and_unreadable_ones_are_counted(png, tmp_path):
    script = {"Find x.": [ans("3")] * 2, "Find y.": [ans("3")] * 2}
    png("a.png", size=(40, 30))
    rows = [{"problem": "<image>Find x.", "answer": "3", "images": ["a.png"]},  # relative to the data's folder
            {"problem": "<image>Find y.", "answer": "3", "images": [str(tmp_path / "gone.png")]}]
    backend = ScriptedBackend(script)
    out, summary = measure(datasets.Dataset.from_list(rows), backend, PassRateSettings(n=2, workers=1),
                           source=SourceInfo("rows.jsonl", "file", base_dir=str(tmp_path)))
    assert out["lmmr1_pass_rate"] == [1.0, None] and out["lmmr1_pass_reason"] == [None, "unreadable_image"]
    assert out["images"][0] == [str(tmp_path / "a.png")]  # absolute: the output may be written anywhere
    (asked, _) = backend.requests
    assert [p["type"] for p in asked.messages[-1]["content"]] == ["image", "text"]
    assert len(asked.images) == 1 and asked.images[0].size == (40, 30)
    assert summary["no_pass_rate"] == {"unreadable_image": 1}


def test_embedded_images_are_decoded_for_the_backend():
    from PIL import Image

    rows = {"problem": ["<image>Find x."], "answer": ["3"], "images": [[Image.new("RGB", (30, 20), (9, 9, 9))]]}
    ds = datasets.Dataset.from_dict(rows).cast_column("images", datasets.List(datasets.Image()))
    backend = ScriptedBackend({"Find x.": [ans("3")]})
    out, _ = measure(ds, backend, PassRateSettings(n=1, workers=1))
    assert out["lmmr1_pass_rate"] == [1.0] and backend.requests[0].images[0].size == (30, 20)


def test_lmm_r1_message_rows_with_their_images(tmp_path):
    """The authors' layout (a message list per row, images named inside it), as `curate prepare` unpacks it."""
    import tarfile

    from lmmr1.curation.sources import load_source
    from tests.curation.paper_data import write_paper_data

    src = write_paper_data(tmp_path, n=3, prefixed=False) / "mgt-geo"
    with tarfile.open(src / "mathv_geo_img.tar.gz") as tar:
        tar.extractall(src, filter="data")
    ds, info = load_source(src / "mathv_geo_message.jsonl")

    class Sevens(ScriptedBackend):
        def generate(self, requests, max_new_tokens):
            self.requests += requests
            return [Generation(ans("$7$"), 3, False) for _ in requests]

    backend = Sevens({})
    out, _ = measure(ds, backend, PassRateSettings(n=2, workers=1), source=info)
    assert out["lmmr1_pass_rate"][0] == 1.0 and out["lmmr1_pass_reason"] == [None] * 3  # row 0's gold is $7$
    assert all(len(r.images) == 1 and r.images[0].size == (48, 48) for r in backend.requests)


def test_a_backend_that_fails_on_every_row_raises_its_error():
    class Broken(ScriptedBackend):
        def generate(self, requests, max_new_tokens):
            raise RuntimeError("CUDA out of memory")

    with pytest.raises(RuntimeError, match="out of memory"):
        measure(datasets.Dataset.from_list(ROWS[:2]), Broken(SCRIPT), PassRateSettings(n=1, workers=1))


@pytest.mark.parametrize(("verdicts", "expected"), [
    ([True, True, False, False], (0.5, 2, 0, None)),
    ([True, None, None, False], (0.5, 1, 2, None)),  # undecided samples are left out, as TRL leaves None rewards
    ([None, None], (None, 0, 2, "undecided")),
    ([False], (0.0, 0, 0, None)),
])
def test_row_result(verdicts, expected):
    made = [Verdict(c, 1.0 if c else 0.0, {True: "equal", False: "not_equal", None: "timeout"}[c]) for c in verdicts]
    r = row_result(made, len(verdicts))
    assert (r.rate, r.correct, r.undecided, r.reason) == expected and r.samples == len(verdicts)


_VERDICT = {True: Verdict(True, 1.0, "equal"), False: Verdict(False, 0.0, "not_equal"), None: Verdict(None, 0.0, "timeout")}


@given(st.lists(st.lists(st.sampled_from([True, False, None]), min_size=1, max_size=8), max_size=20))
def test_summary_accounts_for_every_row(rows):
    results = [row_result([_VERDICT[c] for c in row], len(row)) for row in rows]
    summary = summarize(results, PassRateSettings(n=8))
    assert summary["measured"] + sum(summary["no_pass_rate"].values()) == summary["rows"] == len(rows)
    assert sum(summary["histogram"].values()) == summary["measured"]
    for row, r in zip(rows, results, strict=True):
        assert (r.rate is None) == all(c is None for c in row)
        assert r.rate is None or 0.0 <= r.rate <= 1.0 and r.rate == row.count(True) / (len(row) - row.count(None))


def test_settings_are_checked():
    with pytest.raises(PassRateError, match="--n must be >= 1"):
        PassRateSettings(n=0)
    with pytest.raises(PassRateError, match="--limit"):
        PassRateSettings(limit=0)


@pytest.mark.parametrize("missing", [None, math.nan])
def test_the_filter_keeps_a_row_without_a_measured_rate(missing):
    assert PassRate().check(Example(0, "q", "1", pass_rate=missing)) is None


def test_filter_drops_the_rows_solved_never_and_always_and_keeps_the_unmeasured(tmp_path):
    out, _, _ = _measure()
    rated = tmp_path / "rated.jsonl"
    out.to_json(rated)
    config = load_config().toggled(disable=("gold_verifiable", "empty_gold", "malformed_row"))
    ds = datasets.load_dataset("json", data_files=str(rated), split="train")
    _, rejected, stats = curate(ds, config, mark=False)
    assert sorted(zip(rejected["problem"], rejected["lmmr1_reason"], strict=True)) == [("always?", "too_easy"), ("never?", "too_hard")]
    assert stats.kept_rows == len(ROWS) - 2


def test_cli_refuses_greedy_sampling_and_a_missing_recipe(tmp_path, capsys):
    data = write_jsonl(tmp_path / "d.jsonl", [{"problem": "q?", "answer": "1"}])
    base = ["pass-rate", "--dataset", str(data), "--model", "m", "--output", str(tmp_path / "o.jsonl")]
    assert main([*base, "--temperature", "0"]) == 2
    assert "--n 8 needs --temperature > 0" in capsys.readouterr().err
    assert main([*base, "--recipe", str(tmp_path / "none.yaml")]) == 2
    assert "--recipe" in capsys.readouterr().err
    assert main([*base[:-1], str(data)]) == 2  # the output would overwrite the input
    capsys.readouterr()
    base[4] = str(tmp_path / "runs" / "gone" / "checkpoint-1")
    assert main(base) == 2 and "does not exist; give a checkpoint folder or a Hub id" in capsys.readouterr().err
    base[4] = str(tmp_path)
    assert main(base) == 2 and "is a folder without config.json" in capsys.readouterr().err


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    pytest.importorskip("transformers")
    from lmmr1.train.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.mark.slow
def test_tiny_model_chain_pass_rate_then_filter(tiny_model, tmp_path, png):
    """The real transformers backend on text and image rows, then `curate filter` on what it wrote."""
    rows = [{"problem": f"What is {i} + 1?", "answer": str(i + 1)} for i in range(3)]
    rows += [{"problem": "<image>What colour is the square?", "answer": "red", "image": str(png("r.png", color=(200, 0, 0)))}]
    data = write_jsonl(tmp_path / "rows.jsonl", rows)
    out = tmp_path / "rated.parquet"
    rc = main(["pass-rate", "--dataset", str(data), "--model", str(tiny_model), "--n", "3", "--max-new-tokens", "4",
               "--output", str(out), "--workers", "1", "--seed", "1", "--recipe", str(RECIPES / "tiny-cpu.yaml")])
    assert rc == 0
    rated = datasets.load_dataset("parquet", data_files=str(out), split="train")
    assert len(rated) == 4 and rated["lmmr1_pass_samples"] == [3] * 4
    assert rated["lmmr1_pass_reason"] == [None] * 4  # every row, the image one too, was generated and scored
    assert all(r in (0.0, 1 / 3, 2 / 3, 1.0) for r in rated["lmmr1_pass_rate"])
    summary = json.loads((tmp_path / "rated.parquet.pass_rate.json").read_text())
    assert sum(summary["histogram"].values()) == 4 and summary["settings"]["n"] == 3
    assert summary["model"] == str(tiny_model) and summary["generation"]["seed"] == 1
    marked = tmp_path / "marked.jsonl"
    assert main(["filter", "--dataset", str(out), "--output", str(marked), "--mark", "--disable", "gold_verifiable"]) == 0
    for line in marked.read_text().splitlines():
        row = json.loads(line)
        expected = {0.0: "too_hard", 1.0: "too_easy"}.get(row["lmmr1_pass_rate"])
        assert (expected in row["lmmr1_reasons"]) if expected else not {"too_hard", "too_easy"} & set(row["lmmr1_reasons"])
