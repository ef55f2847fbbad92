"""TRL reward functions: accuracy against a gold column, and the <think>/<answer> format.

Both follow TRL's reward contract, ``f(prompts, completions, completion_ids=None, **columns)
-> list[float | None]``, and are picklable callable classes with a ``__name__`` (TRL names the
logged metric ``rewards/<__name__>/mean`` after it). A completion is a string, or a conversation
``[{"role": "assistant", "content": str | [{"type": "text", "text": ...}, ...]}]``.

One bad row never fails the step: a completion that is neither scores as ``no_answer`` (0.0, and
0.0 format), a gold that is missing, NaN, infinite or not text or a number gets ``None``
(``gold_unparseable``), and every other row is scored.

>>> from lmmr1.rewards import AccuracyReward, FormatReward
>>> AccuracyReward()(prompts=["1+1?"], completions=["<answer>2</answer>"], solution=["2"])
[1.0]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lmmr1.verifiers.batch import verify_batch
from lmmr1.verifiers.config import AnyConfig, VerifierConfig
from lmmr1.verifiers.format_tags import FormatStyle, check_format
from lmmr1.verifiers.verdict import TASKS, Verdict

logger = logging.getLogger(__name__)

# Keyword arguments TRL's GRPOTrainer adds beside the dataset columns; never dataset columns.
_TRAINER_KWARGS = frozenset({"trainer_state", "log_extra", "log_metric", "environments"})


def completion_text(completion: Any) -> str:
    """The text of one completion: a string, or the last assistant message of a conversation.

    Content given as a list of parts keeps only the text parts, joined in order.
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        completion = [completion]
    if isinstance(completion, Sequence) and completion and all(isinstance(m, dict) for m in completion):
        assistant = [m for m in completion if m.get("role", "assistant") == "assistant"]
        message = assistant[-1] if assistant else completion[-1]
        return _content_text(message.get("content"))
    raise TypeError(
        "a completion must be a string or a list of chat messages like "
        f"[{{'role': 'assistant', 'content': '...'}}], got {type(completion).__name__}: {completion!r:.120}"
    )


def _texts(completions: Sequence[Any], reward: str) -> list[str | None]:
    """Each completion's text, ``None`` for one that is not a completion (it scores no_answer)."""
    texts: list[str | None] = []
    for i, completion in enumerate(completions):
        try:
            texts.append(completion_text(completion))
        except TypeError as exc:
            logger.warning("%s: completion %d is not a completion, scored as no answer: %s", reward, i, exc)
            texts.append(None)
    return texts


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and part.get("type", "text") == "text":
                parts.append(str(part.get("text", "")))
        return "".join(parts)
    raise TypeError(f"message content must be a string or a list of content parts, got {type(content).__name__}")


def _column(kwargs: dict[str, Any], name: str, n: int, reward: str, *, required: bool) -> list[Any] | None:
    if name not in kwargs:
        if not required:
            return None
        available = sorted(k for k in kwargs if k not in _TRAINER_KWARGS)
        raise ValueError(
            f"{reward}: dataset column {name!r} (gold answers) was not passed to the reward; available "
            f"columns: {available}. Add a {name!r} column to the dataset or set "
            f"gold_column= to one of these."
        )
    values = kwargs[name]
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{reward}: column {name!r} must be a list with one value per completion, got {type(values).__name__}")
    if len(values) != n:
        raise ValueError(f"{reward}: column {name!r} has {len(values)} values for {n} completions; they must match")
    return list(values)


def drop_option_padding(options: Any) -> Any:
    """Options as the dataset meant them: ``datasets`` stores a dict column as one struct holding
    every key seen in any row, so a 3-option row arrives as ``{"A": .., "B": .., "C": .., "D": None}``."""
    if isinstance(options, dict):
        return {k: v for k, v in options.items() if v is not None}
    return options


def _check_name(owner: str, field: str, value: object) -> None:
    if not (isinstance(value, str) and value):
        raise ValueError(f"{owner}.{field} must be a non-empty string naming a dataset column, got {value!r}")


