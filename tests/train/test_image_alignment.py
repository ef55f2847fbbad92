"""Every completion is scored by the policy with its *own* image, through TRL's whole batching path.

GRPOTrainer samples completions for a generation batch, then flattens the images' patches, shuffles
the rows and splits them into optimiser batches (``split_pixel_values_by_grid`` →
``shuffle_sequence_dict`` → ``split_tensor_dict``). If a row met another row's patches on the way,
the loss would train the policy on an image it never saw when it answered, and stage 2 could never
learn to read images. The model is not updated between generation and these recomputations, so each
row's log-probabilities must come back exactly as they were sampled (``old_per_token_logps``).
"""

from __future__ import annotations

import pytest

pytest.importorskip("trl")
import torch  # noqa: E402

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.stage import build_trainer, prepare_dataset  # noqa: E402
from lmmr1.train.tiny import build_tiny_model  # noqa: E402
from tests.train.tiny_run import MECHANICS, RECIPE  # noqa: E402

SPLITS = 2  # optimiser batches per generation batch: rows are shuffled across them


@pytest.fixture(scope="module")
def trainer(tmp_path_factory):
    out = tmp_path_factory.mktemp("align")
    base = str(build_tiny_model(out / "tiny-base"))
    (plan,) = pipeline.plan(
        RECIPE,
        stages=["mgt"],
        output_dir=str(out),
        overrides=[*MECHANICS, "num_iterations=2", f"steps_per_generation={SPLITS}"],
    )
    torch.manual_seed(0)
    trainer = build_trainer(plan, base, prepare_dataset(plan))  # as run_stage builds it
    trainer.model.train()
    return trainer


@pytest.fixture(scope="module")
def batches(trainer):
    """One generation batch as TRL buffers it for the optimiser steps: generated, shuffled, split."""
    first = trainer._prepare_inputs(next(iter(trainer.get_train_dataloader())))
    assert first is trainer._buffered_inputs[0]
    return trainer._buffered_inputs


def _logps(trainer, batch, image_order=None):
    """The policy's per-token log-probabilities of ``batch``'s completions, as TRL's loss computes them."""
    pixel_values, grid = batch["pixel_values"], batch["image_grid_thw"]
    if image_order is not None:
        patches = torch.split(pixel_values, grid.prod(-1).tolist())
        pixel_values = torch.cat([patches[i] for i in image_order])
        grid = grid[image_order]
    with torch.no_grad():
        logps, _, _ = trainer._get_per_token_logps_and_entropies(
            trainer.model,
            torch.cat([batch["prompt_ids"], batch["completion_ids"]], dim=1),
            torch.cat([batch["prompt_mask"], batch["completion_mask"]], dim=1),
            batch["completion_ids"].size(1),
            pixel_values=pixel_values,
            image_grid_thw=grid,
            num_images=batch.get("num_images"),
            mm_token_type_ids=batch.get("mm_token_type_ids"),
        )
    return logps[batch["completion_mask"].bool()]


def test_each_row_keeps_its_image_through_shuffling_and_splitting(trainer, batches):
    assert len(batches) == SPLITS
    for batch in batches:
        assert batch["image_grid_thw"].shape[0] == batch["prompt_ids"].shape[0]  # one image per row
        old = batch["old_per_token_logps"][batch["completion_mask"].bool()]
        torch.testing.assert_close(_logps(trainer, batch), old, rtol=0, atol=1e-5)


def test_the_check_above_would_see_swapped_images(trainer, batches):
    """The tiny model's answers depend on the pixels, so a row given another row's image scores differently."""
    batch = batches[0]
    rows = batch["prompt_ids"].shape[0]
    swapped = _logps(trainer, batch, image_order=[(i + 1) % rows for i in range(rows)])
    assert (swapped - _logps(trainer, batch)).abs().max() > 1e-3
