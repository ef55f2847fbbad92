"""Sokoban rules as a small pure simulator: levels in the standard text notation, moves, pushes.

Notation (one row per line): ``#`` wall, `` `` floor (also ``-`` or ``_``), ``$`` box, ``.`` target,
``@`` player, ``*`` box on a target, ``+`` player on a target. Rows may be ragged: missing cells
are floor, and every cell outside the grid counts as wall, so an open level cannot be walked off.

A :class:`Level` is immutable; :func:`step` returns a new one. The player moves one cell; a box in
the way is pushed one cell when the cell beyond it is free (not a wall, not another box), else
nothing moves. Boxes are never pulled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from lmmr1.errors import UserError

__all__ = [
    "ACTIONS",
    "DELTAS",
    "Action",
    "Level",
    "LevelError",
    "StepResult",
    "parse_level",
    "play",
    "step",
]

Action = Literal["Left", "Right", "Up", "Down"]
#: The four actions, in the order gymnasium's ``Discrete(4)`` numbers them (0..3).
ACTIONS: tuple[Action, ...] = ("Up", "Down", "Left", "Right")
#: (row, column) change of each action.
DELTAS: dict[str, tuple[int, int]] = {"Up": (-1, 0), "Down": (1, 0), "Left": (0, -1), "Right": (0, 1)}

Cell = tuple[int, int]
_FLOOR = frozenset(" -_")
_SYMBOLS = "#$.@*+" + "".join(sorted(_FLOOR))


class LevelError(UserError, ValueError):
    """A level text that is not a playable Sokoban level; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Level:
    """One Sokoban position: the fixed room (walls, targets, size) and the movable part (player, boxes)."""

    height: int
    width: int
    walls: frozenset[Cell]
    targets: frozenset[Cell]
    boxes: frozenset[Cell]
    player: Cell

    @property
    def solved(self) -> bool:
        """Every box is on a target (the numbers of boxes and targets are equal)."""
        return self.boxes == self.targets

    @property
    def boxes_on_targets(self) -> int:
        return len(self.boxes & self.targets)

    def is_wall(self, cell: Cell) -> bool:
        r, c = cell
        return not (0 <= r < self.height and 0 <= c < self.width) or cell in self.walls

    def to_text(self) -> str:
        """The level in the text notation (rows joined by ``\\n``, trailing spaces kept)."""
        rows = []
        for r in range(self.height):
            row = []
            for c in range(self.width):
                cell = (r, c)
                on_target = cell in self.targets
                if cell in self.walls:
                    row.append("#")
                elif cell in self.boxes:
                    row.append("*" if on_target else "$")
                elif cell == self.player:
                    row.append("+" if on_target else "@")
                else:
                    row.append("." if on_target else " ")
            rows.append("".join(row))
        return "\n".join(rows)


def parse_level(text: str) -> Level:
    """The :class:`Level` written in ``text``; raises :class:`LevelError` saying what is wrong.

    Blank lines before and after the level are ignored; a line break inside a row is not allowed.
    A level must have exactly one player, at least one box, and as many targets as boxes.
    """
    if not isinstance(text, str):
        raise LevelError(f"a level must be a string in Sokoban text notation, got {type(text).__name__}")
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise LevelError("the level is empty; write it in Sokoban notation, e.g. '#####\\n#@$.#\\n#####'")
    walls, targets, boxes, players = set(), set(), set(), []
    for r, line in enumerate(lines):
        for c, ch in enumerate(line):
            if ch == "#":
                walls.add((r, c))
            elif ch in _FLOOR:
                continue
            elif ch in "$*":
                boxes.add((r, c))
            elif ch in "@+":
                players.append((r, c))
            elif ch != ".":
                raise LevelError(
                    f"unknown symbol {ch!r} at row {r}, column {c}; use only {_SYMBOLS!r} "
                    "(# wall, space floor, $ box, . target, @ player, * box on target, + player on target)"
                )
            if ch in ".*+":
                targets.add((r, c))
    if len(players) != 1:
        raise LevelError(f"a level needs exactly one player ('@' or '+'), found {len(players)}")
    if not boxes:
        raise LevelError("the level has no box ('$' or '*'); a level needs at least one")
    if len(boxes) != len(targets):
        raise LevelError(
            f"the level has {len(boxes)} box(es) but {len(targets)} target(s); they must be equal"
        )
    return Level(len(lines), max(len(line) for line in lines), frozenset(walls), frozenset(targets),
                 frozenset(boxes), players[0])


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one action did: the new level, and whether the player moved and whether a box was pushed."""

    level: Level
    moved: bool
    pushed: bool


def step(level: Level, action: str) -> StepResult:
    """Apply one action (``"Up"``, ``"Down"``, ``"Left"`` or ``"Right"``) to ``level``.

    Walking into a wall, or pushing a box into a wall or another box, changes nothing
    (``moved=False``); it is still an action taken.
    """
    try:
        dr, dc = DELTAS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}; use one of {list(DELTAS)}") from None
    r, c = level.player
    ahead = (r + dr, c + dc)
    if level.is_wall(ahead):
        return StepResult(level, False, False)
    if ahead not in level.boxes:
        return StepResult(replace(level, player=ahead), True, False)
    beyond = (r + 2 * dr, c + 2 * dc)
    if level.is_wall(beyond) or beyond in level.boxes:
        return StepResult(level, False, False)
    boxes = (level.boxes - {ahead}) | {beyond}
    return StepResult(replace(level, player=ahead, boxes=boxes), True, True)


def play(level: Level, actions: list[str] | tuple[str, ...]) -> Level:
    """The level after ``actions`` (every action is applied, also after the level is solved)."""
    for action in actions:
        level = step(level, action).level
    return level
