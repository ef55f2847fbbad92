"""Repeat the tiny two-stage run over seeds: the numbers behind tests/train/test_learning.py's margins.

    python benchmarks/tiny_learning.py --seeds 0 1 2 --out runs/tiny-learning

For each seed: ``train-two-stage --config recipes/tiny-cpu.yaml seed=S``, then the mean reward of
each stage's first and last 10 % of steps (total, format, accuracy), and the MGT checkpoint's
greedy accuracy on held-out items with their images and with blank images. Writes summary.json.
"""

from __future__ import annotations

from pathlib import Path

from common import first_last_rounded, seeds_parser, sweep_seeds

from lmmr1.evaluate.greedy import greedy_accuracy, greedy_kwargs
from lmmr1.train import cli, pipeline
from lmmr1.train.synthetic import blank_images, make_mgt_dataset


def main() -> int:
    a = seeds_parser(__doc__.split("\n\n")[0], "runs/tiny-learning", "tiny-cpu.yaml").parse_args()

    def train(seed: int, out: Path) -> int:
        return cli.main(["--config", a.recipe, "--output-dir", str(out), f"seed={seed}", "--log-level", "WARNING", *a.overrides])

    def measure(seed: int, out: Path) -> dict:
        held_out = make_mgt_dataset(128, seed=10_000 + seed)
        (mgt,) = pipeline.plan(a.recipe, stages=["mgt"], output_dir=str(out), overrides=a.overrides)
        as_trained = greedy_kwargs(mgt)  # the MGT stage's own prompts and completion length
        return {
            "fre": first_last_rounded(out / "fre" / "rewards.csv"),
            "mgt": first_last_rounded(out / "mgt" / "rewards.csv"),
            "mgt_greedy_accuracy": round(greedy_accuracy(out / "mgt" / "final", held_out, **as_trained), 3),
            "mgt_greedy_accuracy_blank": round(greedy_accuracy(out / "mgt" / "final", blank_images(held_out), **as_trained), 3),
            "plots": [str(out / s / "rewards.png") for s in ("fre", "mgt")],
        }

    return sweep_seeds(a.seeds, a.out, train, measure)


if __name__ == "__main__":
    raise SystemExit(main())
