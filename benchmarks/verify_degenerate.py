"""The RL batch of verify_speed.py, clean and with 1 % degenerate completions: does one stall it?

    python benchmarks/verify_degenerate.py [--golds 256] [--per-gold 16] [--fraction 0.01] [--count N]

RL policies do write degenerate text. Every 1/fraction-th completion of the 4,096 (41 of them)
is replaced by one of these, in turn:

- ``boxed_run``: ``\\boxed{`` 4,681 times, never closed (32 KB);
- ``newlines``: 65,536 newlines;
- ``braces``: 8,192 nested braces in answer tags (16 KB);
- ``boxed_chains``: 80 runaway chains of 50 ``\\boxed{`` each, after a number (28 KB).

Each batch runs in a fresh process whose pool was warmed on another batch (no cache carries
over). Prints both times and their ratio (target: the degenerate batch within 2x of the clean
one), and the slowest single ``verify`` call of each kind against the time budget. ``--count``
caps the number of degenerate completions (keeping the batch size), for a quick look while a
single one still takes tens of seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from common import data_dir, machine
from verify_speed import build_batch

DEGENERATE: dict[str, str] = {
    "boxed_run": "\\boxed{" * 4681,
    "newlines": "\n" * 65536,
    "braces": "<answer>" + "{" * 8192 + "}" * 8192 + "</answer>",
    "boxed_chains": ("\\boxed{" * 50 + "1") * 80,
}


def degenerate_batch(args: argparse.Namespace) -> tuple[dict[str, list[Any]], list[int]]:
    """The clean batch with every (1/fraction)-th completion replaced, up to ``count`` of them."""
    batch = build_batch(data_dir(), args.golds, args.per_gold, args.seed)
    n = len(batch["completions"])
    step = max(1, round(1 / args.fraction)) if args.fraction > 0 else n + 1
    where = list(range(step // 2, n, step))[: args.count]
    kinds = list(DEGENERATE.values())
    for k, i in enumerate(where):
        batch["completions"][i] = kinds[k % len(kinds)]
    return batch, where


def _child(args: argparse.Namespace) -> int:
    from lmmr1 import verify_batch

    warm = build_batch(data_dir(), 32, args.per_gold, args.seed + 1)
    verify_batch(warm["completions"], warm["golds"], warm["tasks"], warm["options"], workers=args.workers)
    if args.clean:
        batch, where = build_batch(data_dir(), args.golds, args.per_gold, args.seed), []
    else:
        batch, where = degenerate_batch(args)
    t0 = time.perf_counter()
    verdicts = verify_batch(batch["completions"], batch["golds"], batch["tasks"], batch["options"], workers=args.workers)
    seconds = time.perf_counter() - t0
    json.dump({"seconds": seconds, "n": len(verdicts), "degenerate": len(where),
               "degenerate_reasons": sorted({verdicts[i].reason for i in where})}, sys.stdout)  # fmt: skip
    return 0


def _run(args: argparse.Namespace, clean: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--_child", "--golds", str(args.golds), "--per-gold", str(args.per_gold),
           "--seed", str(args.seed), "--fraction", str(args.fraction)]  # fmt: skip
    if args.count is not None:
        cmd += ["--count", str(args.count)]
    if args.workers is not None:
        cmd += ["--workers", str(args.workers)]
    if clean:
        cmd.append("--clean")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"the {'clean' if clean else 'degenerate'} run failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--golds", type=int, default=256, help="distinct gold answers (prompts) in the batch")
    parser.add_argument("--per-gold", type=int, default=16, help="completions per gold (GRPO group size)")
    parser.add_argument("--fraction", type=float, default=0.01, help="share of completions made degenerate")
    parser.add_argument("--count", type=int, default=None, help="at most this many degenerate completions")
    parser.add_argument("--workers", type=int, default=None, help="verify_batch processes (default: all cores)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--clean", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        return _child(args)

    from lmmr1 import verify
    from lmmr1.verifiers.config import DEFAULT_TIMEOUT_S

    print(f"verify_degenerate on {machine()}")
    clean = _run(args, clean=True)
    dirty = _run(args, clean=False)
    print(f"clean batch:      {clean['n']} completions in {clean['seconds']:.3f} s")
    print(f"degenerate batch: {dirty['n']} completions, {dirty['degenerate']} degenerate, in {dirty['seconds']:.3f} s "
          f"(their verdicts: {', '.join(dirty['degenerate_reasons'])})")  # fmt: skip
    ratio = dirty["seconds"] / clean["seconds"]
    print(f"ratio: x{ratio:.1f} (target <= x2: {'met' if ratio <= 2 else 'MISSED'})")
    print(f"\nsingle verify() per kind (budget {DEFAULT_TIMEOUT_S:.1f} s + 10%):")
    for kind, text in DEGENERATE.items():
        t0 = time.perf_counter()
        v = verify(text, "7")
        s = time.perf_counter() - t0
        print(f"  {kind:<13} {len(text):>6} chars  {s:8.3f} s  {v.reason:<16} {'ok' if s <= DEFAULT_TIMEOUT_S * 1.1 else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
