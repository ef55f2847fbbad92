"""The shipped recipes validate here: the 3B paper recipe by dry run, the accelerate configs as YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytest.importorskip("trl")

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.cli import main  # noqa: E402

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
PAPER = RECIPES / "qwen2.5-vl-3b-lmm-r1.yaml"
SYNTHETIC = ["fre.dataset_name=synthetic:fre", "mgt.dataset_name=synthetic:mgt", "synthetic_size=8"]


def _dry_run(recipe: Path, tmp_path: Path, overrides=()):
    plans = pipeline.plan(recipe, output_dir=str(tmp_path), overrides=list(overrides), for_dry_run=True)
    return plans, pipeline.dry_run(plans, tmp_path, None)


def test_paper_recipe_has_the_papers_settings(tmp_path):
    (fre, mgt), _ = _dry_run(PAPER, tmp_path, SYNTHETIC)
    for p in (fre, mgt):
        t = p.training
        assert (t.num_generations, t.temperature, t.beta, t.num_train_epochs) == (16, 1.0, 1e-3, 1)
        assert (t.max_completion_length, t.scale_rewards) == (4096, "none")
        assert (
            t.bf16
            and t.activation_checkpointing
            and t.gradient_checkpointing
            and t.use_vllm
            and t.vllm_mode == "colocate"
        )
        assert p.script.reward_funcs == ["format", "accuracy"] and t.reward_weights == [0.5, 1.0]
        assert p.model.model_name_or_path == "Qwen/Qwen2.5-VL-3B-Instruct"
        assert "<think>" in p.script.system_prompt and "$ $" in p.script.system_prompt
    assert (fre.training.learning_rate, mgt.training.learning_rate) == (1e-6, 4e-7)


def test_paper_recipe_dry_run_names_only_the_missing_datasets(tmp_path):
    # Here the curated data is absent: everything else must validate, and the report must say so.
    _, report = _dry_run(PAPER, tmp_path)
    assert len(report.problems) == 2, report.problems
    assert report.missing_datasets == [
        "data/lmm-r1/fre-text/train.jsonl",
        "data/lmm-r1/mgt-multimodal/train.jsonl",
    ]
    assert all("curate export --to trl" in p for p in report.problems)


def test_paper_recipe_validates_fully_with_data_in_place(tmp_path):
    # Substitute data of the same format for the missing files: then nothing is left to complain about.
    _, report = _dry_run(PAPER, tmp_path, SYNTHETIC)
    assert report.ok, report.problems
    assert "init from Qwen/Qwen2.5-VL-3B-Instruct" in report.lines[0]
    assert f"init from {tmp_path / 'fre' / 'final'}" in report.lines[1]


def test_cli_dry_run_exit_codes(tmp_path, capsys):
    assert main(["--config", str(PAPER), "--output-dir", str(tmp_path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "error: stage fre: dataset 'data/lmm-r1/fre-text/train.jsonl' does not exist" in err
    assert "error: stage mgt: dataset 'data/lmm-r1/mgt-multimodal/train.jsonl' does not exist" in err
    assert main(["--config", str(PAPER), "--output-dir", str(tmp_path), "--dry-run", *SYNTHETIC]) == 0
    assert "all checks passed" in capsys.readouterr().out


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


@pytest.mark.slow
def test_paper_recipe_settings_run_through_trl_on_the_tiny_model(tmp_path):
    """The 3B recipe as written (KL with a reference model, no std scaling, the paper's system prompt,
    activation checkpointing), with only what this CPU machine cannot do swapped out: the model, vLLM,
    bf16, sizes and lengths."""
    from lmmr1.train.tiny import build_tiny_model

    model = build_tiny_model(tmp_path / "tiny")
    swaps = [
        f"model_name_or_path={model}",
        "dtype=float32",
        "trust_remote_code=true",
        "use_vllm=false",
        "bf16=false",
        "use_cpu=true",
        "max_completion_length=8",
        "num_generations=4",
        "per_device_train_batch_size=8",
        "gradient_accumulation_steps=1",
        "max_steps=1",
        "save_strategy=no",
        "torch_num_threads=1",
        *SYNTHETIC,
    ]
    plans = pipeline.plan(PAPER, output_dir=str(tmp_path / "run"), overrides=swaps)
    assert plans[0].training.beta == 1e-3 and plans[0].training.gradient_checkpointing
    results = pipeline.train_two_stage(plans, tmp_path / "run")
    assert [r.summary["global_step"] for r in results] == [1, 1]
    assert results[1].init_from == str(tmp_path / "run" / "fre" / "final")
    assert results[0].trainer.ref_model is not None  # beta > 0: the KL term has a reference model
