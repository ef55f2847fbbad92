"""The one place that enforces time budgets: sympy work runs in killable worker processes.

Why processes: sympy cannot be interrupted from another thread, and SIGALRM works only on the
main thread of the main interpreter (and would steal the caller's handler). A worker is a plain
``subprocess`` (allowed inside daemonic multiprocessing workers, unlike ``multiprocessing``
children) speaking length-prefixed pickles over its stdin/stdout. When a call overruns its
budget the worker is killed and replaced; the caller gets :class:`BudgetExceeded`.

Workers start lazily, once per process (a fork resets the pool in the child), and are shut down
at exit. Start-up (importing sympy, ~1 s) counts against the budget of the call that waits for
it, so a call never outlives its budget; :func:`warm_up` starts workers ahead of time.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!I")
_DEFER: ContextVar[bool] = ContextVar("lmmr1_defer_slow_calls", default=False)


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


class BudgetExceeded(Exception):
    """The call did not finish within its time budget; its worker was killed."""


class StillStarting(BudgetExceeded):
    """The budget ran out while the worker was still importing sympy; the worker is kept."""


class Deferred(Exception):
    """Raised instead of calling a worker while :func:`defer_slow_calls` is active."""


class WorkerCrashed(Exception):
    """The worker process died (e.g. out of memory) while handling the call."""


class _Worker:
    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lmmr1.verifiers._worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        self._ready = False

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

    def wait_ready(self, timeout: float) -> None:
        if not self._ready:
            hello = self._receive(time.monotonic() + timeout)
            if hello != "ready":
                raise WorkerCrashed(f"verifier worker sent {hello!r} instead of 'ready'")
            self._ready = True

    def call(self, func: str, args: tuple, timeout: float) -> Any:
        """Start-up time counts against ``timeout``: a call never outlives its budget."""
        deadline = time.monotonic() + timeout
        try:
            self.wait_ready(timeout)
        except BudgetExceeded as exc:
            raise StillStarting from exc
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


class WorkerPool:
    """Up to ``size`` workers shared by every thread of this process."""

    def __init__(self, size: int | None = None) -> None:
        self.size = size or max(1, os.cpu_count() or 1)
        self._idle: list[_Worker] = []
        self._count = 0
        self._cond = threading.Condition()

    def _acquire(self, deadline: float) -> _Worker:
        with self._cond:
            while not self._idle and self._count >= self.size:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    if not self._idle and self._count >= self.size:
                        raise BudgetExceeded("no verifier worker became free within the budget")
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            return _Worker()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker, healthy: bool) -> None:
        if not healthy:
            worker.kill()
            try:
                worker = _Worker()  # start the replacement now, so it is warm for the next call
            except OSError:
                logger.exception("could not start a replacement verifier worker")
                with self._cond:
                    self._count -= 1
                    self._cond.notify()
                return
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def ensure_size(self, n: int) -> None:
        """Allow at least ``n`` concurrent workers."""
        with self._cond:
            self.size = max(self.size, n)
            self._cond.notify_all()

    def warm_up(self, n: int | None = None, wait: bool = False, timeout: float = 120.0) -> None:
        """Start up to ``n`` workers now; with ``wait``, block until they have imported sympy."""
        with self._cond:
            missing = max(0, min(n or self.size, self.size) - self._count)
            self._count += missing
        for _ in range(missing):
            worker = _Worker()
            with self._cond:
                self._idle.append(worker)
                self._cond.notify()
        if wait:
            with self._cond:
                idle = list(self._idle)
            for worker in idle:
                worker.wait_ready(timeout)

    def call(self, func: str, args: tuple, timeout: float | None = None, *, deadline: float | None = None) -> Any:
        """Run ``_worker.FUNCTIONS[func](*args)`` in a worker; raise BudgetExceeded after ``timeout`` s
        (or at ``deadline``, an absolute ``time.monotonic()`` time)."""
        if _DEFER.get():
            raise Deferred(func)
        if deadline is None:
            if timeout is None:
                raise TypeError("WorkerPool.call needs timeout= or deadline=")
            deadline = time.monotonic() + timeout
        worker = self._acquire(deadline)
        if worker.proc.poll() is not None:  # died while idle (killed, OOM): replace before use
            worker.kill()
            worker = _Worker()
        healthy = False
        try:
            result = worker.call(func, args, max(0.0, deadline - time.monotonic()))
            healthy = True
            return result
        except (RuntimeError, StillStarting):
            healthy = True  # the function raised, or the worker is still importing: keep it
            raise
        finally:
            self._release(worker, healthy)

    def shutdown(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for worker in idle:
            worker.kill()

    def _forget_after_fork(self) -> None:
        # The parent's workers belong to the parent: never talk to them from the child.
        self._idle, self._count = [], 0
        self._cond = threading.Condition()


_POOL: WorkerPool | None = None
_POOL_LOCK = threading.Lock()


def get_pool() -> WorkerPool:
    """This process's shared pool (created on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = WorkerPool()
        return _POOL


def warm_up(workers: int | None = None, wait: bool = True, timeout: float = 120.0) -> None:
    """Start this process's verifier workers now (importing sympy takes ~1 s, more on a busy machine).

    ``verify`` charges a worker's start-up to the call's budget, so the first calls of a fresh
    process with a small ``timeout_s`` may answer ``timeout``. RL integrations call this once at
    start-up; call it yourself in a process-pool initializer.
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
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    if _POOL is not None:
        _POOL._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(shutdown)

