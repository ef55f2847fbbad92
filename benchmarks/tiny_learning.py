"""Repeat the tiny two-stage run over seeds: the numbers behind tests/train/test_learning.py's margins.

    python benchmarks/tiny_learning.py --seeds 0 1 2 --out runs/tiny-learning

For each seed: ``train-two-stage --config recipes/tiny-cpu.yaml seed=S``, then the mean reward of
each stage's first and last 10 % of steps (total, format, accuracy), and the MGT checkpoint's
greedy accuracy on held-out items with their images and with blank images. Writes summary.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lmmr1.evaluate.greedy import greedy_accuracy, greedy_kwargs
from lmmr1.train import cli, pipeline
from lmmr1.train.reward_log import first_last, read_rows
from lmmr1.train.synthetic import blank_images, make_mgt_dataset

REPO = Path(__file__).resolve().parents[1]


def first_last_rounded(path: Path) -> dict[str, list[float]]:
    return {c: [round(a, 3), round(b, 3)] for c, (a, b) in first_last(read_rows(path)).items()}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--out", default="runs/tiny-learning")
    p.add_argument("--recipe", default=str(REPO / "recipes" / "tiny-cpu.yaml"))
    p.add_argument("overrides", nargs="*", help="key=value recipe overrides, as for train-two-stage")
    a = p.parse_args()
    summary = {}
    for seed in a.seeds:
        out = Path(a.out) / f"seed{seed}"
        start = time.perf_counter()
        rc = cli.main(["--config", a.recipe, "--output-dir", str(out), f"seed={seed}", "--log-level", "WARNING", *a.overrides])
        if rc != 0:
            return rc
        seconds = time.perf_counter() - start
        held_out = make_mgt_dataset(128, seed=10_000 + seed)
        (mgt,) = pipeline.plan(a.recipe, stages=["mgt"], output_dir=str(out), overrides=a.overrides)
        as_trained = greedy_kwargs(mgt)  # the MGT stage's own prompts and completion length
        result = {
            "seconds": round(seconds, 1),
            "fre": first_last_rounded(out / "fre" / "rewards.csv"),
            "mgt": first_last_rounded(out / "mgt" / "rewards.csv"),
            "mgt_greedy_accuracy": round(greedy_accuracy(out / "mgt" / "final", held_out, **as_trained), 3),
            "mgt_greedy_accuracy_blank": round(greedy_accuracy(out / "mgt" / "final", blank_images(held_out), **as_trained), 3),
            "plots": [str(out / s / "rewards.png") for s in ("fre", "mgt")],
        }
        summary[seed] = result
        print(f"seed {seed}: {json.dumps(result)}", flush=True)
    Path(a.out).mkdir(parents=True, exist_ok=True)
    (Path(a.out) / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
