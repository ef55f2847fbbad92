"""``curate pass-rate``: how often the policy solves each row, as the column the ``pass_rate`` filter reads.

Each row is asked ``n`` times through one of ``lmmr1 evaluate``'s backends (the prompt the trainer
builds: system prompt, an image part per image, the question with its options) and every sample
is scored by ``lmmr1.verify_batch`` with the row's task and options, as the accuracy reward does.
Samples the verifier cannot decide (unparseable gold, timeout) are left out of the rate, as TRL
leaves a ``None`` reward out of its mean. Every input row is written back with:

- ``lmmr1_pass_rate``: correct / decided samples, or null when it could not be measured;
- ``lmmr1_pass_samples`` (samples asked for), ``lmmr1_pass_correct``, ``lmmr1_pass_undecided``;
- ``lmmr1_pass_reason``: null when measured, else why not (``malformed_row``, ``unreadable_image``,
  ``generation_error``, ``undecided``), counted in the summary.

The ``pass_rate`` filter of ``curate filter`` then drops the rows solved never (``too_hard``) or
always (``too_easy``) and keeps the null ones: an unmeasured row is not known to be either.
"""

from __future__ import annotations

import io
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import datasets
from tqdm.auto import tqdm

from lmmr1.curation.export import user_text
from lmmr1.curation.files import resolve_image_path
from lmmr1.curation.sources import Example, Schema, SourceInfo, canonical, detect_schema, undecoded_images
from lmmr1.errors import UserError
from lmmr1.evaluate.backends import Backend, GenerationSettings
from lmmr1.evaluate.items import Item
from lmmr1.evaluate.prompting import MAX_PIXELS, Request, fit_pixels, open_image, request
from lmmr1.verifiers import Verdict, VerifierConfig, verify_batch

logger = logging.getLogger(__name__)

RATE_COL = "lmmr1_pass_rate"  # one of the names `pass_rate_col: auto` finds (lmmr1.curation.pipeline)
SAMPLES_COL = "lmmr1_pass_samples"
CORRECT_COL = "lmmr1_pass_correct"
UNDECIDED_COL = "lmmr1_pass_undecided"
REASON_COL = "lmmr1_pass_reason"
COLUMNS = (RATE_COL, SAMPLES_COL, CORRECT_COL, UNDECIDED_COL, REASON_COL)
#: Why a row has no pass rate.
REASONS = {
    "malformed_row": "the row cannot be read (see `curate filter`'s malformed_row)",
    "unreadable_image": "an image of the row cannot be opened",
    "generation_error": "the backend failed on this row alone (e.g. a prompt longer than the model's context)",
    "undecided": "the verifier could decide none of the samples (e.g. gold_unparseable)",
}


class PassRateError(UserError, ValueError):
    """A pass-rate setting cannot be used; the message says which and what to give instead."""


@dataclass(frozen=True)
class PassRateSettings:
    """How the samples are made and scored; sampling settings (temperature, seed) are the backend's."""

    n: int = 8  # samples per row
    max_new_tokens: int = 1024  # give the stage's max_completion_length
    max_pixels: int = MAX_PIXELS  # images scaled down to at most this many pixels, as evaluate does
    system_prompt: str | None = None  # the trainer's (recipe's) system prompt; None or "": none
    verifier: VerifierConfig = field(default_factory=VerifierConfig)  # the accuracy reward's config
    task: str = "auto"  # force one verifier task for every row (curation's `task:`), or infer per row
    limit: int | None = None  # measure and write only the first N rows (a trial run)
    chunk: int = 64  # rows generated and scored together (one backend call per sample round)
    workers: int | None = None  # verify_batch's processes (None: one per CPU)

    def __post_init__(self) -> None:
        if self.n < 1:
            raise PassRateError(f"--n must be >= 1 samples per row, got {self.n}")
        if self.max_new_tokens < 1:
            raise PassRateError(f"--max-new-tokens must be >= 1, got {self.max_new_tokens}")
        if self.limit is not None and self.limit < 1:
            raise PassRateError(f"--limit must be a positive number of rows, got {self.limit}")
        if self.chunk < 1:
            raise PassRateError(f"chunk must be >= 1 rows, got {self.chunk}")


@dataclass(frozen=True)
class RowResult:
    """One row's pass rate; ``rate`` is ``None`` exactly when ``reason`` says why."""

    rate: float | None
    samples: int
    correct: int = 0
    undecided: int = 0
    reason: str | None = None

    def row(self) -> dict[str, Any]:
        return {RATE_COL: self.rate, SAMPLES_COL: self.samples, CORRECT_COL: self.correct,
                UNDECIDED_COL: self.undecided, REASON_COL: self.reason}


def row_result(verdicts: Sequence[Verdict], samples: int) -> RowResult:
    """The pass rate of one row's ``verdicts``: undecided samples are left out, as the trainer leaves them."""
    correct = sum(v.correct is True for v in verdicts)
    undecided = sum(v.correct is None for v in verdicts)
    decided = len(verdicts) - undecided
    if decided == 0:
        return RowResult(None, samples, correct, undecided, "undecided")
    return RowResult(correct / decided, samples, correct, undecided)


