"""A recipe's ``eval:`` section: the same evaluation during a stage, logged by TRL and plotted."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

pytest.importorskip("trl")

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.cli import main  # noqa: E402
from lmmr1.train.config import RecipeError  # noqa: E402
from tests.train.tiny_run import MECHANICS, RECIPE  # noqa: E402

EVAL = "\neval:\n  benchmarks: [tiny_fre_heldout]\n  limit: 8\n  eval_steps: 2\n  eval_before_train: true\n"


def _recipe(tmp_path: Path, extra: str = EVAL) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(RECIPE.read_text() + extra)
    return path


def test_eval_section_reaches_each_stage_plan(tmp_path):
    fre, mgt = pipeline.plan(_recipe(tmp_path), output_dir=str(tmp_path / "out"))
    for p in (fre, mgt):
        assert (p.script.eval_benchmarks, p.script.eval_limit, p.script.eval_steps_between, p.script.eval_before_train) == (
            ["tiny_fre_heldout"], 8, 2, True)


def test_an_unknown_eval_key_is_refused(tmp_path):
    with pytest.raises(RecipeError, match="unknown key 'every' in section 'eval'"):
        pipeline.plan(_recipe(tmp_path, "\neval:\n  every: 2\n"), output_dir=str(tmp_path / "out"))


@pytest.mark.slow
def test_stage_logs_accuracies_to_trl_and_writes_the_eval_curve(tmp_path):
    out = tmp_path / "run"
    rc = main(["--config", str(_recipe(tmp_path)), "--output-dir", str(out), "--stages", "fre", "max_steps=4",
               *MECHANICS, "save_steps=10", "--log-level", "WARNING"])
    assert rc == 0
    stage = out / "fre"
    with (stage / "eval.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [int(float(r["step"])) for r in rows] == [0, 2, 4]
    assert all(0.0 <= float(r["tiny_fre_heldout"]) <= 1.0 for r in rows)
    assert (stage / "eval.png").is_file()
    results = json.loads((stage / "eval" / "step-4" / "tiny_fre_heldout" / "results.json").read_text())
    assert results["n"] == 8 and results["settings"]["max_new_tokens"] == 6
    (checkpoint,) = sorted(stage.glob("checkpoint-*"))
    history = json.loads((checkpoint / "trainer_state.json").read_text())["log_history"]
    logged = [h for h in history if "eval/tiny_fre_heldout/accuracy" in h]
    assert [h["step"] for h in logged] == [0, 2, 4]
    assert [h["eval/tiny_fre_heldout/accuracy"] for h in logged] == [float(r["tiny_fre_heldout"]) for r in rows]
    assert any("reward" in h for h in history if h.get("step") == 2)  # training's own log rows are intact
