"""Hugging Face dataset cards (``huggingface_hub.DatasetCard``, rendered offline) from curation stats."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from huggingface_hub import DatasetCard, DatasetCardData

from lmmr1.curation.filters.base import FILTER_ERROR
from lmmr1.curation.writers import write_json, write_text

TEMPLATE = "card.md.jinja"  # packaged beside this module (pyproject's package-data takes **/*.jinja)

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


def render(stats: dict[str, Any], meta: CardMeta) -> DatasetCard:
    """The card for one curation run; ``stats`` is ``CurationStats.to_dict()`` (or a stats JSON).

    Rendered by ``DatasetCard.from_template`` from the packaged ``card.md.jinja``.
    """
    schema, src = stats["schema"], stats.get("source", {})
    multimodal = bool(schema.get("image_col")) or schema.get("name") == "lmmr1_message"
    source = meta.source or src.get("source", "unknown")
    data = DatasetCardData(
        license=meta.license,
        pretty_name=f"{meta.name} (curated by lmmr1)",
        task_categories=["visual-question-answering" if multimodal else "question-answering"],
        size_categories=[_size_category(stats["kept_rows"])],
        source_datasets=[source],
        tags=["lmmr1", "rule-based-rl", "math"],
        configs=[{"config_name": "default", "data_files": meta.data_files}] if meta.data_files else None,
    )
    template = resources.files("lmmr1.curation").joinpath(TEMPLATE).read_text(encoding="utf-8")
    card = DatasetCard.from_template(data, template_str=template, **_view(stats, meta, source))
    return DatasetCard(str(card) + "\n")  # jinja drops the template's final newline


def _view(stats: dict[str, Any], meta: CardMeta, source: str) -> dict[str, Any]:
    """What the template shows, computed here so the template only lays it out."""
    filter_rows, errors = [], 0
    for pos, f in enumerate(stats["filters"], 1):
        declared = f.get("reasons") or sorted(set(f["sequential"]) | set(f["standalone"]))
        for r in declared:
            if r == FILTER_ERROR:
                errors += f["sequential"].get(r, 0)
                continue
            filter_rows.append({"pos": pos, "filter": f["name"], "reason": r,
                                "sequential": f["sequential"].get(r, 0), "standalone": f["standalone"].get(r, 0)})
    before, after = stats["answer_types_before"], stats["answer_types_after"]
    by_need = {need: [f for f in stats["filters"] if need in f.get("needs", ())] for need in ("phash", "verifier", "corpus")}
    corpus = by_need["corpus"][0]["settings"] if by_need["corpus"] else {}
    bench = corpus.get("benchmarks") or []
    hits = stats.get("benchmark_hits") or {}
    return {
        "name": meta.name,
        "input_rows": stats["input_rows"],
        "kept_rows": stats["kept_rows"],
        "dropped": stats["input_rows"] - stats["kept_rows"],
        "skipped_lines": stats.get("skipped_lines") or [],
        "source": source,
        "revision": meta.revision or stats.get("source", {}).get("revision") or "unknown",
        "license": meta.license,
        "schema": stats["schema"],
        "disabled": [f["name"] for f in stats.get("config", {}).get("filters", []) if not f.get("enabled", True)],
        "filter_rows": filter_rows,
        "filter_errors": errors,
        "answer_types": [{"name": t, "before": before.get(t, 0), "after": after.get(t, 0)}
                         for t in sorted(set(before) | set(after), key=lambda t: -before.get(t, 0))],
        "tasks": [{"name": t, "before": stats["tasks_before"].get(t, 0), "after": stats["tasks_after"].get(t, 0)}
                  for t in sorted(stats["tasks_before"])],
        "near": by_need["phash"][0]["settings"] if by_need["phash"] else "disabled",
        "decontamination": corpus if bench else "no benchmarks given",
        "benchmarks": [{"name": b, "hits": hits.get(b, 0)} for b in bench],
        "verifier": stats.get("verifier") or verifier_info(stats.get("config", {})),
        "template": by_need["verifier"][0]["settings"].get("template", "n/a") if by_need["verifier"] else "n/a",
        "limitations": [*meta.notes, *LIMITATIONS],
    }


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
