"""Run the configured filters over a dataset and account for every row.

Row filters run inside ``datasets.map`` (optionally with ``num_proc`` workers); dataset filters
(duplicates, contamination, the batched verifier) run in the main process. Each row is kept or
dropped with a *first reason* (sequential order), so ``input = kept + sum(dropped)`` always holds;
each filter's *stand-alone* count (as if it ran alone on the whole input) is reported beside it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import datasets
from tqdm.auto import tqdm

from lmmr1.curation.answer_types import classify
from lmmr1.curation.config import ConfigError, CurationConfig, load_config
from lmmr1.curation.files import jsonable, resolve_image_path
from lmmr1.curation.filters import Decision, Drop, Filter
from lmmr1.curation.filters.base import FILTER_ERROR
from lmmr1.curation.filters.dedup import phash_hex
from lmmr1.curation.filters.images import image_key
from lmmr1.curation.sources import Example, Schema, SourceInfo, canonical, detect_schema, undecoded_images
from lmmr1.errors import UserError

logger = logging.getLogger(__name__)
PASS_RATE_COLS = ("pass_rate", "lmmr1_pass_rate")
OWN_COLUMNS = ("lmmr1_keep", "lmmr1_reason", "lmmr1_reasons", "lmmr1_detail", "lmmr1_answer_type", "lmmr1_task")


class StatsError(UserError, ValueError):
    """A stats file is not one ``curate filter`` wrote."""


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
    skipped_lines: list[str] = field(default_factory=list)  # "file:line: why", skipped by --skip-bad-lines

    def check(self) -> None:
        """Raise if the accounting does not add up (it always should)."""
        if self.input_rows != self.kept_rows + sum(self.dropped.values()):
            raise AssertionError(f"accounting broken: {self.input_rows} != {self.kept_rows} + {sum(self.dropped.values())}")

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CurationStats:
        missing = set(cls.__dataclass_fields__) - set(data) - {"source", "skipped_lines"}
        if missing:
            raise StatsError(f"stats file lacks {sorted(missing)}; write it with `curate filter`")
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
    rows = read_rows(dataset, schema, source, config, filters, num_proc)
    decisions = run_filters(filters, rows)
    kept, rejected = split_outputs(dataset, schema, source, config, rows, decisions, mark)
    stats = make_stats(rows, decisions, schema, source, config, time.perf_counter() - start)
    stats.check()
    return kept, rejected, stats


@dataclass(frozen=True)
class Rows:
    """The row phase's output: what filters see of each row, and the row filters' decisions."""

    examples: list[Example]
    answer_types: list[str]
    tasks: list[str]
    row_decisions: dict[int, list[Decision]]  # position in the filter list -> decision per row


@dataclass
class Decisions:
    """Every row's fate: alive or not, its first drop, all its reasons, and each filter's counts."""

    alive: list[bool]
    first: list[Drop | None]
    reasons: list[list[str]]
    report: list[dict[str, Any]]


def read_rows(dataset: datasets.Dataset, schema: Schema, source: SourceInfo, config: CurationConfig,
              filters: Sequence[Filter], num_proc: int | None = None) -> Rows:
    """Job 1: canonical rows, image hashes, and the row filters' decisions (in ``datasets.map`` workers)."""
    n = len(dataset)
    row_filters = {i: f for i, f in enumerate(filters) if not f.in_main}
    work = undecoded_images(dataset, schema)
    phase = work.map(
        _row_phase,
        batched=True,
        batch_size=1000,
        with_indices=True,
        num_proc=num_proc if num_proc and num_proc > 1 and n >= 2 * num_proc else None,
        remove_columns=work.column_names,
        features=ROW_FEATURES,
        fn_kwargs={"schema": schema, "base_dir": source.base_dir, "filters": row_filters,
                   "pass_col": _pass_rate_col(config, dataset.column_names), "task": config.task,
                   "need_phash": any(f.needs_phash for f in filters)},
        desc="row filters",
        load_from_cache_file=False,
    )
    cols = phase.to_dict()
    examples = [
        Example(i, question=q, gold=g, options=tuple(o), task=t, error=e, image_keys=tuple(k), phashes=tuple(p))
        for i, (q, g, o, t, e, k, p) in enumerate(zip(cols["q"], cols["gold"], cols["options"], cols["task"],
                                                       cols["error"], cols["image_keys"], cols["phashes"], strict=True))
    ]
    row_decisions: dict[int, list[Decision]] = {i: [None] * n for i in row_filters}
    for row, drops in enumerate(cols["drops"]):
        for d in drops:
            row_decisions[d["filter"]][row] = Drop(d["reason"], d["detail"], d["key"])
    return Rows(examples, cols["answer_type"], cols["task"], row_decisions)


