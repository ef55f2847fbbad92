"""Slow: both stages on the tiny model, a few steps each, and what must be true of the hand-off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("trl")
import torch  # noqa: E402
from transformers import AutoModelForImageTextToText, TrainerCallback  # noqa: E402

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.cli import main  # noqa: E402
from tests.train.tiny_run import MECHANICS, RECIPE  # noqa: E402

# A few steps, small batches; tag_count gives every step reward variance (hence a gradient) even
# when the random model never hits the strict format or the answer.
FAST = [
    "max_steps=2",
    *MECHANICS,
    "reward_funcs=[format, accuracy, tag_count]",
    "reward_weights=[0.5, 1.0, 1.0]",
    "temperature=1.5",
    "save_steps=1",
    "learning_rate=1e-2",
]


class VisionProbe(TrainerCallback):
    """Counts calls to the vision tower per stage and snapshots the weights a stage starts from."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.start_weights: list[dict[str, torch.Tensor]] = []

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.calls.append(0)
        self.start_weights.append({k: v.detach().clone() for k, v in model.state_dict().items()})
        stage = len(self.calls) - 1

        def hook(module, inputs, output):
            if inputs and inputs[0] is not None and inputs[0].numel():
                self.calls[stage] += 1

        model.model.visual.register_forward_hook(hook)


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    return AutoModelForImageTextToText.from_pretrained(folder).state_dict()


def _lm(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v for k, v in weights.items() if "language_model" in k}


def _differs(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return any(not torch.equal(a[k], b[k]) for k in a)


@pytest.mark.slow
def test_fre_then_mgt_hand_off(tmp_path):
    plans = pipeline.plan(RECIPE, output_dir=str(tmp_path), overrides=FAST)
    probe = VisionProbe()
    results = pipeline.train_two_stage(plans, tmp_path, callbacks=(probe,))
    base, fre, mgt = (
        _weights(tmp_path / "tiny-base"),
        _weights(tmp_path / "fre" / "final"),
        _weights(tmp_path / "mgt" / "final"),
    )

    assert [r.summary["global_step"] for r in results] == [2, 2]
    # Stage 1: text only, and it trained the language model.
    assert probe.calls[0] == 0
    assert _differs(_lm(base), _lm(fre))
    # Stage 2 started from stage 1's final weights, not the base model's.
    assert results[1].init_from == str(tmp_path / "fre" / "final")
    start = probe.start_weights[1]
    assert start.keys() == fre.keys()
    assert not _differs(fre, start)
    assert _differs(_lm(base), _lm(start))
    # Stage 2 saw images through the vision tower and changed the weights.
    assert probe.calls[1] > 0
    assert _differs(fre, mgt)
    for stage in ("fre", "mgt"):
        assert (tmp_path / stage / "rewards.csv").read_text().startswith("step,total,")
        assert (tmp_path / stage / "rewards.png").stat().st_size > 1000
        summary = json.loads((tmp_path / stage / "final" / "lmmr1_stage.json").read_text())
        assert set(summary["first_last_10pct"]) >= {"total", "format_reward", "accuracy_reward"}
        assert set(summary["best_10pct"]) == set(summary["first_last_10pct"])
    # The model cards name where each stage started (TRL's read "fine-tuned version of [None]").
    fre_card = (tmp_path / "fre" / "final" / "README.md").read_text()
    mgt_card = (tmp_path / "mgt" / "final" / "README.md").read_text()
    assert "[None]" not in fre_card + mgt_card
    assert f"fine-tuned version of `{tmp_path / 'tiny-base'}`" in fre_card and "`synthetic:fre`" in fre_card
    assert f"stage fre's checkpoint `{tmp_path / 'fre' / 'final'}`" in mgt_card
    assert f"(itself fine-tuned from `{tmp_path / 'tiny-base'}`)" in mgt_card and "`synthetic:mgt`" in mgt_card
    # The final checkpoints load with the stock Auto classes, as a real processor.
    from transformers import AutoProcessor, ProcessorMixin

    assert isinstance(
        AutoProcessor.from_pretrained(tmp_path / "mgt" / "final", trust_remote_code=True), ProcessorMixin
    )

    # MGT alone, from stage 1's checkpoint given explicitly, into a new folder.
    code = main(
        [
            "--config",
            str(RECIPE),
            "--stages",
            "mgt",
            "--init-from",
            str(tmp_path / "fre" / "final"),
            "--output-dir",
            str(tmp_path / "again"),
            *FAST,
            "max_steps=1",
        ]
    )
    assert code == 0
    again = json.loads((tmp_path / "again" / "mgt" / "final" / "lmmr1_stage.json").read_text())
    assert again["init_from"] == str(tmp_path / "fre" / "final") and again["global_step"] == 1
