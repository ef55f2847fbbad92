"""Greedy solve rate of a checkpoint on held-out one-push levels, with their pictures and blank ones."""

from __future__ import annotations

from pathlib import Path

from lmmr1.sokoban.data import make_one_push_dataset
from lmmr1.sokoban.reward import SokobanReward
from lmmr1.sokoban.verifier import SokobanConfig

__all__ = ["HELD_OUT", "greedy_solve_rate", "solve_rate"]

HELD_OUT = 128  # levels, a multiple of 4: the pushes are balanced, so image-blind answers solve exactly 0.25


def solve_rate(completions: list[str], levels: list[str], max_actions: int = 1) -> float:
    """Share of ``completions`` that solve their level (at most ``max_actions`` actions)."""
    scores = SokobanReward(SokobanConfig(max_actions=max_actions), log_reasons=False)(None, completions, solution=levels)
    return sum(s or 0.0 for s in scores) / len(scores)


def greedy_solve_rate(model_dir: str | Path, recipe: str | Path, seed: int, n: int = HELD_OUT,
                      overrides: list[str] | tuple[str, ...] = (), centred: bool = False) -> dict[str, float]:
    """``{"images": rate, "blank": rate}``: greedy answers of ``model_dir`` on ``n`` one-push levels
    drawn with ``seed``, prompted as ``recipe``'s MGT stage sampled (system prompt, length)."""
    from lmmr1.evaluate.greedy import greedy_completions, greedy_kwargs
    from lmmr1.train import pipeline
    from lmmr1.train.synthetic import blank_images

    (mgt,) = pipeline.plan(recipe, stages=["mgt"], output_dir=str(Path(model_dir).parent.parent), overrides=overrides)
    held_out = make_one_push_dataset(n, seed=seed, centred=centred)
    levels = list(held_out["solution"])
    kwargs = greedy_kwargs(mgt)
    return {
        "images": solve_rate(greedy_completions(model_dir, held_out, **kwargs), levels),
        "blank": solve_rate(greedy_completions(model_dir, blank_images(held_out), **kwargs), levels),
    }
