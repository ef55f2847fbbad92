"""MMStar val (Lin-Chen/MMStar, 1,500 items): four lettered options written in the question."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lmmr1.evaluate.benchmarks.common import row_images
from lmmr1.evaluate.items import Item
from lmmr1.evaluate.registry import Benchmark, register
from lmmr1.evaluate.sources import HubSource, load_rows

HUB = HubSource("Lin-Chen/MMStar", "val")
# "Options: A: 5, B: 6, C: 7, D: 8": each letter up to the next ", X:" (an option may hold commas).
_OPTIONS = re.compile(r"(?:^|[\s,])([A-D])\s*[:.]\s*(.*?)(?=,\s*[A-D]\s*[:.]\s|\s*$)", re.S)
HINT = "Answer with the option's letter from the given choices."


def options_in(question: str) -> dict[str, str]:
    _, sep, tail = question.rpartition("Options:")
    if not sep:
        return {}
    return {m.group(1): m.group(2).strip() for m in _OPTIONS.finditer(tail.strip())}


def verifier_inputs(row: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    gold = str(row["answer"]).strip()
    options = options_in(str(row["question"]))
    if gold not in options:
        options = {k: k for k in "ABCD"}
    return gold, "choice", options


def prompt(row: dict[str, Any]) -> str:
    return f"{str(row['question']).strip()}\n{HINT}"


def to_item(row: dict[str, Any]) -> Item:
    gold, task, options = verifier_inputs(row)
    return Item(
        id=str(row["index"]),
        question=prompt(row),
        gold=gold,
        task=task,
        options=options,
        images=row_images(row, None, "image"),
        meta={"category": row.get("category"), "l2_category": row.get("l2_category")},
    )


def load(data_dir: Path | None) -> list[Item]:
    return [to_item(r) for r in load_rows("mmstar", data_dir, "mmstar", HUB)]


register(
    Benchmark(
        name="mmstar",
        modality="mm",
        summary="MMStar val (1,500 vision-indispensable multiple-choice questions)",
        source=f"{HUB}; local: DATA/mmstar (save_to_disk or parquet, Hub schema)",
        load=load,
    )
)
