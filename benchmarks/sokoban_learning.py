"""Repeat the tiny Sokoban run over seeds: the numbers behind tests/sokoban/test_learning.py's margins.

    python benchmarks/sokoban_learning.py --seeds 0 1 2 --out runs/sokoban-learning

For each seed, one at a time: write the recipe's data and build the tiny model, ``train-two-stage
--config recipes/tiny-sokoban.yaml --stages mgt --init-from <tiny model> seed=S``, then the MGT checkpoint's greedy solve rate on 128 held-out
one-push levels with their pictures and with blank ones (an image-blind policy solves 0.25).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lmmr1.sokoban.evaluate import greedy_solve_rate
from lmmr1.train import cli
from lmmr1.train.reward_log import first_last, read_rows

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--out", default="runs/sokoban-learning")
    p.add_argument("--recipe", default=str(REPO / "recipes" / "tiny-sokoban.yaml"))
    p.add_argument("--centred", action="store_true", help="one-push levels with the box in the middle (4 levels)")
    p.add_argument("overrides", nargs="*", help="key=value recipe overrides, as for train-two-stage")
    a = p.parse_args()
    summary = {}
    for seed in a.seeds:
        out = Path(a.out) / f"seed{seed}"
        start = time.perf_counter()
        from lmmr1.sokoban.cli import main as write_data

        write_data(["tiny", "--seed", str(seed), "--out", str(out / "data"), "--model", str(out / "tiny-base"),
                    *(["--centred"] if a.centred else [])])
        rc = cli.main([
            "--config", a.recipe, "--output-dir", str(out), "--stages", "mgt", "--init-from", str(out / "tiny-base"),
            f"seed={seed}", "--log-level", "WARNING", f"mgt.dataset_name={out / 'data' / 'mgt.jsonl'}", *a.overrides,
        ])
        if rc != 0:
            return rc
        seconds = time.perf_counter() - start
        rates = greedy_solve_rate(out / "mgt" / "final", a.recipe, seed=10_000 + seed, overrides=a.overrides,
                                  centred=a.centred)
        result = {
            "seconds": round(seconds, 1),
            "mgt": {c: [round(x, 3) for x in v] for c, v in first_last(read_rows(out / "mgt" / "rewards.csv")).items()},
            **{k: round(v, 3) for k, v in rates.items()},
        }
        summary[seed] = result
        print(f"seed {seed}: {json.dumps(result)}", flush=True)
    Path(a.out).mkdir(parents=True, exist_ok=True)
    (Path(a.out) / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
