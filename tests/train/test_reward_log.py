"""Reward curves from TRL's log history: CSV, PNG, first/last-10% means and the best window."""

from __future__ import annotations

import csv
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("matplotlib")

from lmmr1.train.reward_log import (  # noqa: E402
    RewardLogCallback,
    best_window,
    first_last,
    read_rows,
    rows_from_history,
    smooth,
)

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
    # The CSV reads back to the logged rows, so tests and benchmarks summarise it the same way.
    assert read_rows(csv_path) == log.rows
    assert first_last(read_rows(csv_path)) == log.summary()


def test_nothing_logged_writes_nothing(tmp_path):
    assert RewardLogCallback().write(tmp_path) is None
    assert not list(tmp_path.iterdir())


def test_best_window_finds_a_peak_the_first_and_last_windows_hide():
    # The demo's MGT shape: up to a peak in the middle, then back down.
    totals = [0.5] * 10 + [1.2] * 10 + [0.9] * 10
    rows = [{"step": float(s), "total": t} for s, t in enumerate(totals, start=1)]
    assert first_last(rows)["total"] == pytest.approx((0.5, 0.9))
    mean, start, end = best_window(rows)["total"]
    assert mean == pytest.approx(1.2) and (start, end) == (11.0, 13.0)  # 3 steps: 10 % of 30
    log = RewardLogCallback()
    log.rows = rows
    assert log.best() == best_window(rows)


values = st.lists(st.floats(min_value=-10, max_value=10, allow_nan=False), min_size=1, max_size=60)


@given(values, st.sampled_from([0.01, 0.1, 0.25, 0.5, 1.0]))
def test_best_window_is_never_below_the_first_or_last_window(totals, fraction):
    rows = [{"step": float(i), "total": t} for i, t in enumerate(totals)]
    first, last = first_last(rows, fraction)["total"]
    best, start, end = best_window(rows, fraction)["total"]
    assert best >= first and best >= last
    assert start <= end and end - start + 1 == math.ceil(len(rows) * fraction)


@given(values)
def test_a_one_step_best_window_is_the_maximum(totals):
    rows = [{"step": float(i), "total": t} for i, t in enumerate(totals)]
    best, start, end = best_window(rows, fraction=1e-9)["total"]  # rounds up to one step
    assert best == max(totals) and start == end and totals[int(start)] == best


def test_smooth_is_a_trailing_rolling_mean():
    assert smooth([1.0, 3.0, 5.0, math.nan, 7.0], window=2) == [1.0, 2.0, 4.0, 5.0, 7.0]
    assert smooth([2.0, 4.0], window=1) == [2.0, 4.0]
