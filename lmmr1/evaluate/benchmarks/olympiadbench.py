"""OlympiadBench, English test set (lmms-lab/OlympiadBench test_en): text and multimodal items.

Conventions kept: ``final_answer`` is a list; an item with ``is_multiple_answer`` is right only when
all its answers are given (compared as a set, in any order). A numerical item with an ``error``
(its allowed absolute error, e.g. ``1e-2``) is compared with that tolerance, as OlympiadBench's
judge does, through a per-item geometry config with no rounding allowance.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from lmmr1.evaluate.benchmarks.common import row_images, strip_placeholders
from lmmr1.evaluate.items import Item
from lmmr1.evaluate.registry import Benchmark, register
from lmmr1.evaluate.sources import HubSource, load_rows
from lmmr1.verifiers import GeometryConfig, VerifierConfig

HUB = HubSource("lmms-lab/OlympiadBench", "test_en")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
MAX_REL_TOL = 0.5  # GeometryConfig needs a relative tolerance below 1; a tolerance this loose is a data error


def _answers(row: dict[str, Any]) -> list[str]:
    value = row.get("final_answer")
    values = value if isinstance(value, (list, tuple)) else [value]
    return [str(v).strip().strip("$").strip() for v in values if v is not None and str(v).strip()]


def tolerance(row: dict[str, Any], gold: str) -> float | None:
    """The item's absolute error allowance, when it has one and the gold is a plain number."""
    error = row.get("error")
    if error in (None, "") or not _NUMBER.match(gold):
        return None
    first = str(error).split(",")[0].strip()
    try:
        tol = float(first)
    except ValueError:
        return None
    return tol if tol > 0 and math.isfinite(tol) else None


def verifier_inputs(row: dict[str, Any]) -> tuple[str, str, VerifierConfig | None]:
    """(gold, task, per-item config)."""
    answers = _answers(row)
    gold = ", ".join(answers)
    if len(answers) == 1:
        tol = tolerance(row, answers[0])
        value = float(answers[0]) if tol is not None else 0.0
        if tol is not None and value != 0.0:
            rel = min(tol / abs(value), MAX_REL_TOL)
            return gold, "geometry", VerifierConfig(geometry=GeometryConfig(rounding="none", rel_tol=rel))
    return gold, "auto", None


def prompt(row: dict[str, Any]) -> str:
    parts = [strip_placeholders(str(row.get("context") or "")), strip_placeholders(str(row["question"]))]
    text = "\n".join(p for p in parts if p)
    if row.get("is_multiple_answer"):
        text += "\nThis problem has more than one answer: give all of them, separated by commas."
    if row.get("unit"):
        text += f"\nThe unit of the answer is {row['unit']}; give the number without the unit."
    return text


def to_item(row: dict[str, Any]) -> Item:
    gold, task, config = verifier_inputs(row)
    columns = ("images",) + tuple(f"image_{i}" for i in range(1, 6))
    images = row_images(row, None, *columns)
    if not images:  # image_1..image_5 as separate columns: take them all
        images = tuple(im for c in columns[1:] for im in row_images(row, None, c))
    return Item(
        id=str(row.get("question_id", row.get("id"))),
        question=prompt(row),
        gold=gold,
        task=task,
        images=images,
        config=config,
        meta={"subject": row.get("subject"), "answer_type": row.get("answer_type"), "error": row.get("error")},
    )


def load(data_dir: Path | None) -> list[Item]:
    return [to_item(r) for r in load_rows("olympiadbench", data_dir, "olympiadbench", HUB)]


register(
    Benchmark(
        name="olympiadbench",
        modality="mm",
        summary="OlympiadBench test_en (olympiad maths and physics, text and multimodal)",
        source=f"{HUB}; local: DATA/olympiadbench (save_to_disk or parquet, Hub schema)",
        load=load,
    )
)
