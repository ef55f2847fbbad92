"""``verify``: validate → extract → ``TASKS[task].compare``, inside one deadline, never raising."""

from __future__ import annotations

import functools
import logging
import math
import signal
import time
from collections.abc import Mapping, Sequence
from numbers import Real

import lmmr1.verifiers.choice  # noqa: F401 - registers the "choice" task
import lmmr1.verifiers.geometry  # noqa: F401 - registers the "geometry" task
import lmmr1.verifiers.sokoban_task  # noqa: F401 - registers the "sokoban" task
from lmmr1.verifiers.budget import BudgetExceeded, Deferred, WorkerCrashed
from lmmr1.verifiers.cache import ByteBoundedCache
from lmmr1.verifiers.choice import Options, is_letter_gold, option_map
from lmmr1.verifiers.config import AnyConfig, VerifierConfig
from lmmr1.verifiers.equivalence import items
from lmmr1.verifiers.extract import Extraction, extract_answer
from lmmr1.verifiers.hedge import is_hedge
from lmmr1.verifiers.normalize import normalize
from lmmr1.verifiers.tasks import TASKS, Context, Outcome
from lmmr1.verifiers.text import find_boxed, has_control, unicode_to_latex
from lmmr1.verifiers.verdict import Verdict, judged, undecided

logger = logging.getLogger(__name__)

MAX_GOLD_CHARS = 10_000  # a longer gold is not an answer a rule can check
MAX_BARE_GOLD_CHARS = 200  # a longer gold without a box is a solution: its "answer is" sentence is the gold


def resolve_task(task: str, gold: str, options: Options) -> str:
    """``auto`` → ``choice`` when there are options or the gold is a lone letter, else ``math``.

    Geometry's rounding tolerance is never guessed: ask for ``task="geometry"``.
    """
    if task != "auto":
        return task
    if option_map(options) or is_letter_gold(gold):
        return "choice"
    return "math"


def _check_args(completion: object, gold: object, task: object, options: object) -> tuple[str | None, str | None]:
    """(gold text, why it cannot be read). Raises only for misuse (wrong types, unknown task)."""
    if not isinstance(completion, str):
        raise TypeError(f"completion must be str, got {type(completion).__name__}")
    if isinstance(gold, bool) or not isinstance(gold, (str, Real)):
        raise TypeError(f"gold must be str (or a number), got {type(gold).__name__}")
    if task not in (*TASKS, "auto"):
        raise ValueError(f"task must be one of {(*TASKS, 'auto')}, got {task!r}")
    if options is not None and (isinstance(options, (str, bytes)) or not isinstance(options, (Mapping, Sequence))):
        raise TypeError(f"options must be a mapping {{'A': text}} or a list of option texts, got {type(options).__name__}")
    if isinstance(gold, str):
        return gold, None
    if isinstance(gold, float) and not math.isfinite(gold):
        return None, f"gold is {gold!r}, not a value"
    try:
        return (repr(gold) if isinstance(gold, float) else str(gold)), None
    except ValueError:  # an int of more than 4,300 digits (sys.int_info.str_digits_check_threshold)
        return None, "gold is an integer too long to print"


def _gold_answer(gold: str) -> str:
    """A gold written as a solution ("… so the answer is \\boxed{004}.", or a long text ending "The
    final answer is $28\\%$") is judged by its answer, as a completion would be; several boxes side
    by side (``\\boxed{1}\\boxed{2}``, ``\\boxed{1} and \\boxed{-2}``) stay a multi-valued gold."""
    if "\\boxed" not in gold and "\\fbox" not in gold and len(gold) <= MAX_BARE_GOLD_CHARS:
        return gold
    found = extract_answer(gold)
    if found.source not in ("boxed", "anchor") or not found.text:
        return gold
    return ", ".join(found.alternatives) if found.hedged else found.text  # "\boxed{1} and \boxed{-2}"


MAX_CACHED_GOLD_CHARS = 1000  # 8,192 cached golds of at most this many characters: ~8 MB at worst


def _prepare_gold(gold: str) -> str:
    return _gold_answer(unicode_to_latex(gold))


_prepared_gold = functools.lru_cache(maxsize=8192)(_prepare_gold)  # 16 samples share one gold


def gold_values(gold: str) -> list[str]:
    """The values of a gold (``1, 2`` → two; ``\\boxed{1}\\boxed{2}`` → two; ``6 and 8`` → two)."""
    boxes = find_boxed(gold)
    if len(boxes) > 1:
        return [b[2] for b in boxes]
    return items(normalize(gold).text)


_VERDICTS = ByteBoundedCache(64 * 2**20)  # (task, gold, extraction.judged, options, config) -> Outcome or Verdict


def _compare(task: str, gold: str, extraction: Extraction, options: Options, ctx: Context) -> Outcome:
    opts = option_map(options)
    key = (task, gold, extraction.judged, tuple(opts.items()), ctx.config)
    outcome = _VERDICTS.get(key)
    if outcome is None:
        outcome = TASKS[task].compare(gold, extraction, opts, ctx)  # timeouts raise: never cached
        detail = outcome.detail if isinstance(outcome, Verdict) else outcome[2]
        texts = (gold, extraction.text or "", *extraction.alternatives, *opts.values(), detail or "")
        _VERDICTS.put(key, outcome, size=512 + sum(len(t) for t in texts))  # strings dominate the bytes
    return outcome


