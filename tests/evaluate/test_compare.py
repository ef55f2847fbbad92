"""``--compare``: benchmarks as columns, MM and text averages, deltas to the first run, a PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmmr1.errors import UserError
from lmmr1.evaluate.compare import compare


def _run(folder: Path, scores: dict[str, tuple[str, float, int]]) -> Path:
    for bench, (modality, acc, n) in scores.items():
        (folder / bench).mkdir(parents=True)
        (folder / bench / "results.json").write_text(json.dumps({"benchmark": bench, "modality": modality, "accuracy": acc, "n": n}))
    return folder


def test_table_and_chart(tmp_path):
    base = _run(tmp_path / "base", {"mathvista_testmini": ("mm", 0.50, 1000), "mathv_test": ("mm", 0.20, 3040), "math500": ("text", 0.40, 500)})
    mgt = _run(tmp_path / "mgt", {"mathvista_testmini": ("mm", 0.55, 1000), "mathv_test": ("mm", 0.26, 3040), "math500": ("text", 0.38, 500)})
    text = compare([base, mgt], tmp_path / "out")
    lines = text.splitlines()
    assert lines[0] == "| run | mathv_test | mathvista_testmini | math500 | MM avg | text avg |"
    assert lines[2] == "| base | 20.0 | 50.0 | 40.0 | 35.0 | 40.0 |"
    assert lines[3] == "| mgt | 26.0 (+6.0) | 55.0 (+5.0) | 38.0 (-2.0) | 40.5 (+5.5) | 38.0 (-2.0) |"
    assert "mathv_test 3040" in text
    assert (tmp_path / "out" / "compare.md").read_text() == text
    assert (tmp_path / "out" / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_run_without_a_benchmark_shows_a_dash(tmp_path):
    a = _run(tmp_path / "a", {"math500": ("text", 0.4, 500), "gsm8k": ("text", 0.8, 1319)})
    b = _run(tmp_path / "b", {"math500": ("text", 0.5, 500)})
    assert "| b | – | 50.0 (+10.0) | – | 50.0 (-10.0) |" in compare([a, b])


def test_a_folder_without_results_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no <benchmark>/results.json inside"):
        compare([tmp_path])
