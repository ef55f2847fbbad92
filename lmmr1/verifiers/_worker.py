"""Entry point of a budget worker process: ``python -m lmmr1.verifiers._worker``.

Reads length-prefixed pickles ``(function_name, args)`` on stdin, answers ``(ok, result)`` on
stdout. Anything else the libraries print goes to stderr, never into the protocol stream.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import sys

_HEADER = struct.Struct("!I")


def _read_exact(stream, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main() -> None:
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    protocol_in = sys.stdin.buffer
    # math-verify warns on every call that we disabled its SIGALRM timeouts; we enforce our own.
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    from lmmr1.verifiers.symbolic import numeric_value, symbolic_equal, unit_factor

    functions = {"symbolic_equal": symbolic_equal, "numeric_value": numeric_value, "unit_factor": unit_factor}

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
