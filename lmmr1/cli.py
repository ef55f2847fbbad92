"""``lmmr1`` command line: ``lmmr1 verify`` scores a JSONL file, ``lmmr1 demo`` shows the verifier.

    lmmr1 verify --input preds.jsonl --gold-col answer --pred-col completion --output verdicts.jsonl
    lmmr1 demo
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from lmmr1.verifiers.batch import verify_batch
from lmmr1.verifiers.format_tags import check_format
from lmmr1.verifiers.verdict import REASONS, TASKS, Verdict

CHUNK = 512  # rows per verify_batch call: the progress bar's step, small enough to stay responsive


class CLIError(Exception):
    """A user mistake: printed as one ``error:`` line, exit code 2, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lmmr1", description="Rule-based verifiers for LMM-R1-style RL.")
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("verify", help="verify the predictions of a JSONL file against its gold answers")
    v.add_argument("--input", required=True, type=Path, help="JSONL, one object per line")
    v.add_argument("--gold-col", default="answer", help="column holding the gold answer (default: answer)")
    v.add_argument("--pred-col", default="completion", help="column holding the model output (default: completion)")
    v.add_argument("--task", default="auto", choices=(*TASKS, "auto"), help="task for every row (default: auto)")
    v.add_argument("--task-col", default=None, help="column holding each row's task; overrides --task")
    v.add_argument("--options-col", default=None, help="column holding multiple-choice options (dict or list)")
    v.add_argument("--output", type=Path, default=None, help="write one verdict per line here (JSONL)")
    v.add_argument("--workers", type=int, default=None, help="verifier processes (default: all cores)")
    v.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    sub.add_parser("demo", help="verify a dozen typical completions and print the verdicts")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "verify":
            return _verify(args)
        return _demo()
    except CLIError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


# --- verify -------------------------------------------------------------------------------------


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise CLIError(f"input file {str(path)!r} does not exist (give a JSONL file with --input)")
    rows = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise CLIError(f"{path}:{lineno} is not valid JSON ({e.msg}); each line must be one JSON object") from e
            if not isinstance(row, dict):
                raise CLIError(f"{path}:{lineno} is a JSON {type(row).__name__}, not an object with named columns")
            rows.append(row)
    if not rows:
        raise CLIError(f"input file {str(path)!r} holds no rows")
    return rows


