"""The two-stage pipeline: FRE (text-only GRPO) then MGT (multimodal GRPO from FRE's checkpoint)."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from lmmr1.errors import UserError
from lmmr1.train import rerun
from lmmr1.train.config import STAGES, RecipeError, StagePlan, load_recipe, plan_stages
from lmmr1.train.data import DatasetSourceMissing, check_dataset_name, describe_dataset, looks_local
from lmmr1.train.stage import StageResult, final_dir, is_complete, prepare_dataset, run_stage

logger = logging.getLogger(__name__)

TINY_BASE = "tiny-base"
HUB_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?$")  # "gpt2", "Qwen/Qwen2.5-VL-3B-Instruct"


@dataclass
class DryRunReport:
    """What ``--dry-run`` checked: one line per stage, and the problems it found (empty: all good)."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    missing_datasets: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def plan(
    config: str | Path,
    *,
    stages: list[str] | None = None,
    output_dir: str | None = None,
    overrides: tuple[str, ...] | list[str] = (),
    cli_args: list[str] | None = None,
    for_dry_run: bool = False,
) -> list[StagePlan]:
    """Read the recipe, apply overrides and parse one ``StagePlan`` per stage (in running order).

    ``stages`` unset: the stages the recipe file has sections for (``recipe_stages``).
    ``for_dry_run`` on a machine without a GPU parses with ``use_cpu: true``, because
    ``TrainingArguments`` refuses ``bf16`` on a CPU-only machine otherwise; nothing else changes.
    """
    stages = stages or recipe_stages(load_recipe(config))
    recipe = load_recipe(config, overrides)
    if for_dry_run and not recipe.get("use_cpu") and not _has_accelerator():
        logger.info("dry run on a machine without a GPU: checking the recipe with use_cpu=true")
        recipe["use_cpu"] = True
    if output_dir is not None:
        recipe["output_dir"] = output_dir
    if not recipe.get("output_dir"):
        raise RecipeError(f"{config}: set output_dir in the recipe or pass --output-dir DIR")
    base = Path(recipe["output_dir"])
    for stage in stages:
        section = recipe.setdefault(stage, {}) or {}
        recipe[stage] = section
        if "output_dir" in section:
            raise RecipeError(
                f"{config}: {stage}.output_dir is set; stages always write to <output_dir>/{stage}"
            )
        section["output_dir"] = str(base / stage)
    return plan_stages(recipe, stages, name=str(config), cli_args=cli_args)


def recipe_stages(recipe: dict) -> list[str]:
    """The stages a recipe (as written, before overrides) has a ``fre:`` / ``mgt:`` section for; with
    neither, both, since its top-level keys apply to every stage."""
    return [s for s in STAGES if s in recipe] or list(STAGES)


def _has_accelerator() -> bool:
    import torch

    return torch.cuda.is_available()


def base_model(plans: list[StagePlan], output_dir: Path) -> str:
    """The model the first stage starts from: the recipe's model, or the tiny model built on the spot."""
    first = plans[0]
    if first.script.build_tiny_model:
        if first.model.model_name_or_path:
            raise RecipeError("build_tiny_model: true and model_name_or_path are both set; keep one")
        from accelerate import PartialState

        from lmmr1.train.tiny import build_tiny_model

        with PartialState().main_process_first():  # one process builds, the others then reuse it
            return str(build_tiny_model(output_dir / TINY_BASE, seed=first.training.seed))
    if not first.model.model_name_or_path:
        raise RecipeError("no model: set model_name_or_path (or build_tiny_model: true) in the recipe")
    check_model_source(first.model.model_name_or_path, "model_name_or_path")
    return first.model.model_name_or_path


def check_model_source(name: str, what: str) -> None:
    """Refuse a model path that does not exist; a Hub id (``org/name``) is left for loading to check."""
    if Path(name).expanduser().exists() or (HUB_ID.match(name) and not looks_local(name)):
        return
    raise RecipeError(f"{what} {name!r} does not exist (resolved to {Path(name).expanduser().resolve()})")


def apply_process_settings(plans: list[StagePlan]) -> None:
    """The recipe's ``env:`` variables, set once when a real run starts (parsing and --dry-run set none).

    (``torch_num_threads``, the other process setting, is applied by each stage as it starts training.)
    Only the names are logged: values may be credentials.
    """
    env = dict(plans[0].env)
    if env:
        logger.info("setting environment variables from the recipe's env: %s", ", ".join(env))
        os.environ.update(env)


def init_for(stage: str, stages: list[str], output_dir: Path, base: str, init_from: str | None) -> str:
    """Where ``stage`` starts: --init-from for the first stage run, else the previous stage's final checkpoint.

    MGT never silently falls back to the base model: without FRE in this run and without
    --init-from, it needs a finished FRE stage in the same output directory.
    """
    first = stage == stages[0]
    if first and init_from:
        return init_from
    if stage == "fre":
        return base
    fre_dir = output_dir / "fre"
    if "fre" in stages or is_complete(fre_dir):
        return str(fre_dir / "final")
    raise RecipeError(
        f"stage mgt starts from stage fre's final checkpoint, and {fre_dir / 'final'} is not a finished one. "
        "Run `--stages fre,mgt`, or pass `--init-from DIR` with the FRE checkpoint to start from."
    )


