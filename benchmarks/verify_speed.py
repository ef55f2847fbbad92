"""Throughput and latency of lmmr1's verifier against math-verify on a realistic RL batch.

    python benchmarks/verify_speed.py [--golds 256] [--per-gold 16] [--show 10] [--mv-limit N]

The batch: 256 real golds (MATH-500, GSM8K, AIME 2024/2025, MATH-V; MATH-V multiple choice with
its options) x 16 completions each = 4,096, as one GRPO step of the LMM-R1 paper (256 prompts x
16 samples). The 16 mix what a policy writes: correct answers in tags, boxed, as prose, in other
formats (1,000 / 12.0 / $...$ / option text) and after long chains of thought built from the real
solutions; wrong answers in the same shapes; a hedge; a chain of thought cut off before answering;
an empty answer. About 7 in 16 are correct.

Timed in the same run: math-verify's plain parse + verify, one process (the baseline); lmmr1's
verify_batch with 1 worker and with every core, each in a fresh process whose pool was warmed on
a different batch (so no cache carries over); then single ``verify`` calls for p50/p99/max
latency. Prints throughputs, ratios, and the verdicts that differ from math-verify.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import data_dir, machine, math_verify_plain, read_jsonl

LETTERS = "ABCDE"


@dataclass(frozen=True)
class Gold:
    source: str
    answer: str
    cot: str  # real solution text, \boxed removed, used to build long chains of thought
    options: dict[str, str] | None = None  # multiple choice: letter -> text


def _unbox(text: str) -> str:
    return text.replace("\\boxed", "").replace("####", "")


def load_golds(folder: Path) -> dict[str, list[Gold]]:
    tm = folder / "text_math"
    pools: dict[str, list[Gold]] = {"math500": [], "gsm8k": [], "aime": [], "mathv": []}
    for r in read_jsonl(tm / "math500_test.jsonl"):
        pools["math500"].append(Gold("math500", str(r["answer"]), _unbox(r["solution"])))
    for r in read_jsonl(tm / "gsm8k_test.jsonl"):
        cot, _, ans = r["answer"].rpartition("####")
        pools["gsm8k"].append(Gold("gsm8k", ans.strip(), re.sub(r"<<[^>]*>>", "", cot)))
    for name in ("aime24_test.jsonl", "aime25_test.jsonl"):
        for r in read_jsonl(tm / name):
            pools["aime"].append(Gold("aime", str(r["answer"]), _unbox(r.get("solution") or "")))
    for r in read_jsonl(folder / "mathv" / "test.jsonl"):
        options = r.get("options") or []
        answer = str(r["answer"])
        if options and answer in LETTERS[: len(options)]:
            opts = {LETTERS[i]: str(o) for i, o in enumerate(options)}
            pools["mathv"].append(Gold("mathv", answer, _unbox(r.get("solution") or ""), opts))
        elif answer:
            pools["mathv"].append(Gold("mathv", answer, _unbox(r.get("solution") or "")))
    return pools


def pick_golds(pools: dict[str, list[Gold]], n: int, rng: random.Random) -> list[Gold]:
    # MATH-500 and GSM8K dominate text RL data; AIME is small; MATH-V brings choice and image math.
    shares = {"math500": 0.35, "gsm8k": 0.3, "aime": 0.1, "mathv": 0.25}
    golds: list[Gold] = []
    for source, share in shares.items():
        golds += rng.sample(pools[source], min(len(pools[source]), round(n * share)))
    golds += rng.sample(pools["math500"], max(0, n - len(golds)))
    rng.shuffle(golds)
    return golds[:n]


def _wrong(g: Gold, rng: random.Random, pool: list[Gold]) -> str:
    if g.options:
        return rng.choice([k for k in g.options if k != g.answer] or ["Z"])
    try:
        return str(int(g.answer.replace(",", "")) + rng.choice([-2, -1, 1, 3, 10]))
    except ValueError:
        pass
    try:
        return f"{float(g.answer) * 1.5:g}"
    except ValueError:
        pass
    others = [o.answer for o in pool if o.answer != g.answer and not o.options]
    return rng.choice(others)


def _variant(g: Gold) -> str:
    """The gold value in another surface form a policy might use."""
    if g.options:
        return g.options[g.answer]  # the option's text instead of its letter
    a = g.answer.replace(",", "").replace("\\!", "")
    if a.isdigit():
        n = int(a)
        return f"{n:,}" if n >= 1000 else f"{n}.0"
    return f"${g.answer}$"


def _long_cot(g: Gold, rng: random.Random, filler: list[Gold], chars: int) -> str:
    parts = [g.cot] if g.cot.strip() else []
    while sum(map(len, parts)) < chars:
        parts.append("Let me double-check this with another approach. " + rng.choice(filler).cot)
    return "\n\n".join(parts)[:chars]


def completions_for(g: Gold, rng: random.Random, pool: list[Gold], per_gold: int) -> list[str]:
    right = g.answer
    wrong = _wrong(g, rng, pool)
    cot = _long_cot(g, rng, pool, rng.randint(1500, 4000))
    short = "First I restate the problem, then I compute step by step."
    choice_line = f"The answer is ({right})." if g.options else f"The final answer is {right}."
    shapes = [
        f"<think>{short}</think><answer>{right}</answer>",
        f"{short} Therefore, the answer is $\\boxed{{{right}}}$.",
        f"{cot}\n\nTherefore, the final answer is $\\boxed{{{right}}}$.",
        f"<think>{short}</think><answer>{_variant(g)}</answer>",
        f"{short} {choice_line}",
        f"<think>{short}</think><answer>${right}$</answer>" if not g.options else f"<answer>{right}. {g.options[right]}</answer>",
        f"<think>{cot}</think><answer>{right}</answer>",
        f"<think>{short}</think><answer>{wrong}</answer>",
        f"{short} Therefore, the answer is $\\boxed{{{wrong}}}$.",
        f"{cot}\n\nTherefore, the final answer is $\\boxed{{{wrong}}}$.",
        f"{short} The final answer is {wrong}.",
        f"<think>{cot}</think><answer>{wrong}</answer>",
        f"<think>{short}</think><answer>{right} or {wrong}</answer>",
        cot[: len(cot) // 2],  # ran out of tokens mid-thought
        "<think>I am not sure.</think><answer></answer>",
        f"<think>{short}</think><answer>${wrong}$</answer>",
    ]
    return [shapes[i % len(shapes)] for i in range(per_gold)]


def build_batch(folder: Path, n_golds: int, per_gold: int, seed: int) -> dict[str, list[Any]]:
    rng = random.Random(seed)
    pools = load_golds(folder)
    golds = pick_golds(pools, n_golds, rng)
    flat = [g for p in pools.values() for g in p]
    batch: dict[str, list[Any]] = {"completions": [], "golds": [], "tasks": [], "options": [], "sources": []}
    for g in golds:
        for c in completions_for(g, rng, flat, per_gold):
            batch["completions"].append(c)
            batch["golds"].append(g.answer)
            batch["tasks"].append("choice" if g.options else "auto")
            batch["options"].append(g.options)
            batch["sources"].append(g.source)
    return batch


def _engine_child(args: argparse.Namespace) -> int:
    """Fresh process: warm the pool on another batch, then time verify_batch on the real one."""
    from lmmr1 import verify_batch, warm_up

    folder = data_dir()
    warm = build_batch(folder, 32, args.per_gold, args.seed + 1)
    batch = build_batch(folder, args.golds, args.per_gold, args.seed)
    verify_batch(warm["completions"], warm["golds"], warm["tasks"], warm["options"], workers=args.workers)
    # The warm batch may need no worker at all; wait until every worker has started, so the timed
    # batch measures a warm pool, as in a training run after its first step (start-up is timed apart).
    warm_up(args.workers, wait=True)
    t0 = time.perf_counter()
    verdicts = verify_batch(batch["completions"], batch["golds"], batch["tasks"], batch["options"], workers=args.workers)
    seconds = time.perf_counter() - t0
    json.dump({"seconds": seconds, "verdicts": [v.to_dict() for v in verdicts]}, sys.stdout)
    return 0


def _time_engine(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--_engine-child", "--workers", str(workers), "--golds", str(args.golds),
           "--per-gold", str(args.per_gold), "--seed", str(args.seed)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"verify_batch run with {workers} worker(s) failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--golds", type=int, default=256, help="distinct gold answers (prompts) in the batch")
    parser.add_argument("--per-gold", type=int, default=16, help="completions per gold (GRPO group size)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=10, help="verdict differences from math-verify to list")
    parser.add_argument("--mv-limit", type=int, default=None, help="time math-verify on the first N items only")
    parser.add_argument("--workers", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--_engine-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._engine_child:
        return _engine_child(args)

    from lmmr1 import verify
    from lmmr1.verifiers.config import DEFAULT_TIMEOUT_S

    folder = data_dir()
    batch = build_batch(folder, args.golds, args.per_gold, args.seed)
    n = len(batch["completions"])
    cores = os.cpu_count() or 1
    sizes = sorted(len(c) for c in batch["completions"])
    print(f"verify_speed on {machine()}")
    print(f"batch: {n} completions = {args.golds} golds x {args.per_gold}; sources "
          f"{ {s: batch['sources'].count(s) // args.per_gold for s in sorted(set(batch['sources']))} }; "
          f"completion length p50 {sizes[n // 2]} / max {sizes[-1]} chars")  # fmt: skip

    m = n if args.mv_limit is None else min(n, args.mv_limit)
    t0 = time.perf_counter()
    mv = [math_verify_plain(c, g) for c, g in zip(batch["completions"][:m], batch["golds"][:m], strict=True)]
    mv_s = time.perf_counter() - t0
    mv_rate = m / mv_s

    runs = {w: _time_engine(args, w) for w in sorted({1, cores})}
    verdicts = runs[cores]["verdicts"]

    # Single calls, in this process: the latency one reward call sees.
    lat = []
    for c, g, t, o in zip(batch["completions"], batch["golds"], batch["tasks"], batch["options"], strict=True):
        t1 = time.perf_counter()
        verify(c, g, t, o)
        lat.append(time.perf_counter() - t1)

    print(f"\nthroughput (completions/s; {n} items)")
    print(f"  math-verify parse+verify, 1 process   {mv_rate:10.0f}/s   ({mv_s:.2f} s for {m} items)")
    for w, run in runs.items():
        rate = n / run["seconds"]
        print(f"  lmmr1 verify_batch, workers={w:<2}        {rate:10.0f}/s   ({run['seconds']:.3f} s)   "
              f"x{rate / mv_rate:.1f} math-verify")  # fmt: skip
    best = min(r["seconds"] for r in runs.values())
    print(f"targets: >= 20x math-verify: {'met' if n / best / mv_rate >= 20 else 'MISSED'} "
          f"(x{n / best / mv_rate:.1f});  {n} completions <= 1 s: {'met' if best <= 1 else 'MISSED'} ({best:.3f} s)")  # fmt: skip
    budget = DEFAULT_TIMEOUT_S
    print(f"\nsingle verify() latency over {n} calls: p50 {_pct(lat, 0.5) * 1e3:.2f} ms, "
          f"p99 {_pct(lat, 0.99) * 1e3:.2f} ms, max {max(lat) * 1e3:.1f} ms "
          f"(budget {budget:.1f} s + 10%: {'met' if max(lat) <= budget * 1.1 else 'MISSED'})")  # fmt: skip

    diffs = [i for i in range(m) if (verdicts[i]["correct"] is True) != (mv[i] is True)]
    reasons: dict[str, int] = {}
    for v in verdicts:
        reasons[v["reason"]] = reasons.get(v["reason"], 0) + 1
    print(f"\nlmmr1 reasons: {dict(sorted(reasons.items(), key=lambda kv: -kv[1]))}")
    print(f"verdicts differing from math-verify: {len(diffs)} of {m}"
          f" (lmmr1 correct, math-verify not: {sum(verdicts[i]['correct'] is True for i in diffs)};"
          f" math-verify correct, lmmr1 not: {sum(mv[i] is True for i in diffs)})")  # fmt: skip
    only_mv = [i for i in diffs if mv[i] is True]
    only_ours = [i for i in diffs if mv[i] is not True]
    for title, group in (("math-verify correct, lmmr1 not", only_mv), ("lmmr1 correct, math-verify not", only_ours)):
        if group:
            print(f"  {title} (first {min(args.show, len(group))} of {len(group)}):")
        for i in group[: args.show]:
            v = verdicts[i]
            tail = batch["completions"][i][-70:]
            print(f"    [{i}] {batch['sources'][i]} gold={batch['golds'][i]!r:.30} ...{tail!r}\n"
                  f"          lmmr1: {v['correct']} ({v['reason']}, extracted {v['extracted']!r:.40}); math-verify: {mv[i]}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
