"""Text-only maths: MATH-500, GSM8K, AIME 2024 / 2025, AMC 2023 (free-form answers, ``auto``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lmmr1.evaluate.benchmarks.common import number_gold
from lmmr1.evaluate.items import Item
from lmmr1.evaluate.registry import Benchmark, register
from lmmr1.evaluate.sources import HubSource, load_rows


def _gsm8k_gold(answer: Any) -> str:
    """The local copy holds the final value; the Hub's ``answer`` is a solution ending ``#### 72``."""
    text = str(answer)
    return text.rsplit("####", 1)[1].strip().replace(",", "") if "####" in text else text.strip()


def _make(
    name: str,
    summary: str,
    local: str,
    hub: HubSource | None,
    question: str,
    id_col: str | None,
    gold: Callable[[Any], str] = number_gold,
) -> Benchmark:
    def load(data_dir: Path | None) -> list[Item]:
        rows = load_rows(name, data_dir, (local, name), hub)
        return [
            Item(id=str(r[id_col]) if id_col and id_col in r else str(i), question=str(r[question]).strip(), gold=gold(r["answer"]))
            for i, r in enumerate(rows)
        ]

    where = f"{hub}; local: DATA/{local}" if hub else f"local only: DATA/{local}"
    return register(Benchmark(name=name, modality="text", summary=summary, source=where, load=load))


_make("math500", "MATH-500 (500 competition problems)", "text_math/math500_test.jsonl",
      HubSource("HuggingFaceH4/MATH-500", "test"), "problem", "unique_id")
_make("gsm8k", "GSM8K test (1,319 grade-school word problems)", "text_math/gsm8k_test.jsonl",
      HubSource("openai/gsm8k", "test", config="main"), "question", None, _gsm8k_gold)
_make("aime24", "AIME 2024 (30 problems)", "text_math/aime24_test.jsonl", None, "problem", "id")
_make("aime25", "AIME 2025 (30 problems)", "text_math/aime25_test.jsonl", None, "problem", None)
_make("amc23", "AMC 2023 (40 problems)", "text_math/amc23_test.jsonl", None, "problem", "id")
