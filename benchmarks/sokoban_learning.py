"""Repeat the tiny Sokoban run over seeds: the numbers behind tests/sokoban/test_learning.py's margins.

    python benchmarks/sokoban_learning.py --seeds 0 1 2 --out runs/sokoban-learning

For each seed, one at a time: write the recipe's data and build the tiny model, ``train-two-stage
--config recipes/tiny-sokoban.yaml --stages mgt --init-from <tiny model> seed=S``, then the MGT checkpoint's greedy solve rate on 128 held-out
one-push levels with their pictures and with blank ones (an image-blind policy solves 0.25).
"""

from __future__ import annotations

from pathlib import Path

from common import first_last_rounded, seeds_parser, sweep_seeds

from lmmr1.sokoban.evaluate import greedy_solve_rate
from lmmr1.train import cli


def main() -> int:
    p = seeds_parser(__doc__.split("\n\n")[0], "runs/sokoban-learning", "tiny-sokoban.yaml")
    p.add_argument("--centred", action="store_true", help="one-push levels with the box in the middle (4 levels)")
    a = p.parse_args()

    def train(seed: int, out: Path) -> int:
        from lmmr1.sokoban.cli import main as write_data

        write_data(["tiny", "--seed", str(seed), "--out", str(out / "data"), "--model", str(out / "tiny-base"),
                    *(["--centred"] if a.centred else [])])
        return cli.main([
            "--config", a.recipe, "--output-dir", str(out), "--stages", "mgt", "--init-from", str(out / "tiny-base"),
            f"seed={seed}", "--log-level", "WARNING", f"mgt.dataset_name={out / 'data' / 'mgt.jsonl'}", *a.overrides,
        ])

    def measure(seed: int, out: Path) -> dict:
        rates = greedy_solve_rate(out / "mgt" / "final", a.recipe, seed=10_000 + seed, overrides=a.overrides,
                                  centred=a.centred)
        return {"mgt": first_last_rounded(out / "mgt" / "rewards.csv"), **{k: round(v, 3) for k, v in rates.items()}}

    return sweep_seeds(a.seeds, a.out, train, measure)


if __name__ == "__main__":
    raise SystemExit(main())
