"""`train-two-stage` as a command: help, usage errors and exit codes (no training)."""

from __future__ import annotations

import pytest

pytest.importorskip("trl")

from lmmr1.train.cli import main  # noqa: E402
from tests.train.tiny_run import RECIPE  # noqa: E402

TINY = str(RECIPE)


def test_help_shows_our_flags_and_trls_recipe_keys(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for text in ("--init-from", "--dry-run", "--num_generations", "--reward_funcs", "--model_name_or_path"):
        assert text in out


def test_config_is_required(capsys):
    assert main([]) == 2
    assert "--config recipes/NAME.yaml is required" in capsys.readouterr().err


def test_bad_stage_name(capsys, tmp_path):
    assert main(["--config", TINY, "--stages", "fre,rl", "--output-dir", str(tmp_path), "--dry-run"]) == 2
    assert "stages are fre, mgt" in capsys.readouterr().err


def test_mgt_alone_without_a_fre_checkpoint_is_refused_in_the_dry_run(capsys, tmp_path):
    assert main(["--config", TINY, "--stages", "mgt", "--output-dir", str(tmp_path), "--dry-run"]) == 1
    assert "pass `--init-from DIR`" in capsys.readouterr().err
    assert (
        main(
            [
                "--config",
                TINY,
                "--stages",
                "mgt",
                "--init-from",
                str(tmp_path),
                "--output-dir",
                str(tmp_path),
                "--dry-run",
            ]
        )
        == 0
    )
