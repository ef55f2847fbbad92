"""The benchmark registry: one small module per benchmark registers a :class:`Benchmark` here."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lmmr1.errors import UserError
from lmmr1.evaluate.items import Item
from lmmr1.prompts import SYSTEM_PROMPT
from lmmr1.verifiers import VerifierConfig

Modality = Literal["mm", "text"]
#: The paper's evaluation lengths (new tokens): multimodal benchmarks 4,096, text benchmarks 8,192.
MAX_NEW_TOKENS: dict[str, int] = {"mm": 4096, "text": 8192}


@dataclass(frozen=True)
class Benchmark:
    """A benchmark: where its rows come from and how each becomes an :class:`Item`.

    ``load(data_dir)`` returns every item in the benchmark's order; ``data_dir`` is ``--data-dir``
    (``None``: the Hub). ``source`` says where the rows come from, for ``--list`` and results.json.
    ``system_prompt`` and ``new_tokens`` are the protocol's defaults (the paper's R1 prompt and the
    modality's length); the tiny recipe's held-out sets use the recipe's own, as they were trained.
    """

    name: str
    modality: Modality
    summary: str
    source: str
    load: Callable[[Path | None], list[Item]]
    config: VerifierConfig = field(default_factory=VerifierConfig)
    system_prompt: str = SYSTEM_PROMPT
    new_tokens: int | None = None  # None: MAX_NEW_TOKENS of the modality

    @property
    def max_new_tokens(self) -> int:
        return self.new_tokens or MAX_NEW_TOKENS[self.modality]


_REGISTRY: dict[str, Benchmark] = {}


def register(benchmark: Benchmark) -> Benchmark:
    """Add ``benchmark``; a second benchmark of the same name is a bug and is refused."""
    if benchmark.name in _REGISTRY:
        raise ValueError(f"benchmark {benchmark.name!r} is registered twice")
    _REGISTRY[benchmark.name] = benchmark
    return benchmark


def _ensure_loaded() -> None:
    import lmmr1.evaluate.benchmarks  # noqa: F401  (each module registers itself)


def names() -> list[str]:
    _ensure_loaded()
    return sorted(_REGISTRY)


def get(name: str) -> Benchmark:
    """The benchmark called ``name``; an unknown name is a UserError suggesting the closest."""
    _ensure_loaded()
    if name not in _REGISTRY:
        close = difflib.get_close_matches(name, _REGISTRY, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UserError(f"unknown benchmark {name!r}{hint} (`lmmr1 evaluate --list` lists them)")
    return _REGISTRY[name]


def parse_names(value: str) -> list[str]:
    """``"a,b"`` -> the benchmarks, checked; duplicates are dropped keeping the first."""
    out: list[str] = []
    for part in value.split(","):
        part = part.strip()
        if part and part not in out:
            get(part)
            out.append(part)
    if not out:
        raise UserError("--benchmarks is empty; name one or more benchmarks, e.g. --benchmarks math500,mathv_testmini")
    return out
