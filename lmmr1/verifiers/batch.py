"""``verify_batch``: the verdicts of ``verify`` for a whole RL step, fast.

Two passes. First, in this process and without sympy, every item a fast path can decide
(integers, decimals, simple fractions, choice letters, text answers, hedges, missing answers,
cached pairs). Then the slow remainder runs concurrently on the budget workers, one thread per
worker, each item under its own time budget: a hung or crashed worker is killed and replaced,
that item says ``timeout``/``error``, and no other item is lost.

A bad row never takes the batch down (:func:`verify_row`): a gold that is missing, NaN,
infinite, too long an integer to print, not text or a number, or that makes ``verify`` raise
answers ``gold_unparseable``; a completion that is not text answers ``no_answer``.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real

from lmmr1.verifiers.api import resolve_task, verify
from lmmr1.verifiers.budget import Deferred, defer_slow_calls, get_pool
from lmmr1.verifiers.choice import Options
from lmmr1.verifiers.config import AnyConfig, VerifierConfig
from lmmr1.verifiers.extract import extract_answer
from lmmr1.verifiers.verdict import TASKS, Verdict, judged, undecided

logger = logging.getLogger(__name__)


def _per_item(value: object, n: int, name: str, scalar_types: tuple[type, ...]) -> list:
    if value is None or isinstance(value, scalar_types):
        return [value] * n
    if not isinstance(value, Sequence):
        raise TypeError(f"{name} must be one value for all items or a list of {n}, got {type(value).__name__}")
    if len(value) != n:
        raise ValueError(f"{name} has {len(value)} entries but there are {n} completions; give one per completion")
    return list(value)


def gold_problem(gold: object) -> str | None:
    """Why ``gold`` cannot be a gold answer at all (``None`` when it can be given to ``verify``)."""
    if isinstance(gold, str):
        return None
    if gold is None:
        return "the gold answer is missing (None)"
    if isinstance(gold, bool) or not isinstance(gold, Real):
        return f"the gold answer must be text or a number, got {type(gold).__name__}: {gold!r:.80}"
    if isinstance(gold, Integral):
        try:
            str(gold)
        except ValueError as exc:  # > sys.get_int_max_str_digits() digits
            return f"the gold answer is an integer too long to read: {exc}"
        return None
    try:
        finite = math.isfinite(float(gold))
    except (OverflowError, ValueError):
        finite = False
    return None if finite else f"the gold answer is {gold!r:.80}, not a finite number"


def _row_task(task: object, gold: object, options: Options) -> str | None:
    """The task a bad row's verdict names, when it can be known."""
    if task != "auto":
        return task if task in TASKS else None  # type: ignore[return-value]
    try:
        return resolve_task(task, gold if isinstance(gold, str) else "", options)
    except (TypeError, ValueError):  # options of a wrong type: the verdict says so, the task stays unknown
        return None


def verify_row(
    completion: object, gold: object, task: str = "auto", options: Options = None, config: AnyConfig | None = None
) -> Verdict:
    """``verify`` for one row of a dataset or a batch: never raises for a bad row.

    A gold :func:`gold_problem` refuses, or one that makes ``verify`` raise (an unknown task,
    options of a wrong type), answers ``gold_unparseable`` with the reason in ``detail``; a
    completion that is not a string answers ``no_answer``.
    """
    problem = gold_problem(gold)
    if problem is not None:
        return undecided("gold_unparseable", None, _row_task(task, gold, options), problem)
    if not isinstance(completion, str):
        detail = f"the completion is {type(completion).__name__}, not text"
        return judged(False, "no_answer", None, _row_task(task, gold, options), detail)
    try:
        return verify(completion, gold, task, options, config)  # type: ignore[arg-type]
    except Deferred:
        raise  # verify_batch's first pass: this item goes to the workers
    except (TypeError, ValueError) as exc:
        logger.warning("verify refused a row (gold=%r, task=%r): %s; answered gold_unparseable", gold, task, exc)
        return undecided("gold_unparseable", None, _row_task(task, gold, options), f"{type(exc).__name__}: {exc}")


def verify_batch(
    completions: Sequence[str | None],
    golds: Sequence[object],
    tasks: str | Sequence[str] = "auto",
    options: Options | Sequence[Options] = None,
    config: AnyConfig | None = None,
    workers: int | None = None,
) -> list[Verdict]:
    """``[verify_row(c, g, t, o, config) for …]``, in input order, using up to ``workers`` processes.

    ``tasks`` is one task for all items or one per item; ``options`` is ``None``, one mapping for
    all items, or one entry (mapping, list or ``None``) per item. ``workers`` defaults to the
    number of CPUs.
    """
    n = len(completions)
    if len(golds) != n:
        raise ValueError(f"got {n} completions but {len(golds)} golds; give one gold per completion")
    task_list = _per_item(tasks, n, "tasks", (str,))
    option_list = _per_item(options, n, "options", (Mapping,))
    cfg = VerifierConfig.coerce(config)
    workers = max(1, workers or os.cpu_count() or 1)

    pool = get_pool()
    pool.ensure_size(workers)
    pool.warm_up(workers)  # workers import sympy while the fast pass runs
    verdicts: list[Verdict | None] = [None] * n
    slow: list[int] = []
    with defer_slow_calls():
        for i in range(n):
            try:
                verdicts[i] = verify_row(completions[i], golds[i], task_list[i], option_list[i], cfg)
            except Deferred:
                slow.append(i)
    if slow:
        # 16 samples of one prompt often give the same answer: compute each distinct pair once,
        # then the rest are cache hits in this process.
        first: dict[tuple, int] = {}
        for i in slow:
            first.setdefault(_pair_key(completions[i], golds[i], task_list[i], option_list[i]), i)
        distinct = list(first.values())
        logger.debug("verify_batch: %d of %d items need sympy (%d distinct)", len(slow), n, len(distinct))
        with ThreadPoolExecutor(max_workers=min(workers, len(distinct)), thread_name_prefix="lmmr1-verify") as ex:
            results = ex.map(lambda i: verify_row(completions[i], golds[i], task_list[i], option_list[i], cfg), distinct)
            for i, verdict in zip(distinct, results, strict=True):
                verdicts[i] = verdict
        for i in slow:
            if verdicts[i] is None:
                verdicts[i] = verify_row(completions[i], golds[i], task_list[i], option_list[i], cfg)
    return verdicts  # type: ignore[return-value]


def _pair_key(completion: str, gold: str, task: str, options: Options) -> tuple:
    extracted = extract_answer(completion, choice=task == "choice")
    return (gold, task, repr(options), extracted.text, extracted.alternatives)
