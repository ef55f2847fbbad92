"""Overhead of `train-two-stage` over plain TRL, and the share of step time spent computing rewards.

Same tiny model, same data, same GRPOConfig, same seed, same reward functions, same process; runs
alternate (plain, ours, plain, ours, ...) so that machine load hits both alike. With the same seed
both runs sample the same completions, so step i does the same work in both: the overhead ratio is
the median over steps of ours_i / plain_i, which cancels slow drifts in machine load. Step time is
the wall time between TRL's step callbacks, first step of each run left out (warm-up). Reward time is the time
inside ``GRPOTrainer._calculate_rewards`` (all reward functions, for every completion of a step).

    .venv/bin/python benchmarks/train_overhead.py [--steps 6] [--repeats 2] [--out runs/bench]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

import torch
from transformers import TrainerCallback
from trl import GRPOTrainer

from lmmr1.rewards import AccuracyReward, FormatReward
from lmmr1.train import pipeline
from lmmr1.train.stage import load_processor, prepare_dataset, run_stage
from lmmr1.verifiers.api import clear_caches
from lmmr1.verifiers.symbolic import parse_answer

RECIPE = Path(__file__).resolve().parents[1] / "recipes" / "tiny-cpu.yaml"


class StepTimer(TrainerCallback):
    def __init__(self) -> None:
        self.times: list[float] = []
        self._t = 0.0

    def on_step_begin(self, args, state, control, **kwargs):
        self._t = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.times.append(time.perf_counter() - self._t)


class RewardClock:
    """Wraps GRPOTrainer._calculate_rewards to add up the time spent in it (benchmark-only patch)."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self._orig = GRPOTrainer._calculate_rewards

    def __enter__(self):
        clock = self

        def timed(trainer, *args, **kwargs):
            t = time.perf_counter()
            try:
                return clock._orig(trainer, *args, **kwargs)
            finally:
                clock.calls.append(time.perf_counter() - t)

        GRPOTrainer._calculate_rewards = timed
        return self

    def __exit__(self, *exc):
        GRPOTrainer._calculate_rewards = self._orig


def plain_trl(plan, model_path: str, dataset, out: Path) -> tuple[list[float], list[float]]:
    args = plan.training
    args.output_dir = str(out)
    timer = StepTimer()
    with RewardClock() as clock:
        trainer = GRPOTrainer(
            model=model_path,
            reward_funcs=[FormatReward(style="strict"), AccuracyReward()],
            args=args,
            train_dataset=dataset,
            processing_class=load_processor(model_path, args.trust_remote_code, True),
            callbacks=[timer],
        )
        trainer.train()
    return timer.times, clock.calls


def ours(plan, model_path: str, dataset) -> tuple[list[float], list[float]]:
    timer = StepTimer()
    with RewardClock() as clock:
        run_stage(plan, model_path, callbacks=(timer,), dataset=dataset)
    return timer.times, clock.calls


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=6, help="optimiser steps per run")
    p.add_argument("--repeats", type=int, default=2, help="runs of each kind per stage")
    p.add_argument(
        "--out", default=None, help="folder for the runs and overhead.json (default: a temp folder)"
    )
    p.add_argument(
        "--threads", type=int, default=1, help="torch threads (1: steadier timings on a shared machine)"
    )
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.WARNING)
    out = Path(args.out or tempfile.mkdtemp(prefix="lmmr1-bench-"))
    overrides = [f"max_steps={args.steps}", "save_strategy=no", "synthetic_size=64", "logging_steps=1"]
    base = None
    report: dict[str, dict] = {}
    for stage in ("fre", "mgt"):
        times = {"plain_trl": [], "train_two_stage": []}
        paired: list[float] = []
        reward_s = {"plain_trl": [], "train_two_stage": []}
        for r in range(args.repeats):
            # Alternate who goes first, and start each run with cold verifier caches: with the same
            # seed both sample the same completions, and the second run would hit the first's cache.
            order = ("plain_trl", "train_two_stage") if r % 2 == 0 else ("train_two_stage", "plain_trl")
            for kind in order:
                clear_caches()
                parse_answer.cache_clear()
                run_dir = out / f"{stage}-{kind}-{r}"
                (plan,) = pipeline.plan(RECIPE, stages=[stage], output_dir=str(run_dir), overrides=overrides)
                base = base or pipeline.base_model([plan], out)
                dataset = prepare_dataset(plan)
                if kind == "plain_trl":
                    step_times, rs = plain_trl(plan, base, dataset, run_dir / stage)
                else:
                    step_times, rs = ours(plan, base, dataset)
                times[kind].extend(step_times[1:])  # first step: warm-up
                reward_s[kind].extend(rs[1:])  # one reward call a step (steps_per_generation 1)
            n = len(step_times) - 1
            paired += [
                o / p for p, o in zip(times["plain_trl"][-n:], times["train_two_stage"][-n:], strict=True)
            ]
        medians = {k: statistics.median(v) for k, v in times.items()}
        total = {k: sum(v) for k, v in times.items()}
        report[stage] = {
            "median_step_s": {k: round(v, 4) for k, v in medians.items()},
            "ratio_ours_over_plain": round(statistics.median(paired), 3),
            "paired_ratio_quartiles": [round(q, 3) for q in statistics.quantiles(paired, n=4)],
            "reward_share_of_step_time": {k: round(sum(reward_s[k]) / total[k], 4) for k in times},
            "steps_timed": {k: len(v) for k, v in times.items()},
        }
        print(
            f"stage {stage}: median step plain TRL {medians['plain_trl']:.3f} s, train-two-stage "
            f"{medians['train_two_stage']:.3f} s, ratio {report[stage]['ratio_ours_over_plain']:.3f}; "
            f"reward share {report[stage]['reward_share_of_step_time']}"
        )
    (out / "overhead.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out / 'overhead.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
