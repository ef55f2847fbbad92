"""Per-step mean rewards (total and each reward function) as CSV + PNG, from TRL's own logs.

The summary gives, per column, the mean over the first and the last 10 % of logged steps and over
the best run of that many consecutive steps: a stage that peaks and then falls back shows it.
"""

from __future__ import annotations

import csv
import logging
import math
from pathlib import Path

from transformers import TrainerCallback

logger = logging.getLogger(__name__)

TOTAL = "reward"  # TRL logs the weighted total as "reward", each function as "rewards/<name>/mean"
PREFIX = "rewards/"
SUFFIX = "/mean"
SMOOTH_POINTS = 50  # the plotted curves are rolling means over 1/50 of the logged steps


class RewardLogCallback(TrainerCallback):
    """At the end of training, read the reward means TRL logged at each step (``state.log_history``,
    which survives a resume); ``write`` then saves rewards.csv and rewards.png.

    Set ``logging_steps: 1`` for a point per optimiser step.
    """

    def __init__(self) -> None:
        self.rows: list[dict[str, float]] = []

    def on_train_end(self, args, state, control, **kwargs):
        self.rows = rows_from_history(state.log_history)

    def columns(self) -> list[str]:
        return columns(self.rows)

    def summary(self, fraction: float = 0.1) -> dict[str, tuple[float, float]]:
        """Mean of each column over the first and last ``fraction`` of logged steps (at least one step)."""
        return first_last(self.rows, fraction)

    def best(self, fraction: float = 0.1) -> dict[str, tuple[float, float, float]]:
        """Each column's best window of ``fraction`` of the logged steps: ``best_window``."""
        return best_window(self.rows, fraction)

    def write(self, out_dir: str | Path, title: str = "") -> tuple[Path, Path] | None:
        """Write ``rewards.csv`` and ``rewards.png`` in ``out_dir``; None when nothing was logged."""
        if not self.rows:
            logger.warning(
                "no reward was logged (is logging_steps larger than the number of steps?); no plot"
            )
            return None
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        cols = self.columns()
        csv_path = out / "rewards.csv"
        with csv_path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=cols)
            writer.writeheader()
            for row in self.rows:
                writer.writerow({c: row.get(c, "") for c in cols})
        png_path = out / "rewards.png"
        _plot(self.rows, cols, png_path, title)
        return csv_path, png_path


def columns(rows: list[dict[str, float]]) -> list[str]:
    """``step``, ``total``, then each reward function's column, sorted."""
    names = sorted({k for row in rows for k in row} - {"step", "total"})
    return ["step", "total", *names]


def window_size(n_rows: int, fraction: float = 0.1) -> int:
    """Rows in a window: ``fraction`` of ``n_rows``, rounded up, at least one."""
    return max(1, math.ceil(n_rows * fraction))


def _mean(rows: list[dict[str, float]], col: str) -> float | None:
    values = [r[col] for r in rows if col in r]
    return math.fsum(values) / len(values) if values else None


def first_last(rows: list[dict[str, float]], fraction: float = 0.1) -> dict[str, tuple[float, float]]:
    """Mean of each column over the first and last ``fraction`` of ``rows`` (at least one row each)."""
    if not rows:
        return {}
    k = window_size(len(rows), fraction)
    out = {}
    for col in columns(rows)[1:]:
        first, last = _mean(rows[:k], col), _mean(rows[-k:], col)
        if first is not None and last is not None:
            out[col] = (first, last)
    return out


def best_window(rows: list[dict[str, float]], fraction: float = 0.1) -> dict[str, tuple[float, float, float]]:
    """Per column, ``(mean, first step, last step)`` of the window of consecutive rows, as many as
    ``first_last`` averages, with the highest mean (the earliest such window on ties). Since the first
    and last windows are among those compared, the best is never below either."""
    if not rows:
        return {}
    k = min(window_size(len(rows), fraction), len(rows))
    out = {}
    for col in columns(rows)[1:]:
        best = None
        values = [r.get(col) for r in rows]
        for i in range(len(rows) - k + 1):
            window = [v for v in values[i : i + k] if v is not None]
            mean = math.fsum(window) / len(window) if window else None
            if mean is not None and (best is None or mean > best[0]):
                best = (mean, rows[i]["step"], rows[i + k - 1]["step"])
        if best is not None:
            out[col] = best
    return out


def smooth(values: list[float], window: int) -> list[float]:
    """Trailing rolling mean over ``window`` values (fewer at the start); NaN values are skipped."""
    out = []
    for i in range(len(values)):
        recent = [v for v in values[max(0, i - window + 1) : i + 1] if not math.isnan(v)]
        out.append(math.fsum(recent) / len(recent) if recent else math.nan)
    return out


def read_rows(path: str | Path) -> list[dict[str, float]]:
    """The rows of a ``rewards.csv`` written by ``RewardLogCallback.write`` (empty cells left out)."""
    with Path(path).open(newline="") as f:
        return [{k: float(v) for k, v in row.items() if v != ""} for row in csv.DictReader(f)]


def rows_from_history(log_history: list[dict]) -> list[dict[str, float]]:
    """One row per logged step: ``step``, ``total`` and each reward function's mean."""
    rows = []
    for logs in log_history:
        if TOTAL not in logs or "step" not in logs:
            continue
        row = {"step": float(logs["step"]), "total": float(logs[TOTAL])}
        for key, value in logs.items():
            if key.startswith(PREFIX) and key.endswith(SUFFIX):
                row[key[len(PREFIX) : -len(SUFFIX)]] = float(value)
        rows.append(row)
    return rows


def _plot(rows: list[dict[str, float]], cols: list[str], path: Path, title: str) -> None:

    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    steps = [r["step"] for r in rows]
    window = max(1, round(len(rows) / SMOOTH_POINTS))
    for col in cols[1:]:
        label = "total (weighted sum)" if col == "total" else col
        raw = [r.get(col, math.nan) for r in rows]
        (line,) = ax.plot(steps, smooth(raw, window), label=label, linewidth=2 if col == "total" else 1.2)
        ax.plot(steps, raw, color=line.get_color(), alpha=0.2, linewidth=0.6)
    ax.set_xlabel("optimiser step")
    ax.set_ylabel("mean reward")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    note = f"rolling mean of {window} logged steps; raw faint" if window > 1 else None
    ax.legend(loc="best", fontsize=8, title=note, title_fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
