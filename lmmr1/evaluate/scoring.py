"""Scoring: every completion goes through ``lmmr1.verify_batch``, the one scoring path.

``None`` verdicts (gold unparseable, timeout, error) are kept as their own count, ``undecided``:
never folded into right or wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from lmmr1.evaluate.items import Item
from lmmr1.verifiers import Verdict, VerifierConfig, verify_batch


def score(
    items: Sequence[Item], completions: Sequence[str], config: VerifierConfig | None = None, workers: int | None = None
) -> list[Verdict]:
    """The verdict of each completion on its item, in order.

    Items with their own ``config`` (OlympiadBench's per-item precision) are verified in one batch
    per distinct config; all others with ``config``.
    """
    if len(items) != len(completions):
        raise ValueError(f"{len(items)} items but {len(completions)} completions; give one completion per item")
    default = config or VerifierConfig()
    groups: dict[VerifierConfig, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(item.config or default, []).append(i)
    verdicts: list[Verdict | None] = [None] * len(items)
    for cfg, idx in groups.items():
        got = verify_batch(
            [completions[i] for i in idx],
            [items[i].gold for i in idx],
            [items[i].task for i in idx],
            [items[i].options for i in idx],
            cfg,
            workers,
        )
        for i, v in zip(idx, got, strict=True):
            verdicts[i] = v
    return verdicts  # type: ignore[return-value]


def prediction_row(item: Item, sample: int, completion: str, verdict: Verdict, tokens: int | None, truncated: bool | None) -> dict[str, Any]:
    """One line of predictions.jsonl."""
    return {
        "id": item.id,
        "sample": sample,
        "completion": completion,
        "extracted": verdict.extracted,
        "verdict": verdict.correct,
        "reason": verdict.reason,
        "tokens": tokens,
        "truncated": truncated,
        "gold": item.gold,
    }


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy and counts over predictions.jsonl rows: right, wrong, undecided, truncation, length."""
    n = len(rows)
    correct = sum(r["verdict"] is True for r in rows)
    undecided = sum(r["verdict"] is None for r in rows)
    lengths = [r["tokens"] for r in rows if r.get("tokens") is not None]
    truncated = [r["truncated"] for r in rows if r.get("truncated") is not None]
    return {
        "accuracy": correct / n if n else 0.0,
        "n": n,
        "correct": correct,
        "wrong": n - correct - undecided,
        "undecided": undecided,
        "accuracy_of_decided": correct / (n - undecided) if n - undecided else 0.0,
        "truncation_rate": sum(truncated) / len(truncated) if truncated else None,
        "mean_tokens": sum(lengths) / len(lengths) if lengths else None,
        "reasons": dict(sorted(Counter(r["reason"] for r in rows).items())),
    }
