"""Rerunning finished stages: reused with the same settings, refused (naming each change) with other
settings, trained again with --restart; a stage started from a retrained one is never reused."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

pytest.importorskip("trl")

from lmmr1.train import pipeline, rerun  # noqa: E402
from lmmr1.train.cli import main  # noqa: E402
from lmmr1.train.stage import MARKER, final_dir  # noqa: E402
from tests.train.tiny_run import MECHANICS, RECIPE  # noqa: E402

TINY = str(RECIPE)


def _finish(out: Path, stages=("fre", "mgt"), overrides=()) -> dict[str, dict]:
    """Fabricate finished stages in ``out``, recorded as trained with the recipe (plus ``overrides``)."""
    plans = pipeline.plan(RECIPE, stages=list(stages), output_dir=str(out), overrides=list(overrides))
    names = [p.name for p in plans]
    records = {}
    for p in plans:
        final = final_dir(p)
        final.mkdir(parents=True)
        start = pipeline.init_for(p.name, names, out, str(out / pipeline.TINY_BASE), None)
        records[p.name] = rerun.write_record(final, p, start)
        (final / MARKER).write_text("{}")
    return records


def _run(capsys, out: Path, *args) -> tuple[int, str, str]:
    code = main(["--config", TINY, "--output-dir", str(out), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_same_settings_are_reused_and_output_settings_do_not_count(tmp_path, capsys):
    _finish(tmp_path)
    code, out, _ = _run(capsys, tmp_path, "--dry-run", "logging_steps=5", "save_steps=7", "report_to=[]")
    assert code == 0
    assert out.count("finished before with the same settings: skipped") == 2


def test_a_changed_setting_is_refused_naming_it_before_anything_is_built(tmp_path, capsys):
    _finish(tmp_path)
    code, _, err = _run(capsys, tmp_path, "mgt.learning_rate=1e-5", "mgt.max_steps=20")  # a real run
    assert code == 2 and "Traceback" not in err
    error = next(line for line in err.splitlines() if line.startswith("error: "))
    assert f"stage mgt already finished in {tmp_path / 'mgt' / 'final'} with other settings" in error
    assert "learning_rate: 0.0005 -> 1e-05" in error and "max_steps: 4000 -> 20" in error
    assert "stage fre" not in error.split("Pass")[0]  # fre is unchanged
    assert "Pass --restart to train stage mgt again" in error and "new --output-dir" in error
    assert not (tmp_path / pipeline.TINY_BASE).exists()  # refused before any model was built

    code, _, err = _run(capsys, tmp_path, "--dry-run", "mgt.learning_rate=1e-5")
    assert code == 2 and "learning_rate: 0.0005 -> 1e-05" in err


def test_restart_in_the_dry_run_says_what_trains_again(tmp_path, capsys):
    _finish(tmp_path)
    code, out, _ = _run(capsys, tmp_path, "--dry-run", "--restart", "fre.temperature=1.0")
    assert code == 0, out
    fre, mgt = (line for line in out.splitlines() if line.startswith("stage "))
    assert "temperature: 1.5 -> 1.0" in fre and "trained again (--restart)" in fre
    # mgt's own settings are the same, but it starts from fre's checkpoint, which trains again
    assert "is trained again in this run (stage fre)" in mgt and "trained again (--restart)" in mgt


def test_a_later_stage_is_refused_when_its_start_changed(tmp_path, capsys):
    records = _finish(tmp_path)
    # stage fre was trained again since (a new run_id), e.g. by `--stages fre --restart`
    fre_record = tmp_path / "fre" / "final" / rerun.SETTINGS
    fre_record.write_text(json.dumps({**records["fre"], "run_id": "another"}))
    code, _, err = _run(capsys, tmp_path, "--dry-run")
    assert code == 2
    assert "init_from: " + str(tmp_path / "fre" / "final") + " was trained again since this stage trained from it" in err

    # fre unfinished (deleted): it trains in this run, so the finished mgt would start elsewhere
    (tmp_path / "fre" / "final" / MARKER).unlink()
    code, _, err = _run(capsys, tmp_path, "--dry-run")
    assert code == 2 and "is trained again in this run (stage fre)" in err


def test_another_start_is_a_change(tmp_path, capsys):
    _finish(tmp_path, stages=("fre",))
    other = tmp_path / "other-model"
    other.mkdir()
    code, _, err = _run(capsys, tmp_path, "--dry-run", "--stages", "fre", "--init-from", str(other))
    assert code == 2
    assert f'init_from: "{tmp_path / pipeline.TINY_BASE}" -> "{other}"' in err


def test_a_stage_finished_before_settings_were_recorded_is_reused_with_a_warning(tmp_path, caplog):
    _finish(tmp_path, stages=("fre",))
    (tmp_path / "fre" / "final" / rerun.SETTINGS).unlink()
    plans = pipeline.plan(RECIPE, stages=["fre"], output_dir=str(tmp_path), overrides=["learning_rate=1"])
    starts = {"fre": str(tmp_path / pipeline.TINY_BASE)}
    with caplog.at_level(logging.WARNING, logger="lmmr1.train.rerun"):
        (decision,) = rerun.decide(plans, starts, {"fre": final_dir(plans[0])}, restart=False)
    assert decision.action == "skip" and "before lmmr1 recorded settings" in caplog.text
    (decision,) = rerun.decide(plans, starts, {"fre": final_dir(plans[0])}, restart=True)
    assert decision.action == "restart"


def test_changed_settings_lists_each_key_once_with_unset_sides():
    old = {"learning_rate": 0.1, "beta": 0.0, "gone": 1, "logging_steps": 1}
    new = {"learning_rate": 0.2, "beta": 0.0, "added": [1, 2], "logging_steps": 9}
    assert rerun.changed_settings(old, new) == ["added: <unset> -> [1, 2]", "gone: 1 -> <unset>", "learning_rate: 0.1 -> 0.2"]


@pytest.mark.slow
def test_restart_trains_a_changed_stage_again_and_its_card_names_the_start(tmp_path, capsys):
    fast = ["max_steps=1", "save_steps=1", *MECHANICS]
    assert main(["--config", TINY, "--output-dir", str(tmp_path), "--stages", "fre", *fast]) == 0
    final = tmp_path / "fre" / "final"
    first = json.loads((final / rerun.SETTINGS).read_text())
    assert first["settings"]["learning_rate"] == 5e-4 and first["init_from"] == str(tmp_path / "tiny-base")
    for card in (final / "README.md", tmp_path / "fre" / "README.md"):  # final's, and the checkpoints' one
        text = card.read_text()
        assert "[None]" not in text and str(tmp_path / "tiny-base") in text and "synthetic:fre" in text

    again = ["--config", TINY, "--output-dir", str(tmp_path), "--stages", "fre", *fast, "fre.learning_rate=1e-3"]
    capsys.readouterr()
    assert main(again) == 2
    assert "learning_rate: 0.0005 -> 0.001" in capsys.readouterr().err
    assert json.loads((final / rerun.SETTINGS).read_text())["run_id"] == first["run_id"]  # untouched

    assert main([*again, "--restart"]) == 0
    second = json.loads((final / rerun.SETTINGS).read_text())
    assert second["run_id"] != first["run_id"] and second["settings"]["learning_rate"] == 1e-3
    assert json.loads((final / MARKER).read_text())["global_step"] == 1  # trained, not resumed from step 1
    assert main(again) == 0 and "same settings, skipped" in capsys.readouterr().out


def test_settings_of_config_objects_compare_by_value_not_by_address():
    class Config:  # e.g. a parallelism config object, whose repr names its memory address
        def __init__(self, size):
            self.size = size

    assert rerun._jsonable({"p": Config(2)}) == rerun._jsonable({"p": Config(2)}) == {"p": {"size": 2}}


def test_a_stopped_stage_resumes_only_with_the_settings_it_started_with(tmp_path, capsys):
    (fre,) = pipeline.plan(RECIPE, stages=["fre"], output_dir=str(tmp_path))
    stage = tmp_path / "fre"
    (stage / "checkpoint-1").mkdir(parents=True)
    (stage / "checkpoint-1" / "trainer_state.json").write_text("{}")  # as a kill after one save leaves it
    rerun.write_record(stage, fre, str(tmp_path / pipeline.TINY_BASE))  # written when the stage started
    assert _run(capsys, tmp_path, "--stages", "fre", "--dry-run")[0] == 0  # same settings: it resumes
    code, _, err = _run(capsys, tmp_path, "--stages", "fre", "--dry-run", "fre.learning_rate=1e-5")
    assert code == 2
    assert f"stage fre was stopped in {stage} and would resume from its last checkpoint with other settings" in err
    assert "learning_rate: 0.0005 -> 1e-05" in err
    code, out, _ = _run(capsys, tmp_path, "--stages", "fre", "--dry-run", "--restart", "fre.learning_rate=1e-5")
    assert code == 0 and "stopped before with other settings" in out and "trained again (--restart)" in out
