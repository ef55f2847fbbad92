"""One GRPO stage: dataset, rewards, TRL's ``GRPOTrainer``, a final checkpoint, reward curves.

A stage writes into ``<output_dir>/<stage>/``: TRL's ``checkpoint-N`` folders, then ``final/`` (model
and processor, loadable with the Auto classes, a model card naming the start, the settings record of
``rerun``) with ``lmmr1_stage.json`` marking it complete, and ``rewards.csv`` / ``rewards.png``.
Rerunning a complete stage skips it when its settings are the same (``rerun`` decides, and refuses
changed ones unless restarted); rerunning a stage that was killed resumes from its last checkpoint.
"""

from __future__ import annotations

import json
import logging
import re
import resource
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transformers.trainer_callback import PrinterCallback, ProgressCallback

from lmmr1.train import rerun
from lmmr1.train.config import RecipeError, StagePlan
from lmmr1.train.console import RewardProgressCallback
from lmmr1.train.data import add_system_prompt, has_images, load_stage_dataset
from lmmr1.train.model_card import write_card
from lmmr1.train.reward_log import RewardLogCallback
from lmmr1.train.rewards import build_rewards, shaping_for

logger = logging.getLogger(__name__)

FINAL = "final"
MARKER = "lmmr1_stage.json"
CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")  # transformers' PREFIX_CHECKPOINT_DIR folders
# transformers' Trainer writes trainer_state.json last in a checkpoint (after weights, optimizer, RNG).
CHECKPOINT_STATE = "trainer_state.json"


@dataclass
class StageResult:
    """What a stage produced; ``skipped`` when it had finished before, ``dry_run`` when nothing was trained."""

    name: str
    final_dir: Path
    init_from: str
    skipped: bool = False
    dry_run: bool = False
    resumed_from: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    trainer: Any = None  # the GRPOTrainer, for tests and benchmarks


def final_dir(plan: StagePlan) -> Path:
    return Path(plan.training.output_dir) / FINAL


def is_complete(stage_dir: Path) -> bool:
    return (stage_dir / FINAL / MARKER).is_file()


def prepare_dataset(plan: StagePlan):
    """Load the stage's dataset and add the system prompt; raises with a fix when it cannot."""
    s = plan.script
    ds = load_stage_dataset(
        s.dataset_name,
        config=s.dataset_config,
        split=s.dataset_train_split,
        max_samples=s.max_samples,
        synthetic_size=s.synthetic_size,
        seed=plan.training.seed,
    )
    if plan.name == "fre" and has_images(ds):
        logger.warning("stage fre's dataset %s has images; LMM-R1's FRE stage is text-only", s.dataset_name)
    if plan.name == "mgt" and not has_images(ds):
        logger.warning(
            "stage mgt's dataset %s has no image column; MGT is meant to be multimodal", s.dataset_name
        )
    return add_system_prompt(ds, s.system_prompt)


