"""Helpers shared by the benchmarks: where the data is, and math-verify as the baseline."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """LMMR1_DATA, default ../shared/data next to the repository; exits with a hint when absent."""
    path = Path(os.environ.get("LMMR1_DATA", REPO.parent / "shared" / "data")).resolve()
    if not (path / "MANIFEST.md").is_file():
        raise SystemExit(f"shared data not found at {path}; set LMMR1_DATA to the folder holding MANIFEST.md")
    return path


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def machine() -> str:
    """The machine in words, with its load: timings on a shared machine mean little without it."""
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.system()}{load}"


def mv_gold(gold: str) -> str:
    """Gold as LMM-R1's server hands it to math-verify: wrapped in $...$ unless already LaTeX-delimited."""
    gold = str(gold).strip()
    return gold if "$" in gold or "\\boxed" in gold else f"${gold}$"


def math_verify_plain(completion: str, gold: str) -> bool | None:
    """math-verify's plain ``parse`` + ``verify`` with defaults; None when the gold parses to nothing.

    Must run in the main thread: math-verify's time limits use signal.alarm.
    """
    from math_verify import parse, verify

    g = parse(mv_gold(gold))
    if not g:
        return None
    return bool(verify(g, parse(completion)))