def run_filters(filters: Sequence[Filter], rows: Rows) -> Decisions:
    """Job 2: each filter in order; a row's first drop decides, every filter's counts are kept."""
    examples = rows.examples
    n = len(examples)
    out = Decisions([True] * n, [None] * n, [[] for _ in range(n)], [])
    for pos, f in enumerate(tqdm(filters, desc="filters", unit="filter", disable=not datasets.is_progress_bar_enabled())):
        t0 = time.perf_counter()
        standalone, sequential = _decide(f, examples, out.alive, rows.row_decisions.get(pos))
        for i, d in sequential.items():
            if d is not None:
                out.alive[i] = False
                out.first[i] = d
        for i in range(n):
            d = standalone[i] if not f.cross_row else sequential.get(i)
            if d is not None:
                out.reasons[i].append(d.reason)
        out.report.append(_filter_report(f, standalone, sequential, time.perf_counter() - t0))
        logger.info("%-30s dropped %d (stand-alone %d)", f.name, sum(out.report[-1]["sequential"].values()),
                    sum(out.report[-1]["standalone"].values()))
    return out


def _filter_report(f: Filter, standalone: list[Decision], sequential: dict[int, Decision], seconds: float) -> dict:
    declared = f.declared_reasons()
    seq, alone = dict.fromkeys(declared, 0), dict.fromkeys(declared, 0)  # zero counts are facts too
    keys: Counter[str] = Counter()
    for d in sequential.values():
        if d is not None:
            seq[d.reason] += 1
    for d in standalone:
        if d is not None:
            alone[d.reason] += 1
            if d.key:
                keys[d.key] += 1
    return {
        "name": f.name,
        "reasons": list(declared),
        "needs": [need for need, flag in (("phash", f.needs_phash), ("verifier", f.needs_verifier),
                                          ("corpus", f.needs_corpus)) if flag],
        "sequential": seq,
        "standalone": alone,
        "keys": dict(keys.most_common()),
        "settings": jsonable(f.settings()),
        "seconds": round(seconds, 3),
    }


def split_outputs(dataset: datasets.Dataset, schema: Schema, source: SourceInfo, config: CurationConfig,
                  rows: Rows, decisions: Decisions, mark: bool) -> tuple[datasets.Dataset, datasets.Dataset]:
    """Job 3: the kept (or, with ``mark``, all) rows and the rejected rows, with lmmr1's columns."""
    alive, first, reasons = decisions.alive, decisions.first, decisions.reasons
    out = _with_paths(dataset, schema, source, config)
    out = out.add_column("lmmr1_answer_type", rows.answer_types).add_column("lmmr1_task", rows.tasks)
    # columns go on before select(): datasets cannot add a column to an empty selection
    full = (out.add_column("lmmr1_reason", [d.reason if d else None for d in first])
            .add_column("lmmr1_reasons", reasons)
            .add_column("lmmr1_detail", [d.detail if d else None for d in first]))
    rejected = full.select([i for i, a in enumerate(alive) if not a])
    if mark:
        kept = out.add_column("lmmr1_keep", alive).add_column("lmmr1_reasons", reasons)
    else:
        kept = out.select([i for i, a in enumerate(alive) if a])
    return kept, rejected


