"""``lmmr1`` CLI: verify a JSONL file, the demo table, and clean errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lmmr1.cli import DEMO_CASES, main

ROWS = [
    {"id": 1, "answer": "42", "completion": "<think>6*7</think><answer>42</answer>"},
    {"id": 2, "answer": "42", "completion": "So the result is $\\boxed{41}$."},
    {"id": 3, "answer": "\\frac{1}{2}", "completion": "<answer>0.5</answer>"},
    {"id": 4, "answer": "", "completion": "<answer>3</answer>"},
    {"id": 5, "answer": "B", "completion": "<answer>B</answer>", "task": "choice", "opts": {"A": "1", "B": "2"}},
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_verify_writes_verdicts_and_prints_summary(tmp_path, capsys):
    src = write_jsonl(tmp_path / "preds.jsonl", ROWS)
    out = tmp_path / "out" / "verdicts.jsonl"
    rc = main([
        "verify", "--input", str(src), "--gold-col", "answer", "--pred-col", "completion",
        "--task-col", "task", "--options-col", "opts", "--output", str(out), "--workers", "1", "--no-progress",
    ])  # fmt: skip
    assert rc == 0
    verdicts = [json.loads(line) for line in out.read_text().splitlines()]
    assert [v["index"] for v in verdicts] == [0, 1, 2, 3, 4]
    assert [v["correct"] for v in verdicts] == [True, False, True, None, True]
    assert [v["reason"] for v in verdicts] == ["equal", "not_equal", "equal", "gold_unparseable", "equal"]
    stdout = capsys.readouterr().out
    assert "rows: 5   correct: 3   wrong: 1   cannot verify: 1" in stdout
    assert "accuracy: 0.6000 of all rows, 0.7500 of verifiable rows" in stdout
    assert "gold_unparseable" in stdout and f"verdicts written to {out}" in stdout


def test_fixed_task_without_task_column(tmp_path, capsys):
    src = write_jsonl(tmp_path / "p.jsonl", [{"gold": "7", "pred": "<answer>7</answer>"}])
    assert main(["verify", "--input", str(src), "--gold-col", "gold", "--pred-col", "pred", "--task", "math", "--no-progress"]) == 0
    assert "correct: 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "does not exist"),
        ('{"answer": "1"}\n', [], "row 1 has no column 'completion' (set by --pred-col); its columns are ['answer']"),
        ('{"answer": "1", "completion": "1"}\n{oops\n', [], "preds.jsonl:2 is not valid JSON"),
        ('[1, 2]\n', [], "not an object with named columns"),
        ("\n", [], "holds no rows"),
        ('{"answer": "1", "completion": 5}\n', [], "column 'completion' must be a string, got int"),
        ('{"answer": "1", "completion": "1", "t": "poem"}\n', ["--task-col", "t"], "task 'poem' is not one of"),
        ('{"answer": "1", "completion": "1"}\n', ["--workers", "0"], "--workers must be at least 1"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(tmp_path, capsys, content, args, message):
    src = tmp_path / "preds.jsonl"
    if content is not None:
        src.write_text(content, encoding="utf-8")
    rc = main(["verify", "--input", str(src), "--gold-col", "answer", "--pred-col", "completion", "--no-progress", *args])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_missing_required_argument_is_argparse_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["verify"])
    assert exc.value.code == 2
    assert "--input" in capsys.readouterr().err


def test_demo_prints_one_row_per_case(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line[:2].strip().isdigit()]
    assert len(table) == len(DEMO_CASES) >= 10
    by_case = {case[0]: line for case, line in zip(DEMO_CASES, table, strict=True)}
    assert " True " in by_case["boxed fraction"] and " equal " in by_case["boxed fraction"]
    assert " False " in by_case["wrong value"] and "not_equal" in by_case["wrong value"]
    assert "hedged" in by_case["hedged"]
    assert " None " in by_case["corrupted gold"] and "gold_unparseable" in by_case["corrupted gold"]
    assert "no_answer" in by_case["no answer"]
    assert "format_ok" in by_case["choice letter"] and "format_bad" in by_case["GSM8K prose"]


def test_console_script_entry_point(tmp_path):
    # The installed `lmmr1` script resolves to lmmr1.cli:main; errors exit nonzero without traceback.
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from lmmr1.cli import main; sys.exit(main())", "verify",
         "--input", str(tmp_path / "missing.jsonl")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "error: input file" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.data
def test_verify_real_labelled_file(shared_data, tmp_path, capsys):
    """lighteval / hendrycks equivalence cases: columns named as in the file, task and options per row."""
    src = shared_data / "verifier_labels" / "equivalence_tests.jsonl"
    out = tmp_path / "verdicts.jsonl"
    rc = main([
        "verify", "--input", str(src), "--gold-col", "gold", "--pred-col", "completion", "--task-col", "task",
        "--options-col", "options", "--output", str(out), "--workers", "1", "--no-progress",
    ])  # fmt: skip
    assert rc == 0
    rows = [json.loads(line) for line in src.read_text().splitlines()]
    verdicts = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(verdicts) == len(rows) == 189
    agree = sum((v["correct"] is True) == r["expected"] for v, r in zip(verdicts, rows, strict=True))
    assert agree / len(rows) >= 0.9  # measured 0.963 with the verifier core of this commit
    assert "rows: 189" in capsys.readouterr().out
