"""Slow: a stage killed after its first checkpoint resumes from it; a finished stage is skipped."""

from __future__ import annotations

import csv

import pytest

pytest.importorskip("trl")
from transformers import TrainerCallback  # noqa: E402

from lmmr1.train import pipeline  # noqa: E402
from tests.train.tiny_run import MECHANICS, RECIPE  # noqa: E402

FAST = ["max_steps=3", "save_steps=1", *MECHANICS]


class Killed(RuntimeError):
    pass


class KillAfterFirstSave(TrainerCallback):
    def on_save(self, args, state, control, **kwargs):
        raise Killed(f"killed after saving step {state.global_step}")


@pytest.mark.slow
def test_killed_stage_resumes_from_its_last_checkpoint(tmp_path):
    plans = pipeline.plan(RECIPE, stages=["fre"], output_dir=str(tmp_path), overrides=FAST)
    with pytest.raises(Killed, match="step 1"):
        pipeline.train_two_stage(plans, tmp_path, callbacks=(KillAfterFirstSave(),))
    stage = tmp_path / "fre"
    assert (stage / "checkpoint-1").is_dir() and not (stage / "final").exists()

    plans = pipeline.plan(RECIPE, stages=["fre"], output_dir=str(tmp_path), overrides=FAST)
    (result,) = pipeline.train_two_stage(plans, tmp_path)
    assert result.resumed_from == str(stage / "checkpoint-1")
    assert result.summary["global_step"] == 3
    with (stage / "rewards.csv").open() as f:
        assert [float(r["step"]) for r in csv.DictReader(f)] == [1, 2, 3]  # step 1 from before the kill

    (again,) = pipeline.train_two_stage(plans, tmp_path)
    assert again.skipped
