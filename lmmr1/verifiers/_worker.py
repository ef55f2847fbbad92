"""Entry point of a budget worker process: ``python -m lmmr1.verifiers._worker``.

Reads length-prefixed pickles ``(function_name, args)`` on stdin, answers ``(ok, result)`` on
stdout. Anything else the libraries print goes to stderr, never into the protocol stream.

A worker dies with its parent, even a SIGKILLed one that cannot shut it down: on Linux the kernel
kills it (PR_SET_PDEATHSIG), and everywhere a watchdog thread exits it within
``WATCHDOG_INTERVAL_S`` of its parent's death (it sees ``os.getppid()`` change). The parent
passes its pid in ``PARENT_ENV``. The watchdog needs the GIL, so off Linux a computation stuck
in one long C call (a huge integer power) ends only when that call returns.
"""

from __future__ import annotations

import ctypes
import logging
import os
import pickle
import signal
import struct
import sys
import threading
import time

from lmmr1.verifiers.budget import PARENT_ENV

_HEADER = struct.Struct("!I")
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCHDOG_INTERVAL_S = 0.5  # how often the watchdog looks for its parent
# Tests set this to prove the portable watchdog alone is enough.
_NO_PDEATHSIG_ENV = "LMMR1_WORKER_NO_PDEATHSIG"


def die_with_parent(parent: int) -> None:
    """Exit as soon as process ``parent`` (the one that started this worker) is gone."""
    if sys.platform.startswith("linux") and not os.environ.get(_NO_PDEATHSIG_ENV):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
                logging.getLogger(__name__).warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
        except (OSError, AttributeError) as exc:  # no libc prctl: the watchdog still covers it
            logging.getLogger(__name__).warning("prctl unavailable (%s); relying on the watchdog", exc)
    if os.getppid() != parent:
        os._exit(0)  # the parent died before we could ask to follow it

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_INTERVAL_S)
        os._exit(0)  # orphaned: nobody reads our answers, and a hard item would spin for minutes

    threading.Thread(target=watch, name="lmmr1-parent-watchdog", daemon=True).start()


def _spin(seconds: float) -> None:
    """Busy Python bytecode for ``seconds``: the tests' stand-in for a hard item."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def _read_exact(stream, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main() -> None:
    die_with_parent(int(os.environ.get(PARENT_ENV) or os.getppid()))
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    protocol_in = sys.stdin.buffer
    # math-verify warns on every call that we disabled its SIGALRM timeouts; we enforce our own.
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    from lmmr1.verifiers.symbolic import numeric_value, symbolic_equal, unit_factor

    functions = {"symbolic_equal": symbolic_equal, "numeric_value": numeric_value, "unit_factor": unit_factor, "spin": _spin}
    # The first parse builds math-verify's parsers (~0.5 s): do it now, as start-up, which no
    # budget is charged for, instead of in the first call.
    symbolic_equal("(x+1)^2", "x^2+2x+1", 1e-9)
    numeric_value("\\sqrt{2}")

    def send(obj: object) -> None:
        payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        protocol_out.write(_HEADER.pack(len(payload)) + payload)
        protocol_out.flush()

    send("ready")
    while True:
        header = _read_exact(protocol_in, _HEADER.size)
        if header is None:
            return  # parent closed stdin: exit quietly
        (size,) = _HEADER.unpack(header)
        body = _read_exact(protocol_in, size)
        if body is None:
            return
        func, args = pickle.loads(body)
        try:
            send((True, functions[func](*args)))
        except Exception as exc:  # reported to the parent, which turns it into an "error" verdict
            send((False, f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the parent went away (or killed us mid-start): nothing to report to