def check_sampling(generation: GenerationSettings, n: int) -> None:
    """Several samples of a greedy decode are one sample repeated: refuse it."""
    if n > 1 and generation.temperature == 0:
        raise PassRateError(f"--n {n} needs --temperature > 0: greedy decoding gives the same completion every time")


def _image(ref: Any, max_pixels: int):
    if isinstance(ref, dict):
        ref = ref.get("bytes") or ref.get("path")
    if isinstance(ref, (bytes, bytearray)):
        from PIL import Image

        with Image.open(io.BytesIO(ref)) as im:
            return fit_pixels(im, max_pixels)
    if ref is None:
        raise ValueError("the image reference holds neither bytes nor a path")
    return open_image(ref, max_pixels)


@dataclass(frozen=True)
class _Prepared:
    index: int
    request: Request
    gold: str
    task: str
    options: list[str]


def _prepare(ex: Example, row: dict[str, Any], settings: PassRateSettings) -> _Prepared | RowResult:
    """The request and the verifier's inputs for one row, or the reason it has no pass rate."""
    if ex.error:
        logger.warning("row %d: no pass rate: malformed_row (%s)", ex.index, ex.error)
        return RowResult(None, settings.n, reason="malformed_row")
    task = settings.task if settings.task != "auto" else (row.get("lmmr1_task") or ex.task)
    try:
        images = tuple(_image(r, settings.max_pixels) for r in ex.images)
    except (OSError, ValueError) as exc:  # missing file, not an image, truncated bytes
        logger.warning("row %d: no pass rate: unreadable_image (%s: %s)", ex.index, type(exc).__name__, exc)
        return RowResult(None, settings.n, reason="unreadable_image")
    item = Item(str(ex.index), user_text(ex), ex.gold, task, images=images)
    options = list(ex.options) if task == "choice" else []  # the options column the trainer's rows carry
    return _Prepared(ex.index, request(item, settings.system_prompt or None, settings.max_pixels), ex.gold, task, options)


def _reseed(backend: Backend, seed: int) -> None:
    """Give sample round ``k`` its own seed: vLLM seeds every request alike, so two copies of a prompt in
    one call would be one sample twice. Backends without ``GenerationSettings`` are left as they are."""
    settings = getattr(backend, "settings", None)
    if isinstance(settings, GenerationSettings):
        backend.settings = replace(settings, seed=seed)  # type: ignore[attr-defined]


@dataclass
class _Calls:
    """Backend calls that worked and the errors of those that failed (re-raised if none worked)."""

    ok: int = 0
    errors: list[Exception] = field(default_factory=list)


def _generate(backend: Backend, batch: list[_Prepared], max_new_tokens: int, calls: _Calls) -> list[str | None]:
    """One completion per row; if the call fails, each row alone, so one bad row costs only itself."""
    if not batch:
        return []
    try:
        texts = [g.text for g in backend.generate([p.request for p in batch], max_new_tokens)]
        calls.ok += 1
        return texts
    except Exception as exc:  # a row that fails alone gets generation_error; if every call fails, it is raised
        calls.errors.append(exc)
        if len(batch) == 1:
            logger.warning("row %d: generation failed: %s: %s", batch[0].index, type(exc).__name__, exc)
            return [None]
        logger.warning("generation of %d rows failed (%s: %s); retrying them one by one", len(batch), type(exc).__name__, exc)
    return [text for p in batch for text in _generate(backend, [p], max_new_tokens, calls)]


def measure(
    dataset: datasets.Dataset,
    backend: Backend,
    settings: PassRateSettings = PassRateSettings(),
    *,
    schema: Schema | None = None,
    source: SourceInfo | None = None,
) -> tuple[datasets.Dataset, dict[str, Any]]:
    """``dataset`` (its first ``settings.limit`` rows) with the pass-rate columns, and the summary.

    The summary has the histogram of ``correct/decided`` counts, how many rows were solved never
    (``all_wrong``) and always (``all_right``), the reasons of rows without a rate, and the time.
    """
    t0 = time.perf_counter()
    schema = schema or detect_schema([c for c in dataset.column_names if not c.startswith("lmmr1_")])
    base = source.base_dir if source else None
    if settings.limit is not None:
        dataset = dataset.select(range(min(settings.limit, len(dataset))))
    dataset = dataset.remove_columns([c for c in COLUMNS if c in dataset.column_names])
    work = undecoded_images(dataset, schema)
    results: list[RowResult | None] = [None] * len(dataset)
    base_seed = getattr(getattr(backend, "settings", None), "seed", 0)
    bar = tqdm(total=len(dataset) * settings.n, desc="pass rate (samples)", unit="sample")
    verdict_reasons: Counter[str] = Counter()
    calls = _Calls()
    for start in range(0, len(dataset), settings.chunk):
        prepared: list[_Prepared] = []
        for i in range(start, min(start + settings.chunk, len(dataset))):
            row = work[i]
            got = _prepare(canonical(row, i, schema, base), row, settings)
            if isinstance(got, RowResult):
                results[i] = got
                bar.update(settings.n)
            else:
                prepared.append(got)
        texts: list[list[str | None]] = [[] for _ in prepared]
        active = list(range(len(prepared)))  # a row that failed once is not asked again
        for k in range(settings.n):
            _reseed(backend, base_seed + k)
            got = _generate(backend, [prepared[j] for j in active], settings.max_new_tokens, calls)
            for j, text in zip(active, got, strict=True):
                texts[j].append(text)
            active = [j for j, text in zip(active, got, strict=True) if text is not None]
            bar.update(len(prepared))
        if calls.errors and not calls.ok:  # not one row worked: a setup problem or a bug, not a bad row
            _reseed(backend, base_seed)
            raise calls.errors[0]
        _score(prepared, texts, settings, results, verdict_reasons)
    bar.close()
    _reseed(backend, base_seed)
    rows = [r.row() for r in results]  # type: ignore[union-attr]
    out = _absolute_paths(dataset, schema, base)
    for col in COLUMNS:
        out = out.add_column(col, [r[col] for r in rows], feature=_FEATURES[col])
    summary = summarize(results, settings)  # type: ignore[arg-type]
    summary["verdict_reasons"] = dict(sorted(verdict_reasons.items()))
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    log_summary(summary)
    return out, summary


