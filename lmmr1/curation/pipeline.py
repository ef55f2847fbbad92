"""Run the configured filters over a dataset and account for every row.

Row filters run inside ``datasets.map`` (optionally with ``num_proc`` workers); dataset filters
(duplicates, contamination, the batched verifier) run in the main process. Each row is kept or
dropped with a *first reason* (sequential order), so ``input = kept + sum(dropped)`` always holds;
each filter's *stand-alone* count (as if it ran alone on the whole input) is reported beside it.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import datasets
from tqdm.auto import tqdm

from lmmr1.curation.answer_types import classify
from lmmr1.curation.config import CurationConfig, load_config
from lmmr1.curation.filters import Drop, Filter
from lmmr1.curation.filters.dedup import NearDuplicate, phash_hex
from lmmr1.curation.filters.images import image_key
from lmmr1.curation.sources import Example, Schema, SourceInfo, canonical, detect_schema, undecoded_images

logger = logging.getLogger(__name__)
PASS_RATE_COLS = ("pass_rate", "lmmr1_pass_rate")
OWN_COLUMNS = ("lmmr1_keep", "lmmr1_reason", "lmmr1_reasons", "lmmr1_detail", "lmmr1_answer_type", "lmmr1_task")


@dataclass
class CurationStats:
    """Counts for the stats JSON and the data card."""

    input_rows: int
    kept_rows: int
    dropped: dict[str, int]  # first reason -> rows
    filters: list[dict[str, Any]]  # in order: name, sequential {reason: n}, standalone {reason: n}, settings
    answer_types_before: dict[str, int]
    answer_types_after: dict[str, int]
    tasks_before: dict[str, int]
    tasks_after: dict[str, int]
    benchmark_hits: dict[str, int]  # benchmark -> rows matching it (stand-alone)
    schema: dict[str, Any]
    config: dict[str, Any]
    seconds: float
    source: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        """Raise if the accounting does not add up (it always should)."""
        if self.input_rows != self.kept_rows + sum(self.dropped.values()):
            raise AssertionError(f"accounting broken: {self.input_rows} != {self.kept_rows} + {sum(self.dropped.values())}")

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CurationStats:
        missing = set(cls.__dataclass_fields__) - set(data) - {"source"}
        if missing:
            raise ValueError(f"stats file lacks {sorted(missing)}; write it with `curate filter`")
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def curate(
    dataset: datasets.Dataset,
    config: CurationConfig | None = None,
    *,
    schema: Schema | None = None,
    source: SourceInfo | None = None,
    num_proc: int | None = None,
    mark: bool = False,
) -> tuple[datasets.Dataset, datasets.Dataset, CurationStats]:
    """Filter ``dataset``; returns (kept, rejected, stats).

    ``kept`` gains ``lmmr1_answer_type`` and ``lmmr1_task``; with ``mark=True`` it holds every row
    plus ``lmmr1_keep`` and ``lmmr1_reasons``. ``rejected`` holds dropped rows with
    ``lmmr1_reason`` (the first), ``lmmr1_reasons`` (all) and ``lmmr1_detail``.
    """
    start = time.perf_counter()
    config = config or load_config()
    source = source or SourceInfo("<in memory>", "memory")
    dataset = dataset.remove_columns([c for c in OWN_COLUMNS if c in dataset.column_names])
    schema = schema or detect_schema(dataset.column_names)
    filters = config.build_filters()
    row_filters = [f for f in filters if not f.in_main]
    pass_col = _pass_rate_col(config, dataset.column_names)
    work = undecoded_images(dataset, schema)
    need_phash = any(isinstance(f, NearDuplicate) for f in filters)
    n = len(dataset)

    phase = work.map(
        _row_phase,
        batched=True,
        batch_size=1000,
        with_indices=True,
        num_proc=num_proc if num_proc and num_proc > 1 and n >= 2 * num_proc else None,
        remove_columns=work.column_names,
        fn_kwargs={"schema": schema, "base_dir": source.base_dir, "filters": row_filters, "pass_col": pass_col,
                   "task": config.task, "need_phash": need_phash},
        desc="row filters",
        load_from_cache_file=False,
    )
    cols = phase.to_dict()
    examples = [
        Example(i, question=q, gold=g, options=tuple(o), task=t, error=e, image_keys=tuple(k), phashes=tuple(p))
        for i, (q, g, o, t, e, k, p) in enumerate(zip(cols["q"], cols["gold"], cols["options"], cols["task"],
                                                       cols["error"], cols["image_keys"], cols["phashes"], strict=False))
    ]
    row_decisions = {f.name: [Drop(r, d) if r else None for r, d in zip(cols[f"r:{f.name}"], cols[f"d:{f.name}"], strict=False)]
                     for f in row_filters}

    alive = [True] * n
    first: list[Drop | None] = [None] * n
    reasons: list[list[str]] = [[] for _ in range(n)]
    report: list[dict[str, Any]] = []
    hits: Counter[str] = Counter()
    for f in tqdm(filters, desc="filters", unit="filter", disable=not datasets.is_progress_bar_enabled()):
        t0 = time.perf_counter()
        standalone, sequential = _decide(f, examples, alive, row_decisions.get(f.name))
        for i, d in sequential.items():
            if d is not None:
                alive[i] = False
                first[i] = d
        for i in range(n):
            d = standalone[i] if not f.cross_row else sequential.get(i)
            if d is not None:
                reasons[i].append(d.reason)
        if f.name == "contaminated":
            hits.update(d.key for d in standalone if d is not None)
        report.append({
            "name": f.name,
            "sequential": dict(Counter(d.reason for d in sequential.values() if d is not None)),
            "standalone": dict(Counter(d.reason for d in standalone if d is not None)),
            "settings": _jsonable(f.settings()),
            "seconds": round(time.perf_counter() - t0, 3),
        })
        logger.info("%-30s dropped %d (stand-alone %d)", f.name, sum(report[-1]["sequential"].values()),
                    sum(report[-1]["standalone"].values()))

    answer_types, tasks = cols["answer_type"], cols["task"]
    kept_idx = [i for i in range(n) if alive[i]]
    rej_idx = [i for i in range(n) if not alive[i]]
    out = _with_paths(dataset, schema, source, config)
    out = out.add_column("lmmr1_answer_type", answer_types).add_column("lmmr1_task", tasks)
    # columns go on before select(): datasets cannot add a column to an empty selection
    full = (out.add_column("lmmr1_reason", [d.reason if d else None for d in first])
            .add_column("lmmr1_reasons", reasons)
            .add_column("lmmr1_detail", [d.detail if d else None for d in first]))
    rejected = full.select(rej_idx)
    if mark:
        kept = out.add_column("lmmr1_keep", alive).add_column("lmmr1_reasons", reasons)
    else:
        kept = out.select(kept_idx)

    stats = CurationStats(
        input_rows=n,
        kept_rows=len(kept_idx),
        dropped=dict(Counter(first[i].reason for i in rej_idx)),
        filters=report,
        answer_types_before=dict(Counter(answer_types).most_common()),
        answer_types_after=dict(Counter(answer_types[i] for i in kept_idx).most_common()),
        tasks_before=dict(Counter(tasks).most_common()),
        tasks_after=dict(Counter(tasks[i] for i in kept_idx).most_common()),
        benchmark_hits=dict(hits.most_common()),
        schema=_jsonable(schema.__dict__),
        config=_jsonable(config.to_dict()),
        seconds=round(time.perf_counter() - start, 2),
        # as the user named it; base_dir and files are machine-specific absolute paths
        source=_jsonable({k: v for k, v in source.__dict__.items() if k not in ("base_dir", "files")}),
    )
    stats.check()
    return kept, rejected, stats


def _decide(f: Filter, examples: Sequence[Example], alive: list[bool], precomputed: list | None):
    """(stand-alone decisions for every row, sequential decisions {row: decision} for rows alive)."""
    if precomputed is not None:
        standalone = precomputed
    elif f.cross_row:
        standalone = f.check_all(examples)
        live = [ex for ex in examples if alive[ex.index]]
        return standalone, dict(zip((ex.index for ex in live), f.check_all(live), strict=False))
    else:
        standalone = f.check_all(examples)
    return standalone, {i: standalone[i] for i in range(len(examples)) if alive[i]}


def _row_phase(batch: dict[str, list], indices: list[int], *, schema: Schema, base_dir: str | None,
               filters: list[Filter], pass_col: str | None, task: str, need_phash: bool) -> dict[str, list]:
    keys = list(batch)
    out: dict[str, list] = {k: [] for k in ("q", "gold", "options", "task", "answer_type", "error", "image_keys", "phashes")}
    for f in filters:
        out[f"r:{f.name}"], out[f"d:{f.name}"] = [], []
    for j, idx in enumerate(indices):
        ex = canonical({k: batch[k][j] for k in keys}, idx, schema, base_dir, pass_col)
        if task != "auto" and ex.error is None:
            ex = replace(ex, task=task)
        out["q"].append(ex.question)
        out["gold"].append(ex.gold)
        out["options"].append(list(ex.options))
        out["task"].append(ex.task)
        out["answer_type"].append("malformed" if ex.error else classify(ex.gold, ex.options))
        out["error"].append(ex.error)
        out["image_keys"].append([image_key(r) for r in ex.images])
        out["phashes"].append([phash_hex(r) for r in ex.images] if need_phash else [])
        for f in filters:
            try:
                d = f.check(ex)
            except Exception as exc:  # a filter that trips on a strange row drops it, with the error as detail
                logger.warning("filter %s failed on row %d: %s", f.name, idx, exc)
                d = Drop("filter_error", f"{f.name}: {type(exc).__name__}: {exc}")
            out[f"r:{f.name}"].append(d.reason if d else "")
            out[f"d:{f.name}"].append(d.detail if d else "")
    return out


def _pass_rate_col(config: CurationConfig, columns: list[str]) -> str | None:
    if config.pass_rate_col == "auto":
        return next((c for c in PASS_RATE_COLS if c in columns), None)
    if config.pass_rate_col and config.pass_rate_col not in columns:
        raise ValueError(f"pass_rate_col {config.pass_rate_col!r} is not a column; columns are {columns}")
    return config.pass_rate_col


def _with_paths(ds: datasets.Dataset, schema: Schema, source: SourceInfo, config: CurationConfig) -> datasets.Dataset:
    """Relative image paths made absolute, so outputs written elsewhere still find their images."""
    col = schema.image_col
    if not (config.absolute_image_paths and col and source.base_dir):
        return ds
    feat = ds.features[col]
    if not (getattr(feat, "dtype", None) == "string" or getattr(getattr(feat, "feature", None), "dtype", None) == "string"):
        return ds
    return ds.map(_absolute, batched=True, fn_kwargs={"col": col, "base": source.base_dir}, desc="image paths",
                  load_from_cache_file=False)


def _absolute(batch: dict[str, list], col: str, base: str) -> dict[str, list]:
    def fix(v):
        if isinstance(v, list):
            return [fix(x) for x in v]
        return os.path.join(base, v) if isinstance(v, str) and v and not os.path.isabs(v) and "://" not in v else v

    return {col: [fix(v) for v in batch[col]]}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable({k: getattr(value, k) for k in value.__dataclass_fields__})
    return repr(value)