def dry_run(plans: list[StagePlan], output_dir: Path, init_from: str | None, restart: bool = False) -> DryRunReport:
    """Validate everything that can be checked without loading weights; collect problems, don't stop at one.

    Also says what the run would do with stages that finished before (``rerun.decide``): skip them,
    train them again (``restart``), or refuse because their settings changed.
    """
    report = DryRunReport()
    stages = [p.name for p in plans]
    first = plans[0]
    if first.script.build_tiny_model:
        real_base = str(output_dir / TINY_BASE)
        base = real_base + " (built when training starts)"
    else:
        real_base = base = first.model.model_name_or_path or "<unset>"
        if not first.model.model_name_or_path:
            report.problems.append("no model: set model_name_or_path (or build_tiny_model: true)")
        else:
            _collect(report, check_model_source, base, "model_name_or_path")
    if init_from:
        _collect(report, check_model_source, init_from, "--init-from")
    starts = {}
    for p in plans:
        try:
            starts[p.name] = init_for(p.name, stages, output_dir, real_base, init_from)
        except RecipeError as exc:
            report.problems.append(str(exc))
    decisions = {}
    if len(starts) == len(plans):
        decisions = {d.stage: d for d in rerun.decide(plans, starts, _final_dirs(plans), restart)}
        if (refused := rerun.refusal(list(decisions.values()))) is not None:
            report.problems.append(refused)
    for p in plans:
        start = starts.get(p.name, "?")
        shown = base if start == real_base else start
        t = p.training
        then = f"; {rerun.describe(decisions[p.name])}" if p.name in decisions and decisions[p.name].action != "train" else ""
        report.lines.append(
            f"stage {p.name}: init from {shown}; dataset {describe_dataset(p.script.dataset_name)}; rewards "
            f"{p.script.reward_funcs} x {t.reward_weights}; lr {t.learning_rate}, G={t.num_generations}, "
            f"T={t.temperature}, beta={t.beta}, max_completion_length={t.max_completion_length}, "
            f"scale_rewards={t.scale_rewards}, loss={t.loss_type}, epochs={t.num_train_epochs}, "
            f"max_steps={t.max_steps}, use_vllm={t.use_vllm} ({t.vllm_mode}), bf16={t.bf16} -> {t.output_dir}{then}"
        )
        try:
            run_stage(p, start, dry_run=True)  # builds rewards and the dataset, loads no weights
        except DatasetSourceMissing as exc:
            report.missing_datasets.append(str(p.script.dataset_name))
            report.problems.append(f"stage {p.name}: {exc}")
        except UserError as exc:
            report.problems.append(f"stage {p.name}: {exc}")
    return report


def _final_dirs(plans: list[StagePlan]) -> dict[str, Path]:
    return {p.name: final_dir(p) for p in plans}


def _collect(report: DryRunReport, check, *args) -> None:
    try:
        check(*args)
    except UserError as exc:
        report.problems.append(str(exc))


def train_two_stage(
    plans: list[StagePlan],
    output_dir: Path,
    init_from: str | None = None,
    callbacks: tuple = (),
    restart: bool = False,
) -> list[StageResult]:
    """Run the planned stages in order; each later stage starts from the previous one's final checkpoint.

    Every stage's data (and, by the plans' construction, its rewards) is checked before any model is
    built or loaded: a bad MGT section fails before FRE spends hours. So is every finished stage's
    record (``rerun``): one finished with other settings is refused, naming them, unless ``restart``.
    """
    apply_process_settings(plans)
    for p in plans:  # the checks that read nothing first: a missing MGT file fails in seconds
        check_dataset_name(p.script.dataset_name)
    if init_from:
        check_model_source(init_from, "--init-from")
    stages = [p.name for p in plans]
    first = plans[0]
    planned_base = str(output_dir / TINY_BASE) if first.script.build_tiny_model else first.model.model_name_or_path
    starts = {p.name: init_for(p.name, stages, output_dir, planned_base or "", init_from) for p in plans}
    decisions = {d.stage: d for d in rerun.decide(plans, starts, _final_dirs(plans), restart)}
    if (refused := rerun.refusal(list(decisions.values()))) is not None:
        raise RecipeError(refused)
    from accelerate import PartialState

    # Every process decides before any removes a folder to retrain it (--restart), so that all of them
    # make the same decisions, and all enter the same barriers.
    PartialState().wait_for_everyone()
    datasets = {p.name: prepare_dataset(p) for p in plans}
    base = base_model(plans, output_dir)
    results = []
    for p in plans:
        start = init_for(p.name, stages, output_dir, base, init_from)
        results.append(
            run_stage(
                p, start, callbacks=callbacks, dataset=datasets[p.name], restart=decisions[p.name].action == "restart"
            )
        )
    return results
