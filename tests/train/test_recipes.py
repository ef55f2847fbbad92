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
