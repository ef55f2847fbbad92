"""Writers never leave a half-written output, and clean up after a run that was killed (issue 15)."""

from __future__ import annotations

import json
import subprocess
import sys

import datasets
import pytest

from lmmr1.curation.files import PathCollision, refuse_collisions
from lmmr1.curation.writers import OutputError, write_dataset


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("name", ["out.jsonl", "out"])
def test_a_killed_runs_temporary_is_removed_by_the_next_write(tmp_path, name):
    ds = datasets.Dataset.from_list([{"a": 1}])
    # what a run killed mid-write leaves: a hidden temporary named for the target and the dead process
    stale = tmp_path / f".{name}.lmmr1-tmp-{_dead_pid()}-x1y2"
    stale.mkdir() if name == "out" else stale.write_text("half a file")
    live = tmp_path / f".{name}.lmmr1-tmp-{1}-busy"  # pid 1 is alive: a concurrent writer's file stays
    live.write_text("still being written")
    write_dataset(ds, tmp_path / name)
    assert not stale.exists() and live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, live.name])


def test_write_replaces_atomically_and_leaves_nothing_hidden(tmp_path):
    out = tmp_path / "out.jsonl"
    write_dataset(datasets.Dataset.from_list([{"a": 1}]), out)
    write_dataset(datasets.Dataset.from_list([{"a": 2}]), out)
    assert [json.loads(x) for x in out.read_text().splitlines()] == [{"a": 2}]
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_unknown_suffix_is_a_user_error(tmp_path):
    with pytest.raises(OutputError, match="cannot write"):
        write_dataset(datasets.Dataset.from_list([{"a": 1}]), tmp_path / "out.txt")


def test_collisions_resolved_with_symlinks(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text("{}\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(data)
    with pytest.raises(PathCollision, match="--output .* same file as --dataset"):
        refuse_collisions([("--dataset", data)], [("--output", link)])
    with pytest.raises(PathCollision, match="name the same file"):
        refuse_collisions([("--dataset", data)], [("--output", tmp_path / "a.jsonl"),
                                                  ("--rejected-out", tmp_path / "sub" / ".." / "a.jsonl")])
    with pytest.raises(PathCollision, match="folder holding --dataset"):
        refuse_collisions([("--dataset", data)], [("--output", tmp_path)])
    refuse_collisions([("--dataset", data)], [("--output", tmp_path / "k.jsonl"), ("--rejected-out", None)])


KILLED_WRITER = """
import sys, time
import datasets
from lmmr1.curation.writers import write_dataset

def stall(self, path, **kw):
    open(path, "w").write('{"a": 1}\\n')  # half written, then the process is killed
    time.sleep(600)

datasets.Dataset.to_json = stall
write_dataset(datasets.Dataset.from_list([{"a": 1}]), sys.argv[1])
"""


def test_kill_mid_write_leaves_the_old_output_and_the_next_run_cleans_up(tmp_path):
    import os
    import time

    out = tmp_path / "out.jsonl"
    write_dataset(datasets.Dataset.from_list([{"a": 0}]), out)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(out)], cwd=os.getcwd())
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".out.jsonl.") and p.stat().st_size for p in tmp_path.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "the writer never started"
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert [json.loads(x) for x in out.read_text().splitlines()] == [{"a": 0}]  # the old output is intact
    write_dataset(datasets.Dataset.from_list([{"a": 2}]), out)
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
