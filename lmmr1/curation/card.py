"""Hugging Face dataset cards (``huggingface_hub.DatasetCard``, rendered offline) from curation stats."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from huggingface_hub import DatasetCard, DatasetCardData

from lmmr1.curation.writers import write_json, write_text

LIMITATIONS = (
    "Answer types come from regular expressions; unusual LaTeX may land in `expression` or `text`.",
    "`gold_verifiable` checks only that lmmr1's verifier accepts the gold against itself; a wrong gold "
    "that parses is kept.",
    "Near-duplicate detection is MinHash on word shingles: paraphrases with different wording are not caught.",
    "Decontamination catches copied or number-changed questions from the benchmarks given, no others.",
    "Prompt length is a word/punctuation count unless a tokenizer is configured.",
)


@dataclass(frozen=True)
class CardMeta:
    """What the stats cannot know: the dataset's name, licence and provenance."""

    name: str
    license: str = "unknown"  # SPDX id (mit, cc-by-sa-4.0, ...) or "unknown"
    source: str = ""  # upstream, e.g. "mathllm/MATH-V @ a1f5cc3 : data/test.jsonl"
    revision: str = ""  # a commit or, for local files, the content hash
    data_files: str = ""  # where the curated rows were written, for the `configs` header
    notes: tuple[str, ...] = ()  # dataset-specific remarks, listed under known limitations


def file_revision(paths: tuple[str, ...] | list[str]) -> str:
    """sha256 (first 12 hex digits) of the input files: identifies local data without a commit."""
    h = hashlib.sha256()
    for p in sorted(paths):
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return "sha256:" + h.hexdigest()[:12]


def verifier_info(config: dict[str, Any]) -> dict[str, Any]:
    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "lmmr1": version("lmmr1"),
        "math-verify": version("math-verify"),
        "config": config.get("verifier", {}),
    }


def _size_category(n: int) -> str:
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return label
    return "1M<n<10M"


def _table(header: tuple[str, ...], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render(stats: dict[str, Any], meta: CardMeta) -> DatasetCard:
    """The card for one curation run; ``stats`` is ``CurationStats.to_dict()`` (or a stats JSON)."""
    multimodal = bool(stats["schema"].get("image_col")) or stats["schema"].get("name") == "lmmr1_message"
    data = DatasetCardData(
        license=meta.license,
        pretty_name=f"{meta.name} (curated by lmmr1)",
        task_categories=["visual-question-answering" if multimodal else "question-answering"],
        size_categories=[_size_category(stats["kept_rows"])],
        source_datasets=[meta.source or stats.get("source", {}).get("source", "unknown")],
        tags=["lmmr1", "rule-based-rl", "math"],
        configs=[{"config_name": "default", "data_files": meta.data_files}] if meta.data_files else None,
    )
    dropped = stats["input_rows"] - stats["kept_rows"]
    filter_rows = []
    for i, f in enumerate(stats["filters"], 1):
        reasons = sorted(set(f["sequential"]) | set(f["standalone"])) or ["—"]
        for r in reasons:
            filter_rows.append(
                (
                    i,
                    f"`{f['name']}`",
                    f"`{r}`" if r != "—" else r,
                    f["sequential"].get(r, 0),
                    f["standalone"].get(r, 0),
                )
            )
    types = sorted(
        set(stats["answer_types_before"]) | set(stats["answer_types_after"]),
        key=lambda t: -stats["answer_types_before"].get(t, 0),
    )
    settings = {f["name"]: f["settings"] for f in stats["filters"]}
    ver = stats.get("verifier") or verifier_info(stats.get("config", {}))
    disabled = [f["name"] for f in stats.get("config", {}).get("filters", []) if not f.get("enabled", True)]
    hits = stats.get("benchmark_hits") or {}
    bench = settings.get("contaminated", {}).get("benchmarks") or []
    body = (
        f"""
# {meta.name} — curated for rule-based RL

Curated with `curate filter` from [lmmr1](https://arxiv.org/abs/2503.07536): every row is kept, or
dropped with the first reason that applied. **{stats["input_rows"]} rows in, {stats["kept_rows"]} kept,
{dropped} dropped** (input = kept + Σ dropped).

## Source
- source: {meta.source or stats.get("source", {}).get("source", "unknown")}
- revision: {meta.revision or stats.get("source", {}).get("revision") or "unknown"}
- licence: {meta.license}
- schema detected: `{stats["schema"].get("name")}` (question `{stats["schema"].get("question_col")}`, answer
  `{stats["schema"].get("answer_col")}`, image `{stats["schema"].get("image_col")}`, options `{stats["schema"].get("options_col")}`)

## Filters, in order
*Sequential*: rows this filter dropped first, after the filters above it. *Stand-alone*: rows it
would drop run alone on the whole input.
{"Disabled in this run: " + ", ".join(f"`{d}`" for d in disabled) + "." if disabled else ""}

{_table(("#", "filter", "reason", "sequential", "stand-alone"), filter_rows)}

## Answer types
{_table(("answer type", "before", "after"), [(t, stats["answer_types_before"].get(t, 0), stats["answer_types_after"].get(t, 0)) for t in types])}

{_table(("verifier task", "before", "after"), [(t, stats["tasks_before"].get(t, 0), stats["tasks_after"].get(t, 0)) for t in sorted(stats["tasks_before"])])}

## Deduplication and decontamination
- exact: normalized question text + image content hash
- near: {settings.get("near_duplicate", "disabled")}
- decontamination: {settings.get("contaminated", {}) if bench else "no benchmarks given"}

{_table(("benchmark", "rows matched (stand-alone)"), [(b, hits.get(b, 0)) for b in bench]) if bench else ""}

## Verifier
Golds were checked with lmmr1 {ver.get("lmmr1")} (math-verify {ver.get("math-verify")}), template
`{settings.get("gold_verifiable", {}).get("template", "n/a")}`, config:
`{ver.get("config")}`

## Known limitations
"""
        + "\n".join(f"- {line}" for line in (*meta.notes, *LIMITATIONS))
        + "\n"
    )
    return DatasetCard(f"---\n{data.to_yaml()}\n---\n{body}")


def write_card(path: str | Path, stats: dict[str, Any], meta: CardMeta) -> Path:
    """Write ``NAME.md`` and the stats JSON beside it (``NAME.stats.json``, which also holds the card meta)."""
    path = Path(path)
    full = dict(stats)
    full.setdefault("verifier", verifier_info(stats.get("config", {})))
    full["card"] = asdict(meta)
    write_text(path, str(render(full, meta)))
    stats_path = path.with_suffix(".stats.json")
    write_json(stats_path, full)
    return stats_path


def meta_from_stats(stats: dict[str, Any], **overrides: Any) -> CardMeta:
    base = dict(stats.get("card") or {"name": Path(stats.get("source", {}).get("source", "dataset")).stem})
    base.update({k: v for k, v in overrides.items() if v})
    if isinstance(base.get("notes"), list):
        base["notes"] = tuple(base["notes"])
    return CardMeta(**{k: v for k, v in base.items() if k in CardMeta.__dataclass_fields__})
