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


def seeds_parser(description: str, out: str, recipe: str):
    """The arguments of a seed sweep: --seeds, --out, --recipe (under recipes/) and recipe overrides."""
    import argparse

    p = argparse.ArgumentParser(description=description)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--out", default=out)
    p.add_argument("--recipe", default=str(REPO / "recipes" / recipe))
    p.add_argument("overrides", nargs="*", help="key=value recipe overrides, as for train-two-stage")
    return p


def first_last_rounded(path: Path) -> dict[str, list[float]]:
    """Each reward column's mean over the first and last 10 % of a rewards.csv, to 3 places."""
    from lmmr1.train.reward_log import first_last, read_rows

    return {c: [round(a, 3), round(b, 3)] for c, (a, b) in first_last(read_rows(path)).items()}


def sweep_seeds(seeds: list[int], out: str | Path, train, measure) -> int:
    """For each seed, one at a time: ``train(seed, folder)`` (an exit code) and timed, then
    ``measure(seed, folder)`` (a dict); each result, with the training seconds, is printed and gathered
    into ``<out>/summary.json``. A failed training stops the sweep with its exit code."""
    import time

    summary = {}
    for seed in seeds:
        folder = Path(out) / f"seed{seed}"
        start = time.perf_counter()
        rc = train(seed, folder)
        if rc != 0:
            return rc
        summary[seed] = {"seconds": round(time.perf_counter() - start, 1), **measure(seed, folder)}
        print(f"seed {seed}: {json.dumps(summary[seed])}", flush=True)
    Path(out).mkdir(parents=True, exist_ok=True)
    (Path(out) / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0