def _column(rows: list[dict[str, Any]], name: str, flag: str, *, every_row: bool = True) -> list[Any]:
    """Values of column ``name``; ``every_row=False`` lets rows lack it (None) if some row has it."""
    missing = next((i for i, row in enumerate(rows) if name not in row), None)
    if missing is not None and (every_row or all(name not in row for row in rows)):
        where = f"row {missing + 1} has" if every_row else "no row has"
        raise CLIError(f"{where} no column {name!r} (set by {flag}); its columns are {sorted(rows[missing])}")
    return [row.get(name) for row in rows]


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _verify(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise CLIError(f"--workers must be at least 1, got {args.workers}")
    rows = _read_jsonl(args.input)
    golds = _column(rows, args.gold_col, "--gold-col")
    preds = _column(rows, args.pred_col, "--pred-col")
    bad = next((i for i, p in enumerate(preds) if not isinstance(p, str)), None)
    if bad is not None:
        raise CLIError(f"row {bad + 1}: column {args.pred_col!r} must be a string, got {type(preds[bad]).__name__}")
    tasks = [args.task] * len(rows)
    if args.task_col:  # rows without a task (or with null) fall back to --task
        tasks = [t or args.task for t in _column(rows, args.task_col, "--task-col", every_row=False)]
    for i, task in enumerate(tasks):
        if task not in (*TASKS, "auto"):
            raise CLIError(f"row {i + 1}: task {task!r} is not one of {(*TASKS, 'auto')}")
    options = [None] * len(rows)
    if args.options_col:
        options = _column(rows, args.options_col, "--options-col", every_row=False)

    from tqdm import tqdm

    verdicts: list[Verdict] = []
    with tqdm(total=len(rows), unit="row", desc="verify", disable=args.no_progress) as bar:
        for s in _chunks(len(rows), CHUNK):
            verdicts.extend(verify_batch(preds[s], golds[s], tasks=tasks[s], options=options[s], workers=args.workers))
            bar.update(s.stop - s.start)

    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("w", encoding="utf-8") as f:
            for i, v in enumerate(verdicts):
                f.write(json.dumps({"index": i, **v.to_dict()}, ensure_ascii=False) + "\n")
    print(summary(verdicts))
    if args.output is not None:
        print(f"verdicts written to {args.output}")
    return 0


def summary(verdicts: Sequence[Verdict]) -> str:
    """Counts per reason and accuracy: over all rows, and over the rows that could be verified."""
    n = len(verdicts)
    correct = sum(v.correct is True for v in verdicts)
    verifiable = sum(v.correct is not None for v in verdicts)
    lines = [
        f"rows: {n}   correct: {correct}   wrong: {verifiable - correct}   cannot verify: {n - verifiable}",
        f"accuracy: {correct / n:.4f} of all rows"
        + (f", {correct / verifiable:.4f} of verifiable rows" if verifiable else ""),
        "reasons:",
    ]
    for reason, count in Counter(v.reason for v in verdicts).most_common():
        lines.append(f"  {reason:<22} {count:>8}  {REASONS[reason]}")
    return "\n".join(lines)


# --- demo ---------------------------------------------------------------------------------------

# (what it shows, completion, gold, task, options): completions as RL policies write them.
DEMO_CASES: tuple[tuple[str, str, str, str, Any], ...] = (
    ("boxed fraction", "Half of the 12 marbles are red, so the share is $\\boxed{\\frac{1}{2}}$.", "0.5", "auto", None),
    ("tagged latex", "<think>12 = 4 * 3 so sqrt(12) = 2 sqrt 3</think><answer>$2\\sqrt{3}$</answer>", "\\sqrt{12}", "auto", None),
    ("wrong value", "<think>3 boxes of 4 is 12</think><answer>12</answer>", "10", "auto", None),
    ("GSM8K prose", "She sells 16 - 3 - 4 = 9 eggs at $2 each. The answer is 18.", "18", "math", None),
    ("AIME leading 0", "<think>...</think><answer>25</answer>", "025", "math", None),
    ("choice letter", "<think>Only C is green.</think><answer>C</answer>", "C", "choice", {"A": "red", "B": "blue", "C": "green"}),
    ("choice by text", "<think>The shape is blue.</think><answer>blue</answer>", "B", "choice", {"A": "red", "B": "blue", "C": "green"}),
    ("rounded geometry", "<think>BC = 2*sqrt(3) ~ 3.46</think><answer>3.46</answer>", "2\\sqrt{3}", "geometry", None),
    ("degrees", "<think>The angles sum to 180.</think><answer>$60^\\circ$</answer>", "60", "geometry", None),
    ("hedged", "<think>Could be either.</think><answer>2 or 3</answer>", "2", "math", None),
    # MATH-V id 2830: "\\frac" lost its backslash to a form feed somewhere upstream
    ("corrupted gold", "<think>36/13</think><answer>$\\frac{36}{13}$</answer>", "\x0crac{36}{13}", "math", None),
    ("no answer", "I am not sure how to approach this problem.", "7", "math", None),
)


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _visible(text: str) -> str:
    """Control characters written as escapes, so a corrupted gold shows what is wrong with it."""
    return "".join(c.encode("unicode_escape").decode() if ord(c) < 32 else c for c in text)


def _demo() -> int:
    completions = [c[1] for c in DEMO_CASES]
    golds = [c[2] for c in DEMO_CASES]
    verdicts = verify_batch(completions, golds, tasks=[c[3] for c in DEMO_CASES], options=[c[4] for c in DEMO_CASES], workers=1)
    header = f"{'#':>2}  {'case':<17} {'task':<8} {'gold':<15} {'completion':<44} {'correct':<7} {'reason':<17} {'extracted':<12} format"
    print(header)
    print("-" * len(header))
    for i, (case, verdict) in enumerate(zip(DEMO_CASES, verdicts, strict=True), 1):
        fmt = check_format(case[1]).reason
        print(
            f"{i:>2}  {case[0]:<17} {verdict.task or case[3]:<8} {_cut(_visible(case[2]), 15):<15} {_cut(case[1], 44):<44} "
            f"{verdict.correct!s:<7} {verdict.reason:<17} {_cut(verdict.extracted or '-', 12):<12} {fmt}"
        )
    print()
    print("correct=None means the verifier cannot tell (it never guesses); format is the strict <think>/<answer> check.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
