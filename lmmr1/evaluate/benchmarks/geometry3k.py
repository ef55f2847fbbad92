"""Geometry3K test as rewritten by FormalGeo (554 items, exact answers, ``geometry`` task)."""

from __future__ import annotations

from pathlib import Path

from lmmr1.evaluate.benchmarks.common import row_images
from lmmr1.evaluate.items import Item
from lmmr1.evaluate.registry import Benchmark, register
from lmmr1.evaluate.sources import load_rows

LOCAL = "geometry3k_test/problems.jsonl"


def load(data_dir: Path | None) -> list[Item]:
    rows = load_rows("geometry3k", data_dir, LOCAL, None)
    base = Path(data_dir) / "geometry3k_test" if data_dir is not None else None
    return [
        Item(
            id=str(r["geometry3k_id"]),
            question=str(r["problem_text_en"]).strip(),
            gold=str(r["answer"]),
            task="geometry",
            images=row_images(r, base, "image"),
        )
        for r in rows
    ]


register(
    Benchmark(
        name="geometry3k",
        modality="mm",
        summary="Geometry3K test, FormalGeo's text (554 diagrams; answers compared with rounding)",
        source=f"local only: DATA/{LOCAL} + diagrams/",
        load=load,
    )
)
