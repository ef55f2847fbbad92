"""``--compare``: runs side by side in the paper's Table 1 layout, and a bar chart.

Benchmarks are columns, runs are rows; MM avg and text avg are the means over the run's
multimodal / text benchmarks; from the second run on, each cell shows its change from the first.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmmr1.errors import UserError
from lmmr1.evaluate.results import RESULTS

logger = logging.getLogger(__name__)

TABLE = "compare.md"
CHART = "compare.png"


@dataclass(frozen=True)
class Run:
    name: str
    results: dict[str, dict[str, Any]]  # benchmark -> results.json


def load_run(folder: str | Path) -> Run:
    folder = Path(folder)
    found = {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob(f"*/{RESULTS}"))}
    if not found:
        raise UserError(f"--compare {folder}: no <benchmark>/{RESULTS} inside; is it an `lmmr1 evaluate --output-dir`?")
    return Run(folder.name, found)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def scores(run: Run, columns: list[str]) -> dict[str, float | None]:
    """Accuracy (%) per benchmark column, then ``MM avg`` and ``text avg`` over the run's benchmarks."""
    out: dict[str, float | None] = {}
    for b in columns:
        r = run.results.get(b)
        out[b] = 100 * r["accuracy"] if r else None
    for label, modality in (("MM avg", "mm"), ("text avg", "text")):
        out[label] = _mean([100 * r["accuracy"] for r in run.results.values() if r.get("modality") == modality])
    return out


def _columns(runs: list[Run]) -> list[str]:
    modality = {b: r.get("modality", "mm") for run in runs for b, r in run.results.items()}
    # multimodal benchmarks first, as in the paper's table; each group in name order
    return sorted(modality, key=lambda b: (modality[b] != "mm", b))


def table(runs: list[Run]) -> str:
    columns = _columns(runs)
    heads = columns + ["MM avg", "text avg"]
    base = scores(runs[0], columns)
    lines = ["| run | " + " | ".join(heads) + " |", "| --- |" + " --- |" * len(heads)]
    for i, run in enumerate(runs):
        now = scores(run, columns)
        cells = []
        for h in heads:
            v, b = now[h], base[h]
            if v is None:
                cells.append("–")
            elif i == 0 or b is None:
                cells.append(f"{v:.1f}")
            else:
                cells.append(f"{v:.1f} ({v - b:+.1f})")
        lines.append(f"| {run.name} | " + " | ".join(cells) + " |")
    ns = {b: next((run.results[b]["n"] for run in runs if b in run.results), 0) for b in columns}
    lines.append("")
    lines.append("Accuracy in %, rule-scored by lmmr1's verifiers; items per benchmark: "
                 + ", ".join(f"{b} {n}" for b, n in ns.items()) + ".")
    return "\n".join(lines) + "\n"


def chart(runs: list[Run], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = _columns(runs)
    heads = columns + ["MM avg", "text avg"]
    width = 0.8 / len(runs)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(heads)), 4.0))
    for i, run in enumerate(runs):
        s = scores(run, columns)
        xs = [j + i * width for j in range(len(heads))]
        ax.bar(xs, [s[h] or 0.0 for h in heads], width, label=run.name)
    ax.set_xticks([j + width * (len(runs) - 1) / 2 for j in range(len(heads))], heads, rotation=30, ha="right")
    ax.set_ylabel("accuracy (%)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def compare(folders: list[str | Path], output: str | Path | None = None) -> str:
    """The markdown table of ``folders``' runs; with ``output``, also writes compare.md and compare.png there."""
    runs = [load_run(f) for f in folders]
    text = table(runs)
    if output is not None:
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        (out / TABLE).write_text(text, encoding="utf-8")
        chart(runs, out / CHART)
        logger.info("wrote %s and %s", out / TABLE, out / CHART)
    return text
