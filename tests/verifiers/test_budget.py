"""Time budgets, threads, processes, crashes and pickling."""

import multiprocessing
import os
import pickle
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from lmmr1 import ChoiceConfig, GeometryConfig, MathConfig, Verdict, VerifierConfig, check_format, verify
from lmmr1.verifiers import budget, warm_up

# math-verify issue #65: an exponent tower sympy tries to evaluate for ever.
TOWER = r"\boxed{\dfrac{5^{\left(5^{\left(5^{5}\right)}\right)}}{16}}"


def test_tower_times_out_within_budget():
    start = time.monotonic()
    v = verify(TOWER, r"\frac{1}{16}", config=MathConfig(timeout_s=2.0))
    elapsed = time.monotonic() - start
    assert v.correct is None and v.reason == "timeout" and v.score == 0.0
    assert elapsed < 2.5


@pytest.mark.slow
def test_tower_times_out_with_default_budget():
    start = time.monotonic()
    v = verify(TOWER, "3")
    assert v.reason == "timeout" and time.monotonic() - start < 5.5


def test_next_call_after_timeout_still_works():
    verify(TOWER, "3", config=MathConfig(timeout_s=0.5))
    assert verify(r"\boxed{\sqrt{4}}", "2").correct is True


def test_caller_signal_handler_untouched():
    def handler(signum, frame):  # pragma: no cover - must never fire
        raise AssertionError("lmmr1 must not use SIGALRM")

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        verify(TOWER, "3", config=MathConfig(timeout_s=0.5))
        verify(r"\boxed{\sqrt{2}}", r"\sqrt{2}")
        assert signal.getsignal(signal.SIGALRM) is handler
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_worker_threads_get_correct_verdicts_and_budgets():
    cases = [(TOWER, "3", 1.5)] + [(rf"\boxed{{\sqrt{{{n * n}}}}}", str(n), 30.0) for n in range(2, 14)]

    def run(case):
        start = time.monotonic()
        v = verify(case[0], case[1], config=MathConfig(timeout_s=case[2]))
        return v, time.monotonic() - start

    with ThreadPoolExecutor(max_workers=4) as ex:
        results = list(ex.map(run, cases))
    (tower, tower_s), rest = results[0], results[1:]
    assert tower.reason == "timeout" and tower_s < 2.0  # waiting for a worker counts too
    assert all(v.correct is True for v, _ in rest)


def _warm_up_child():
    warm_up(1)  # what a user does in a process-pool initializer


def _verify_in_child(args):
    completion, gold = args
    return verify(completion, gold, config=MathConfig(timeout_s=1.5))


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_daemonic_worker_processes(method):
    # multiprocessing.Pool workers are daemonic: they may not start multiprocessing children,
    # which is why the budget workers are plain subprocesses.
    ctx = multiprocessing.get_context(method)
    verify(r"\boxed{\sqrt{4}}", "2")  # start workers in the parent first: fork must not reuse them
    with ctx.Pool(2, initializer=_warm_up_child) as pool:
        verdicts = pool.map(_verify_in_child, [(r"\boxed{\sqrt{9}}", "3"), (TOWER, "3"), (r"\boxed{7}", "8")])
    assert [v.reason for v in verdicts] == ["equal", "timeout", "not_equal"]


def test_crashed_worker_is_replaced_and_reported():
    pool = budget.get_pool()
    pool.warm_up(1)
    results = {}

    def slow_call():
        results["v"] = verify(TOWER, "3", config=MathConfig(timeout_s=10))

    t = threading.Thread(target=slow_call)
    t.start()
    time.sleep(1.0)
    # kill every worker process of this pool while the call is in flight
    children = [w.proc for w in list(pool._idle)]
    for pid in _child_pids():
        os.kill(pid, signal.SIGKILL)
    t.join(timeout=15)
    assert results["v"].correct is None and results["v"].reason in {"error", "timeout"}
    assert verify(r"\boxed{\sqrt{16}}", "4").correct is True
    del children


def _child_pids():
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().split()
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if int(fields[3]) == os.getpid() and b"lmmr1.verifiers._worker" in cmd:
                out.append(int(entry))
    return out


def test_configs_and_verdicts_pickle():
    for obj in (
        MathConfig(timeout_s=3, percent="strict"),
        ChoiceConfig(),
        GeometryConfig(rel_tol=1e-3),
        VerifierConfig(math=MathConfig(units="strict")),
        verify(r"\boxed{2}", "2"),
        check_format("<think>a</think><answer>b</answer>"),
    ):
        assert pickle.loads(pickle.dumps(obj)) == obj


def test_configs_are_frozen_and_validated():
    with pytest.raises(AttributeError):
        MathConfig().timeout_s = 1  # type: ignore[misc]
    with pytest.raises(ValueError, match="timeout_s"):
        MathConfig(timeout_s=0)
    with pytest.raises(ValueError, match="percent"):
        MathConfig(percent="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rounding"):
        GeometryConfig(rounding="up")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config"):
        verify("1", "1", config={"timeout_s": 1})  # type: ignore[arg-type]


def test_misuse_raises_type_errors_naming_the_argument():
    with pytest.raises(TypeError, match="completion"):
        verify(None, "1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="gold"):
        verify("1", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="options"):
        verify("1", "A", options="ABCD")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="task"):
        verify("1", "1", task="algebra")


def test_verdict_invariants():
    with pytest.raises(ValueError, match="reason"):
        Verdict(True, 1.0, "great")
    with pytest.raises(ValueError, match="score"):
        Verdict(None, 1.0, "timeout")
