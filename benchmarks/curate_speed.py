"""Throughput of `curate filter` on 100k synthetic but realistic text rows (target: <= 2 min on 2 cores).

Rows mimic GSM8K word problems, MATH-style LaTeX questions and multiple choice, with the defects
curation exists for: empty and sentinel golds, proofs, image-only options, exact and near duplicates.

    .venv/bin/python -m benchmarks.curate_speed [--rows 100000] [--num-proc 2]   # -m: measures this checkout
"""

from __future__ import annotations

import argparse
import random
import time

import datasets

from lmmr1.curation.config import load_config
from lmmr1.curation.pipeline import curate

NAMES = ["Janet", "Tom", "Aisha", "Carlos", "Mei", "Olu", "Priya", "Sven", "Lena", "Kofi"]
ITEMS = ["apples", "eggs", "marbles", "books", "stickers", "cookies", "pencils", "tickets"]
WORD = ("{n} has {a} {it}. {n} buys {b} more {it} every day for {d} days and gives away {c} {it} on the last day. "
        "How many {it} does {n} have at the end?")
LATEX = [
    ("Compute $\\frac{{{a}}}{{{b}}} + \\frac{{{c}}}{{{b}}}$.", lambda a, b, c: f"\\frac{{{a + c}}}{{{b}}}"),
    ("Find all real $x$ such that $x^2 - {s}x + {p} = 0$. Enter all solutions, separated by commas.",
     lambda a, b, c: f"{a}, {b}"),
    ("What is the value of $\\sqrt{{{sq}}}$ to the nearest tenth?", lambda a, b, c: f"{(a * a + b) ** 0.5:.1f}"),
    ("Let $f(x) = {a}x + {b}$. Solve $f(x) > {c}$ and give the answer in interval notation.",
     lambda a, b, c: f"(\\frac{{{c - b}}}{{{a}}}, \\infty)"),
    ("Find the matrix $\\mathbf{{M}}$ such that $\\mathbf{{M}} \\mathbf{{v}} = {a} \\mathbf{{v}}$ for all vectors "
     "$\\mathbf{{v}}$ in the plane.", lambda a, b, c: f"\\begin{{pmatrix}} {a} & 0 \\\\ 0 & {a} \\end{{pmatrix}}"),
]


def make_rows(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    for i in range(n):
        kind = rng.random()
        a, b, c, d = rng.randint(2, 90), rng.randint(2, 40), rng.randint(1, 30), rng.randint(2, 9)
        if kind < 0.45:
            q = WORD.format(n=rng.choice(NAMES), a=a, b=b, c=c, d=d, it=rng.choice(ITEMS))
            row = {"problem": q, "answer": str(a + b * d - c), "options": []}
        elif kind < 0.80:
            tmpl, gold = rng.choice(LATEX)
            q = tmpl.format(a=a, b=b, c=c, s=a + b, p=a * b, sq=a * a + b)
            row = {"problem": f"{q} (Problem {i % 5000})", "answer": gold(a, b, c), "options": []}
        elif kind < 0.93:
            opts = [str(a + k) for k in range(4)]
            row = {"problem": f"Which value equals {a} + {rng.randint(0, 3)}? Item {i}", "answer": rng.choice("ABCD"),
                   "options": opts}
        elif kind < 0.95:
            row = {"problem": f"Which figure is symmetric? Problem {i}", "answer": "B", "options": list("ABCDE")}
        elif kind < 0.96:
            row = {"problem": f"Prove that the sum of two odd numbers {a} and {b} is even.", "answer": "proof",
                   "options": []}
        elif kind < 0.97:
            row = {"problem": f"How many {rng.choice(ITEMS)} are there in box {a}?", "answer": "", "options": []}
        else:  # duplicates and near duplicates of earlier rows
            src = dict(rows[rng.randrange(len(rows))]) if rows else {"problem": "What is 1+1?", "answer": "2", "options": []}
            if rng.random() < 0.5:
                src["problem"] = src["problem"].replace(".", " .", 1)
            row = src
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--num-proc", type=int, default=2)
    args = parser.parse_args()
    datasets.disable_progress_bars()
    ds = datasets.Dataset.from_list(make_rows(args.rows))
    start = time.perf_counter()
    kept, rejected, stats = curate(ds, load_config(), num_proc=args.num_proc)
    seconds = time.perf_counter() - start
    print(f"{args.rows} rows in {seconds:.1f} s: {args.rows / seconds:,.0f} rows/s (num_proc={args.num_proc})")
    print(f"kept {stats.kept_rows}, dropped {sum(stats.dropped.values())}: {stats.dropped}")
    for f in stats.filters:
        print(f"  {f['name']:30} {f['seconds']:7.2f} s  sequential {sum(f['sequential'].values()):6}")


if __name__ == "__main__":
    main()
