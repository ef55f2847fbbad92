"""Accuracy, false positives and false negatives of lmmr1 and math-verify on verifier_labels/.

    python benchmarks/verify_accuracy.py [--limit N] [--show K] [--response-tail]

Every file of ``$LMMR1_DATA/verifier_labels`` holds (gold, prediction, label) rows with different
field names (see MANIFEST.md); each is turned into (completion, gold, task, options, label) here.
Both verifiers see the same completion and gold; only lmmr1 is told the task and the options (math-
verify has no notion of them). "cannot verify" (lmmr1 ``correct=None``, math-verify gold that
parses to nothing) counts as "not correct" for accuracy and is also counted on its own.
The labels are other tools' verdicts, not ground truth: read the listed disagreements.
"""

from __future__ import annotations

import argparse
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import data_dir, machine, math_verify_plain, mv_gold, read_jsonl

from lmmr1 import verify_batch


@dataclass
class Row:
    completion: str
    gold: str
    task: str
    options: Any
    label: bool
    mv_config: dict | None = None  # Math-Verify's own test settings, for its test-case file


def _letters(options: list) -> dict[str, str]:
    return {string.ascii_uppercase[i]: str(o) for i, o in enumerate(options)}


def rows_math_verify_tests(r: dict, tail: bool) -> Row:
    return Row(r["pred"], r["gold"], "auto", None, bool(r["label"]), r["verifier_config"])


def rows_equivalence(r: dict, tail: bool) -> Row:
    return Row(r["completion"], r["gold"], r["task"], r.get("options"), bool(r["expected"]))


def rows_qwen(r: dict, tail: bool) -> Row:
    # Qwen's grader read the \boxed{} answer at the end of the response: give both verifiers that text.
    return Row(r["response_tail"], r["gold"], "math", None, bool(r["label"]))


def rows_gsm8k(r: dict, tail: bool) -> Row:
    return Row(r["response_tail"] if tail else str(r["pred"]), r["gold"], "math", None, bool(r["label"]))


def rows_mathv(r: dict, tail: bool) -> Row:
    options = r.get("options") or []
    gold = str(r["gold"])
    is_choice = bool(options) and gold in _letters(options)
    pred = r["response_tail"] if tail else str(r["pred"])
    return Row(pred, gold, "choice" if is_choice else "auto", _letters(options) if is_choice else None, bool(r["label"]))


def rows_mathvista(r: dict, tail: bool) -> Row:
    pred = r["response_tail"] if tail else str(r["pred"])
    if r["question_type"] == "multi_choice" and r.get("choices"):
        options = _letters(r["choices"])
        # MathVista's gold is the option text; name it by its letter, as the choice task expects.
        gold = next((k for k, v in options.items() if v == r["gold"]), str(r["gold"]))
        return Row(pred, gold, "choice", options, bool(r["label"]))
    return Row(pred, str(r["gold"]), "auto", None, bool(r["label"]))


FILES: dict[str, Callable[[dict, bool], Row]] = {
    "math_verify_test_cases.jsonl": rows_math_verify_tests,
    "equivalence_tests.jsonl": rows_equivalence,
    "qwen25math_mathcot100_graded.jsonl": rows_qwen,
    "gsm8k_example_solutions_graded.jsonl": rows_gsm8k,
    "mathv_graded.jsonl": rows_mathv,
    "mathvista_testmini_graded.jsonl": rows_mathvista,
    "gaokao_fill_blank_graded.jsonl": rows_equivalence,
    "rewardmath_direct_sample.jsonl": rows_equivalence,
}


def math_verify_for(row: Row) -> bool | None:
    """math-verify as its own tests call it for its test-case file, else plain parse + verify."""
    cfg = row.mv_config
    if not cfg or cfg.get("call") != "compare_strings":
        return math_verify_plain(row.completion, row.gold)
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    extraction = []
    if "latex" in cfg["match_types"]:
        extraction.append(LatexExtractionConfig())
    if "expr" in cfg["match_types"]:
        extraction.append(ExprExtractionConfig())
    g = parse(mv_gold(row.gold) if "latex" in cfg["match_types"] else row.gold, extraction)
    p = parse(row.completion, extraction)
    if not g:
        return None
    return bool(
        verify(g, p, float_rounding=cfg["precision"], strict=cfg["strict"], allow_set_relation_comp=cfg["allow_set_relation_comp"])
    )


@dataclass
class Score:
    n: int = 0
    right: int = 0
    fp: int = 0
    fn: int = 0
    undecided: int = 0
    seconds: float = 0.0

    def add(self, said: bool | None, label: bool) -> None:
        self.n += 1
        self.undecided += said is None
        ok = said is True
        self.right += ok == label
        self.fp += ok and not label
        self.fn += label and not ok

    def line(self) -> str:
        acc = self.right / self.n if self.n else 0.0
        return f"acc {acc:6.1%}  FP {self.fp:5d}  FN {self.fn:5d}  undecided {self.undecided:4d}  {self.seconds:7.2f} s"


def run_file(path: Path, convert, limit: int | None, tail: bool, show: int) -> tuple[Score, Score]:
    rows = [convert(r, tail) for r in read_jsonl(path)][:limit]
    t0 = time.perf_counter()
    verdicts = verify_batch([r.completion for r in rows], [r.gold for r in rows], [r.task for r in rows], [r.options for r in rows])
    ours = Score(seconds=time.perf_counter() - t0)
    t0 = time.perf_counter()
    theirs_said = [math_verify_for(r) for r in rows]  # main thread: math-verify uses signal.alarm
    theirs = Score(seconds=time.perf_counter() - t0)
    misses = []
    for row, v, mv in zip(rows, verdicts, theirs_said, strict=True):
        ours.add(v.correct, row.label)
        theirs.add(mv, row.label)
        if (v.correct is True) != row.label:
            misses.append((row, v, mv))
    print(f"\n{path.name}  ({len(rows)} rows, {sum(r.label for r in rows)} labelled correct)")
    print(f"  lmmr1        {ours.line()}")
    print(f"  math-verify  {theirs.line()}")
    for row, v, mv in misses[:show]:
        kind = "FP" if v.correct else "FN"
        print(
            f"    {kind} gold={row.gold!r:.40} pred={row.completion[-60:]!r} -> {v.reason}"
            f" (extracted {v.extracted!r:.30}); math-verify={mv}"
        )
    return ours, theirs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="rows per file (default: all)")
    parser.add_argument("--show", type=int, default=5, help="lmmr1 disagreements with the label to list per file")
    parser.add_argument("--response-tail", action="store_true", help="verify response_tail instead of pred where a file has both")
    parser.add_argument("--files", nargs="*", default=list(FILES), choices=list(FILES))
    args = parser.parse_args(argv)

    folder = data_dir() / "verifier_labels"
    print(f"verify_accuracy on {machine()}; data: {folder}")
    total_ours, total_theirs = Score(), Score()
    for name in args.files:
        ours, theirs = run_file(folder / name, FILES[name], args.limit, args.response_tail, args.show)
        for total, part in ((total_ours, ours), (total_theirs, theirs)):
            for field in ("n", "right", "fp", "fn", "undecided"):
                setattr(total, field, getattr(total, field) + getattr(part, field))
            total.seconds += part.seconds
    print(f"\nALL FILES ({total_ours.n} rows)")
    print(f"  lmmr1        {total_ours.line()}")
    print(f"  math-verify  {total_theirs.line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
