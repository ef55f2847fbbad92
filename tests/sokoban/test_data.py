"""Trainer rows: generated levels and pictures, written and read back the trainer's way; the
authors' layout (message + env_path to a .npy room) mapped to the same rows."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from lmmr1.sokoban.data import (
    TASK,
    from_authors_row,
    is_authors_layout,
    is_sokoban_rows,
    level_from_room,
    make_dataset,
    make_one_push_dataset,
    make_push_text_dataset,
    write_dataset,
)
from lmmr1.sokoban.generate import GeneratorConfig
from lmmr1.sokoban.rules import LevelError, parse_level, play


def test_generated_rows_have_the_trainer_columns_and_solvable_golds():
    ds = make_dataset(6, GeneratorConfig(num_boxes=3), seed=1, image_size=112)
    assert {"prompt", "image", "solution", "task"} <= set(ds.column_names)
    for row in ds:
        assert row["task"] == TASK and row["image"].size == (112, 112)
        assert row["prompt"][0]["content"][0]["type"] == "image"
        assert play(parse_level(row["solution"]), row["reference_solution"].split(", ")).solved


def test_one_push_rows_are_balanced_and_share_one_prompt():
    ds = make_one_push_dataset(64, seed=3)
    assert Counter(ds["reference_solution"]) == {"Up": 16, "Down": 16, "Left": 16, "Right": 16}
    assert len({json.dumps(p) for p in ds["prompt"]}) == 1  # only the picture tells the rows apart
    assert make_one_push_dataset(8, seed=3)["solution"] == make_one_push_dataset(8, seed=3)["solution"]


def test_push_text_rows_name_their_push():
    ds = make_push_text_dataset(8, seed=0)
    for row in ds:
        letter = row["prompt"][0]["content"][-1]
        assert row["reference_solution"][0] == letter and "image" not in row


def test_written_rows_load_as_a_stage_dataset(tmp_path):
    from lmmr1.train.data import load_stage_dataset

    path = write_dataset(make_one_push_dataset(8, seed=0), tmp_path)
    ds = load_stage_dataset(str(path))
    assert len(ds) == 8 and ds[0]["image"].size == (112, 112)
    assert parse_level(ds[0]["solution"])


def test_level_from_room_codes():
    room = np.array([[0, 0, 0, 0, 0], [0, 5, 4, 2, 0], [0, 1, 3, 6, 0], [0, 0, 0, 0, 0]])
    assert level_from_room(room) == "#####\n#@$.#\n# *+#\n#####"
    with pytest.raises(LevelError, match="room code 9"):
        level_from_room(np.array([[9]]))


def test_authors_layout(tmp_path):
    np.save(tmp_path / "room.npy", np.array([[0, 0, 0, 0, 0], [0, 5, 4, 2, 0], [0, 0, 0, 0, 0]]))
    message = json.dumps([{"role": "user", "content": [
        {"type": "image", "image": "images/0.png"}, {"type": "text", "text": "Solve this Sokoban level."}]}])
    row = {"message": message, "env_path": "room.npy"}
    assert is_authors_layout(row) and is_sokoban_rows(row)
    out = from_authors_row(row, tmp_path)
    assert out["solution"] == "#####\n#@$.#\n#####" and out["task"] == TASK
    assert out["image"] == str(tmp_path / "images" / "0.png")
    assert out["prompt"][0]["content"][1]["text"] == "Solve this Sokoban level."
    with pytest.raises(FileNotFoundError, match="env_path"):
        from_authors_row({"message": message, "env_path": "missing.npy"}, tmp_path)


def test_sokoban_rows_are_recognised_by_task():
    assert is_sokoban_rows(["prompt", "solution", "task"], {"task": "sokoban"})
    assert not is_sokoban_rows(["prompt", "solution", "task"], {"task": "math"})


def test_cli_writes_the_paper_sets(tmp_path):
    from lmmr1.sokoban.cli import main

    assert main(["generate", "--n", "3", "--boxes", "2", "3", "--out", str(tmp_path), "--image-size", "112"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert [r["num_boxes"] for r in rows] == [2, 2, 2, 3, 3, 3]
    assert all((tmp_path / r["image"]).is_file() for r in rows)
    assert main(["generate", "--n", "1", "--boxes", "40", "--out", str(tmp_path)]) == 2  # a clear error


def test_curate_recognises_sokoban_rows(tmp_path):
    from lmmr1.curation.sources import SourceError, detect_schema

    with pytest.raises(SourceError, match="python -m lmmr1.sokoban.cli authors"):
        detect_schema(["message", "env_path"])
    with pytest.raises(SourceError, match="point the recipe's dataset_name at the file"):
        detect_schema(make_one_push_dataset(4).column_names)
    assert detect_schema(["message", "answer"]).name == "lmmr1_message"  # LMM-R1's math rows unchanged


def test_cli_converts_the_authors_layout(tmp_path):
    from lmmr1.sokoban.cli import main

    np.save(tmp_path / "room.npy", np.array([[0, 0, 0, 0, 0], [0, 5, 4, 2, 0], [0, 0, 0, 0, 0]]))
    message = json.dumps([{"role": "user", "content": [{"type": "image", "image": "a.png"}, {"type": "text", "text": "Go"}]}])
    (tmp_path / "authors.jsonl").write_text(json.dumps({"message": message, "env_path": "room.npy"}) + "\n")
    assert main(["authors", "--dataset", str(tmp_path / "authors.jsonl"), "--out", str(tmp_path / "out")]) == 0
    (row,) = [json.loads(line) for line in (tmp_path / "out" / "train.jsonl").read_text().splitlines()]
    assert row["solution"] == "#####\n#@$.#\n#####" and row["image"] == str(tmp_path / "a.png")
