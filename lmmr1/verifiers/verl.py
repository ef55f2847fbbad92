"""verl reward: point ``custom_reward_function.path`` at this file and ``.name`` at ``compute_score``.

verl's reward managers call ``compute_score(data_source=..., solution_str=..., ground_truth=...,
extra_info=...)`` once per response, plus any ``custom_reward_function.reward_kwargs`` as keywords.
A dict answer becomes the reward (``score``) and per-sample extra columns (every other key), so
every call returns the same keys with plain values.

::

    custom_reward_function:
      path: /path/to/site-packages/lmmr1/verifiers/verl.py
      name: compute_score
      reward_kwargs: {format_weight: 0.5}   # optional: LMM-R1's accuracy + 0.5 * format

The row's ``extra_info`` may carry ``task`` ("math", "choice", "geometry"; default "auto") and
``options`` (a dict letter -> text, or a list) for multiple choice.
"""

from __future__ import annotations

import logging
from typing import Any

from lmmr1.verifiers.batch import verify_row
from lmmr1.verifiers.format_tags import check_format
from lmmr1.verifiers.rewards import drop_option_padding

logger = logging.getLogger(__name__)


def compute_score(
    data_source: str | None,
    solution_str: str,
    ground_truth: Any,
    extra_info: dict[str, Any] | None = None,
    format_weight: float = 0.0,
    format_style: str = "strict",
    **kwargs: Any,
) -> dict[str, Any]:
    """Score one response: ``{"score", "acc", "format", "verifiable", "reason", "extracted"}``.

    score = acc + format_weight * format. A response that cannot be verified (unparseable gold,
    timeout) scores acc 0.0 with ``verifiable`` False and the reason said: verl has no "no reward".
    A bad row never raises (it would stop the step): a ground truth that is missing, NaN,
    infinite or not text or a number is ``gold_unparseable``; a response that is not a string
    is ``no_answer`` with format 0. Unknown keywords from newer verl versions are ignored.
    """
    if not isinstance(format_weight, (int, float)) or format_weight < 0:
        raise ValueError(f"format_weight must be a number >= 0 (LMM-R1 uses 0.5), got {format_weight!r}")
    info = extra_info if isinstance(extra_info, dict) else {}
    task = info.get("task") or "auto"
    options = drop_option_padding(info.get("options"))  # parquet pads dict columns with None
    verdict = verify_row(solution_str, ground_truth, task=task, options=options)
    fmt = check_format(solution_str, format_style).score if isinstance(solution_str, str) else 0.0
    acc = verdict.score  # 1/0, or a task's graded score (Sokoban's shaped reward); 0.0 when undecided
    return {
        "score": acc + format_weight * fmt,
        "acc": acc,
        "format": fmt,
        "verifiable": verdict.correct is not None,
        "reason": verdict.reason,
        "extracted": verdict.extracted if verdict.extracted is not None else "",
    }


__all__ = ["compute_score"]
