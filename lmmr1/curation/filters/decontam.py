"""Benchmark contamination: word n-gram overlap plus digit-stripped exact match."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lmmr1.curation.filters.base import Decision, Drop, Filter, register
from lmmr1.curation.filters.dedup import normalize_text
from lmmr1.curation.sources import Example, canonical, detect_schema, load_source

logger = logging.getLogger(__name__)
_DIGITS = re.compile(r"\d+")


def strip_digits(text: str) -> str:
    """Normalized text with numbers removed: catches benchmark items with their numbers changed."""
    return " ".join(_DIGITS.sub(" ", text).split())


def ngrams(text: str, n: int) -> set[int]:
    words = text.split()
    return {hash(" ".join(words[i : i + n])) for i in range(len(words) - n + 1)}


@dataclass
class BenchmarkIndex:
    """The n-grams and digit-stripped texts of the benchmarks, each tagged with its benchmark's name."""

    n: int
    grams: dict[int, str] = field(default_factory=dict)
    stripped: dict[str, str] = field(default_factory=dict)
    exact: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, question: str, min_chars: int) -> None:
        text = normalize_text(question)
        for g in ngrams(text, self.n):
            self.grams.setdefault(g, name)
        key = strip_digits(text)
        if len(key) >= min_chars:
            self.stripped.setdefault(key, name)
        self.exact.setdefault(text, name)
        self.sizes[name] = self.sizes.get(name, 0) + 1


def benchmark_name(path: str) -> str:
    p = Path(path)
    return f"{p.parent.name}/{p.stem}" if p.parent.name else p.stem


@register("contaminated")
@dataclass(frozen=True)
class Contaminated(Filter):
    """Rows whose question overlaps a benchmark's: ``overlap`` of its n-grams, or equal up to digits."""

    in_main = True
    needs_corpus = True
    benchmarks: tuple[str, ...] = ()  # paths of benchmark files or folders (any format `curate` reads)
    ngram: int = 10  # words per n-gram; 13 in GPT-3's study, shorter here because math questions are short
    overlap: float = 0.5  # fraction of the row's n-grams found in one benchmark
    min_chars: int = 40  # digit-stripped match only for texts this long ("find x" matches everything)
    min_exact_chars: int = 12  # exact match (digits kept) of a text-only row this long; rows with images need min_chars

    def prepare(self, examples: Sequence[Example]) -> BenchmarkIndex:
        """Index the benchmarks' questions (the rows themselves are not needed)."""
        idx = BenchmarkIndex(self.ngram)
        for path in self.benchmarks:
            ds, info = load_source(path)
            schema = detect_schema(ds.column_names)
            name = benchmark_name(path)
            cols = [c for c in (schema.question_col, schema.answer_col) if c]
            for i, row in enumerate(ds.select_columns(cols)):
                ex = canonical(row, i, schema, info.base_dir)
                if ex.question:
                    idx.add(name, ex.question, self.min_chars)
            logger.info("decontamination benchmark %s: %d questions", name, idx.sizes.get(name, 0))
        return idx

    def check_all(self, examples: Sequence[Example], state: BenchmarkIndex | None = None) -> list[Decision]:
        if not self.benchmarks:
            return [None] * len(examples)
        idx = self.prepare(examples) if state is None else state
        return [self._one(ex, idx) for ex in examples]

    def _one(self, ex: Example, idx: BenchmarkIndex) -> Decision:
        text = normalize_text(ex.question)
        has_image = bool(ex.image_keys or ex.images)  # "find x" over another diagram is another problem
        if len(text) >= (self.min_chars if has_image else self.min_exact_chars) and text in idx.exact:
            name = idx.exact[text]
            return Drop("contaminated", f"same text as a {name} question", name)
        key = strip_digits(text)
        if len(key) >= self.min_chars and key in idx.stripped:
            name = idx.stripped[key]
            return Drop("contaminated", f"equals a {name} question up to digits", name)
        grams = ngrams(text, self.ngram)
        if not grams:
            return None
        hits: dict[str, int] = {}
        for g in grams:
            name = idx.grams.get(g)
            if name is not None:
                hits[name] = hits.get(name, 0) + 1
        if hits:
            name, count = max(hits.items(), key=lambda kv: kv[1])
            if count / len(grams) >= self.overlap:
                return Drop("contaminated", f"{count}/{len(grams)} {self.ngram}-grams in {name}", name)
        return None

    def settings(self) -> dict[str, Any]:
        return {"benchmarks": [benchmark_name(b) for b in self.benchmarks], "ngram": self.ngram,
                "overlap": self.overlap, "min_chars": self.min_chars, "min_exact_chars": self.min_exact_chars}
