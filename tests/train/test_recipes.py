"""The shipped recipes validate here (the paper's, recipes/lmm-r1/, in test_paper_recipes.py); the accelerate configs as YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytest.importorskip("trl")

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.cli import main  # noqa: E402

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
PAPER = RECIPES / "lmm-r1" / "fre-text-mgt-geo.yaml"


def _dry_run(recipe: Path, tmp_path: Path, overrides=()):
    plans = pipeline.plan(recipe, output_dir=str(tmp_path), overrides=list(overrides), for_dry_run=True)
    return plans, pipeline.dry_run(plans, tmp_path, None)


def test_cli_bad_key_is_a_clear_error(tmp_path, capsys):
    code = main(["--config", str(PAPER), "--output-dir", str(tmp_path), "--dry-run", "fre.learnig_rate=1"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert "unknown key 'learnig_rate' in 'fre.learnig_rate=1', given on the command line. Did you mean" in err


def test_tiny_recipe_dry_run(tmp_path):
    _, report = _dry_run(RECIPES / "tiny-cpu.yaml", tmp_path)
    assert report.ok, report.problems


@pytest.mark.parametrize(("name", "kind"), [("zero3.yaml", "DEEPSPEED"), ("fsdp.yaml", "FSDP")])
def test_accelerate_configs_are_for_8_gpus(name, kind):
    from accelerate.commands.config.config_args import ClusterConfig

    config = ClusterConfig.from_yaml_file(RECIPES / "accelerate" / name)
    assert config.distributed_type == kind and config.num_processes == 8 and config.mixed_precision == "bf16"
    raw = yaml.safe_load((RECIPES / "accelerate" / name).read_text())
    assert raw.get("deepspeed_config", {}).get("zero_stage", 3) == 3


@pytest.mark.parametrize(
    ("sections", "stages"),
    [("fre: {}\nmgt: {}\n", ["fre", "mgt"]), ("mgt:\n  learning_rate: 1.0e-5\n", ["mgt"]),
     ("fre: {}\n", ["fre"]), ("", ["fre", "mgt"])],
)
def test_stages_default_to_the_recipes_sections(tmp_path, sections, stages):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("build_tiny_model: true\nuse_cpu: true\nbf16: false\n" + sections)
    plans = pipeline.plan(recipe, output_dir=str(tmp_path / "run"))
    assert [p.name for p in plans] == stages
    # an override of another stage's key does not add that stage
    assert [p.name for p in pipeline.plan(recipe, output_dir=str(tmp_path), overrides=["fre.beta=0.1"])] == stages
    assert [p.name for p in pipeline.plan(recipe, stages=["fre"], output_dir=str(tmp_path))] == ["fre"]


def test_a_mgt_only_recipe_runs_mgt_without_stages_given(tmp_path, capsys):
    recipe = tmp_path / "mgt-only.yaml"
    tiny = yaml.safe_load((RECIPES / "tiny-cpu.yaml").read_text())
    del tiny["fre"]
    recipe.write_text(yaml.safe_dump(tiny))
    init = tmp_path / "fre-checkpoint"
    init.mkdir()
    assert main(["--config", str(recipe), "--output-dir", str(tmp_path / "run"), "--init-from", str(init), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("stage ")] == ["stage mgt"]
