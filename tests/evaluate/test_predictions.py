"""``--predictions``: other harnesses' files, and the same verdicts as benchmarks/verify_accuracy.py."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from lmmr1.errors import UserError
from lmmr1.evaluate import cli, predictions
from lmmr1.evaluate.runner import EvalSettings, score_predictions

REPO = Path(__file__).resolve().parents[2]


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_plain_jsonl_of_id_and_completion(tmp_path):
    path = _jsonl(tmp_path / "p.jsonl", [{"id": "fre-0", "completion": "<answer>3</answer>"}, {"id": 7, "response": "x"}])
    assert predictions.read(path) == [{"id": "fre-0", "completion": "<answer>3</answer>"}, {"id": "7", "completion": ""}]


def test_lmms_eval_log_samples(tmp_path):
    path = _jsonl(tmp_path / "samples_mathvista.jsonl", [
        {"doc_id": 0, "doc": {"pid": "12", "question": "q"}, "target": "A", "resps": [["long answer"]], "filtered_resps": ["B"]},
        {"doc_id": 1, "doc": {"question": "q"}, "target": "A", "resps": [["only resps"]]},
    ])
    assert predictions.read(path) == [{"id": "12", "completion": "B"}, {"id": "1", "completion": "only resps"}]


def test_vlmevalkit_table(tmp_path):
    path = tmp_path / "Qwen2.5-VL_MathVista_MINI.tsv"
    path.write_text("index\tquestion\tanswer\tprediction\n1\tq\t7\tThe answer is 7\n2\tq\tB\t(B)\n")
    assert predictions.read(path) == [{"id": "1", "completion": "The answer is 7"}, {"id": "2", "completion": "(B)"}]


def test_columns_can_be_named_and_unknown_ones_are_reported(tmp_path):
    path = _jsonl(tmp_path / "p.jsonl", [{"qid": "a", "text": "1"}])
    assert predictions.read(path, id_col="qid", completion_col="text") == [{"id": "a", "completion": "1"}]
    with pytest.raises(UserError, match="name it with --id-col"):
        predictions.read(path)
    with pytest.raises(UserError, match="no column 'nope'"):
        predictions.read(path, id_col="nope")


def test_unknown_ids_are_an_error_naming_them(tmp_path):
    with pytest.raises(UserError, match=r"1 prediction ids are not tiny_fre_heldout ids \(e\.g\. \['zzz'\]\)"):
        score_predictions("tiny_fre_heldout", [{"id": "zzz", "completion": "1"}], tmp_path)


def test_several_completions_per_id_are_samples(tmp_path):
    rows = [{"id": "fre-0", "completion": "<answer>3</answer>"}, {"id": "fre-0", "completion": "<answer>2</answer>"}]
    result = score_predictions("tiny_fre_heldout", rows, tmp_path, EvalSettings(verifier_workers=1))
    saved = [json.loads(line) for line in (tmp_path / "tiny_fre_heldout" / "predictions.jsonl").read_text().splitlines()]
    assert [(r["sample"], r["verdict"]) for r in saved] == [(0, True), (1, False)]
    assert (result["n"], result["correct"], result["items_without_prediction"]) == (2, 1, 127)


def _verify_accuracy(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))  # it imports its sibling `common`
    spec = importlib.util.spec_from_file_location("verify_accuracy", REPO / "benchmarks" / "verify_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "verify_accuracy", module)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


GRADED = [  # file, benchmark, id column
    ("mathv_graded.jsonl", "mathv_test", "problem_id"),
    ("mathvista_testmini_graded.jsonl", "mathvista_testmini", "pid"),
]


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize(("name", "benchmark", "id_col"), GRADED, ids=[g[1] for g in GRADED])
def test_predictions_give_the_verdicts_of_verify_accuracy(name, benchmark, id_col, shared_data, tmp_path, monkeypatch, capsys):
    """One scoring path: `--predictions` on the graded files agrees with the labels exactly as the benchmark does."""
    from lmmr1 import verify_batch

    va = _verify_accuracy(monkeypatch)
    path = shared_data / "verifier_labels" / name
    raw = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    theirs_rows = [va.FILES[name](r, False) for r in raw]
    theirs = verify_batch([r.completion for r in theirs_rows], [r.gold for r in theirs_rows],
                          [r.task for r in theirs_rows], [r.options for r in theirs_rows], workers=1)
    rc = cli.main(["--predictions", str(path), "--benchmark", benchmark, "--id-col", id_col, "--completion-col", "pred",
                   "--data-dir", str(shared_data), "--output-dir", str(tmp_path), "--workers", "1", "--log-level", "WARNING"])
    assert rc == 0
    ours = [json.loads(line) for line in (tmp_path / benchmark / "predictions.jsonl").read_text().splitlines()]
    assert len(ours) == len(theirs) == len(raw)
    assert [r["gold"] for r in ours] == [r.gold for r in theirs_rows]
    assert [(r["verdict"], r["reason"]) for r in ours] == [(v.correct, v.reason) for v in theirs]
    agree = sum((r["verdict"] is True) == bool(x["label"]) for r, x in zip(ours, raw, strict=True))
    print(f"{name}: agreement {agree / len(raw):.2%}")
