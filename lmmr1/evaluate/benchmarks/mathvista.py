"""MathVista testmini (AI4Math/MathVista, 1,000 items): option-text golds, precision and units.

Conventions kept: a multiple-choice gold is the option's *text*; it is named by its letter here, as
``benchmarks/verify_accuracy.py`` does, so a letter or the text both answer it. Free-form golds are
already written at the item's ``precision`` (decimals); the prompt asks for that precision and
names the ``unit``, and the verifier strips units from the prediction (``MathConfig.units``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmmr1.evaluate.benchmarks.common import row_images
from lmmr1.evaluate.items import Item, choices_block, lettered
from lmmr1.evaluate.registry import Benchmark, register
from lmmr1.evaluate.sources import HubSource, load_rows

HUB = HubSource("AI4Math/MathVista", "testmini")


def verifier_inputs(row: dict[str, Any]) -> tuple[str, str, dict[str, str] | None]:
    """(gold, task, options) for a MathVista row (``question_type``, ``choices``, ``answer``)."""
    answer = str(row["answer"])
    if row.get("question_type") == "multi_choice" and row.get("choices"):
        options = lettered(row["choices"])
        gold = next((k for k, v in options.items() if v == answer), answer)
        return gold, "choice", options
    return answer, "auto", None


def _hint(row: dict[str, Any]) -> str:
    kind, precision = row.get("answer_type"), row.get("precision")
    if row.get("question_type") == "multi_choice":
        return "Answer with the option's letter."
    if kind == "integer":
        return "Answer with an integer."
    if kind == "float" and precision is not None:
        places = int(precision)
        return f"Answer with a number rounded to {places} decimal place{'s' if places != 1 else ''}."
    if kind == "list":
        return "Answer with a list of numbers, e.g. [1, 2, 3]."
    return ""


def prompt(row: dict[str, Any], options: dict[str, str] | None) -> str:
    text = str(row["question"]).strip()
    if row.get("unit"):
        text += f" (Unit: {row['unit']})"
    if options:
        text += "\n" + choices_block(options)
    hint = _hint(row)
    return f"{text}\n{hint}" if hint else text


def to_item(row: dict[str, Any], base: Path | None) -> Item:
    gold, task, options = verifier_inputs(row)
    return Item(
        id=str(row["pid"]),
        question=prompt(row, options),
        gold=gold,
        task=task,
        options=options,
        images=row_images(row, base, "decoded_image", "image"),
        meta={"answer_type": row.get("answer_type"), "precision": row.get("precision"), "unit": row.get("unit")},
    )


def load(data_dir: Path | None) -> list[Item]:
    rows = load_rows("mathvista_testmini", data_dir, ("mathvista_testmini/testmini.json", "mathvista_testmini"), HUB)
    base = Path(data_dir) / "mathvista_testmini" if data_dir is not None else None
    return [to_item(r, base) for r in rows]


register(
    Benchmark(
        name="mathvista_testmini",
        modality="mm",
        summary="MathVista testmini (1,000 visual math questions; multiple choice and free form)",
        source=f"{HUB}; local: DATA/mathvista_testmini/testmini.json + images/",
        load=load,
    )
)
