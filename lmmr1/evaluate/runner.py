"""Run a model on benchmarks, or score another harness's predictions: predictions, results, report.

Every row is written to ``predictions.jsonl`` as soon as its chunk is generated and scored, so a
killed run resumes where it stopped: rows already there are not generated again. The settings a
run was made with are in ``settings.json``; resuming with different ones is refused.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import lmmr1
from lmmr1.errors import UserError
from lmmr1.evaluate import registry
from lmmr1.evaluate.backends import Backend, GenerationSettings, make_backend
from lmmr1.evaluate.items import Item, check_images
from lmmr1.evaluate.judge import Judge, judge_undecided
from lmmr1.evaluate.prompting import MAX_PIXELS, request
from lmmr1.evaluate.results import (
    PREDICTIONS,
    REPORT,
    RESULTS,
    append_predictions,
    model_revision,
    read_predictions,
    report,
    write_json,
)
from lmmr1.evaluate.scoring import prediction_row, score, summarize

logger = logging.getLogger(__name__)

SETTINGS = "settings.json"
# Settings that change what is generated: a resumed run must match them all.
_GENERATION_KEYS = ("model", "model_revision", "backend", "max_new_tokens", "max_pixels", "system_prompt",
                    "temperature", "top_p", "seed", "n_samples")


@dataclass(frozen=True)
class EvalSettings:
    """One evaluation run; the defaults are the paper's protocol.

    ``max_new_tokens`` / ``system_prompt`` ``None``: each benchmark's own (4,096 new tokens for
    multimodal benchmarks and 8,192 for text; the R1 system prompt).
    """

    backend: str = "transformers"
    limit: int | None = None  # first N items of each benchmark (after skipping items without images)
    n_samples: int = 1  # completions per item; accuracy is their mean (avg@k)
    max_new_tokens: int | None = None
    max_pixels: int = MAX_PIXELS
    system_prompt: str | None = None
    data_dir: str | None = None
    skip_missing_images: bool = False
    verifier_workers: int | None = None  # verify_batch's processes (None: one per CPU)
    chunk: int = 64  # rows generated, scored and appended to predictions.jsonl at a time
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    judge: Judge | None = None  # asked only about the rows rules cannot decide

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise UserError(f"--limit must be a positive number of items, got {self.limit}")
        if self.n_samples < 1:
            raise UserError(f"--n-samples must be >= 1, got {self.n_samples}")
        if self.n_samples > 1 and self.generation.temperature == 0:
            raise UserError("--n-samples > 1 needs --temperature > 0: greedy decoding gives the same completion every time")
        if self.max_new_tokens is not None and self.max_new_tokens < 1:
            raise UserError(f"--max-new-tokens must be >= 1, got {self.max_new_tokens}")


def load_items(benchmark: registry.Benchmark, settings: EvalSettings, need_images: bool = True) -> tuple[list[Item], int]:
    """The benchmark's items to run (images checked, limit applied) and how many were skipped for missing images."""
    data_dir = Path(settings.data_dir) if settings.data_dir else None
    items = benchmark.load(data_dir)
    ids = [it.id for it in items]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{benchmark.name}: item ids are not unique; its loader must give each item its own id")
    skipped = 0
    if need_images:
        items, skipped = check_images(benchmark.name, items, settings.skip_missing_images)
    return (items[: settings.limit] if settings.limit else items), skipped


def run_settings(benchmark: registry.Benchmark, model: str, settings: EvalSettings) -> dict[str, Any]:
    """Every setting of one benchmark's run, as recorded in settings.json and results.json."""
    g = settings.generation
    return {
        "model": model,
        "model_revision": model_revision(model, g.revision),
        "backend": settings.backend,
        "max_new_tokens": settings.max_new_tokens or benchmark.max_new_tokens,
        "max_pixels": settings.max_pixels,
        "system_prompt": benchmark.system_prompt if settings.system_prompt is None else settings.system_prompt,
        "temperature": g.temperature,
        "top_p": g.top_p,
        "seed": g.seed,
        "n_samples": settings.n_samples,
        "batch_size": g.batch_size,
        "dtype": g.dtype,
        "limit": settings.limit,
        "data_dir": settings.data_dir,
        "skip_missing_images": settings.skip_missing_images,
        "source": benchmark.source,
        "verifier_config": asdict(benchmark.config),
        "lmmr1_version": lmmr1.__version__,
    }


def _check_resume(folder: Path, current: dict[str, Any]) -> None:
    import json

    path = folder / SETTINGS
    if not path.is_file():
        write_json(path, current)
        return
    before = json.loads(path.read_text(encoding="utf-8"))
    changed = [k for k in _GENERATION_KEYS if before.get(k) != current.get(k)]
    if changed and (folder / PREDICTIONS).is_file():
        diff = ", ".join(f"{k}: {before.get(k)!r} -> {current.get(k)!r}" for k in changed)
        raise UserError(
            f"{folder} holds predictions made with other settings ({diff}); "
            "use another --output-dir, or delete that folder to start over"
        )
    write_json(path, current)


def evaluate(
    model: str,
    benchmarks: Sequence[str],
    output_dir: str | Path,
    settings: EvalSettings = EvalSettings(),
    backend: Backend | Callable[[], Backend] | None = None,
) -> list[dict[str, Any]]:
    """Generate and score ``model`` on each benchmark; returns each benchmark's results.json content.

    ``backend`` may be a ready backend (the training callback passes the model in memory) or a
    factory; by default ``settings.backend`` is loaded from ``model``, and only if a row is left to generate.
    """
    out = Path(output_dir)
    loaded: list[Backend] = [backend] if hasattr(backend, "generate") else []  # type: ignore[list-item]

    def get_backend() -> Backend:
        if not loaded:
            made = backend() if callable(backend) else make_backend(settings.backend, model, settings.generation)
            loaded.append(made)
        return loaded[0]

    results = []
    for name in benchmarks:
        bench = registry.get(name)
        results.append(_run_one(bench, model, out / name, settings, get_backend))
    _write_summary(out)
    return results


