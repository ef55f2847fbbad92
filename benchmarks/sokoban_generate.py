"""How fast lmmr1.sokoban generates solvable levels (and renders them), per box count.

    python benchmarks/sokoban_generate.py --n 1000

Prints levels per second for generation alone and with rendering at 224 px, each level's kept
solution replayed through the rules (every one must solve its level), and the kept solutions'
mean length.
"""

from __future__ import annotations

import argparse
import time

from lmmr1.sokoban.generate import GeneratorConfig, generate_level
from lmmr1.sokoban.render import render_level
from lmmr1.sokoban.rules import parse_level, play


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=1000, help="levels per box count")
    p.add_argument("--boxes", type=int, nargs="+", default=[2, 3])
    p.add_argument("--image-size", type=int, default=224)
    a = p.parse_args()
    for boxes in a.boxes:
        config = GeneratorConfig(num_boxes=boxes)
        start = time.perf_counter()
        levels = [generate_level(config, seed) for seed in range(a.n)]
        generated = time.perf_counter() - start
        for g in levels:
            render_level(g.level, a.image_size)
        rendered = time.perf_counter() - start
        unsolved = sum(not play(parse_level(g.level), g.solution).solved for g in levels)
        mean_len = sum(len(g.solution) for g in levels) / len(levels)
        print(f"{boxes} boxes, 7x7: {a.n / generated:,.0f} levels/s generated, {a.n / rendered:,.0f} levels/s "
              f"with {a.image_size} px pictures; kept solutions {mean_len:.1f} actions on average; "
              f"{unsolved} of {a.n} not solved by their solution")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
