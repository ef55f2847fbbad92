"""Slow: `accelerate launch` with 2 processes on CPU (gloo) runs both stages unchanged."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("accelerate")

from tests.train.tiny_run import MECHANICS, RECIPE  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:  # another test run on this machine may hold the default port
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_accelerate_launch_two_processes_on_cpu(tmp_path):
    accelerate = Path(sys.executable).parent / "accelerate"
    # accelerate's --cpu flag starts a single process; --multi_gpu starts torchrun, and the recipe's
    # use_cpu: true then makes each process a CPU worker joined by gloo.
    cmd = [
        str(accelerate),
        "launch",
        "--multi_gpu",
        "--num_processes",
        "2",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "--main_process_port",
        "29517",
        "-m",
        "lmmr1.train.cli",
        "--config",
        str(RECIPE),
        "--output-dir",
        str(tmp_path),
        "max_steps=2",
        *MECHANICS,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    for stage in ("fre", "mgt"):
        summary = json.loads((tmp_path / stage / "final" / "lmmr1_stage.json").read_text())
        assert summary["global_step"] == 2
        with (tmp_path / stage / "rewards.csv").open() as f:
            assert len(list(csv.DictReader(f))) == 2
    # Two processes, 8 completions each, groups of 4: 4 prompts a step, 8 of the 16 rows in 2 steps.
    state = json.loads(next((tmp_path / "mgt").glob("checkpoint-*/trainer_state.json")).read_text())
    assert state["log_history"][-1]["epoch"] == pytest.approx(0.5)
    assert proc.stdout.count("stage mgt: 2 steps") == 1  # the report comes from the main process only

    # Rerun under 2 processes: fre's record matches (nothing rank-dependent is recorded), mgt changed
    # and --restart trains it again, its folder emptied by one process.
    mgt_id = json.loads((tmp_path / "mgt" / "final" / "lmmr1_settings.json").read_text())["run_id"]
    proc = subprocess.run([*cmd, "--restart", "mgt.learning_rate=1e-3"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert proc.stdout.count("stage fre: already finished with the same settings, skipped") == 1
    record = json.loads((tmp_path / "mgt" / "final" / "lmmr1_settings.json").read_text())
    assert record["run_id"] != mgt_id and record["settings"]["learning_rate"] == 1e-3