def make_stats(rows: Rows, decisions: Decisions, schema: Schema, source: SourceInfo, config: CurationConfig,
               seconds: float) -> CurationStats:
    """Job 4: the numbers for the stats JSON and the card."""
    alive, types, tasks = decisions.alive, rows.answer_types, rows.tasks
    kept_idx = [i for i, a in enumerate(alive) if a]
    hits: Counter[str] = Counter()
    for f in decisions.report:
        if "corpus" in f["needs"]:
            hits.update(f["keys"])
    return CurationStats(
        input_rows=len(alive),
        kept_rows=len(kept_idx),
        dropped=dict(Counter(d.reason for d in decisions.first if d is not None)),
        filters=decisions.report,
        answer_types_before=dict(Counter(types).most_common()),
        answer_types_after=dict(Counter(types[i] for i in kept_idx).most_common()),
        tasks_before=dict(Counter(tasks).most_common()),
        tasks_after=dict(Counter(tasks[i] for i in kept_idx).most_common()),
        benchmark_hits=dict(hits.most_common()),
        schema=jsonable(schema.__dict__),
        config=jsonable(config.to_dict()),
        seconds=round(seconds, 2),
        # as the user named it; base_dir and files are machine-specific absolute paths
        source=jsonable({k: v for k, v in source.__dict__.items() if k not in ("base_dir", "files", "bad_lines")}),
        skipped_lines=list(source.bad_lines),
    )


def _decide(f: Filter, examples: Sequence[Example], alive: list[bool], precomputed: list | None):
    """(stand-alone decisions for every row, sequential decisions {row: decision} for rows alive)."""
    if precomputed is not None:  # a row filter: decided (and checked) in the row phase
        return precomputed, {i: precomputed[i] for i in range(len(examples)) if alive[i]}
    state = f.prepare(examples)  # once per run: the stand-alone and the sequential pass share it
    standalone = [f.checked(d) for d in f.check_all(examples, state)]
    if not f.cross_row:
        return standalone, {i: standalone[i] for i in range(len(examples)) if alive[i]}
    live = [ex for ex in examples if alive[ex.index]]
    sequential = [f.checked(d) for d in f.check_all(live, state)]
    return standalone, dict(zip((ex.index for ex in live), sequential, strict=True))


ROW_FEATURES = datasets.Features({
    "q": datasets.Value("string"), "gold": datasets.Value("string"), "options": datasets.List(datasets.Value("string")),
    "task": datasets.Value("string"), "answer_type": datasets.Value("string"), "error": datasets.Value("string"),
    "image_keys": datasets.List(datasets.Value("string")), "phashes": datasets.List(datasets.Value("string")),
    "drops": datasets.List({"filter": datasets.Value("int32"), "reason": datasets.Value("string"),
                            "detail": datasets.Value("string"), "key": datasets.Value("string")}),
})


def _row_phase(batch: dict[str, list], indices: list[int], *, schema: Schema, base_dir: str | None,
               filters: dict[int, Filter], pass_col: str | None, task: str, need_phash: bool) -> dict[str, list]:
    keys = list(batch)
    out: dict[str, list] = {k: [] for k in ROW_FEATURES}
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
        drops = []
        for pos, f in filters.items():
            try:
                d = f.check(ex)
            except Exception as exc:  # a filter that trips on a strange row drops it, with the error as detail
                logger.warning("filter %s failed on row %d: %s", f.name, idx, exc)
                d = Drop(FILTER_ERROR, f"{f.name}: {type(exc).__name__}: {exc}")
            if f.checked(d) is not None:  # outside the try: an undeclared reason is a bug and raises
                drops.append({"filter": pos, "reason": d.reason, "detail": d.detail, "key": d.key})
        out["drops"].append(drops)
    return out


def _pass_rate_col(config: CurationConfig, columns: list[str]) -> str | None:
    if config.pass_rate_col == "auto":
        return next((c for c in PASS_RATE_COLS if c in columns), None)
    if config.pass_rate_col and config.pass_rate_col not in columns:
        raise ConfigError(f"pass_rate_col {config.pass_rate_col!r} is not a column; columns are {columns}")
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
        return resolve_image_path(v, base)

    return {col: [fix(v) for v in batch[col]]}
