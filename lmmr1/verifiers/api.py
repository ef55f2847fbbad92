"""``verify``: extraction → task detection → comparison, inside one time budget, never raising."""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from numbers import Real

from lmmr1.verifiers.budget import BudgetExceeded, Deferred, WorkerCrashed
from lmmr1.verifiers.choice import (
    Options,
    as_letter,
    compare_choice,
    is_letter_gold,
    letter_in_prose,
    option_map,
)
from lmmr1.verifiers.config import AnyConfig, ChoiceConfig, GeometryConfig, MathConfig, VerifierConfig
from lmmr1.verifiers.equivalence import Outcome, compare_math, top_level_commas
from lmmr1.verifiers.extract import Extraction, extract_answer, find_boxed
from lmmr1.verifiers.geometry import compare_geometry
from lmmr1.verifiers.normalize import normalize
from lmmr1.verifiers.verdict import TASKS, Verdict, judged, undecided

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_deadline: ContextVar[float] = ContextVar("lmmr1_verify_deadline")


def resolve_task(task: str, gold: str, options: Options) -> str:
    """``auto`` → ``choice`` when there are options or the gold is a lone letter, else ``math``.

    Geometry's rounding tolerance is never guessed: ask for ``task="geometry"``.
    """
    if task != "auto":
        return task
    if option_map(options) or is_letter_gold(gold):
        return "choice"
    return "math"


def _check_args(completion: object, gold: object, task: object, options: object) -> str:
    if not isinstance(completion, str):
        raise TypeError(f"completion must be str, got {type(completion).__name__}")
    if isinstance(gold, bool) or not isinstance(gold, (str, Real)):
        raise TypeError(f"gold must be str (or a number), got {type(gold).__name__}")
    if task not in (*TASKS, "auto"):
        raise ValueError(f"task must be one of {(*TASKS, 'auto')}, got {task!r}")
    if options is not None and (isinstance(options, (str, bytes)) or not isinstance(options, (Mapping, Sequence))):
        raise TypeError(f"options must be a mapping {{'A': text}} or a list of option texts, got {type(options).__name__}")
    return gold if isinstance(gold, str) else repr(gold) if isinstance(gold, float) else str(gold)


def _gold_answer(gold: str) -> str:
    """A gold written as a solution ("… so the answer is \\boxed{004}.") is judged by its last box;
    several boxes side by side (``\\boxed{1}\\boxed{2}``) stay a multi-valued gold."""
    if "\\boxed" not in gold and "\\fbox" not in gold:
        return gold
    found = extract_answer(gold)
    return found.text if found.source == "boxed" and not found.hedged and found.text else gold


def _multi_valued(gold: str) -> bool:
    """A gold with several answers: ``1, 2``, ``(2,2), (6,2)``, ``\boxed{1}\boxed{2}``, ``6 and 8``."""
    if len(find_boxed(gold)) > 1 or "\\pm" in gold:
        return True
    return top_level_commas(normalize(gold).text) > 0


def _options_key(options: Options) -> tuple[tuple[str, str], ...]:
    return tuple(option_map(options).items())


def _left() -> float:
    return max(0.0, _deadline.get() - time.monotonic())


@functools.lru_cache(maxsize=65536)
def judge(task: str, gold: str, answer: str, options: tuple[tuple[str, str], ...], config: object) -> Outcome:
    """Compare an extracted answer with a gold answer (cached: 16 samples share one gold).

    Timeouts raise through the cache and are never cached. Call inside ``verify``'s budget.
    """
    if _CONTROL.search(gold):
        # e.g. MATH-V's "\x0crac{36}{13}": a JSON "\f" ate the backslash of "\frac"
        return None, "gold_unparseable", "gold contains control characters (corrupted escape?)"
    if task == "choice":
        assert isinstance(config, ChoiceConfig)
        return compare_choice(gold, answer, dict(options) or None, config, _left)
    if task == "geometry":
        assert isinstance(config, GeometryConfig)
        return compare_geometry(gold, answer, config, _left)
    assert isinstance(config, MathConfig)
    return compare_math(gold, answer, config, _left())


def verify(
    completion: str,
    gold: str,
    task: str = "auto",
    options: Options = None,
    config: AnyConfig | None = None,
) -> Verdict:
    """Judge one model completion against its gold answer.

    Never raises for string inputs and returns within the task config's ``timeout_s`` (start-up
    of the sympy worker included). Raises ``TypeError``/``ValueError`` only for misuse: a
    non-string completion, an unknown task, options that are neither a mapping nor a list.
    ``correct`` is ``None`` (score 0.0) when the verdict cannot be reached: ``gold_unparseable``,
    ``timeout``, ``error``.
    """
    gold_text = _gold_answer(_check_args(completion, gold, task, options))
    cfg = VerifierConfig.coerce(config)
    resolved = resolve_task(task, gold_text, options)
    task_cfg = cfg.for_task(resolved)
    if not gold_text.strip():
        return undecided("gold_unparseable", None, resolved, "empty gold answer")
    token = _deadline.set(time.monotonic() + task_cfg.timeout_s)
    extracted: Extraction | None = None
    try:
        extracted = extract_answer(completion, choice=resolved == "choice")
        if extracted.text is None:
            return judged(False, "no_answer", None, resolved)
        answer = extracted.text
        if resolved == "choice" and extracted.source == "last_sentence":
            # prose at the end of an untagged text: a letter named there counts, a value does not
            letter = as_letter(answer) or letter_in_prose(answer)
            if letter is None:
                return judged(False, "no_answer", None, resolved, "no letter in the final sentence")
            answer = letter
        if extracted.hedged:
            if not (resolved != "choice" and _multi_valued(gold_text)):
                return judged(False, "hedged", extracted.text, resolved, " | ".join(extracted.alternatives))
            answer = ", ".join(extracted.alternatives)  # several boxes answer a multi-valued gold
        correct, reason, detail = judge(resolved, gold_text, answer, _options_key(options), task_cfg)
    except Deferred:
        raise  # verify_batch's first pass: this item goes to the workers
    except BudgetExceeded:
        return undecided("timeout", extracted.text if extracted else None, resolved, f"budget {task_cfg.timeout_s} s")
    except WorkerCrashed as exc:
        logger.warning("verifier worker crashed on gold=%r: %s", gold_text[:80], exc)
        return undecided("error", extracted.text if extracted else None, resolved, str(exc))
    except Exception as exc:  # a reward must never crash training: log it, say "error"
        logger.exception("verify failed on gold=%r", gold_text[:80])
        return undecided("error", extracted.text if extracted else None, resolved, f"{type(exc).__name__}: {exc}")
    finally:
        _deadline.reset(token)
    if correct is None:
        return undecided(reason, answer, resolved, detail)
    return judged(correct, reason, answer, resolved, detail)