@dataclass(frozen=True)
class AccuracyReward:
    """1.0 when the completion's answer equals the gold answer, 0.0 when not, ``None`` when it
    cannot be verified (unparseable gold, timeout): TRL then leaves that reward out of the mean.

    gold_column / task_column / options_column name the dataset columns to read. A missing task
    column means ``default_task`` for every row; a missing options column means no options.
    """

    gold_column: str = "solution"
    task_column: str = "task"
    options_column: str = "options"
    default_task: str = "auto"  # "auto", "math", "choice" or "geometry"
    config: AnyConfig | None = None
    workers: int | None = None  # processes for verify_batch; None lets the engine choose
    name: str = "accuracy_reward"  # TRL logs rewards/<name>/mean
    log_reasons: bool = True  # add an "<name>_reason" column to TRL's completions table

    def __post_init__(self) -> None:
        for field in ("gold_column", "task_column", "options_column", "name"):
            _check_name("AccuracyReward", field, getattr(self, field))
        if self.default_task not in (*TASKS, "auto"):
            raise ValueError(f"AccuracyReward.default_task={self.default_task!r}; choose one of {(*TASKS, 'auto')}")
        VerifierConfig.coerce(self.config)  # validate early, not at the first training step
        if self.workers is not None and not (isinstance(self.workers, int) and self.workers >= 1):
            raise ValueError(f"AccuracyReward.workers must be None or a positive int, got {self.workers!r}")

    @property
    def __name__(self) -> str:  # TRL reads __name__ to name the logged metric
        return self.name

    def __call__(
        self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), completion_ids: Any = None, **kwargs: Any
    ) -> list[float | None]:
        texts = _texts(completions, self.name)
        n = len(texts)
        golds = _column(kwargs, self.gold_column, n, self.name, required=True)
        tasks = _column(kwargs, self.task_column, n, self.name, required=False)
        options = _column(kwargs, self.options_column, n, self.name, required=False)
        tasks_arg: str | list = self.default_task if tasks is None else [t or self.default_task for t in tasks]
        if options is not None:
            options = [drop_option_padding(o) for o in options]
        verdicts = verify_batch(texts, golds, tasks=tasks_arg, options=options, config=self.config, workers=self.workers)
        rewards: list[float | None] = [v.score if v.correct is not None else None for v in verdicts]
        _report(kwargs, self.name, verdicts, self.log_reasons)
        return rewards


@dataclass(frozen=True)
class FormatReward:
    """The <think>…</think><answer>…</answer> format reward (never ``None``).

    style ``"strict"``: 1.0 for exactly one think block then one answer block, else 0.0 (LMM-R1).
    style ``"tags"``: 0.25 per tag used exactly once and in order (open-r1's tag count).
    """

    style: FormatStyle = "strict"
    name: str = ""  # default: "format_reward" (strict) or "tag_count_reward" (tags)

    def __post_init__(self) -> None:
        if self.style not in ("strict", "tags"):
            raise ValueError(f"FormatReward.style={self.style!r}; choose 'strict' or 'tags'")
        if not self.name:
            object.__setattr__(self, "name", "format_reward" if self.style == "strict" else "tag_count_reward")

    @property
    def __name__(self) -> str:
        return self.name

    def __call__(
        self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), completion_ids: Any = None, **kwargs: Any
    ) -> list[float | None]:
        return [0.0 if t is None else check_format(t, self.style).score for t in _texts(completions, self.name)]


def _report(kwargs: dict[str, Any], name: str, verdicts: list[Verdict], log_reasons: bool) -> None:
    """Hand the reasons to TRL's completions table and metrics, when the trainer offers them."""
    log_extra: Callable[[str, list], None] | None = kwargs.get("log_extra")
    log_metric: Callable[[str, float], None] | None = kwargs.get("log_metric")
    if log_reasons and callable(log_extra):
        log_extra(f"{name}_reason", [v.reason for v in verdicts])
    if callable(log_metric) and verdicts:
        unverifiable = sum(v.correct is None for v in verdicts)
        log_metric(f"{name}/unverifiable_frac", unverifiable / len(verdicts))
    if verdicts and all(v.correct is None for v in verdicts):
        logger.warning("%s: no completion in this batch could be verified (reasons: %s)", name,
                       sorted({v.reason for v in verdicts}))


__all__ = ["AccuracyReward", "FormatReward", "completion_text", "drop_option_padding"]
