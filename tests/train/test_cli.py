"""`lmmr1 train` / `train-two-stage` as a command: help, user errors (one line, exit 2), no training."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("trl")

from lmmr1.train.cli import main  # noqa: E402
from tests.train.tiny_run import RECIPE  # noqa: E402

TINY = str(RECIPE)


def _error(capsys) -> str:
    """The one stderr line of a user error (logging goes to stderr too: pick the error line)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert lines, err
    return "\n".join(lines)


def test_help_shows_our_flags_defaults_and_trls_recipe_keys(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for text in ("--init-from", "--dry-run", "--num_generations", "--reward_funcs", "--model_name_or_path"):
        assert text in out
    assert "(default: those the recipe has a fre:/mgt: section for; both when it has neither)" in " ".join(
        out.split()
    )
    assert "--restart" in out


def test_config_is_required(capsys):
    assert main([]) == 2
    assert "error: --config recipes/NAME.yaml is required" in capsys.readouterr().err


def test_bad_stage_name(capsys, tmp_path):
    assert main(["--config", TINY, "--stages", "fre,rl", "--output-dir", str(tmp_path), "--dry-run"]) == 2
    assert "stages are fre, mgt" in _error(capsys)


def test_mgt_alone_without_a_fre_checkpoint_is_refused_in_the_dry_run(capsys, tmp_path):
    assert main(["--config", TINY, "--stages", "mgt", "--output-dir", str(tmp_path), "--dry-run"]) == 2
    assert "pass `--init-from DIR`" in _error(capsys)
    args = ["--config", TINY, "--stages", "mgt", "--init-from", str(tmp_path), "--output-dir", str(tmp_path)]
    assert main([*args, "--dry-run"]) == 0


def test_dry_run_refuses_a_nonexistent_init_from_or_model(capsys, tmp_path):
    args = ["--config", TINY, "--stages", "mgt", "--output-dir", str(tmp_path), "--dry-run"]
    assert main([*args, "--init-from", str(tmp_path / "nope")]) == 2
    assert f"--init-from '{tmp_path / 'nope'}' does not exist" in _error(capsys)
    no_model = ["build_tiny_model=false", f"model_name_or_path={tmp_path / 'no-model'}"]
    assert main(["--config", TINY, "--output-dir", str(tmp_path), "--dry-run", *no_model]) == 2
    assert f"model_name_or_path '{tmp_path / 'no-model'}' does not exist" in _error(capsys)


def test_a_typo_on_the_command_line_is_named_as_such(capsys, tmp_path):
    assert main(["--config", TINY, "--output-dir", str(tmp_path), "--dry-run", "fre.learnig_rate=1"]) == 2
    assert "unknown key 'learnig_rate' in 'fre.learnig_rate=1', given on the command line" in _error(capsys)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["mgt.reward_funcs=[format, acc]"], "stage mgt: unknown reward function(s) ['acc']"),
        (["mgt.reward_weights=[1.0]"], "stage mgt: reward_weights [1.0] has 1 values for 2 reward_funcs"),
        (["fre.max_steps=-5"], "stage fre: max_steps=-5"),
        (["mgt.dataset_name=absent/dir/train.jsonl"], "dataset 'absent/dir/train.jsonl' does not exist"),
    ],
)
def test_recipe_reward_and_data_errors_fail_before_any_model(capsys, tmp_path, overrides, message):
    # No --dry-run: a real run must refuse these before it builds or loads a model.
    assert main(["--config", TINY, "--output-dir", str(tmp_path), *overrides]) == 2
    assert message in _error(capsys)
    assert not (tmp_path / "tiny-base").exists() and not (tmp_path / "fre").exists()


def test_dataset_with_the_wrong_columns_fails_before_any_model(capsys, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"question": "1+1?", "answer": "2"}) + "\n")
    assert main(["--config", TINY, "--output-dir", str(tmp_path), f"fre.dataset_name={data}"]) == 2
    assert "lacks column(s) ['prompt', 'solution']" in _error(capsys)
    assert not (tmp_path / "tiny-base").exists()


def test_without_the_train_extra_the_command_names_it():
    # What a core install (`pip install lmmr1`, no torch/trl) sees, simulated by blocking the import.
    code = (
        "import sys; sys.modules['trl'] = None; from lmmr1.cli import train_two_stage; "
        "sys.exit(train_two_stage(['--config', 'recipes/tiny-cpu.yaml', '--dry-run']))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "error: `train-two-stage` needs trl, which is not installed" in proc.stderr
    assert "pip install 'lmmr1[train]'" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mgt.dataset_name=absent/dir/train.jsonl"], "dataset 'absent/dir/train.jsonl'"),
        (["mgt.dataset_name=synthetic:geometry"], "unknown synthetic dataset 'synthetic:geometry'"),
        (["--stages", "mgt", "--init-from", "no/such/checkpoint"], "--init-from 'no/such/checkpoint' does not exist"),
    ],
)
def test_paths_and_names_are_checked_before_any_data_is_read(capsys, tmp_path, monkeypatch, args, message):
    from lmmr1.train import pipeline

    def no_loading(plan):
        raise AssertionError(f"stage {plan.name}'s data was loaded before the cheap checks of every stage")

    monkeypatch.setattr(pipeline, "prepare_dataset", no_loading)
    assert main(["--config", TINY, "--output-dir", str(tmp_path), *args]) == 2
    assert message in _error(capsys)
