"""The paper's experiments (recipes/lmm-r1/): the authors' settings, and dry runs on prepared fixture data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytest.importorskip("trl")

from lmmr1.curation.cli import main as curate  # noqa: E402
from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.cli import main as train  # noqa: E402
from lmmr1.train.config import RecipeError  # noqa: E402
from lmmr1.train.rewards import build_rewards  # noqa: E402
from tests.curation.paper_data import local_manifest, write_paper_data  # noqa: E402

PAPER = Path(__file__).resolve().parents[2] / "recipes" / "lmm-r1"
TWO_STAGE = {"fre-text-mgt-geo.yaml": "mgt-geo", "fre-text-mgt-percereason.yaml": "vermulti-60k"}
ONE_STAGE = {"fre-multi.yaml": "vermulti-60k", "direct-rl-geo.yaml": "mgt-geo"}
RECIPES = {**TWO_STAGE, **ONE_STAGE}


def _stages(name: str) -> list[str]:
    return ["fre"] if name in ONE_STAGE else ["fre", "mgt"]


def _plan(name: str, tmp_path: Path, overrides=()):
    # no stages given: the recipe's own (the one-stage baselines have a fre: section only)
    plans = pipeline.plan(PAPER / name, output_dir=str(tmp_path / "run"), overrides=list(overrides), for_dry_run=True)
    assert [p.name for p in plans] == _stages(name)
    return plans


@pytest.fixture(scope="module")
def prepared_cwd(tmp_path_factory):
    """A folder where `curate prepare` wrote data/lmm-r1 from fixtures, as the README's command does."""
    root = tmp_path_factory.mktemp("paper")
    write_paper_data(root / "src")
    manifest = local_manifest(PAPER / "data.yaml", root / "src", root / "data.yaml")
    assert curate(["prepare", "--manifest", str(manifest), "--output-dir", str(root / "data" / "lmm-r1")]) == 0
    return root


def test_the_papers_four_experiments_have_recipes():
    assert set(RECIPES) <= {p.name for p in PAPER.glob("*.yaml")}  # other recipes (e.g. Sokoban) may sit beside


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipes_have_the_authors_settings(name, tmp_path):
    plans = _plan(name, tmp_path)
    for p in plans:
        t = p.training
        assert (t.num_generations, t.temperature, t.beta, t.num_train_epochs, t.num_iterations) == (16, 1.0, 1e-3, 1, 1)
        # 256 prompts x 16 per rollout; 256 samples per optimiser step on 8 GPUs: 16 steps per rollout
        assert t.generation_batch_size == 256 * 16
        assert t.generation_batch_size // (t.per_device_train_batch_size * t.gradient_accumulation_steps * 8) == 16
        assert t.scale_rewards == "batch" and t.loss_type == "dapo"
        assert t.bf16 and t.gradient_checkpointing and t.use_vllm and t.vllm_mode == "colocate"
        assert t.vllm_enable_sleep_mode
        assert p.script.reward_funcs == ["format", "accuracy"] and t.reward_weights == [0.5, 1.0]
        assert p.model.model_name_or_path == "Qwen/Qwen2.5-VL-3B-Instruct"
    fre = plans[0].training
    expected_fre_lr = 1e-6 if name == "direct-rl-geo.yaml" else 4e-7
    assert (fre.learning_rate, fre.max_completion_length) == (expected_fre_lr, 4096)
    if name == "fre-text-mgt-geo.yaml":
        assert (plans[1].training.learning_rate, plans[1].training.max_completion_length) == (1e-6, 4096)
    if name == "fre-text-mgt-percereason.yaml":
        assert (plans[1].training.learning_rate, plans[1].training.max_completion_length) == (4e-7, 8192)


def test_recipes_state_their_deviations():
    for name in RECIPES:
        text = (PAPER / name).read_text()
        assert "DEVIATION: TRL puts the KL" in text and "no max_prompt_length" in text
        if name in ("fre-text-mgt-geo.yaml", "direct-rl-geo.yaml"):
            assert "GRPO has no" in text and "critic" in text


