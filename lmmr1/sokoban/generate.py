"""Solvable Sokoban levels by construction: a room is carved, boxes start on their targets, and the
player plays backwards (moving and *pulling* boxes off the targets). Read forwards, that reverse
play is a solution, so every level comes with one; the tests replay it through :mod:`rules`.

Everything is seeded: ``generate_level(GeneratorConfig(...), seed)`` returns the same level and
solution for the same arguments. The defaults are the paper's levels (7x7 rooms; LMM-R1 uses 2-
and 3-box sets of 5,000 each).

The kept solution is short but not always optimal: walks between pushes are replaced by shortest
paths, pushes are kept as played. ``min_solution_length`` bounds that kept solution's length.
"""

from __future__ import annotations

import logging
import random
from collections import deque
from dataclasses import dataclass

from lmmr1.sokoban.rules import ACTIONS, DELTAS, Action, Cell, Level, step

logger = logging.getLogger(__name__)

__all__ = ["GeneratedLevel", "GeneratorConfig", "GenerationError", "generate_level", "one_push_level", "shorten"]

_OPPOSITE = {"Up": "Down", "Down": "Up", "Left": "Right", "Right": "Left"}


class GenerationError(RuntimeError):
    """No level meeting the config was found within ``max_tries`` attempts."""


@dataclass(frozen=True)
class GeneratorConfig:
    """Knobs of :func:`generate_level`; defaults are the paper's 7x7 rooms with 2 boxes."""

    height: int = 7  # cells, outer walls included
    width: int = 7  # cells, outer walls included
    num_boxes: int = 2  # boxes (and as many targets); the paper has 2- and 3-box sets
    min_solution_length: int = 1  # actions in the kept solution, at least (the difficulty knob)
    max_solution_length: int = 50  # actions, at most: the authors' verifier plays up to 50 actions
    floor_fraction: float = 0.6  # share of the interior carved into floor by the random walk
    reverse_steps: int = 60  # moves of each backward play (more: boxes travel further)
    max_tries: int = 200  # rooms tried before GenerationError

    def __post_init__(self) -> None:
        if self.height < 4 or self.width < 4:
            raise ValueError(f"height and width must be >= 4 (walls included), got {self.height}x{self.width}")
        interior = (self.height - 2) * (self.width - 2)
        if not 1 <= self.num_boxes <= interior // 3:
            raise ValueError(
                f"num_boxes={self.num_boxes} does not fit a {self.height}x{self.width} room; use 1..{interior // 3} "
                "(each box needs a target and room to move)"
            )
        if not 0.0 < self.floor_fraction <= 1.0:
            raise ValueError(f"floor_fraction must be in (0, 1], got {self.floor_fraction}")
        if not 1 <= self.min_solution_length <= self.max_solution_length:
            raise ValueError(
                f"need 1 <= min_solution_length <= max_solution_length, got {self.min_solution_length} and "
                f"{self.max_solution_length}"
            )
        if self.reverse_steps < 1 or self.max_tries < 1:
            raise ValueError(f"reverse_steps and max_tries must be >= 1, got {self.reverse_steps}, {self.max_tries}")


@dataclass(frozen=True)
class GeneratedLevel:
    """A level in text notation and a solution for it (actions that leave every box on a target)."""

    level: str
    solution: tuple[Action, ...]
    seed: int | None  # generate_level's seed; None for one_push_level (drawn from a caller's rng)
    num_boxes: int


def _carve(cfg: GeneratorConfig, rng: random.Random) -> set[Cell]:
    """Floor cells of a connected room: a random walk over the interior until enough is floor."""
    h, w = cfg.height, cfg.width
    interior = (h - 2) * (w - 2)
    target = min(interior, max(3 * cfg.num_boxes + 1, round(cfg.floor_fraction * interior)))
    cell = (rng.randrange(1, h - 1), rng.randrange(1, w - 1))
    floor = {cell}
    direction = rng.choice(ACTIONS)
    while len(floor) < target:
        if rng.random() < 0.35:
            direction = rng.choice(ACTIONS)
        dr, dc = DELTAS[direction]
        nxt = (cell[0] + dr, cell[1] + dc)
        if 1 <= nxt[0] < h - 1 and 1 <= nxt[1] < w - 1:
            cell = nxt
            floor.add(cell)
        else:
            direction = rng.choice(ACTIONS)
    return floor


def _reverse_play(level: Level, floor: set[Cell], steps: int, rng: random.Random) -> tuple[Level, list[Action]]:
    """Play ``steps`` backward moves from ``level`` (boxes on targets); return the start and a solution."""
    player, boxes = level.player, set(level.boxes)
    backward: list[Action] = []
    for _ in range(steps):
        free = [a for a in ACTIONS if _free(player, a, floor, boxes)]
        pulls = [a for a in free if _behind(player, a) in boxes]
        # Prefer pulls half of the time: boxes leave targets in dead ends too, and travel further.
        direction = rng.choice(pulls if pulls and rng.random() < 0.5 else free or ACTIONS)
        dr, dc = DELTAS[direction]
        ahead = (player[0] + dr, player[1] + dc)
        if ahead not in floor or ahead in boxes:
            continue
        behind = _behind(player, direction)
        if behind in boxes and rng.random() < 0.8:  # pull the box behind into the player's cell
            boxes.remove(behind)
            boxes.add(player)
        player = ahead
        backward.append(direction)
    start = Level(level.height, level.width, level.walls, level.targets, frozenset(boxes), player)
    return start, [_OPPOSITE[d] for d in reversed(backward)]


