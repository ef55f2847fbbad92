"""Sokoban rows in the trainer's format, and the LMM-R1 authors' layout read into it.

Trainer rows (what ``train-two-stage`` reads, see :mod:`lmmr1.train.data`): a conversational
``prompt`` (an image part and the text), ``image`` (the rendered level, a PIL image), ``solution``
(the level in text notation: the gold the ``sokoban`` rewards play the answer on) and ``task``
(``"sokoban"``). :func:`write_dataset` saves them as JSON Lines with PNG files beside it.

The authors' layout: a ``message`` column (LMM-R1's chat JSON, with the picture as an image part)
and ``env_path``, a ``.npy`` room state in gym-sokoban's encoding (0 wall, 1 floor, 2 target,
3 box on target, 4 box, 5 player; 6, player on target, is read too).
:func:`from_authors_row` maps one such row to a trainer row.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lmmr1.sokoban.generate import GeneratedLevel, GeneratorConfig, generate_level, one_push_level
from lmmr1.sokoban.render import render_level
from lmmr1.sokoban.rules import ACTIONS, LevelError

logger = logging.getLogger(__name__)

__all__ = [
    "AUTHORS_COLUMNS",
    "ONE_PUSH_PROMPT",
    "PROMPT",
    "TASK",
    "convert_authors",
    "curation_hint",
    "from_authors_row",
    "is_authors_layout",
    "is_sokoban_rows",
    "level_from_room",
    "make_dataset",
    "make_one_push_dataset",
    "make_push_text_dataset",
    "write_dataset",
]

TASK = "sokoban"
#: The prompt of generated rows: the rules, the notation of the answer, the 50-action budget.
PROMPT = (
    "You are playing Sokoban. The picture shows the level: walls are dark grey, floor is light grey, "
    "targets are red squares, boxes are orange (green on a target), and you are the blue disc. "
    "You can move Up, Down, Left or Right; walking into a box pushes it one cell if the cell behind it "
    "is free. Boxes cannot be pulled. Push every box onto a target. Give the whole plan at once, at most "
    "50 actions, as a comma-separated list inside <answer> </answer>, e.g. <answer>Left, Up, Up</answer>."
)
# The tiny model's prompts are short on purpose: the 16 image tokens must be a large share of what
# its attention sees (see lmmr1.train.synthetic.MGT_PROMPT). Answers there are the one-letter pushes.
ONE_PUSH_PROMPT = "Push?"
PUSH_TEXT_PROMPT = "Push:{letter}"  # stage 1's text-only task names the push; no space: "L" stays one token
AUTHORS_COLUMNS = ("message", "env_path")
_ROOM_CODES = {0: "#", 1: " ", 2: ".", 3: "*", 4: "$", 5: "@", 6: "+"}


def _rows(levels: Iterable[GeneratedLevel], prompt: str, image_size: int | None) -> dict[str, list]:
    levels = list(levels)
    content: list[dict[str, str]] = [{"type": "text", "text": prompt}]
    if image_size is not None:
        content = [{"type": "image"}, *content]
    columns: dict[str, list] = {
        "prompt": [[{"role": "user", "content": content}] for _ in levels],
        "solution": [g.level for g in levels],
        "task": [TASK] * len(levels),
        "reference_solution": [", ".join(g.solution) for g in levels],
        "num_boxes": [g.num_boxes for g in levels],
    }
    if image_size is not None:
        columns["image"] = [render_level(g.level, image_size) for g in levels]
    return columns


def make_dataset(n: int, config: GeneratorConfig = GeneratorConfig(), seed: int = 0, image_size: int = 224,  # noqa: B008
                 prompt: str = PROMPT):
    """``n`` generated levels as trainer rows (level ``i`` uses seed ``seed * 1_000_003 + i``)."""
    from datasets import Dataset

    _check_n(n)
    levels = [generate_level(config, seed * 1_000_003 + i) for i in range(n)]
    return Dataset.from_dict(_rows(levels, prompt, image_size))


def _balanced_pushes(n: int, rng: random.Random) -> list[str]:
    pushes = [ACTIONS[i % len(ACTIONS)] for i in range(n)]
    rng.shuffle(pushes)
    return pushes


def make_one_push_dataset(n: int, seed: int = 0, size: int = 5, image_size: int = 112, prompt: str = ONE_PUSH_PROMPT,
                          centred: bool = False):
    """``n`` one-push levels, the four pushes balanced, as trainer rows with the same prompt text.

    Only the picture says which push solves a row, so any image-blind policy that answers one
    action solves exactly a quarter of them (for ``n`` a multiple of 4).
    """
    from datasets import Dataset

    _check_n(n)
    rng = random.Random(f"one-push-{seed}")
    levels = [one_push_level(p, rng, size, centred) for p in _balanced_pushes(n, rng)]
    return Dataset.from_dict(_rows(levels, prompt, image_size))


def make_push_text_dataset(n: int, seed: int = 0, size: int = 5):
    """Text-only rows for a tiny model's first stage: the prompt names the push (``Push:L``), the gold
    is a one-push level that push solves. Practises the tags and the one-letter answers."""
    from datasets import Dataset

    _check_n(n)
    rng = random.Random(f"push-text-{seed}")
    pushes = _balanced_pushes(n, rng)
    levels = [one_push_level(p, rng, size) for p in pushes]
    rows = _rows(levels, "", None)
    rows["prompt"] = [[{"role": "user", "content": PUSH_TEXT_PROMPT.format(letter=p[0])}] for p in pushes]
    return Dataset.from_dict(rows)


def _check_n(n: int) -> None:
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int (number of rows), got {n!r}")


def write_dataset(ds, out_dir: str | Path, name: str = "train") -> Path:
    """Save ``ds`` as ``out_dir/<name>.jsonl`` with its images as ``out_dir/images/<i>.png``.

    Image paths are relative to the file, which is how :mod:`lmmr1.train.data` resolves them.
    """
    out = Path(out_dir)
    (out / "images").mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, row in enumerate(ds):
            row = dict(row)
            if "image" in row:
                rel = f"images/{name}-{i:06d}.png"
                row.pop("image").save(out / rel)
                row["image"] = rel
            fh.write(json.dumps(row) + "\n")
    logger.info("wrote %d sokoban rows to %s", len(ds), path)
    return path


# ---------------------------------------------------------------- the authors' layout
def level_from_room(room: Any) -> str:
    """The text notation of a gym-sokoban room state (a 2-D array of the codes 0-6)."""
    rows = []
    for r, line in enumerate(room):
        out = []
        for c, value in enumerate(line):
            code = int(value)
            if code not in _ROOM_CODES:
                raise LevelError(
                    f"room code {code} at row {r}, column {c} is not gym-sokoban's (0 wall, 1 floor, 2 target, "
                    "3 box on target, 4 box, 5 player, 6 player on target)"
                )
            out.append(_ROOM_CODES[code])
        rows.append("".join(out))
    return "\n".join(rows)


def is_authors_layout(columns: Iterable[str]) -> bool:
    """Whether columns look like the authors' Sokoban rows (``message`` and ``env_path``)."""
    return set(AUTHORS_COLUMNS) <= set(columns)