def test_recipes_share_one_verifier_config():
    configs = {name: yaml.safe_load((PAPER / name).read_text())["verifier"] for name in RECIPES}
    assert len({repr(c) for c in configs.values()}) == 1, configs


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_dry_run_passes_after_prepare(name, prepared_cwd, monkeypatch, capsys):
    monkeypatch.chdir(prepared_cwd)  # the recipes' data/lmm-r1/... paths are relative, as in the README
    args = ["--config", str(PAPER / name), "--output-dir", str(prepared_cwd / "runs" / name), "--dry-run"]
    assert train(args) == 0, capsys.readouterr().err  # no --stages: the README's commands pass none
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("stage ")] == [
        f"stage {s}" for s in _stages(name)
    ]
    assert "all checks passed" in out and f"data/lmm-r1/{RECIPES[name]}/train.jsonl" in out


def test_dry_run_without_prepared_data_names_the_files(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert train(["--config", str(PAPER / "fre-text-mgt-geo.yaml"), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "dataset 'data/lmm-r1/fre-text/train.jsonl' does not exist" in err
    assert "dataset 'data/lmm-r1/mgt-geo/train.jsonl' does not exist" in err


def test_data_paths_can_be_overridden(prepared_cwd, tmp_path):
    data = prepared_cwd / "data" / "lmm-r1" / "mgt-geo" / "train.jsonl"
    plans = _plan("direct-rl-geo.yaml", tmp_path, [f"fre.dataset_name={data}"])
    report = pipeline.dry_run(plans, tmp_path / "run", None)
    assert report.ok, report.problems


def _accuracy(plan) -> float:
    (reward,) = build_rewards(["accuracy"], plan.script.verifier)
    return reward(completions=["<answer>$5 cm$</answer>"], solution=["$5$"], task=["math"])[0]


def test_verifier_key_changes_the_reward_verdict(tmp_path):
    name = "fre-multi.yaml"
    (default,) = _plan(name, tmp_path)
    (strict,) = _plan(name, tmp_path, ["verifier={math: {units: strict}}"])
    assert _accuracy(default) == 1.0  # the recipes' `units: strip`: 5 cm is 5
    assert _accuracy(strict) == 0.0


def test_bad_verifier_key_fails_before_training(tmp_path):
    with pytest.raises(RecipeError, match="verifier"):
        _plan("fre-multi.yaml", tmp_path, ["verifier={math: {units: loose}}"])
    with pytest.raises(RecipeError, match="verifier must map"):
        _plan("fre-multi.yaml", tmp_path, ["verifier={algebra: {}}"])


@pytest.mark.slow
def test_paper_recipe_settings_run_through_trl_on_the_tiny_model(tmp_path):
    """A paper recipe as written (KL with a reference model, batch-std scaling, the paper's system prompt),
    with only what this CPU machine cannot do swapped out: the model, vLLM, bf16, sizes and lengths."""
    from lmmr1.train.tiny import build_tiny_model

    model = build_tiny_model(tmp_path / "tiny")
    swaps = [
        f"model_name_or_path={model}", "dtype=float32", "trust_remote_code=true", "use_vllm=false",
        "bf16=false", "use_cpu=true", "max_completion_length=8", "num_generations=4",
        "per_device_train_batch_size=8", "gradient_accumulation_steps=1", "generation_batch_size=8",
        "max_steps=1", "save_strategy=no", "torch_num_threads=1",
        "fre.dataset_name=synthetic:fre", "mgt.dataset_name=synthetic:mgt", "synthetic_size=8",
    ]
    recipe = PAPER / "fre-text-mgt-percereason.yaml"
    plans = pipeline.plan(recipe, output_dir=str(tmp_path / "run"), overrides=swaps)
    assert plans[0].training.beta == 1e-3 and plans[0].training.gradient_checkpointing
    results = pipeline.train_two_stage(plans, tmp_path / "run")
    assert [r.summary["global_step"] for r in results] == [1, 1]
    assert results[1].init_from == str(tmp_path / "run" / "fre" / "final")
    assert results[0].trainer.ref_model is not None  # beta > 0: the KL term has a reference model
