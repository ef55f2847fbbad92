"""Reward curves from TRL's log history: CSV, PNG and first/last-10% means."""

from __future__ import annotations

import csv

import pytest

pytest.importorskip("matplotlib")

from lmmr1.train.reward_log import RewardLogCallback, rows_from_history  # noqa: E402

HISTORY = [
    {
        "step": s,
        "reward": 0.1 * s,
        "rewards/format_reward/mean": 0.05 * s,
        "rewards/accuracy_reward/mean": 0.1,
        "loss": 0.0,
    }
    for s in range(1, 21)
] + [{"step": 20, "train_runtime": 3.0}]


def test_rows_keep_total_and_each_reward():
    rows = rows_from_history(HISTORY)
    assert len(rows) == 20
    assert rows[0] == {"step": 1.0, "total": 0.1, "format_reward": 0.05, "accuracy_reward": 0.1}


def test_write_csv_png_and_summary(tmp_path):
    log = RewardLogCallback()
    log.rows = rows_from_history(HISTORY)
    csv_path, png_path = log.write(tmp_path, title="t")
    with csv_path.open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["step", "total", "accuracy_reward", "format_reward"]
    assert len(rows) == 20
    assert png_path.stat().st_size > 1000
    first, last = log.summary()["total"]
    assert first == pytest.approx(0.15) and last == pytest.approx(1.95)  # steps 1-2 and 19-20


def test_nothing_logged_writes_nothing(tmp_path):
    assert RewardLogCallback().write(tmp_path) is None
    assert not list(tmp_path.iterdir())
