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
    """A filter's non-zero counts (the stats list every declared reason, zeros included)."""
    return {r: n for r, n in next(f[kind] for f in stats["filters"] if f["name"] == name).items() if n}


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
    rc = main(["stats", "--json", "--dataset", str(shared_data / "geometry3k_test" / "problems.jsonl")])
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
        (["filter", "--dataset", "{d}", "--disable", "imag"], "no filter 'imag' in the config (did you mean 'image'?)"),
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


def _data(tmp_path, rows=None, name="d.jsonl"):
    return write_jsonl(tmp_path / name, rows or [{"problem": "What is 2+3?", "answer": "5"},
                                                 {"problem": "What is 2+4?", "answer": "6"}])


@pytest.mark.parametrize("flags", [["--output", "{d}"], ["--rejected-out", "{d}"], ["--output", "{link}"],
                                   ["--output", "{tmp}/o.jsonl", "--rejected-out", "{tmp}/./o.jsonl"],
                                   ["--card", "{tmp}/c.md", "--stats-out", "{tmp}/c.stats.json"]])
def test_colliding_paths_are_refused_before_reading(tmp_path, capsys, flags):
    d = tmp_path / "d.jsonl"
    d.write_text('{"problem": "What is 2+3?", "answer": "5"}\nnot json at all\n')  # unreadable: proves nothing was read
    (tmp_path / "link.jsonl").symlink_to(d)
    before = d.read_bytes()
    argv = ["filter", "--dataset", str(d), *(f.format(d=d, link=tmp_path / "link.jsonl", tmp=tmp_path) for f in flags)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "same file" in err and "not valid JSON" not in err
    assert d.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["d.jsonl", "link.jsonl"]


def test_export_refuses_to_overwrite_its_input(tmp_path, capsys):
    d = _data(tmp_path)
    assert main(["export", "--to", "trl", "--dataset", str(d), "--output", str(d)]) == 2
    assert "same file as --dataset" in capsys.readouterr().err


def test_bad_lines_are_named_or_skipped_and_counted(tmp_path, capsys):
    d = tmp_path / "d.jsonl"
    d.write_text('{"problem": "What is 2+3?", "answer": "5"}\n{"problem": oops}\n{"problem": "What is 1+1?", "answer": "2"}\n')
    assert main(["filter", "--dataset", str(d), "--disable", "gold_verifiable"]) == 2
    assert f"{d}:2: not valid JSON" in capsys.readouterr().err
    card = tmp_path / "c.md"
    assert main(["filter", "--dataset", str(d), "--disable", "gold_verifiable", "--skip-bad-lines",
                 "--card", str(card)]) == 0
    out = capsys.readouterr().out
    assert "skipped 1 malformed line(s)" in out and "input 2 = kept 2 + dropped 0" in out
    stats = json.loads((tmp_path / "c.stats.json").read_text())
    assert stats["skipped_lines"] == [f"{d}:2: not valid JSON (Expecting value at column 13)"]
    assert "1 malformed line(s) of the input were skipped" in card.read_text()


def test_every_row_losing_its_image_says_how_to_proceed(tmp_path, capsys, png):
    images = tmp_path / "imgs"
    images.mkdir()
    png("imgs/a.png")
    d = _data(tmp_path, [{"problem": "What is x in the figure?", "answer": "5", "image": "a.png"}])
    assert main(["filter", "--dataset", str(d), "--disable", "gold_verifiable"]) == 2
    captured = capsys.readouterr()
    assert "kept 0 + dropped 1" in captured.out
    assert "every one of the 1 rows lost its image" in captured.err
    assert "--image-root" in captured.err and "--disable image" in captured.err
    assert main(["filter", "--dataset", str(d), "--disable", "gold_verifiable", "--image-root", str(images)]) == 0
    assert main(["filter", "--dataset", str(d), "--disable", "gold_verifiable", "image"]) == 0


@pytest.mark.data
def test_mathvista_testmini_without_images(shared_data, tmp_path, capsys):
    rc = main(["filter", "--dataset", str(shared_data / "mathvista_testmini" / "testmini.json"),
               "--disable", "gold_verifiable", "near_duplicate"])
    assert rc == 2
    captured = capsys.readouterr()
    assert "kept 0 + dropped 1000" in captured.out
    assert "every one of the 1000 rows lost its image" in captured.err and "--disable image" in captured.err


def test_card_licence_from_source_and_data_files_relative_to_card(tmp_path):
    (tmp_path / "LICENSE").write_text("MIT License\n\nCopyright (c) 2024 someone\n")
    d = _data(tmp_path)
    (tmp_path / "cards").mkdir()
    assert main(["filter", "--dataset", str(d), "--disable", "gold_verifiable", "--output", str(tmp_path / "out" / "k.jsonl"),
                 "--card", str(tmp_path / "cards" / "c.md")]) == 0
    card = (tmp_path / "cards" / "c.md").read_text()
    assert "license: mit" in card and "data_files: ../out/k.jsonl" in card
    assert "| `image` | `missing_image` | 0 | 0 |" in card  # zero counts are on the card
    assert main(["filter", "--dataset", str(d), "--disable", "gold_verifiable", "--license", "cc-by-4.0",
                 "--card", str(tmp_path / "cards" / "c2.md")]) == 0
    assert "license: cc-by-4.0" in (tmp_path / "cards" / "c2.md").read_text()


def test_stats_is_a_table_and_json_on_request(tmp_path, capsys):
    d = _data(tmp_path)
    assert main(["stats", "--dataset", str(d)]) == 0
    out = capsys.readouterr().out
    assert "2 rows, schema plain" in out and "integer" in out and not out.lstrip().startswith("{")
    assert main(["stats", "--dataset", str(d), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answer_types"] == {"integer": 2}


def test_help_shows_defaults_and_card_flags(capsys):
    for argv in (["filter", "--help"], ["card", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
    out = capsys.readouterr().out
    assert "(default: train)" in out
    assert "dataset name shown on the card" in out and "SPDX licence id" in out


def test_a_bug_is_not_a_user_error(tmp_path, monkeypatch):
    def broken(*a, **k):
        raise ValueError("a library bug")

    monkeypatch.setattr("lmmr1.curation.cli.curate", broken)
    with pytest.raises(ValueError, match="a library bug"):  # its traceback goes through, not "error: ..." and rc 2
        main(["filter", "--dataset", str(_data(tmp_path))])
