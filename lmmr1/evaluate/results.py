"""The files of a run: predictions.jsonl (appended as rows are made), results.json, results.md."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PREDICTIONS = "predictions.jsonl"
RESULTS = "results.json"
REPORT = "results.md"


def read_predictions(path: Path) -> list[dict[str, Any]]:
    """The complete rows of a predictions.jsonl; a last line cut off by a kill is dropped (and cut from the file)."""
    if not path.is_file():
        return []
    data = path.read_bytes()
    *lines, tail = data.split(b"\n")
    rows: list[dict[str, Any]] = []
    for i, line in enumerate(lines, 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {i} is not JSON ({exc}); fix or delete the file") from exc
    if tail.strip():
        logger.warning("%s: dropping a partial last line (the run was interrupted)", path)
        with path.open("r+b") as f:
            f.truncate(len(data) - len(tail))
    return rows


def append_predictions(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.flush()


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def model_revision(model: str | None, revision: str | None) -> str | None:
    """What identifies the weights: a local folder's fingerprint (config and weight file sizes), else the Hub revision."""
    if model is None:
        return None
    folder = Path(model)
    if not folder.is_dir():
        return revision or "main"
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        if p.name == "config.json":
            h.update(p.read_bytes())
        elif p.suffix in (".safetensors", ".bin"):
            h.update(f"{p.name}:{p.stat().st_size}".encode())
    return f"local-sha256:{h.hexdigest()[:16]}"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def report(results: Sequence[dict[str, Any]]) -> str:
    """A markdown table, one row per benchmark."""
    judged = any("judge" in r for r in results)
    extra = " with judge % |" if judged else ""
    lines = [
        "| benchmark | accuracy % |" + extra + " n | correct | wrong | undecided | skipped (no image) | truncated % | mean tokens |",
        "| --- | --- |" + (" --- |" if judged else "") + " --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        tokens = "–" if r.get("mean_tokens") is None else f"{r['mean_tokens']:.0f}"
        judge = f" {_pct(r['judge']['accuracy_with_judge']) if 'judge' in r else '–'} |" if judged else ""
        lines.append(
            f"| {r['benchmark']} | {_pct(r['accuracy'])} |{judge} {r['n']} | {r['correct']} | {r['wrong']} | {r['undecided']} "
            f"| {r.get('skipped_missing_images', 0)} | {_pct(r.get('truncation_rate'))} | {tokens} |"
        )
    return "\n".join(lines) + "\n"
