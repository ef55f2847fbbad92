"""Write Sokoban datasets for the trainer: ``python -m lmmr1.sokoban.cli generate|tiny ...``.

    python -m lmmr1.sokoban.cli generate --out data/lmm-r1/mgt-sokoban   # the paper's: 5,000 7x7 levels each of 2 and 3 boxes
    python -m lmmr1.sokoban.cli authors --dataset sokoban.jsonl --out data/sokoban   # the authors' layout
    python -m lmmr1.sokoban.cli tiny --out runs/tiny-sokoban/data --model runs/tiny-sokoban/tiny-base  # recipes/tiny-sokoban.yaml

Each writes ``<out>/<name>.jsonl`` with PNG images in ``<out>/images/`` (paths relative to the file).
"""

from __future__ import annotations

import argparse
import logging
import sys

from lmmr1.errors import UserError
from lmmr1.sokoban.data import make_dataset, make_one_push_dataset, make_push_text_dataset, write_dataset
from lmmr1.sokoban.generate import GeneratorConfig

logger = logging.getLogger(__name__)

TINY_ROWS = 1024  # rows per stage: steps x 4 prompts reuse them, as synthetic_size does for tiny-cpu


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lmmr1.sokoban.cli", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="levels by reverse play (the paper's: 7x7, 2 or 3 boxes, 5,000 each)")
    g.add_argument("--n", type=int, default=5000, help="levels per box count")
    g.add_argument("--boxes", type=int, nargs="+", default=[2, 3])
    g.add_argument("--size", type=int, default=7, help="room side in cells, walls included")
    g.add_argument("--min-solution-length", type=int, default=1)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--image-size", type=int, default=224, help="pixels a side")
    g.add_argument("--name", default="train")
    g.add_argument("--out", required=True)
    t = sub.add_parser("tiny", help="recipes/tiny-sokoban.yaml's data: fre.jsonl (text) and mgt.jsonl (one push)")
    t.add_argument("--n", type=int, default=TINY_ROWS)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--out", required=True)
    t.add_argument("--size", type=int, default=5, help="room side in cells, walls included")
    t.add_argument("--centred", action="store_true", help="the box always in the middle (4 levels at odd sizes)")
    t.add_argument("--model", default=None, help="also build the tiny model here (the MGT stage's --init-from)")
    c = sub.add_parser("authors", help="convert the authors' rows (message + env_path .npy) to trainer rows")
    c.add_argument("--dataset", required=True)
    c.add_argument("--out", required=True)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "generate":
            from datasets import concatenate_datasets

            parts = []
            for i, boxes in enumerate(args.boxes):
                config = GeneratorConfig(height=args.size, width=args.size, num_boxes=boxes,
                                         min_solution_length=args.min_solution_length)
                parts.append(make_dataset(args.n, config, args.seed * 100 + i, args.image_size))
            write_dataset(concatenate_datasets(parts), args.out, args.name)
        elif args.command == "authors":
            from lmmr1.sokoban.data import convert_authors

            convert_authors(args.dataset, args.out)
        else:
            write_dataset(make_push_text_dataset(args.n, args.seed), args.out, "fre")
            write_dataset(make_one_push_dataset(args.n, args.seed, args.size, centred=args.centred), args.out, "mgt")
            if args.model:
                from lmmr1.train.tiny import build_tiny_model

                build_tiny_model(args.model, seed=args.seed)
    except (UserError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
