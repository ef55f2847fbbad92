"""Sokoban, LMM-R1's planning task: rules, a level generator, a renderer, a verifier and trainer rows.

>>> from lmmr1.sokoban import SokobanConfig, score_sokoban
>>> import time
>>> score_sokoban("<answer>Right</answer>", "#####\\n#@$.#\\n#####", SokobanConfig(), time.monotonic() + 5).reason
'solved'
"""

from lmmr1.sokoban.generate import GeneratedLevel, GeneratorConfig, generate_level, one_push_level
from lmmr1.sokoban.render import render_level
from lmmr1.sokoban.rules import ACTIONS, Level, LevelError, parse_level, play, step
from lmmr1.sokoban.verifier import SOKOBAN_REASONS, SokobanConfig, SokobanResult, parse_actions, score_sokoban

__all__ = [
    "ACTIONS",
    "SOKOBAN_REASONS",
    "GeneratedLevel",
    "GeneratorConfig",
    "Level",
    "LevelError",
    "SokobanConfig",
    "SokobanResult",
    "generate_level",
    "one_push_level",
    "parse_actions",
    "parse_level",
    "play",
    "render_level",
    "score_sokoban",
    "step",
]
