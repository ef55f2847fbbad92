"""A stage killed after its first checkpoint resumes from it, skipping a checkpoint cut short by a
kill mid-save; a finished stage is skipped."""

from __future__ import annotations

import csv
import json
import logging

import pytest

pytest.importorskip("trl")
from transformers import TrainerCallback  # noqa: E402

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.stage import last_complete_checkpoint  # noqa: E402
from tests.train.tiny_run import MECHANICS, RECIPE  # noqa: E402

FAST = ["max_steps=3", "save_steps=1", *MECHANICS]


class Killed(RuntimeError):
    pass


class KillAfterFirstSave(TrainerCallback):
    def on_save(self, args, state, control, **kwargs):
        raise Killed(f"killed after saving step {state.global_step}")


def _checkpoint(stage, step, *, state: str | None = "{}"):
    folder = stage / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    if state is not None:
        (folder / "trainer_state.json").write_text(state)
    return folder


def test_resume_picks_the_newest_complete_checkpoint_and_says_why_it_skips_others(tmp_path, caplog):
    assert last_complete_checkpoint(tmp_path / "absent") is None
    stage = tmp_path / "fre"
    _checkpoint(stage, 9)
    _checkpoint(stage, 10)
    _checkpoint(stage, 30, state=None)  # killed after the weights, before trainer_state.json
    _checkpoint(stage, 20, state='{"global_st')  # killed while trainer_state.json was written
    (stage / "checkpoint-40").write_text("not a folder")
    (stage / "checkpoint-x").mkdir()
    with caplog.at_level(logging.WARNING, logger="lmmr1.train.stage"):
        assert last_complete_checkpoint(stage) == str(stage / "checkpoint-10")  # by step, not by name
    assert "checkpoint-30: no trainer_state.json (killed while saving?)" in caplog.text
    assert "checkpoint-20: trainer_state.json is cut short" in caplog.text
    for step in (9, 10):
        (stage / f"checkpoint-{step}" / "trainer_state.json").unlink()
    assert last_complete_checkpoint(stage) is None


@pytest.mark.slow
def test_killed_stage_resumes_from_its_last_checkpoint(tmp_path):
    plans = pipeline.plan(RECIPE, stages=["fre"], output_dir=str(tmp_path), overrides=FAST)
    with pytest.raises(Killed, match="step 1"):
        pipeline.train_two_stage(plans, tmp_path, callbacks=(KillAfterFirstSave(),))
    stage = tmp_path / "fre"
    assert (stage / "checkpoint-1").is_dir() and not (stage / "final").exists()
    assert json.loads((stage / "checkpoint-1" / "trainer_state.json").read_text())["global_step"] == 1
    _checkpoint(stage, 2, state=None)  # as a kill during the next save leaves it

    plans = pipeline.plan(RECIPE, stages=["fre"], output_dir=str(tmp_path), overrides=FAST)
    (result,) = pipeline.train_two_stage(plans, tmp_path)
    assert result.resumed_from == str(stage / "checkpoint-1")
    assert result.summary["global_step"] == 3
    with (stage / "rewards.csv").open() as f:
        assert [float(r["step"]) for r in csv.DictReader(f)] == [1, 2, 3]  # step 1 from before the kill

    (again,) = pipeline.train_two_stage(plans, tmp_path)
    assert again.skipped
