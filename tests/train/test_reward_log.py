"""Reward curves from TRL's log history: CSV, PNG and first/last-10% means."""

from __future__ import annotations

import csv

import pytest

pytest.importorskip("matplotlib")

from lmmr1.train.reward_log import RewardLogCallback, first_last, read_rows, rows_from_history  # noqa: E402

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


class _TrainerStub:
    """The two Trainer methods ``_quiet_console`` uses, over a real transformers CallbackHandler."""

    def __init__(self, disable_tqdm: bool):
        from types import SimpleNamespace

        from transformers.trainer_callback import (
            CallbackHandler,
            DefaultFlowCallback,
            PrinterCallback,
            ProgressCallback,
        )

        self.args = SimpleNamespace(disable_tqdm=disable_tqdm)
        printer = PrinterCallback if disable_tqdm else ProgressCallback
        self.handler = CallbackHandler([DefaultFlowCallback, printer], None, None, None, None)

    def remove_callback(self, cb):
        self.handler.remove_callback(cb)

    def add_callback(self, cb):
        self.handler.add_callback(cb)


@pytest.mark.parametrize("disable_tqdm", [False, True])
def test_print_logs_false_keeps_a_bar_and_drops_the_metrics_echo(disable_tqdm, capsys):
    from transformers.trainer_callback import PrinterCallback, ProgressCallback, TrainerState

    from lmmr1.train.stage import _quiet_console

    stub = _TrainerStub(disable_tqdm)
    _quiet_console(stub)
    kinds = [type(cb) for cb in stub.handler.callbacks]
    assert PrinterCallback not in kinds and ProgressCallback not in kinds
    bars = [cb for cb in stub.handler.callbacks if isinstance(cb, ProgressCallback)]
    assert len(bars) == (0 if disable_tqdm else 1)  # the quiet subclass, only when bars are on
    for cb in bars:  # logging a metrics dict prints nothing
        cb.on_log(stub.args, TrainerState(is_world_process_zero=True), None, logs={"loss": 1.0})
    assert "loss" not in capsys.readouterr().out