def is_sokoban_rows(columns: Iterable[str], first_row: Mapping[str, Any] | None = None) -> bool:
    """Whether a dataset holds Sokoban rows: the authors' layout, or ``task`` == ``"sokoban"``."""
    cols = set(columns)
    if is_authors_layout(cols):
        return True
    return first_row is not None and "task" in cols and first_row.get("task") == TASK


def from_authors_row(row: Mapping[str, Any], base_dir: str | Path | None = None) -> dict[str, Any]:
    """A trainer row from one of the authors' rows: the level read from ``env_path`` (relative paths
    from ``base_dir``), the prompt text and image from ``message``."""
    import numpy as np

    from lmmr1.curation.sources import parse_messages

    env = Path(str(row["env_path"]))
    if not env.is_absolute() and base_dir is not None:
        env = Path(base_dir) / env
    if not env.is_file():
        raise FileNotFoundError(f"env_path {env} does not exist; it should be the .npy room state of this row")
    level = level_from_room(np.load(env, allow_pickle=False))
    text, images = parse_messages(row["message"])
    image = images[0] if images else None
    if isinstance(image, str) and image.startswith("file://"):
        image = image[len("file://") :]
    if isinstance(image, str) and not Path(image).is_absolute() and base_dir is not None:
        image = str(Path(base_dir) / image)
    content: list[dict[str, str]] = [{"type": "text", "text": text}]
    if image is not None:
        content = [{"type": "image"}, *content]
    out: dict[str, Any] = {"prompt": [{"role": "user", "content": content}], "solution": level, "task": TASK}
    if image is not None:
        out["image"] = image
    return out


def convert_authors(source: str | Path, out_dir: str | Path, name: str = "train") -> Path:
    """The authors' rows in ``source`` (a .jsonl/.json/.parquet file, paths relative to it) written
    as trainer rows to ``out_dir/<name>.jsonl`` (image paths absolute)."""
    from lmmr1.curation.sources import load_source

    ds, info = load_source(source)
    if not is_authors_layout(ds.column_names):
        raise LevelError(f"{source} has columns {ds.column_names}, not the authors' {list(AUTHORS_COLUMNS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for row in ds:
            fh.write(json.dumps(from_authors_row(row, info.base_dir)) + "\n")
    logger.info("wrote %d sokoban rows from %s to %s", len(ds), source, path)
    return path


def curation_hint(columns: Iterable[str]) -> str | None:
    """For ``curate``: what to do with Sokoban rows, whose golds are levels (None: not Sokoban rows)."""
    cols = set(columns)
    if is_authors_layout(cols):
        return (
            "these are Sokoban rows in the LMM-R1 authors' layout (message + env_path to a .npy room); convert "
            "them to trainer rows with `python -m lmmr1.sokoban.cli authors --dataset FILE --out DIR` and point "
            "the recipe's dataset_name at DIR/train.jsonl"
        )
    if {"prompt", "solution", "reference_solution"} <= cols:
        return (
            "these are Sokoban trainer rows written by `python -m lmmr1.sokoban.cli` (each has a known solution, "
            "checked when generated); point the recipe's dataset_name at the file directly"
        )
    return None
