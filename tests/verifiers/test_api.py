"""verify's contract at its edges: odd golds answer gold_unparseable, misuse raises, a caller's own
signal-handler exception passes through, and the registry refuses a second task of one name."""

import math
import signal
import sys

import pytest

from lmmr1 import REASONS, verify
from lmmr1.verifiers.tasks import TASKS, register


@pytest.mark.parametrize("gold", [math.nan, math.inf, -math.inf, 10**5000], ids=["nan", "inf", "-inf", "5001-digit-int"])
def test_golds_that_are_no_value_are_unparseable(gold):
    old = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    v = verify("<answer>5</answer>", gold)
    assert (v.correct, v.reason) == (None, "gold_unparseable")
    assert old is None or sys.get_int_max_str_digits() == old


def test_numbers_as_golds_still_verify():
    assert verify("<answer>5</answer>", 5).correct is True
    assert verify("<answer>2.5</answer>", 2.5).correct is True


@pytest.mark.parametrize(("completion", "gold", "task"), [(None, "5", "math"), ("5", None, "math"), ("5", "5", "algebra")])
def test_misuse_raises(completion, gold, task):
    with pytest.raises((TypeError, ValueError)):
        verify(completion, gold, task)


class CallerTimeout(Exception):
    pass


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer")
def test_the_callers_alarm_exception_passes_through():
    def on_alarm(signum, frame):
        raise CallerTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        with pytest.raises(CallerTimeout):
            # a slow sympy comparison: the alarm goes off while verify waits for its worker
            verify(r"<answer>$2^{2^{2^{2^{2^{20}}}}}$</answer>", r"3^{3^{3^{3^{3^{20}}}}}")
            verify(r"<answer>$\sin(\pi/7)\cos(2\pi/7)$</answer>", r"\frac{\sqrt{7}}{8}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_task_name_is_registered_once():
    with pytest.raises(ValueError, match="already registered"):
        register("math")(lambda gold, extraction, options, ctx: (True, "equal", None))
    assert {"math", "choice", "geometry"} <= set(TASKS)


def test_every_reason_a_task_gives_is_declared():
    for c, g, t in [("<answer>4 or 5 or 12</answer>", "12", "math"), ("<answer>Z</answer>", "A", "choice"),
                    ("x", "", "math"), ("<answer>5 cm</answer>", "5 m", "geometry")]:
        assert verify(c, g, t, ["1", "2"] if t == "choice" else None).reason in REASONS


def test_the_verdict_cache_is_bounded_by_bytes(monkeypatch):
    from lmmr1.verifiers.api import _VERDICTS

    monkeypatch.setattr(_VERDICTS, "max_bytes", 1_000_000)  # 600 distinct 16 KB answers below are ~10 MB
    big = "1" * 16_000  # 20,000 distinct 16 KB answers once grew a process by 310 MB
    for i in range(300):
        verify(f"<answer>{big}{i}</answer>", "5")
        verify(f"<answer>{i} apples {'and pears ' * 1500}</answer>", str(i + 1))
    assert _VERDICTS.nbytes <= _VERDICTS.max_bytes


def test_byte_bounded_cache_drops_the_oldest():
    from lmmr1.verifiers.cache import ByteBoundedCache

    cache = ByteBoundedCache(max_bytes=10_000)
    for i in range(100):
        cache.put(i, "x" * 1000)
    assert cache.nbytes <= 10_000 and 0 < len(cache) < 100
    assert cache.get(99) == "x" * 1000 and cache.get(0) is None
