"""The checkpoints' model card names the model a stage started from (TRL's read "[None]" for local starts)."""

from __future__ import annotations

import pytest
import yaml

pytest.importorskip("trl")

from lmmr1.train import pipeline, rerun  # noqa: E402
from lmmr1.train.model_card import card_text, start_chain  # noqa: E402
from lmmr1.train.stage import final_dir  # noqa: E402
from tests.train.tiny_run import RECIPE  # noqa: E402

BASE = "Qwen/Qwen2.5-VL-3B-Instruct"


def _header(card: str) -> dict:
    return yaml.safe_load(card.split("---\n")[1])


def test_mgt_card_names_fre_checkpoint_and_the_hub_base_it_came_from(tmp_path):
    fre, mgt = pipeline.plan(RECIPE, output_dir=str(tmp_path))
    fre_final = final_dir(fre)
    fre_final.mkdir(parents=True)
    rerun.write_record(fre_final, fre, BASE)  # as if stage fre had started from the Hub model
    assert start_chain(str(fre_final)) == [(str(fre_final), "fre"), (BASE, None)]

    card = card_text(mgt, str(fre_final))
    assert "[None]" not in card
    assert f"stage fre's checkpoint `{fre_final}` (itself fine-tuned from [{BASE}](https://huggingface.co/{BASE}))" in card
    assert "`synthetic:mgt`" in card and "tag_count × 0.5, accuracy × 1" in card
    header = _header(card)
    assert header["base_model"] == BASE and "datasets" not in header  # a synthetic set is no Hub dataset


def test_fre_card_from_a_local_model_names_its_path_and_claims_no_hub_base(tmp_path):
    (fre,) = pipeline.plan(RECIPE, stages=["fre"], output_dir=str(tmp_path), overrides=["fre.dataset_name=org/math"])
    base = tmp_path / "tiny-base"
    base.mkdir()
    card = card_text(fre, str(base))
    assert f"fine-tuned version of `{base}`" in card and "[None]" not in card
    header = _header(card)
    assert "base_model" not in header and header["datasets"] == ["org/math"]
