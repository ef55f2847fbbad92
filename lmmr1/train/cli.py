"""``lmmr1 train`` (alias ``train-two-stage``): LMM-R1's two GRPO stages from one YAML recipe.

    lmmr1 train --config recipes/tiny-cpu.yaml
    lmmr1 train --config recipes/lmm-r1/fre-text-mgt-geo.yaml --stages mgt --init-from ckpt/fre/final
    lmmr1 train --config recipes/tiny-cpu.yaml --dry-run fre.max_steps=2 learning_rate=1e-5
    lmmr1 train --config recipes/tiny-cpu.yaml --restart mgt.learning_rate=1e-4   # retrain a finished stage

``key=value`` arguments override the recipe (``fre.key=value`` for one stage); TRL's own
``--flag value`` arguments work too and win over both.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from lmmr1.cli import HelpFormatter
from lmmr1.errors import UserError

logger = logging.getLogger("lmmr1.train")


def _parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        add_help=False,
        prog=prog,
        description=__doc__.split("\n\n")[0].replace("``", ""),
        epilog="Recipe keys: any field of trl.GRPOConfig, trl.ModelConfig or "
        "lmmr1.train.config.TwoStageArguments; see recipes/*.yaml.",
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "-h", "--help", action="store_true", help="show this help and every recipe key (TRL's help)"
    )
    p.add_argument("--config", default=None, help="YAML recipe, e.g. recipes/tiny-cpu.yaml (required)")
    p.add_argument(
        "--stages",
        default=None,
        help="comma-separated stages to run, in order (default: those the recipe has a fre:/mgt: section "
        "for; both when it has neither)",
    )
    p.add_argument("--output-dir", default=None, help="output folder (unset: the recipe's output_dir)")
    p.add_argument(
        "--init-from", default=None, help="model folder the first stage starts from (e.g. a FRE checkpoint)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="validate recipe, rewards, datasets and paths; load no weights"
    )
    p.add_argument(
        "--restart",
        action="store_true",
        help="train again, from its start, a finished stage whose settings changed, and every later stage "
        "(without it, such a stage is refused; unchanged finished stages are always reused)",
    )
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def main(argv: list[str] | None = None, prog: str = "train-two-stage") -> int:
    """Run (or ``--dry-run``) the recipe's stages; a user error is one ``error:`` line and exit code 2."""
    parser = _parser(prog)
    args, rest = parser.parse_known_args(argv)
    if args.help:
        from lmmr1.train.config import recipe_help

        print(parser.format_help())
        print("Recipe keys (also usable as key=value, or as TRL's --key value):\n")
        print(recipe_help())
        return 0
    if args.config is None:
        parser.print_usage(sys.stderr)
        print("error: --config recipes/NAME.yaml is required (see the recipes/ folder)", file=sys.stderr)
        return 2
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        from lmmr1.train.console import quiet

        with quiet(logging.getLevelName(args.log_level)):
            return _run(args, rest)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _stages(text: str | None) -> list[str] | None:
    from lmmr1.train.config import STAGES, RecipeError

    if text is None:
        return None  # the recipe's own stages (pipeline.recipe_stages)
    stages = [s.strip() for s in text.split(",") if s.strip()]
    if not stages or any(s not in STAGES for s in stages):
        raise RecipeError(f"--stages {text!r}: stages are {', '.join(STAGES)} (e.g. --stages fre,mgt)")
    return sorted(set(stages), key=STAGES.index)  # FRE always runs before MGT


def _run(args: argparse.Namespace, rest: list[str]) -> int:
    from lmmr1.train import pipeline

    overrides = [a for a in rest if "=" in a and not a.startswith("-")]
    trl_flags = [a for a in rest if a not in overrides]
    plans = pipeline.plan(
        args.config,
        stages=_stages(args.stages),
        output_dir=args.output_dir,
        overrides=overrides,
        cli_args=trl_flags,
        for_dry_run=args.dry_run,
    )
    output_dir = Path(plans[0].training.output_dir).parent
    if args.dry_run:
        report = pipeline.dry_run(plans, output_dir, args.init_from, restart=args.restart)
        for line in report.lines:
            print(line)
        for problem in report.problems:
            print(f"error: {problem}", file=sys.stderr)
        verdict = "all checks passed" if report.ok else f"{len(report.problems)} problem(s)"
        print(f"dry run: {verdict}; no weights loaded")
        return 0 if report.ok else 2
    results = pipeline.train_two_stage(plans, output_dir, init_from=args.init_from, restart=args.restart)
    from accelerate import PartialState

    if not PartialState().is_main_process:  # one report per run, not one per process
        return 0
    from lmmr1.train.stage import reward_lines

    for r in results:
        state = "already finished with the same settings, skipped" if r.skipped else f"{r.summary.get('global_step')} steps"
        print(f"stage {r.name}: {state}; checkpoint {r.final_dir}")
        for line in reward_lines(r.summary):
            print(f"  {line}")
        for path in r.summary.get("plots", []):
            print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
