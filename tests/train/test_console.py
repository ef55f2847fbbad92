"""What a training run prints: the reward in the progress bar, each warning once, no shard-writing bars."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest

pytest.importorskip("trl")
from transformers.trainer_callback import (  # noqa: E402
    CallbackHandler,
    DefaultFlowCallback,
    PrinterCallback,
    ProgressCallback,
    TrainerState,
)

from lmmr1.train.console import RewardProgressCallback, bar_postfix, quiet  # noqa: E402
from lmmr1.train.stage import _console  # noqa: E402


class _TrainerStub:
    """The two Trainer methods ``_console`` uses, over a real transformers CallbackHandler."""

    def __init__(self, disable_tqdm: bool):
        self.args = SimpleNamespace(disable_tqdm=disable_tqdm)
        printer = PrinterCallback if disable_tqdm else ProgressCallback
        self.handler = CallbackHandler([DefaultFlowCallback, printer], None, None, None, None)

    def remove_callback(self, cb):
        self.handler.remove_callback(cb)

    def add_callback(self, cb):
        self.handler.add_callback(cb)


@pytest.mark.parametrize("disable_tqdm", [False, True])
def test_print_logs_false_keeps_a_bar_and_drops_the_metrics_echo(disable_tqdm, capsys):
    stub = _TrainerStub(disable_tqdm)
    _console(stub, echo=False)
    kinds = [type(cb) for cb in stub.handler.callbacks]
    assert PrinterCallback not in kinds and ProgressCallback not in kinds
    bars = [cb for cb in stub.handler.callbacks if isinstance(cb, ProgressCallback)]
    assert len(bars) == (0 if disable_tqdm else 1)  # the reward bar, only when bars are on
    for cb in bars:  # logging a metrics dict prints nothing
        cb.on_log(stub.args, TrainerState(is_world_process_zero=True), None, logs={"loss": 1.0})
    assert "loss" not in capsys.readouterr().out


def test_print_logs_true_keeps_the_echo_and_adds_the_reward_bar():
    stub = _TrainerStub(disable_tqdm=False)
    _console(stub, echo=True)
    (bar,) = [cb for cb in stub.handler.callbacks if isinstance(cb, ProgressCallback)]
    assert isinstance(bar, RewardProgressCallback) and bar.echo


def test_the_bar_shows_the_mean_reward_and_accuracy_of_the_last_logged_steps():
    cb = RewardProgressCallback(echo=False)
    state = TrainerState(is_world_process_zero=True, max_steps=10)
    args = SimpleNamespace(disable_tqdm=False)
    cb.on_train_begin(args, state, None)
    try:
        cb.on_log(args, state, None, logs={"loss": 0.1})  # no reward logged: nothing shown
        assert not cb.training_bar.postfix
        cb.on_log(args, state, None, logs={"reward": 0.5, "rewards/accuracy_reward/mean": 0.25})
        cb.on_log(args, state, None, logs={"reward": 1.0, "rewards/accuracy_reward/mean": 0.75})
        assert cb.training_bar.postfix == "reward=0.750, accuracy=0.500"
        assert "reward=0.750, accuracy=0.500" in str(cb.training_bar)
    finally:
        cb.training_bar.close()


def test_postfix_without_an_accuracy_reward_shows_the_total_only():
    assert bar_postfix([{"reward": 0.25}, {"reward": 0.5, "rewards/sokoban_reward/mean": 0.5}]) == {"reward": "0.375"}


def test_a_repeated_warning_is_shown_once_even_when_libraries_reset_the_filters():
    message = "x is deprecated"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        with quiet():
            for _ in range(3):
                warnings.warn(message, FutureWarning, stacklevel=1)
                with warnings.catch_warnings():  # what torch and transformers do: resets "default"'s memory
                    warnings.simplefilter("ignore", ResourceWarning)
            warnings.warn("another message " + message, FutureWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == [message, "another message " + message]


def test_a_save_draws_no_shard_bar_and_the_setting_is_restored(tmp_path, capsys):
    from transformers import AutoModelForImageTextToText

    from lmmr1.train.tiny import build_tiny_model

    model = AutoModelForImageTextToText.from_pretrained(build_tiny_model(tmp_path / "tiny"))
    capsys.readouterr()
    with quiet():
        model.save_pretrained(tmp_path / "quiet")
    assert "Writing model shards" not in capsys.readouterr().err
    model.save_pretrained(tmp_path / "loud")  # outside quiet(): transformers' own bar again
    assert "Writing model shards" in capsys.readouterr().err
