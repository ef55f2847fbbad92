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
    warm_up(1)  # a worker's start-up is not charged to the budget (it is queueing): time the work only
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
        return verify(case[0], case[1], config=MathConfig(timeout_s=case[2]))

    with ThreadPoolExecutor(max_workers=4) as ex:
        tower, *rest = ex.map(run, cases)
    assert tower.reason == "timeout"
    assert all(v.correct is True for v in rest)


@pytest.fixture
def one_worker(monkeypatch):
    """The process's pool shrunk to one worker, so that concurrent callers must queue."""
    pool = budget.WorkerPool(1)
    monkeypatch.setattr(budget, "_POOL", pool)
    pool.warm_up(1, wait=True)
    yield pool
    pool.shutdown()


def _sympy_pair(n: int) -> tuple[str, str]:
    """A distinct pair (no cache answers it) that needs sympy: no fast path expands a square."""
    return rf"\boxed{{(x+{n})^2}}", rf"x^2+{2 * n}x+{n * n}"


def test_waiting_for_a_worker_is_not_charged(one_worker):
    """8 threads x 6 items on one worker with a 1 s budget: every verdict right, no timeout.

    Before, the time spent queued for the worker counted against the budget, and 3-4 % of such
    verdicts (20 % on a busy machine) were timeouts.
    """
    cfg = MathConfig(timeout_s=1.0)

    def run(thread: int) -> list[str]:
        return [verify(*_sympy_pair(100 * thread + j), config=cfg).reason for j in range(6)]

    with ThreadPoolExecutor(max_workers=8) as ex:
        reasons = [r for per_thread in ex.map(run, range(8)) for r in per_thread]
    assert reasons == ["equal"] * 48


def test_a_call_queued_behind_a_hung_item_still_gets_its_full_budget(one_worker):
    hung = threading.Thread(target=verify, args=(TOWER, "3"), kwargs={"config": MathConfig(timeout_s=2.0)})
    hung.start()
    time.sleep(0.3)  # the tower holds the only worker for 2 s
    start = time.monotonic()
    deadline = start + 1.0
    completion, gold = _sympy_pair(7)
    assert one_worker.call("symbolic_equal", ((completion[7:-1]), gold, 1e-9), deadline=deadline)[0] is True
    assert time.monotonic() > deadline  # it waited past its raw deadline, uncharged
    # a second call of the same verify (same deadline) is credited the wait too
    assert budget.credited(deadline) > deadline
    assert one_worker.call("numeric_value", (r"\sqrt{2}",), deadline=deadline) == pytest.approx(2**0.5)
    hung.join()


def test_call_takes_a_timeout_or_a_deadline(one_worker):
    assert one_worker.call("numeric_value", (r"\sqrt{4}",), deadline=time.monotonic() + 30) == 2.0
    assert one_worker.call("numeric_value", (r"\sqrt{4}",), 30) == 2.0
    with pytest.raises(TypeError, match="exactly one"):
        one_worker.call("numeric_value", ("1",))
    with pytest.raises(TypeError, match="exactly one"):
        one_worker.call("numeric_value", ("1",), 1.0, deadline=time.monotonic() + 1)
    with pytest.raises(budget.BudgetExceeded):
        one_worker.call("numeric_value", ("1",), deadline=time.monotonic() - 1)


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


_ORPHAN_PARENT = r"""
import sys
from lmmr1.verifiers import budget
pool = budget.WorkerPool(1)
pool.warm_up(1, wait=True)
print(pool._idle[0].proc.pid, flush=True)
if sys.argv[1] == "tower":  # sympy hangs in one C call: only the kernel (PDEATHSIG) can stop it
    pool.call("symbolic_equal", (sys.argv[2], "3", 1e-9), timeout=600)
else:  # hangs in Python bytecode, where the worker's watchdog thread runs
    pool.call("spin", (600.0,), timeout=600)
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie computes nothing
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc to watch the worker")
@pytest.mark.parametrize("pdeathsig", [True, False], ids=["pdeathsig-tower", "watchdog-only-spin"])
def test_worker_dies_with_its_sigkilled_parent(pdeathsig, monkeypatch):
    """A SIGKILLed caller cannot shut its workers down; they must not spin on for minutes."""
    import subprocess
    import sys

    if not pdeathsig:
        monkeypatch.setenv("LMMR1_WORKER_NO_PDEATHSIG", "1")  # prove the portable watchdog alone works
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_PARENT, "tower" if pdeathsig else "spin", TOWER[len(r"\boxed{") : -1]],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        worker_pid = int(parent.stdout.readline())
        time.sleep(1.0)  # the worker is now deep in the tower
        assert not _gone(worker_pid)
    finally:
        parent.kill()
        parent.wait(timeout=10)
    deadline = time.monotonic() + 5.0
    while not _gone(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not _gone(worker_pid):
        os.kill(worker_pid, signal.SIGKILL)  # do not leave it spinning after a failure
        pytest.fail(f"worker {worker_pid} outlived its SIGKILLed parent by 5 s")


def test_workers_outlive_the_thread_that_started_them():
    # PR_SET_PDEATHSIG follows the starting *thread*: workers must be started from a long-lived one.
    pool = budget.WorkerPool(1)
    try:
        starter = threading.Thread(target=pool.warm_up, args=(1,), kwargs={"wait": True})
        starter.start()
        starter.join()
        pid = pool._idle[0].proc.pid
        time.sleep(0.5)
        assert pool.call("numeric_value", (r"\sqrt{4}",), 30) == 2.0
        assert pool._idle[0].proc.pid == pid  # the same worker: not killed with its starter thread
    finally:
        pool.shutdown()
