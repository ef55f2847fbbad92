"""End-to-end `curate` runs: on the shared data (with images) and on tiny temp files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import datasets
import pytest

from lmmr1.curation.cli import main
from tests.curation.conftest import write_jsonl


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts(stats: dict, name: str, kind: str = "sequential") -> dict:
    return next(f[kind] for f in stats["filters"] if f["name"] == name)


@pytest.mark.data
def test_filter_mathv_testmini_with_images_card_and_export(shared_data, tmp_path, capsys):
    src = shared_data / "mathv" / "testmini.jsonl"
    before = sha(src)
    rc = main(["filter", "--dataset", str(src), "--output", str(tmp_path / "kept.jsonl"),
               "--rejected-out", str(tmp_path / "rejected.jsonl"), "--card", str(tmp_path / "mathv_testmini.md"),
               "--name", "MATH-V testmini", "--license", "mit"])
    assert rc == 0 and sha(src) == before  # the input is never modified
    out = capsys.readouterr().out
    assert "input 304 = kept" in out
    stats = json.loads((tmp_path / "mathv_testmini.stats.json").read_text())
    assert stats["input_rows"] == 304 == stats["kept_rows"] + sum(stats["dropped"].values())
    assert counts(stats, "choice_options_only_in_image") == {"choice_options_only_in_image": 79}
    assert counts(stats, "image") == {}  # all 304 images exist and decode
    kept = [json.loads(line) for line in (tmp_path / "kept.jsonl").open()]
    assert len(kept) == stats["kept_rows"] and all(Path(r["image"]).is_file() for r in kept)
    rejected = [json.loads(line) for line in (tmp_path / "rejected.jsonl").open()]
    assert {r["lmmr1_reason"] for r in rejected} <= set(stats["dropped"]) and all(r["lmmr1_detail"] for r in rejected)
    card = (tmp_path / "mathv_testmini.md").read_text()
    assert card.startswith("---\n") and "license: mit" in card and "choice_options_only_in_image" in card
    assert not list(tmp_path.glob(".*"))  # no temp files left behind

    assert main(["export", "--to", "trl", "--dataset", str(tmp_path / "kept.jsonl"), "--output", str(tmp_path / "trl.parquet")]) == 0
    trl = datasets.load_dataset("parquet", data_files=str(tmp_path / "trl.parquet"), split="train")
    row = trl[0]
    assert row["prompt"][0]["role"] == "system" and row["prompt"][1]["content"][0]["type"] == "image"
    assert "<image1>" not in row["prompt"][1]["content"][-1]["text"]
    assert row["image"].size[0] > 0 and row["task"] in {"math", "choice", "geometry"}
    choice = next(r for r in trl if r["task"] == "choice")
    assert choice["options"] and "(A)" in choice["prompt"][1]["content"][-1]["text"]


@pytest.mark.data
def test_filter_mathv_test_counts(shared_data, tmp_path):
    src = shared_data / "mathv" / "test.jsonl"
    rc = main(["filter", "--dataset", str(src), "--disable", "image", "--rejected-out", str(tmp_path / "rej.jsonl"),
               "--stats-out", str(tmp_path / "stats.json")])
    assert rc == 0
    stats = json.loads((tmp_path / "stats.json").read_text())
    # 384 rows with options exactly A–E, plus 26 "(A)".."(E)", 5 "A)".."E)" and 4 "a".."e": all image-only choices
    assert counts(stats, "choice_options_only_in_image") == {"choice_options_only_in_image": 419}
    assert counts(stats, "choice_without_options") == {"choice_without_options": 2}
    rejected = {r["id"]: r for r in map(json.loads, (tmp_path / "rej.jsonl").open())}
    assert rejected["2830"]["lmmr1_reason"] == "gold_unparseable"
    exact_ae = [r for r in rejected.values() if r["options"] == ["A", "B", "C", "D", "E"]]
    assert len(exact_ae) == 384 and {r["lmmr1_reason"] for r in exact_ae} == {"choice_options_only_in_image"}


@pytest.mark.data
def test_decontaminate_against_benchmarks(shared_data, tmp_path):
    rc = main(["filter", "--dataset", str(shared_data / "mathv" / "testmini.jsonl"), "--disable", "image",
               "gold_verifiable", "--decontaminate", str(shared_data / "mathv" / "test.jsonl"),
               str(shared_data / "text_math" / "math500_test.jsonl"), "--stats-out", str(tmp_path / "s.json")])
    assert rc == 0
    stats = json.loads((tmp_path / "s.json").read_text())
    assert stats["benchmark_hits"]["mathv/test"] >= 250  # testmini is a subset of test
    assert counts(stats, "contaminated", "standalone")["contaminated"] >= 250


@pytest.mark.data
def test_stats_geometry3k(shared_data, tmp_path, capsys):
    rc = main(["stats", "--dataset", str(shared_data / "geometry3k_test" / "problems.jsonl")])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == 554 and data["schema"]["name"] == "formalgeo" and data["tasks"] == {"geometry": 554}


def test_card_rerender_and_mark(tmp_path, capsys):
    src = write_jsonl(tmp_path / "d.jsonl", [{"problem": "What is 2+3?", "answer": "5"},
                                            {"problem": "Prove it.", "answer": "proof"}])
    assert main(["filter", "--dataset", str(src), "--mark", "--output", str(tmp_path / "m.jsonl"),
                 "--card", str(tmp_path / "c.md")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "m.jsonl").open()]
    assert [r["lmmr1_keep"] for r in rows] == [True, False]
    assert rows[1]["lmmr1_reasons"] == ["sentinel_gold"]
    (tmp_path / "c.md").unlink()
    assert main(["card", "--stats", str(tmp_path / "c.stats.json")]) == 0
    assert "sentinel_gold" in (tmp_path / "c.md").read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["filter", "--dataset", "someone/dataset"], "Hub"),
        (["filter", "--dataset", "{d}", "--disable", "imag"], "no filter 'imag'"),
        (["filter", "--dataset", "{d}", "--config", "{bad}"], "unknown key"),
        (["filter", "--dataset", "{d}", "--decontaminate", "/no/such.jsonl"], "does not exist"),
        (["filter", "--dataset", "{d}", "--output", "{tmp}/out.txt"], "cannot write"),
        (["card", "--stats", "/no/stats.json"], "does not exist"),
    ],
)
def test_errors_are_clear(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    d = write_jsonl(tmp_path / "d.jsonl", [{"problem": "What is 2+3?", "answer": "5"}])
    bad = tmp_path / "bad.yaml"
    bad.write_text("filters: [empty_gold]\nthreshold: 3\n")
    argv = [a.format(d=d, bad=bad, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