def _checkpoint_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot be resumed from (None: it can): a kill mid-save leaves it without its state."""
    state = folder / CHECKPOINT_STATE
    if not state.is_file():
        return f"no {CHECKPOINT_STATE} (killed while saving?)"
    try:
        json.loads(state.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return f"{CHECKPOINT_STATE} is cut short ({exc})"
    return None


def last_complete_checkpoint(stage_dir: Path) -> str | None:
    """The newest ``checkpoint-N`` folder in ``stage_dir`` that was saved whole; incomplete ones are logged."""
    if not stage_dir.is_dir():
        return None
    found = [(int(m.group(1)), p) for p in stage_dir.iterdir() if p.is_dir() and (m := CHECKPOINT.match(p.name))]
    for _, folder in sorted(found, reverse=True):
        problem = _checkpoint_problem(folder)
        if problem is None:
            return str(folder)
        logger.warning("not resuming from %s: %s; trying an older checkpoint", folder, problem)
    return None


def load_processor(
    model_path: str, trust_remote_code: bool, needs_images: bool,
    min_pixels: int | None = None, max_pixels: int | None = None,
):
    """The model's processor, refusing a bare tokenizer when the data has images.

    ``min_pixels`` / ``max_pixels`` (None: the model's own) bound the pixels each image is resized
    to, as Qwen2.5-VL's image processor reads them (28x28 pixels make one image token there).
    """
    from transformers import AutoProcessor, ProcessorMixin

    pixels = {k: v for k, v in (("min_pixels", min_pixels), ("max_pixels", max_pixels)) if v is not None}
    processor = AutoProcessor.from_pretrained(
        model_path, trust_remote_code=trust_remote_code, padding_side="left", truncation_side="left", **pixels
    )
    if needs_images and not isinstance(processor, ProcessorMixin):
        raise RecipeError(
            f"AutoProcessor loaded a {type(processor).__name__} from {model_path}, not a multimodal processor, "
            "so images would never reach the model. Check processor_config.json's processor_class (and set "
            "trust_remote_code: true for lmmr1's tiny model, whose processor is shipped as code)."
        )
    return processor


def run_stage(
    plan: StagePlan,
    init_from: str,
    *,
    dry_run: bool = False,
    callbacks: tuple = (),
    dataset=None,
    restart: bool = False,
) -> StageResult:
    """Train one stage from ``init_from`` (a model directory or Hub id) with ``plan``'s settings.

    ``dataset``: the stage's prepared dataset, when already loaded (else ``prepare_dataset(plan)``).
    A stage that finished before is skipped when its settings and start are the same, refused when
    they differ, and, with ``restart``, trained again from ``init_from`` (its folder is emptied first).
    """
    stage_dir = Path(plan.training.output_dir)
    result = StageResult(plan.name, final_dir(plan), init_from, dry_run=dry_run)
    reward_funcs = build_rewards(plan.script.reward_funcs, plan.script.verifier, shaping_for(plan))
    if dataset is None:
        dataset = prepare_dataset(plan)
    logger.info(
        "stage %s: %d rows from %s, rewards %s, init from %s",
        plan.name,
        len(dataset),
        plan.script.dataset_name,
        plan.script.reward_funcs,
        init_from,
    )
    if dry_run:
        return result
    if is_complete(stage_dir):
        (decision,) = rerun.decide([plan], {plan.name: init_from}, {plan.name: result.final_dir}, restart)
        if decision.action == "refuse":
            raise RecipeError(rerun.refusal([decision]))
        if decision.action == "skip":
            logger.info("stage %s already finished in %s with the same settings; skipping it", plan.name, stage_dir)
            result.skipped = True
            return result
    if restart:  # every process enters: the folder may already be gone when another one looks
        _empty(stage_dir)

    resume = plan.training.resume_from_checkpoint
    if resume is None:
        resume = last_complete_checkpoint(stage_dir)
    result.resumed_from = resume
    if resume:
        logger.info("stage %s: resuming from %s", plan.name, resume)

    apply_threads(plan)
    settings = rerun.stage_settings(plan)  # before the Trainer adjusts its arguments
    _record_start(stage_dir, plan, init_from, settings)
    from lmmr1.evaluate.callback import callbacks_for

    reward_log = RewardLogCallback()
    evals = callbacks_for(plan)  # the recipe's eval: section
    trainer = build_trainer(plan, init_from, dataset, reward_funcs, callbacks=(reward_log, *evals, *callbacks))
    for cb in evals:
        cb.trainer = trainer
    result.trainer = trainer
    start = time.perf_counter()
    train_output = trainer.train(resume_from_checkpoint=resume)
    seconds = time.perf_counter() - start

    trainer.save_model(str(result.final_dir))  # model and processor
    if trainer.is_world_process_zero():
        write_card(result.final_dir, plan, init_from)
        result.summary = _summary(plan, trainer, train_output, seconds, init_from, resume, reward_log)
        if plan.script.plot_rewards:
            written = reward_log.write(stage_dir, title=f"stage {plan.name}")
            if written:
                result.summary["plots"] = [str(p) for p in written]
        result.summary["run_id"] = rerun.write_record(result.final_dir, plan, init_from, settings)["run_id"]
        (result.final_dir / MARKER).write_text(json.dumps(result.summary, indent=2) + "\n")
        _log_summary(plan.name, result.summary)
    trainer.accelerator.wait_for_everyone()
    return result


def _record_start(stage_dir: Path, plan: StagePlan, init_from: str, settings: dict[str, Any]) -> None:
    """The settings record in the stage's folder, so that resuming it after a kill can be checked."""
    from accelerate import PartialState

    if PartialState().is_main_process:
        stage_dir.mkdir(parents=True, exist_ok=True)
        rerun.write_record(stage_dir, plan, init_from, settings)


def _empty(stage_dir: Path) -> None:
    """Remove a finished stage's folder before it trains again (--restart); one process removes it."""
    from accelerate import PartialState

    state = PartialState()
    if state.is_main_process and stage_dir.exists():
        logger.warning("stage %s: --restart: removing %s (its checkpoints and final model)", stage_dir.name, stage_dir)
        shutil.rmtree(stage_dir)
    state.wait_for_everyone()


def _stage_trainer_class():
    """TRL's ``GRPOTrainer`` with lmmr1's model card (``model_card``) at each checkpoint save."""
    from trl import GRPOTrainer

    class StageTrainer(GRPOTrainer):
        lmmr1_plan: StagePlan | None = None
        lmmr1_init_from: str | None = None

        def create_model_card(self, model_name=None, dataset_name=None, tags=None):
            if self.is_world_process_zero() and self.lmmr1_plan is not None:
                write_card(self.args.output_dir, self.lmmr1_plan, self.lmmr1_init_from)

    return StageTrainer


def build_trainer(plan: StagePlan, init_from: str, dataset, reward_funcs=None, callbacks: tuple = ()):
    """TRL's ``GRPOTrainer`` for one stage, set up exactly as ``run_stage`` trains it (not yet trained).

    ``reward_funcs``: already built reward functions (default: built from the plan's names).
    """
    args = plan.training
    processor = load_processor(
        init_from, args.trust_remote_code, has_images(dataset), plan.script.min_pixels, plan.script.max_pixels
    )
    trainer = _stage_trainer_class()(
        model=init_from,
        reward_funcs=reward_funcs if reward_funcs is not None else build_rewards(plan.script.reward_funcs, plan.script.verifier, shaping_for(plan)),
        args=args,
        train_dataset=dataset,
        processing_class=processor,
        callbacks=list(callbacks),
    )
    trainer.lmmr1_plan, trainer.lmmr1_init_from = plan, init_from
    if plan.script.freeze_vision_tower:
        freeze_vision_tower(trainer.model)
    _console(trainer, echo=plan.script.print_logs)
    return trainer


def apply_threads(plan: StagePlan) -> None:
    """``torch_num_threads``, applied when the stage starts training (a process setting: never while parsing)."""
    threads = plan.script.torch_num_threads
    if not threads:
        return
    import torch

    if torch.get_num_threads() != threads:
        logger.info("stage %s: torch.set_num_threads(%d) (torch_num_threads)", plan.name, threads)
        torch.set_num_threads(threads)


def freeze_vision_tower(model) -> int:
    """Stop gradients to every parameter of ``model``'s ``visual`` submodule; returns how many were frozen.

    Called before training starts, so the optimiser (built in ``train()``) never sees them.
    """
    towers = [m for name, m in model.named_modules() if name.rsplit(".", 1)[-1] == "visual"]
    if not towers:
        raise RecipeError(
            f"freeze_vision_tower: {type(model).__name__} has no 'visual' submodule to freeze; "
            "set freeze_vision_tower: false for this model"
        )
    frozen = 0
    for tower in towers:
        for p in tower.parameters():
            p.requires_grad_(False)
            frozen += p.numel()
    logger.info("froze the vision tower: %d parameters", frozen)
    return frozen


def _console(trainer, echo: bool) -> None:
    """The Trainer's progress bar with the reward in it (``RewardProgressCallback``); with ``echo``
    false (``print_logs: false``), no print of each metrics dict, by the bar or by ``PrinterCallback``."""
    bar = not trainer.args.disable_tqdm
    if not echo:
        trainer.remove_callback(PrinterCallback)
    if bar:
        trainer.remove_callback(ProgressCallback)
        trainer.add_callback(RewardProgressCallback(echo=echo))


def _summary(plan, trainer, train_output, seconds, init_from, resume, reward_log) -> dict[str, Any]:
    steps = trainer.state.global_step
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
    return {
        "stage": plan.name,
        "init_from": str(init_from),
        "resumed_from": resume,
        "dataset_name": plan.script.dataset_name,
        "reward_funcs": list(plan.script.reward_funcs),
        "reward_weights": plan.training.reward_weights,
        "global_step": steps,
        "train_seconds": round(seconds, 2),
        "train_runtime": train_output.metrics.get("train_runtime"),
        "peak_rss_mib": round(peak, 1),
        "first_last_10pct": {k: [round(a, 4), round(b, 4)] for k, (a, b) in reward_log.summary().items()},
        # the best 10 % window: [mean, its first step, its last step]
        "best_10pct": {k: [round(m, 4), int(a), int(b)] for k, (m, a, b) in reward_log.best().items()},
    }


def _log_summary(name: str, summary: dict[str, Any]) -> None:
    logger.info(
        "stage %s: %d steps in %.1f s, peak RSS %.0f MiB",
        name,
        summary["global_step"],
        summary["train_seconds"],
        summary["peak_rss_mib"],
    )
    for line in reward_lines(summary):
        logger.info("stage %s: %s", name, line)


def reward_lines(summary: dict[str, Any]) -> list[str]:
    """One line per reward column of a stage's summary: its first, best and last 10 % windows."""
    lines = []
    best = summary.get("best_10pct", {})
    for key, (first, last) in summary.get("first_last_10pct", {}).items():
        line = f"mean {key} reward over 10 % of the steps: first {first:.3f}"
        if key in best:
            mean, start, end = best[key]
            line += f", best {mean:.3f} (steps {start:,}-{end:,})"
        lines.append(line + f", last {last:.3f}")
    return lines
