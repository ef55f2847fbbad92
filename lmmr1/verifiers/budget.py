"""The one place that enforces time budgets: sympy work runs in killable worker processes.

Why processes: sympy cannot be interrupted from another thread, and SIGALRM works only on the
main thread of the main interpreter (and would steal the caller's handler). A worker is a plain
``subprocess`` (allowed inside daemonic multiprocessing workers, unlike ``multiprocessing``
children) speaking length-prefixed pickles over its stdin/stdout. When a call overruns its
budget the worker is killed and replaced; the caller gets :class:`BudgetExceeded`.

What a budget is charged for: the work done on the call, never waiting. Time spent queued for a
free worker, and for a worker still importing sympy, pushes the call's deadline back by as long
as it waited, so a verdict does not depend on how busy the pool is and ``timeout`` means that the
item itself ran over. Waits are credited per deadline: the calls made in one thread or context
with the same absolute ``deadline`` (the pool calls of one ``verify``) are credited every wait so
far, and :func:`credited` gives the shifted deadline to code that checks it itself. The queue is
first come, first served, and a worker is free again at the latest when its call's deadline
passes (it is killed then), so a call waits at most (callers ahead of it / pool size) budgets.
A call's wall time is therefore its budget plus its queueing; ``verify_batch`` never queues (one
thread per worker).

Workers start lazily, once per process (a fork resets the pool in the child), are shut down at
exit, and die with their parent even when it is SIGKILLed (see ``_worker``); :func:`warm_up`
starts them ahead of time.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!I")
_DEFER: ContextVar[bool] = ContextVar("lmmr1_defer_slow_calls", default=False)
# (deadline as the caller gave it, seconds of waiting credited to it so far) in this context
_CREDIT: ContextVar[tuple[float, float]] = ContextVar("lmmr1_wait_credit", default=(float("nan"), 0.0))
PARENT_ENV = "LMMR1_VERIFIER_PARENT"  # the pid of the process whose death a worker follows
STARTUP_TIMEOUT_S = 120.0  # a worker that has not imported sympy by then is broken, not slow


@contextmanager
def defer_slow_calls() -> Iterator[None]:
    """Within this block (this thread/context only), worker calls raise :class:`Deferred`.

    The batch engine uses it to answer everything a fast path can decide in-process first.
    """
    token = _DEFER.set(True)
    try:
        yield
    finally:
        _DEFER.reset(token)


def credited(deadline: float) -> float:
    """``deadline`` pushed back by the waiting credited to it in this context (see module doc)."""
    key, credit = _CREDIT.get()
    return deadline + credit if key == deadline else deadline


class BudgetExceeded(Exception):
    """The call did not finish within its time budget; its worker was killed."""


class Deferred(Exception):
    """Raised instead of calling a worker while :func:`defer_slow_calls` is active."""


class WorkerCrashed(Exception):
    """The worker process died (e.g. out of memory) while handling the call, or never started."""


class _Spawner:
    """Starts worker processes from one long-lived thread.

    Linux's PR_SET_PDEATHSIG (which kills a worker with its parent) fires when the *thread* that
    started the worker exits, so a worker started from a short-lived thread (a
    ThreadPoolExecutor's) would die with that thread.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def popen(self, args: list[str], **kwargs: Any) -> subprocess.Popen:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="lmmr1-worker-spawner", daemon=True)
                self._thread.start()
        done, box = threading.Event(), {}
        self._jobs.put((args, kwargs, box, done))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box["proc"]

    def _serve(self) -> None:
        while True:
            args, kwargs, box, done = self._jobs.get()
            try:
                box["proc"] = subprocess.Popen(args, **kwargs)
            except BaseException as exc:  # raised again in the thread that asked for the worker
                box["error"] = exc
            finally:
                done.set()


_SPAWNER = _Spawner()


class _Worker:
    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        env[PARENT_ENV] = str(os.getpid())
        self.proc = _SPAWNER.popen(
            [sys.executable, "-m", "lmmr1.verifiers._worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        self._ready = False
        self._ready_lock = threading.Lock()  # warm_up(wait=True) and a call may wait at once

    def _read_exact(self, n: int, deadline: float) -> bytes:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        chunks, got = [], 0
        while got < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BudgetExceeded
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise BudgetExceeded
            chunk = os.read(fd, n - got)
            if not chunk:
                raise WorkerCrashed(f"verifier worker exited with code {self.proc.poll()}")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _receive(self, deadline: float) -> Any:
        (size,) = _HEADER.unpack(self._read_exact(_HEADER.size, deadline))
        return pickle.loads(self._read_exact(size, deadline))

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Block until the worker has imported sympy; WorkerCrashed if it does not within ``timeout``."""
        with self._ready_lock:
            if self._ready:
                return
            try:
                hello = self._receive(time.monotonic() + timeout)
            except BudgetExceeded as exc:
                raise WorkerCrashed(f"verifier worker did not start within {timeout:.0f} s") from exc
            if hello != "ready":
                raise WorkerCrashed(f"verifier worker sent {hello!r} instead of 'ready'")
            self._ready = True

    def call(self, func: str, args: tuple, timeout: float | None = None, *, deadline: float | None = None) -> Any:
        """Run ``func(*args)``; BudgetExceeded once ``deadline`` (or ``timeout`` s from now) passes.

        The worker must be ready (:meth:`wait_ready`): start-up is not part of the budget.
        """
        deadline = _absolute(timeout, deadline)
        self.wait_ready()
        payload = pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL)
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerCrashed(f"verifier worker is gone: {exc}") from exc
        ok, result = self._receive(deadline)
        if not ok:
            raise RuntimeError(f"verifier worker failed in {func}: {result}")
        return result

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            logger.warning("verifier worker %d did not exit after SIGKILL", self.proc.pid)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass  # flushing into a dead worker's pipe: nothing left to deliver


def _absolute(timeout: float | None, deadline: float | None) -> float:
    if (timeout is None) == (deadline is None):
        raise TypeError("give exactly one of timeout= (seconds from now) or deadline= (a time.monotonic() time)")
    return deadline if deadline is not None else time.monotonic() + timeout  # type: ignore[operator]


class _Waiter:
    """A caller queued for a worker: handed a worker, or a free slot to start one in."""

    __slots__ = ("event", "worker")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.worker: _Worker | None = None


class WorkerPool:
    """Up to ``size`` workers shared by every thread of this process, handed out first come, first served."""

    def __init__(self, size: int | None = None) -> None:
        self.size = size or max(1, os.cpu_count() or 1)
        self._idle: list[_Worker] = []
        self._count = 0  # workers alive or being started, idle or busy
        self._waiters: deque[_Waiter] = deque()
        self._lock = threading.Lock()

    def _acquire(self) -> _Worker:
        """A worker, after as long a wait as it takes (never charged to a budget)."""
        with self._lock:
            if not self._waiters and self._idle:
                return self._idle.pop()
            if not self._waiters and self._count < self.size:
                self._count += 1
                waiter = None
            else:
                waiter = _Waiter()
                self._waiters.append(waiter)
        if waiter is not None:
            try:
                waiter.event.wait()
            except BaseException:  # interrupted (KeyboardInterrupt): leave the queue, pass on what we got
                with self._lock:
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)
                        raise
                self._hand_over(waiter.worker)
                raise
            if waiter.worker is not None:
                return waiter.worker
        try:  # this caller holds a slot: start a worker in it
            return _Worker()
        except BaseException:
            self._hand_over(None)
            raise

    def _hand_over(self, worker: _Worker | None) -> None:
        """Give a worker (or, with None, its slot) to the first waiter, else back to the pool."""
        with self._lock:
            if self._waiters:
                waiter = self._waiters.popleft()
                waiter.worker = worker
                waiter.event.set()
            elif worker is not None:
                self._idle.append(worker)
            else:
                self._count -= 1

    def _release(self, worker: _Worker, healthy: bool) -> None:
        if not healthy:
            worker.kill()
            try:
                worker = _Worker()  # start the replacement now, so it is warm for the next call
            except OSError:
                logger.exception("could not start a replacement verifier worker")
                self._hand_over(None)
                return
        self._hand_over(worker)

    def ensure_size(self, n: int) -> None:
        """Allow at least ``n`` concurrent workers."""
        with self._lock:
            self.size = max(self.size, n)
            while self._waiters and self._count < self.size:
                self._count += 1
                waiter = self._waiters.popleft()
                waiter.event.set()  # with no worker: it starts one in the new slot

    def warm_up(self, n: int | None = None, wait: bool = False, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Start up to ``n`` workers now; with ``wait``, block until they have imported sympy."""
        with self._lock:
            missing = max(0, min(n or self.size, self.size) - self._count)
            self._count += missing
        for started in range(missing):
            try:
                worker = _Worker()
            except BaseException:
                for _ in range(missing - started):  # give back the slots not filled
                    self._hand_over(None)
                raise
            self._hand_over(worker)
        if wait:
            with self._lock:
                idle = list(self._idle)
            for worker in idle:
                worker.wait_ready(timeout)

    def call(self, func: str, args: tuple, timeout: float | None = None, *, deadline: float | None = None) -> Any:
        """Run ``_worker.FUNCTIONS[func](*args)`` in a worker, within ``timeout`` seconds from now
        or by the absolute ``time.monotonic()`` time ``deadline`` (give exactly one).

        Waiting for a free worker and for its start-up is not charged (see the module doc).
        Raises :class:`BudgetExceeded` when the work itself runs over, :class:`WorkerCrashed`
        when the worker dies, RuntimeError when ``func`` raised in the worker.
        """
        given = deadline
        deadline = _absolute(timeout, deadline)
        if _DEFER.get():
            raise Deferred(func)
        key, credit = _CREDIT.get()
        if given is not None:
            if key != given:
                key, credit = given, 0.0
            deadline += credit
        if deadline <= time.monotonic():
            raise BudgetExceeded(f"the budget was spent before {func} started")
        start = time.monotonic()
        worker = self._acquire()
        healthy = False
        try:
            if worker.proc.poll() is not None:  # died while idle (killed, OOM): replace before use
                worker.kill()
                worker = _Worker()
            worker.wait_ready()
            waited = time.monotonic() - start
            if given is not None:
                _CREDIT.set((key, credit + waited))
            result = worker.call(func, args, deadline=deadline + waited)
            healthy = True
            return result
        except RuntimeError:
            healthy = True  # the function raised in the worker: the worker is fine
            raise
        finally:
            self._release(worker, healthy)

    def shutdown(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for worker in idle:
            worker.kill()

    def _forget_after_fork(self) -> None:
        # The parent's workers belong to the parent: never talk to them from the child.
        self._idle, self._count, self._waiters = [], 0, deque()
        self._lock = threading.Lock()


_POOL: WorkerPool | None = None
_POOL_LOCK = threading.Lock()


def get_pool() -> WorkerPool:
    """This process's shared pool (created on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = WorkerPool()
        return _POOL


def warm_up(workers: int | None = None, wait: bool = True, timeout: float = STARTUP_TIMEOUT_S) -> None:
    """Start this process's verifier workers now (importing sympy takes ~1 s, more on a busy machine).

    Start-up is not charged to any budget, but the first calls of a fresh process wait for it;
    RL integrations call this once at start-up; call it yourself in a process-pool initializer.
    """
    pool = get_pool()
    if workers:
        pool.ensure_size(workers)
    pool.warm_up(workers, wait=wait, timeout=timeout)


def shutdown() -> None:
    """Stop this process's verifier workers (they also stop at exit)."""
    if _POOL is not None:
        _POOL.shutdown()


def _after_fork_in_child() -> None:
    global _POOL_LOCK, _SPAWNER
    _POOL_LOCK = threading.Lock()
    _SPAWNER = _Spawner()  # the parent's spawner thread does not exist in the child
    if _POOL is not None:
        _POOL._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(shutdown)
