"""MathVerse testmini (CaraJ/MathVerse-lmmseval): 788 problems x 5 versions, and each version alone.

Versions, as the benchmark defines them, say how much of the problem is in the text and how much
only in the diagram: Text Dominant, Text Lite, Vision Intensive, Vision Dominant, Vision Only.
Multiple-choice golds are letters; the options are in the question text (``Choices:`` lines), or
only in the image for the vision-heavy versions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lmmr1.evaluate.benchmarks.common import row_images
from lmmr1.evaluate.items import LETTERS, Item
from lmmr1.evaluate.registry import Benchmark, register
from lmmr1.evaluate.sources import HubSource, load_rows

HUB = HubSource("CaraJ/MathVerse-lmmseval", "testmini", config="testmini")
VERSIONS = ("Text Dominant", "Text Lite", "Vision Intensive", "Vision Dominant", "Vision Only")
_OPTION = re.compile(r"^\s*\(?([A-H])\s*[:.)：]\s*(.*\S)\s*$")
SHOWN_ONLY = "Answer the question shown in the image."


def options_in(question: str) -> dict[str, str]:
    """The ``A: …`` option lines after ``Choices:``; empty when the options are only in the image."""
    _, sep, tail = question.partition("Choices:")
    if not sep:
        return {}
    out: dict[str, str] = {}
    for line in tail.splitlines():
        m = _OPTION.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def verifier_inputs(row: dict[str, Any]) -> tuple[str, str, dict[str, str] | None]:
    gold = str(row["answer"]).strip()
    if row.get("question_type") == "multi-choice" and len(gold) == 1 and gold in LETTERS:
        options = options_in(str(row.get("question") or ""))
        if gold not in options:  # options only in the diagram: a letter is all a rule can check
            options = {k: k for k in LETTERS[: max(4, LETTERS.index(gold) + 1)]}
        return gold, "choice", options
    return gold, "auto", None


def prompt(row: dict[str, Any]) -> str:
    return str(row.get("question") or "").strip() or SHOWN_ONLY


def to_item(row: dict[str, Any]) -> Item:
    gold, task, options = verifier_inputs(row)
    return Item(
        id=str(row["sample_index"]),
        question=prompt(row),
        gold=gold,
        task=task,
        options=options,
        images=row_images(row, None, "image", "decoded_image"),
        meta={"problem_index": row.get("problem_index"), "problem_version": row.get("problem_version")},
    )


def _loader(version: str | None):
    def load(data_dir: Path | None) -> list[Item]:
        rows = load_rows("mathverse_testmini", data_dir, "mathverse_testmini", HUB)
        return [to_item(r) for r in rows if version is None or r.get("problem_version") == version]

    return load


register(
    Benchmark(
        name="mathverse_testmini",
        modality="mm",
        summary="MathVerse testmini, all five versions (3,940 items)",
        source=f"{HUB}; local: DATA/mathverse_testmini (save_to_disk or parquet, Hub schema)",
        load=_loader(None),
    )
)
for _version in VERSIONS:
    register(
        Benchmark(
            name="mathverse_testmini_" + _version.lower().replace(" ", "_"),
            modality="mm",
            summary=f"MathVerse testmini, {_version} version only (788 items)",
            source=f"{HUB}; local: DATA/mathverse_testmini",
            load=_loader(_version),
        )
    )
