"""MATH-V (MathLLMs/MathVision): test (3,040) and testmini (304); lettered options or free form.

Gold, task and options exactly as ``benchmarks/verify_accuracy.py`` reads MATH-V's graded outputs:
a letter gold with options is a choice among the options, anything else is ``auto``. 384 test
questions have options ``A``-``E`` only, the choices being drawn in the image.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmmr1.evaluate.benchmarks.common import row_images, strip_placeholders
from lmmr1.evaluate.items import Item, choices_block, lettered
from lmmr1.evaluate.registry import Benchmark, register
from lmmr1.evaluate.sources import HubSource, load_rows

HUB_ID = "MathLLMs/MathVision"


def verifier_inputs(gold: Any, options: list | None) -> tuple[str, str, dict[str, str] | None]:
    """(gold, task, options) for a MATH-V row: its answer and its option list."""
    gold = str(gold)
    letters = lettered(options or [])
    if letters and gold in letters:
        return gold, "choice", letters
    return gold, "auto", None


def _in_image(letter: str, option: str) -> bool:
    """An option that is its letter or an ``<image2>`` reference: the choice is drawn, not written."""
    return option == letter or not strip_placeholders(option)


def prompt(question: str, options: dict[str, str] | None) -> str:
    text = strip_placeholders(question)
    if options and all(_in_image(k, v) for k, v in options.items()):
        text += f"\nThe options are shown in the image; answer with one letter of {', '.join(options)}."
    elif options:
        text += "\n" + choices_block(options)
    return text


def to_item(row: dict[str, Any], base: Path | None) -> Item:
    gold, task, options = verifier_inputs(row["answer"], row.get("options"))
    return Item(
        id=str(row["id"]),
        question=prompt(row["question"], options),
        gold=gold,
        task=task,
        options=options,
        images=row_images(row, base, "decoded_image", "image"),
        meta={"subject": row.get("subject"), "level": row.get("level")},
    )


def _loader(split: str):
    def load(data_dir: Path | None) -> list[Item]:
        rows = load_rows(f"mathv_{split}", data_dir, (f"mathv/{split}.jsonl", f"mathv_{split}"), HubSource(HUB_ID, split))
        base = Path(data_dir) / "mathv" if data_dir is not None else None
        return [to_item(r, base) for r in rows]

    return load


for _split, _n in (("test", "3,040"), ("testmini", "304")):
    register(
        Benchmark(
            name=f"mathv_{_split}",
            modality="mm",
            summary=f"MATH-V {_split} ({_n} competition problems with diagrams)",
            source=f"{HubSource(HUB_ID, _split)}; local: DATA/mathv/{_split}.jsonl + images/, or DATA/mathv_{_split} (Hub schema)",
            load=_loader(_split),
        )
    )
