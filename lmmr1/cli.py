"""``lmmr1``: the one command line, with a subcommand per capability (TRL-CLI style).

    lmmr1 verify --input preds.jsonl --output verdicts.jsonl      # score a JSONL file
    lmmr1 demo                                                    # the verifier on a dozen completions
    lmmr1 curate filter|card|stats|export ...                     # also installed as `curate`
    lmmr1 train --config recipes/tiny-cpu.yaml                    # also `train-two-stage`; needs lmmr1[train]
    lmmr1 serve --port 5000                                       # also `lmmr1-reward-server`; lmmr1[server]
    lmmr1 evaluate ...                                            # checkpoints on held-out data

Each subcommand is a ``main(argv) -> int``, imported only when it runs, so ``lmmr1 --help`` and
``lmmr1 verify`` need neither torch nor the server. A user error is one ``error:`` line and exit
code 2; a bug's traceback goes through.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmmr1.errors import UserError
from lmmr1.verifiers.batch import verify_batch
from lmmr1.verifiers.format_tags import check_format
from lmmr1.verifiers.verdict import REASONS, TASKS, Verdict

CHUNK = 512  # rows per verify_batch call: the progress bar's step, small enough to stay responsive

#: The modules each optional extra of pyproject.toml installs: a missing one names its extra.
EXTRAS: dict[str, tuple[str, ...]] = {
    "train": ("torch", "transformers", "trl", "accelerate", "matplotlib"),
    "server": ("starlette", "uvicorn"),
}


class CLIError(UserError):
    """A user mistake on the command line: printed as one ``error:`` line, exit code 2, no traceback."""


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` with each option's default, except the uninformative None and False."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


@dataclass(frozen=True)
class Command:
    """A subcommand whose ``main(argv) -> int`` lives in another module, imported only when it runs."""

    module: str
    help: str
    extra: str | None = None  # the pyproject extra its dependencies come from
    alias: str | None = None  # the console script that runs the same main
    takes_prog: bool = False  # main(argv, prog=...): its usage line names the command it was started as


COMMANDS: dict[str, Command] = {
    "curate": Command("lmmr1.curation.cli", "prepare, filter, measure pass rates of, export and describe datasets", alias="curate"),
    "train": Command(
        "lmmr1.train.cli", "train FRE then MGT from a YAML recipe", "train", "train-two-stage", takes_prog=True
    ),
    "serve": Command("lmmr1.verifiers.server", "OpenRLHF reward server", "server", "lmmr1-reward-server"),
    "evaluate": Command("lmmr1.evaluate.cli", "evaluate checkpoints on held-out data", "train"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lmmr1",
        description="lmmr1: rule-based verifiers, curation and two-stage GRPO training for LMM-R1-style RL.",
        epilog="`lmmr1 COMMAND --help` shows a command's own options.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser(
        "verify",
        help="verify the predictions of a JSONL file against its gold answers",
        formatter_class=HelpFormatter,
    )
    v.add_argument("--input", required=True, type=Path, help="JSONL, one object per line")
    v.add_argument("--gold-col", default="answer", help="column holding the gold answer")
    v.add_argument("--pred-col", default="completion", help="column holding the model output")
    v.add_argument(
        "--task", default=None, choices=(*TASKS, "auto"),
        help="one task for every row (unset: each row's 'task' column where present, else auto)",
    )  # fmt: skip
    v.add_argument("--task-col", default=None, help="column holding each row's task (unset: 'task' if present)")
    v.add_argument(
        "--options-col", default=None, help="column holding multiple-choice options (unset: 'options' if present)"
    )
    v.add_argument("--id-col", default="id", help="column copied into each verdict row when present")
    v.add_argument("--output", type=Path, default=None, help="write one verdict per line here (JSONL)")
    v.add_argument("--workers", type=int, default=None, help="verifier processes (unset: all cores)")
    v.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    sub.add_parser("demo", help="verify a dozen typical completions and print the verdicts")
    for name, command in COMMANDS.items():
        alias = f" (also `{command.alias}`)" if command.alias and command.alias != name else ""
        sub.add_parser(name, help=command.help + alias, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        return run_command(argv[0], argv[1:], prog=f"lmmr1 {argv[0]}")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "verify":
            return _verify(args)
        return _demo()
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def run_command(name: str, argv: Sequence[str], prog: str) -> int:
    """Import subcommand ``name`` and run its ``main(argv)``; a missing optional dependency names its extra."""
    command = COMMANDS[name]
    missing = [m for m in EXTRAS.get(command.extra or "", ()) if importlib.util.find_spec(m) is None]
    if missing:  # checked up front: without torch, transformers fails late and with a generic ImportError
        print(
            f"error: `{prog}` needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not "
            f"installed; install it with pip install 'lmmr1[{command.extra}]'",
            file=sys.stderr,
        )
        return 2
    module = importlib.import_module(command.module)
    try:
        return module.main(list(argv), prog=prog) if command.takes_prog else module.main(list(argv))
    except UserError as e:  # each main reports its own; this catches one raised before its handler
        print(f"error: {e}", file=sys.stderr)
        return 2


def curate(argv: Sequence[str] | None = None) -> int:
    """The ``curate`` console script: ``lmmr1 curate``."""
    return run_command("curate", sys.argv[1:] if argv is None else argv, prog="curate")


def train_two_stage(argv: Sequence[str] | None = None) -> int:
    """The ``train-two-stage`` console script: ``lmmr1 train``."""
    return run_command("train", sys.argv[1:] if argv is None else argv, prog="train-two-stage")


def reward_server(argv: Sequence[str] | None = None) -> int:
    """The ``lmmr1-reward-server`` console script: ``lmmr1 serve``."""
    return run_command("serve", sys.argv[1:] if argv is None else argv, prog="lmmr1-reward-server")


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
        where = f"row {missing + 1} has no column {name!r}" if every_row else f"no row has a column {name!r}"
        raise CLIError(f"{where} (set by {flag}); the columns of row {missing + 1} are {sorted(rows[missing])}")
    return [row.get(name) for row in rows]


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _per_row(rows: list[dict[str, Any]], col: str | None, flag: str, default: str, forced: bool) -> list[Any] | None:
    """A per-row column: ``col`` when given (``flag``), else the conventional ``default`` column when some
    row has it and no fixed value was ``forced``; None when there is none."""
    if col:
        return _column(rows, col, flag, every_row=False)
    if not forced and any(default in row for row in rows):
        return [row.get(default) for row in rows]
    return None


def _verify(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise CLIError(f"--workers must be at least 1, got {args.workers}")
    rows = _read_jsonl(args.input)
    golds = _column(rows, args.gold_col, "--gold-col")
    preds = _column(rows, args.pred_col, "--pred-col")
    for col, values, kinds in ((args.pred_col, preds, (str,)), (args.gold_col, golds, (str, int, float))):
        bad = next((i for i, v in enumerate(values) if v is not None and not isinstance(v, kinds)), None)
        if bad is not None:
            want = "a string" if kinds == (str,) else "a string or a number"
            raise CLIError(f"row {bad + 1}: column {col!r} must be {want}, got {type(values[bad]).__name__}")
    # A null or empty cell is one verdict, not a failed file: the verifier says gold_unparseable / no_answer.
    null_golds = sum(g is None or (isinstance(g, str) and not g.strip()) for g in golds)
    null_preds = sum(p is None for p in preds)
    golds = ["" if g is None else g for g in golds]
    preds = ["" if p is None else p for p in preds]

    fallback = args.task or "auto"
    task_values = _per_row(rows, args.task_col, "--task-col", "task", forced=args.task is not None)
    tasks = [fallback] * len(rows) if task_values is None else [t or fallback for t in task_values]
    for i, task in enumerate(tasks):
        if task not in (*TASKS, "auto"):
            raise CLIError(f"row {i + 1}: task {task!r} is not one of {(*TASKS, 'auto')}")
    options = _per_row(rows, args.options_col, "--options-col", "options", forced=False) or [None] * len(rows)

    from tqdm import tqdm

    verdicts: list[Verdict] = []
    with tqdm(total=len(rows), unit="row", desc="verify", disable=args.no_progress) as bar:
        for s in _chunks(len(rows), CHUNK):
            verdicts.extend(verify_batch(preds[s], golds[s], tasks=tasks[s], options=options[s], workers=args.workers))
            bar.update(s.stop - s.start)

    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("w", encoding="utf-8") as f:
            for i, (row, v) in enumerate(zip(rows, verdicts, strict=True)):
                ident = {args.id_col: row[args.id_col]} if args.id_col in row else {}
                f.write(json.dumps({"index": i, **ident, **v.to_dict()}, ensure_ascii=False) + "\n")
    print(summary(verdicts, null_golds=null_golds, null_completions=null_preds))
    if args.output is not None:
        print(f"verdicts written to {args.output}")
    return 0


def summary(verdicts: Sequence[Verdict], null_golds: int = 0, null_completions: int = 0) -> str:
    """Counts per reason and accuracy: over all rows, and over the rows that could be verified.

    ``null_golds`` / ``null_completions``: rows whose gold was null or empty, or whose completion was null.
    """
    n = len(verdicts)
    correct = sum(v.correct is True for v in verdicts)
    verifiable = sum(v.correct is not None for v in verdicts)
    lines = [
        f"rows: {n}   correct: {correct}   wrong: {verifiable - correct}   cannot verify: {n - verifiable}",
        f"accuracy: {correct / n:.4f} of all rows"
        + (f", {correct / verifiable:.4f} of verifiable rows" if verifiable else ""),
    ]
    if null_golds or null_completions:
        lines.append(
            f"empty cells: {null_golds} null or empty gold(s) (gold_unparseable), "
            f"{null_completions} null completion(s) (no_answer)"
        )
    lines.append("reasons:")
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