def _free(player: Cell, action: str, floor: set[Cell], boxes: set[Cell]) -> bool:
    dr, dc = DELTAS[action]
    ahead = (player[0] + dr, player[1] + dc)
    return ahead in floor and ahead not in boxes


def _behind(player: Cell, action: str) -> Cell:
    dr, dc = DELTAS[action]
    return (player[0] - dr, player[1] - dc)


def _path(level: Level, goal: Cell) -> list[Action] | None:
    """Shortest walk (no pushes) from the player to ``goal``, or None when it cannot be reached."""
    start = level.player
    if start == goal:
        return []
    came: dict[Cell, tuple[Cell, Action]] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        cell = queue.popleft()
        for action in ACTIONS:
            dr, dc = DELTAS[action]
            nxt = (cell[0] + dr, cell[1] + dc)
            if nxt in seen or level.is_wall(nxt) or nxt in level.boxes:
                continue
            seen.add(nxt)
            came[nxt] = (cell, action)
            if nxt == goal:
                path = []
                while nxt != start:
                    nxt, a = came[nxt]
                    path.append(a)
                return path[::-1]
            queue.append(nxt)
    return None


def shorten(level: Level, solution: list[Action] | tuple[Action, ...]) -> list[Action]:
    """``solution`` with every walk between pushes replaced by a shortest one, cut where it solves.

    The pushes (and so the boxes' path) stay the same; the result solves ``level`` when
    ``solution`` does.
    """
    pushes: list[tuple[Cell, Action]] = []
    state = level
    for action in solution:
        if state.solved:
            break
        before = state.player
        result = step(state, action)
        if result.pushed:
            pushes.append((before, action))
        state = result.level
    out: list[Action] = []
    state = level
    for cell, action in pushes:
        walk = _path(state, cell)
        if walk is None:  # cannot happen for a solution played by the rules; keep it honest
            raise AssertionError(f"no walk to {cell} in\n{state.to_text()}")
        out += walk
        for a in walk:
            state = step(state, a).level
        result = step(state, action)
        out.append(action)
        state = result.level
    return out


def generate_level(config: GeneratorConfig = GeneratorConfig(), seed: int = 0) -> GeneratedLevel:  # noqa: B008 - frozen
    """A solvable level and its solution, deterministic in ``(config, seed)``.

    Each try carves a room, puts the boxes on random targets and the player on a random floor
    cell, and plays backwards; a try counts when no box starts on a target and the shortened
    solution's length is within ``[min_solution_length, max_solution_length]``.
    """
    rng = random.Random(f"sokoban-{seed}")
    for _ in range(config.max_tries):
        floor = _carve(config, rng)
        cells = sorted(floor)
        rng.shuffle(cells)
        targets = frozenset(cells[: config.num_boxes])
        player = cells[config.num_boxes]
        walls = frozenset(
            (r, c) for r in range(config.height) for c in range(config.width) if (r, c) not in floor
        )
        solved = Level(config.height, config.width, walls, targets, targets, player)
        start, solution = _reverse_play(solved, floor, config.reverse_steps, rng)
        if start.boxes & start.targets:
            continue
        solution = shorten(start, solution)
        if config.min_solution_length <= len(solution) <= config.max_solution_length:
            return GeneratedLevel(start.to_text(), tuple(solution), seed, config.num_boxes)
    raise GenerationError(
        f"no level found for {config} with seed {seed} in {config.max_tries} tries; lower min_solution_length, "
        "raise reverse_steps or max_tries, or use a bigger room"
    )


def one_push_level(push: Action, rng: random.Random, size: int = 5, centred: bool = False) -> GeneratedLevel:
    """The easiest level: an open ``size`` x ``size`` room (walls included) where one ``push`` solves it.

    Player, box and target lie in a line, adjacent, at a random place along the push; the single
    action ``push`` moves the box onto the target (``centred``: the box in the room's middle). Balanced over the four pushes, an image-blind
    policy that answers one action solves exactly a quarter.
    """
    if push not in DELTAS:
        raise ValueError(f"push must be one of {list(DELTAS)}, got {push!r}")
    if size < 5:
        raise ValueError(f"size must be >= 5 (a 3x3 interior holds player, box and target in a line), got {size}")
    dr, dc = DELTAS[push]
    # The line's first cell (the player) can start anywhere the whole line stays inside.
    rows = range(1, size - 1) if dr == 0 else (range(1, size - 3) if dr > 0 else range(3, size - 1))
    cols = range(1, size - 1) if dc == 0 else (range(1, size - 3) if dc > 0 else range(3, size - 1))
    if centred:  # the box in the middle: for odd sizes, one level per push
        middle = (size // 2, size // 2)
        player = (middle[0] - dr, middle[1] - dc)
    else:
        player = (rng.choice(rows), rng.choice(cols))
    box = (player[0] + dr, player[1] + dc)
    target = (box[0] + dr, box[1] + dc)
    walls = frozenset((r, c) for r in range(size) for c in range(size) if min(r, c) == 0 or max(r, c) == size - 1)
    level = Level(size, size, walls, frozenset({target}), frozenset({box}), player)
    return GeneratedLevel(level.to_text(), (push,), None, 1)