def clear_caches() -> None:
    """Forget cached verdicts, gold values, normal forms, option keys, exact values and math spans
    (benchmarks measure cold calls with it)."""
    from lmmr1.verifiers.choice import _cached_key
    from lmmr1.verifiers.equivalence import _GOLD_VALUES
    from lmmr1.verifiers.extract import _cached_spans
    from lmmr1.verifiers.normalize import _normalize_cached
    from lmmr1.verifiers.rational import _parse_rational

    _VERDICTS.clear()
    _GOLD_VALUES.clear()
    for cached in (_prepared_gold, _normalize_cached, _cached_key, _cached_spans, _parse_rational):
        cached.cache_clear()


def _raised_by_signal_handler(exc: BaseException) -> bool:
    """Was ``exc`` raised by the caller's own signal handler (e.g. its SIGALRM timeout)?"""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    code = tb.tb_frame.f_code
    for name in ("SIGALRM", "SIGVTALRM", "SIGPROF", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGINT"):
        sig = getattr(signal, name, None)
        handler = signal.getsignal(sig) if sig is not None else None
        if callable(handler) and getattr(handler, "__code__", None) is code:
            return True
    return False


def verify(
    completion: str,
    gold: str,
    task: str = "auto",
    options: Options = None,
    config: AnyConfig | None = None,
) -> Verdict:
    """Judge one model completion against its gold answer.

    Never raises for string inputs. Its work gets the task config's ``timeout_s``: extraction,
    normalisation and every worker call share one deadline, which time spent queued for a busy
    worker pushes back (so a verdict never depends on how busy the pool is). Raises ``TypeError``/``ValueError``
    only for misuse (a non-string completion, an unknown task, options that are neither a mapping
    nor a list), and lets through an exception the caller's own signal handler raises.
    ``correct`` is ``None`` (score 0.0) when the verdict cannot be reached: ``gold_unparseable``,
    ``timeout``, ``error``.
    """
    gold_text, unreadable = _check_args(completion, gold, task, options)
    cfg = VerifierConfig.coerce(config)
    if gold_text is None:
        return undecided("gold_unparseable", None, task if task != "auto" else None, unreadable)
    resolved = "math"
    extracted: Extraction | None = None
    try:
        if len(gold_text) > MAX_GOLD_CHARS:
            return undecided("gold_unparseable", None, None, f"gold longer than {MAX_GOLD_CHARS} characters")
        raw = task != "auto" and TASKS[task].raw_completion  # the task reads gold and completion itself
        if not raw:
            gold_text = _prepared_gold(gold_text) if len(gold_text) <= MAX_CACHED_GOLD_CHARS else _prepare_gold(gold_text)
        resolved = resolve_task(task, gold_text, options)
        ctx = Context(cfg, time.monotonic() + cfg.for_task(resolved).timeout_s)
        if not gold_text.strip():
            return undecided("gold_unparseable", None, resolved, "empty gold answer")
        if has_control(gold_text):  # e.g. MATH-V's "\x0crac{36}{13}": a JSON "\f" ate the backslash of "\frac"
            return undecided("gold_unparseable", None, resolved, "gold contains control characters (corrupted escape?)")
        if raw:
            extracted = Extraction(completion, "raw")
        else:
            extracted = extract_answer(completion, choice=TASKS[resolved].choice_extraction)
        ctx.check()
        if extracted.text is None:
            return judged(False, "no_answer", None, resolved)
        if extracted.hedged and resolved != "choice":
            if is_hedge(gold_values(gold_text), extracted.alternatives):
                return judged(False, "hedged", extracted.text, resolved, " | ".join(extracted.alternatives))
            extracted = Extraction(", ".join(extracted.alternatives), extracted.source)  # boxes answer a multi-valued gold
        outcome = _compare(resolved, gold_text, extracted, options, ctx)
        if isinstance(outcome, Verdict):
            return outcome
        correct, reason, detail = outcome
    except Deferred:
        raise  # verify_batch's first pass: this item goes to the workers
    except BudgetExceeded:
        timeout_s = cfg.for_task(resolved).timeout_s
        return undecided("timeout", extracted.text if extracted else None, resolved, f"budget {timeout_s} s")
    except WorkerCrashed as exc:
        logger.warning("verifier worker crashed on gold=%r: %s", gold_text[:80], exc)
        return undecided("error", extracted.text if extracted else None, resolved, str(exc))
    except Exception as exc:  # a reward must never crash training: log it, say "error"
        if _raised_by_signal_handler(exc):
            raise
        logger.exception("verify failed on gold=%r", gold_text[:80])
        return undecided("error", extracted.text if extracted else None, resolved, f"{type(exc).__name__}: {exc}")
    answer = extracted.text
    if correct is None:
        return undecided(reason, answer, resolved, detail)
    return judged(correct, reason, answer, resolved, detail)
