"""The Sokoban recipes validate by dry run; the paper stage freezes the vision tower."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("trl")

from lmmr1.sokoban.data import make_dataset, make_one_push_dataset, make_push_text_dataset, write_dataset  # noqa: E402
from lmmr1.sokoban.generate import GeneratorConfig  # noqa: E402
from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.cli import main  # noqa: E402
from lmmr1.train.config import RecipeError

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
PAPER = RECIPES / "lmm-r1" / "mgt-sokoban.yaml"
TINY = RECIPES / "tiny-sokoban.yaml"


def test_paper_recipe_has_the_papers_sokoban_settings(tmp_path):
    fre, mgt = pipeline.plan(PAPER, output_dir=str(tmp_path), for_dry_run=True)
    assert mgt.script.freeze_vision_tower and not fre.script.freeze_vision_tower
    assert (mgt.training.beta, mgt.training.max_completion_length) == (0.0, 8192)
    assert mgt.script.reward_funcs == ["sokoban_shaped"]
    assert fre.script.reward_funcs == ["format", "accuracy"]


def test_paper_recipe_dry_run_validates_with_data_in_place(tmp_path, capsys):
    sokoban = write_dataset(make_dataset(4, GeneratorConfig(num_boxes=2), image_size=112), tmp_path / "sokoban")
    rc = main(["--config", str(PAPER), "--dry-run", "--output-dir", str(tmp_path / "run"),
               "fre.dataset_name=synthetic:fre", "synthetic_size=8", f"mgt.dataset_name={sokoban}"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "all checks passed" in out and "['sokoban_shaped']" in out


def test_paper_recipe_dry_run_names_the_missing_sokoban_data(tmp_path, capsys):
    main(["--config", str(PAPER), "--dry-run", "--output-dir", str(tmp_path), "fre.dataset_name=synthetic:fre",
          "synthetic_size=8"])
    assert "data/lmm-r1/mgt-sokoban/train.jsonl" in capsys.readouterr().out


def test_tiny_recipe_dry_run(tmp_path, capsys):
    fre = write_dataset(make_push_text_dataset(8), tmp_path, "fre")
    mgt = write_dataset(make_one_push_dataset(8), tmp_path, "mgt")
    rc = main(["--config", str(TINY), "--dry-run", "--output-dir", str(tmp_path / "run"),
               f"fre.dataset_name={fre}", f"mgt.dataset_name={mgt}"])
    assert rc == 0, capsys.readouterr().out


def test_freeze_vision_tower(tmp_path):
    from transformers import AutoModelForImageTextToText

    from lmmr1.train.stage import freeze_vision_tower
    from lmmr1.train.tiny import build_tiny_model

    model = AutoModelForImageTextToText.from_pretrained(build_tiny_model(tmp_path / "tiny"))
    frozen = freeze_vision_tower(model)
    visual = sum(p.numel() for p in model.model.visual.parameters())
    assert frozen == visual > 0
    assert all(not p.requires_grad for p in model.model.visual.parameters())
    assert all(p.requires_grad for n, p in model.named_parameters() if ".visual." not in f".{n}")
    with pytest.raises(RecipeError, match="no 'visual' submodule"):
        freeze_vision_tower(model.lm_head)