def _absolute_paths(ds: datasets.Dataset, schema: Schema, base: str | None) -> datasets.Dataset:
    """Relative image paths made absolute (as `curate filter` writes them), so the output finds its images anywhere."""
    col = schema.image_col
    if not (col and base):
        return ds
    feat = ds.features[col]
    if "string" not in (getattr(feat, "dtype", None), getattr(getattr(feat, "feature", None), "dtype", None)):
        return ds  # embedded images (or none)
    return ds.map(_absolute_batch, batched=True, fn_kwargs={"col": col, "base": base}, desc="image paths",
                  load_from_cache_file=False)


def _absolute_batch(batch: dict[str, list], col: str, base: str) -> dict[str, list]:
    def fix(v):
        return [fix(x) for x in v] if isinstance(v, list) else resolve_image_path(v, base)

    return {col: [fix(v) for v in batch[col]]}


_FEATURES = {RATE_COL: datasets.Value("float64"), SAMPLES_COL: datasets.Value("int64"), CORRECT_COL: datasets.Value("int64"),
             UNDECIDED_COL: datasets.Value("int64"), REASON_COL: datasets.Value("string")}


def _score(prepared: list[_Prepared], texts: list[list[str | None]], settings: PassRateSettings,
           results: list[RowResult | None], verdict_reasons: Counter[str]) -> None:
    """Verify the generated samples in one batch; a row with a failed sample gets generation_error."""
    flat = [(j, t) for j, row in enumerate(texts) if len(row) == settings.n and None not in row for t in row]
    verdicts = verify_batch(
        [t for _, t in flat],
        [prepared[j].gold for j, _ in flat],
        [prepared[j].task for j, _ in flat],
        [prepared[j].options for j, _ in flat],
        settings.verifier,
        settings.workers,
    ) if flat else []
    per_row: dict[int, list[Verdict]] = {}
    for (j, _), v in zip(flat, verdicts, strict=True):
        per_row.setdefault(j, []).append(v)
        verdict_reasons[v.reason] += 1
    for j, p in enumerate(prepared):
        if j in per_row:
            results[p.index] = row_result(per_row[j], settings.n)
        else:
            results[p.index] = RowResult(None, settings.n, reason="generation_error")


def summarize(results: Sequence[RowResult], settings: PassRateSettings) -> dict[str, Any]:
    """The numbers ``curate pass-rate`` logs and writes beside its output."""
    measured = [r for r in results if r.rate is not None]
    histogram = Counter(f"{r.correct}/{r.samples - r.undecided}" for r in measured)

    def order(key: str) -> tuple[int, int]:
        k, n = key.split("/")
        return int(n), int(k)

    return {
        "rows": len(results),
        "measured": len(measured),
        "no_pass_rate": dict(sorted(Counter(r.reason for r in results if r.rate is None).items())),
        "all_wrong": sum(r.rate == 0.0 for r in measured),  # too_hard for the default filter
        "all_right": sum(r.rate == 1.0 for r in measured),  # too_easy for the default filter
        "mean_pass_rate": round(sum(r.rate for r in measured) / len(measured), 4) if measured else None,  # type: ignore[misc]
        "histogram": {k: histogram[k] for k in sorted(histogram, key=order)},
        "settings": {**{k: v for k, v in asdict(settings).items() if k != "verifier"}, "verifier": asdict(settings.verifier)},
    }


def log_summary(summary: dict[str, Any]) -> None:
    n = summary["settings"]["n"]
    logger.info("pass rates of %d rows (%d measured): %d solved 0/%d, %d solved %d/%d, mean %s",
                summary["rows"], summary["measured"], summary["all_wrong"], n, summary["all_right"], n, n,
                summary["mean_pass_rate"])
    for key, count in summary["histogram"].items():
        logger.info("  %-7s %d", key, count)
    for reason, count in summary["no_pass_rate"].items():
        logger.warning("%d rows have no pass rate: %s (%s)", count, reason, REASONS[reason])
