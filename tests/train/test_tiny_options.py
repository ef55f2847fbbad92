"""The tiny recipe with the training options of issue 17 at once: frozen vision tower, two-image rows,
a mixture of two datasets and shaping rewards; the language model trains, the tower does not move.

Not marked slow: three steps, ~7 s here.
"""

from __future__ import annotations

import pytest

pytest.importorskip("trl")
import torch  # noqa: E402
from transformers import AutoModelForImageTextToText  # noqa: E402

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.data import MIXTURE_SOURCE_COLUMN  # noqa: E402
from lmmr1.train.tiny import build_tiny_model  # noqa: E402
from tests.train.tiny_run import MECHANICS, RECIPE  # noqa: E402

OPTIONS = [
    "freeze_vision_tower=true",
    "mgt.dataset_name={synthetic:mgt_pair: 0.5, synthetic:mgt: 0.5}",
    "reward_funcs=[tag_count, accuracy, soft_overlong, repetition]",
    "reward_weights=[0.5, 1.0, 0.5, 0.5]",
    "overlong_buffer_len=4",
    "max_pixels=3136",  # 4 image tokens an image: a cheaper step
    "mgt.max_steps=3",
    "save_strategy=no",
    "plot_rewards=false",
]


def test_freeze_multi_image_mixture_and_shaping_train_together(tmp_path):
    base = str(build_tiny_model(tmp_path / "tiny-base"))
    plans = pipeline.plan(RECIPE, stages=["mgt"], output_dir=str(tmp_path), overrides=[*MECHANICS, *OPTIONS])
    torch.manual_seed(0)
    (result,) = pipeline.train_two_stage(plans, tmp_path, init_from=base)
    trainer = result.trainer
    assert trainer.state.global_step == 3
    assert set(trainer.train_dataset[MIXTURE_SOURCE_COLUMN]) == {"synthetic:mgt", "synthetic:mgt_pair"}
    logged = {k for entry in trainer.state.log_history for k in entry}
    assert {"rewards/soft_overlong_punishment_reward/mean", "rewards/repetition_penalty_reward/mean"} <= logged

    before = dict(AutoModelForImageTextToText.from_pretrained(base).named_parameters())
    changed = {n for n, p in trainer.model.named_parameters() if not torch.equal(p.detach().cpu(), before[n].detach())}
    visual = {n for n in before if ".visual." in f".{n}"}
    assert visual and not changed & visual, f"the frozen vision tower moved: {sorted(changed & visual)[:3]}"
    assert changed, "no trainable parameter changed"
    assert all(not p.requires_grad for n, p in trainer.model.named_parameters() if n in visual)