def _write_summary(out: Path) -> None:
    """``out/results.md``: every benchmark run into ``out`` so far, this call's and earlier ones."""
    import json

    everything = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob(f"*/{RESULTS}"))]
    models = sorted({str(r.get("settings", {}).get("model") or r.get("settings", {}).get("predictions")) for r in everything})
    (out / REPORT).write_text(f"# {', '.join(models)}\n\n" + report(everything), encoding="utf-8")


def _run_one(bench: registry.Benchmark, model: str, folder: Path, settings: EvalSettings, get_backend) -> dict[str, Any]:
    items, skipped = load_items(bench, settings)
    folder.mkdir(parents=True, exist_ok=True)
    current = run_settings(bench, model, settings)
    _check_resume(folder, current)
    path = folder / PREDICTIONS
    done = {(r["id"], r["sample"]): r for r in read_predictions(path)}
    todo = [(it, k) for it in items for k in range(settings.n_samples) if (it.id, k) not in done]
    logger.info("%s: %d items, %d rows done, %d to generate", bench.name, len(items), len(done), len(todo))
    gen_s = score_s = 0.0
    for start in range(0, len(todo), settings.chunk):
        chunk = todo[start : start + settings.chunk]
        t0 = time.perf_counter()
        requests = [request(it, current["system_prompt"], settings.max_pixels) for it, _ in chunk]
        gens = get_backend().generate(requests, current["max_new_tokens"])
        t1 = time.perf_counter()
        verdicts = score([it for it, _ in chunk], [g.text for g in gens], bench.config, settings.verifier_workers)
        score_s += time.perf_counter() - t1
        gen_s += t1 - t0
        rows = [prediction_row(it, k, g.text, v, g.tokens, g.truncated) for (it, k), g, v in zip(chunk, gens, verdicts, strict=True)]
        append_predictions(path, rows)
        done.update({(r["id"], r["sample"]): r for r in rows})
        logger.info("%s: %d / %d rows", bench.name, start + len(chunk), len(todo))
    selected = [done[(it.id, k)] for it in items for k in range(settings.n_samples)]
    result = {
        "benchmark": bench.name,
        "modality": bench.modality,
        **summarize(selected),
        "skipped_missing_images": skipped,
        "generated_now": len(todo),
        "resumed": len(selected) - len(todo),
        "seconds": round(gen_s + score_s, 3),
        "seconds_generating": round(gen_s, 3),
        "seconds_scoring": round(score_s, 3),
        "settings": current,
        "lmmr1_version": lmmr1.__version__,
        "model_revision": current["model_revision"],
    }
    if settings.judge is not None:
        result["judge"] = judge_undecided(settings.judge, folder, {it.id: it for it in items}, selected)
    write_json(folder / RESULTS, result)
    (folder / REPORT).write_text(f"# {bench.name}: {model}\n\n" + report([result]), encoding="utf-8")
    return result


def score_predictions(
    benchmark: str,
    rows: Sequence[dict[str, Any]],
    output_dir: str | Path,
    settings: EvalSettings = EvalSettings(),
    source: str = "",
) -> dict[str, Any]:
    """Score completions made elsewhere (``{"id", "completion"}`` rows, several per id allowed) on ``benchmark``.

    Images are not needed. An id the benchmark does not have is an error naming it.
    """
    bench = registry.get(benchmark)
    items, _ = load_items(bench, replace(settings, limit=None), need_images=False)
    by_id = {it.id: it for it in items}
    unknown = sorted({str(r["id"]) for r in rows} - set(by_id))
    if unknown:
        raise UserError(
            f"{len(unknown)} prediction ids are not {benchmark} ids (e.g. {unknown[:3]}); "
            "check --benchmark, or name the id column with --id-col"
        )
    seen: dict[str, int] = {}
    picked: list[tuple[Item, int, str]] = []
    for r in rows:
        item = by_id[str(r["id"])]
        picked.append((item, seen.get(item.id, 0), str(r["completion"])))
        seen[item.id] = seen.get(item.id, 0) + 1
    t0 = time.perf_counter()
    verdicts = score([p[0] for p in picked], [p[2] for p in picked], bench.config, settings.verifier_workers)
    seconds = time.perf_counter() - t0
    out = Path(output_dir) / benchmark
    out.mkdir(parents=True, exist_ok=True)
    (out / PREDICTIONS).unlink(missing_ok=True)
    table = [prediction_row(it, k, c, v, None, None) for (it, k, c), v in zip(picked, verdicts, strict=True)]
    append_predictions(out / PREDICTIONS, table)
    result = {
        "benchmark": benchmark,
        "modality": bench.modality,
        **summarize(table),
        "skipped_missing_images": 0,
        "items_without_prediction": len(items) - len(seen),
        "seconds": round(seconds, 3),
        "seconds_scoring": round(seconds, 3),
        "settings": {"predictions": source, "data_dir": settings.data_dir, "source": bench.source,
                     "verifier_config": asdict(bench.config), "lmmr1_version": lmmr1.__version__},
        "lmmr1_version": lmmr1.__version__,
        "model_revision": None,
    }
    if settings.judge is not None:
        (out / "judge.jsonl").unlink(missing_ok=True)
        result["judge"] = judge_undecided(settings.judge, out, by_id, table)
    write_json(out / RESULTS, result)
    (out / REPORT).write_text(f"# {benchmark}: predictions from {source}\n\n" + report([result]), encoding="utf-8")
    _write_summary(Path(output_dir))
    return result
