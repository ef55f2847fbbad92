"""GPQA diamond (Idavidrein/gpqa, config gpqa_diamond, 198 items): four options, shuffled per item.

The Hub rows hold the correct answer and three incorrect ones; their order is drawn from a hash
of the question, so every run (and every machine) shows the same letters.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

from lmmr1.evaluate.items import Item, choices_block, lettered
from lmmr1.evaluate.registry import Benchmark, register
from lmmr1.evaluate.sources import HubSource, load_rows

HUB = HubSource("Idavidrein/gpqa", "train", config="gpqa_diamond")
HINT = "Answer with the option's letter."


def shuffled(row: dict[str, Any]) -> tuple[dict[str, str], str]:
    """(options by letter, the correct letter)."""
    texts = [str(row["Correct Answer"]).strip()] + [str(row[f"Incorrect Answer {i}"]).strip() for i in (1, 2, 3)]
    seed = int.from_bytes(hashlib.sha256(str(row["Question"]).encode()).digest()[:8], "big")
    order = list(range(4))
    random.Random(seed).shuffle(order)
    options = lettered([texts[i] for i in order])
    return options, "ABCD"[order.index(0)]


def to_item(row: dict[str, Any], index: int) -> Item:
    options, gold = shuffled(row)
    question = f"{str(row['Question']).strip()}\n{choices_block(options)}\n{HINT}"
    return Item(id=str(row.get("Record ID") or index), question=question, gold=gold, task="choice", options=options)


def load(data_dir: Path | None) -> list[Item]:
    return [to_item(r, i) for i, r in enumerate(load_rows("gpqa_diamond", data_dir, "gpqa_diamond", HUB))]


register(
    Benchmark(
        name="gpqa_diamond",
        modality="text",
        summary="GPQA diamond (198 graduate-level science questions, four options)",
        source=f"{HUB}; local: DATA/gpqa_diamond (save_to_disk or parquet, Hub schema)",
        load=load,
    )
)
