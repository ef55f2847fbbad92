"""Evaluation during training: a TRL ``TrainerCallback`` running ``lmmr1.evaluate`` on the model in memory.

A recipe's ``eval:`` section turns it on (``lmmr1.train.config``):

.. code-block:: yaml

    eval:
      benchmarks: [tiny_mgt_heldout]   # registry names
      limit: 64                        # items per benchmark
      eval_steps: 500                  # optimiser steps between evaluations
      eval_before_train: true          # also at step 0: the starting point of the curve

Each evaluation writes ``<stage>/eval/step-N/<benchmark>/`` (the usual predictions and results),
logs ``eval/<benchmark>/accuracy`` through the trainer (TRL's logs and its ``report_to``
integrations), and at the end of the stage ``eval.csv`` and ``eval.png`` are written beside
``rewards.csv``. Generation runs on the main process only; under ZeRO-3, where every rank holds a
shard, evaluate the saved checkpoints with ``lmmr1 evaluate`` instead.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from lmmr1.evaluate.backends import GenerationSettings
from lmmr1.evaluate.backends.hf import TransformersBackend
from lmmr1.evaluate.runner import EvalSettings, evaluate

logger = logging.getLogger(__name__)

EVAL_CSV = "eval.csv"
EVAL_PNG = "eval.png"


class EvaluateCallback(TrainerCallback):
    """Greedy accuracy on ``benchmarks`` every ``eval_steps`` optimiser steps (and at step 0 if asked).

    Set ``trainer`` after building the trainer so results go through ``trainer.log``; without it
    they are appended to ``state.log_history`` only.
    """

    def __init__(
        self,
        benchmarks: Sequence[str],
        output_dir: str | Path,
        eval_steps: int | None = None,
        eval_before_train: bool = False,
        limit: int | None = None,
        data_dir: str | None = None,
        batch_size: int = 16,
    ) -> None:
        if eval_steps is not None and eval_steps < 1:
            raise ValueError(f"eval.eval_steps must be a positive number of optimiser steps, got {eval_steps}")
        self.benchmarks = list(benchmarks)
        self.output_dir = Path(output_dir)
        self.eval_steps = eval_steps
        self.eval_before_train = eval_before_train
        self.settings = EvalSettings(limit=limit, data_dir=data_dir, generation=GenerationSettings(batch_size=batch_size))
        self.trainer: Any = None
        self.rows: list[dict[str, float]] = []
        self._done: set[int] = set()

    def _run(self, state, control, model, processor) -> None:
        step = state.global_step
        if step in self._done or not state.is_world_process_zero or model is None or processor is None:
            return
        self._done.add(step)
        model = getattr(model, "module", model)
        was_training = model.training
        model.eval()
        try:
            backend = TransformersBackend(model, processor, self.settings.generation)
            folder = self.output_dir / "eval" / f"step-{step}"
            results = evaluate(f"{self.output_dir.name}@step-{step}", self.benchmarks, folder, self.settings, backend=backend)
            logs = {f"eval/{r['benchmark']}/accuracy": r["accuracy"] for r in results}
            self.rows.append({"step": float(step), **{r["benchmark"]: r["accuracy"] for r in results}})
            logger.info("step %d: %s", step, ", ".join(f"{k} {v:.3f}" for k, v in logs.items()))
            if self.trainer is not None:
                # In eval mode GRPOTrainer leaves the training metrics alone; Trainer.log clears
                # should_log, which this step's own training log still needs.
                should_log = control.should_log
                self.trainer.log(logs)
                control.should_log = self.trainer.control.should_log = should_log
            else:
                state.log_history.append({**logs, "step": step})
        finally:
            model.train(was_training)

    def on_train_begin(self, args, state, control, model=None, processing_class=None, **kwargs):
        if self.eval_before_train and state.global_step == 0:
            self._run(state, control, model, processing_class)

    def on_step_end(self, args, state, control, model=None, processing_class=None, **kwargs):
        if self.eval_steps and state.global_step % self.eval_steps == 0:
            self._run(state, control, model, processing_class)

    def on_train_end(self, args, state, control, model=None, processing_class=None, **kwargs):
        if self.eval_steps:
            self._run(state, control, model, processing_class)  # the final model, unless just evaluated
        if self.rows and state.is_world_process_zero:
            self.write(self.output_dir)

    def write(self, out_dir: Path) -> tuple[Path, Path]:
        out_dir.mkdir(parents=True, exist_ok=True)
        csv_path, png_path = out_dir / EVAL_CSV, out_dir / EVAL_PNG
        cols = ["step", *self.benchmarks]
        with csv_path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=cols)
            writer.writeheader()
            for row in self.rows:
                writer.writerow({c: row.get(c, "") for c in cols})
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 3.5))
        ax = fig.add_subplot()
        steps = [r["step"] for r in self.rows]
        for b in self.benchmarks:
            ax.plot(steps, [r.get(b) for r in self.rows], marker="o", label=b)
        ax.set_xlabel("optimiser step")
        ax.set_ylabel("greedy accuracy")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        fig.savefig(png_path, dpi=100)
        return csv_path, png_path


def callbacks_for(plan) -> list[EvaluateCallback]:
    """The evaluation callback a stage's plan asks for (its ``eval_*`` script arguments), if any."""
    s = plan.script
    benchmarks = list(getattr(s, "eval_benchmarks", None) or [])
    if not benchmarks:
        return []
    from lmmr1.evaluate import registry

    for name in benchmarks:
        registry.get(name)  # an unknown name fails before training starts
    return [
        EvaluateCallback(
            benchmarks,
            plan.training.output_dir,
            eval_steps=s.eval_steps_between,
            eval_before_train=s.eval_before_train,
            limit=s.eval_limit,
            data_dir=s.eval_data_dir,
        )
    ]
