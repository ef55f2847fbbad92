"""The generator: every level is solvable by its kept solution, deterministic per seed."""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lmmr1.sokoban.generate import GenerationError, GeneratorConfig, generate_level, one_push_level, shorten
from lmmr1.sokoban.rules import ACTIONS, parse_level, play, step


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**9), size=st.integers(5, 9), boxes=st.integers(1, 3))
def test_kept_solution_solves_every_level(seed, size, boxes):
    config = GeneratorConfig(height=size, width=size, num_boxes=boxes)
    try:
        generated = generate_level(config, seed)
    except GenerationError:
        # a small room with 3 boxes can run out of tries (seed 1226, 6x6): that is said, not a bad
        # level; the paper's 7x7 rooms, and fewer boxes, must always generate
        if size >= 7 or boxes < 3:
            raise
        assume(False)
    level = parse_level(generated.level)
    assert (level.height, level.width) == (size, size)
    assert len(level.boxes) == boxes == generated.num_boxes
    assert not level.boxes & level.targets, "no box may start on a target"
    assert 1 <= len(generated.solution) <= config.max_solution_length
    assert play(level, generated.solution).solved
    # The level is solved only at the last action: the kept solution has no tail.
    assert not play(level, generated.solution[:-1]).solved


def test_deterministic_per_seed_and_different_across_seeds():
    config = GeneratorConfig(num_boxes=3)
    assert generate_level(config, 7) == generate_level(config, 7)
    assert len({generate_level(config, s).level for s in range(20)}) == 20


def test_paper_defaults():
    config = GeneratorConfig()
    assert (config.height, config.width, config.num_boxes, config.max_solution_length) == (7, 7, 2, 50)


def test_min_solution_length_is_respected():
    config = GeneratorConfig(num_boxes=2, min_solution_length=15)
    for seed in range(10):
        assert len(generate_level(config, seed).solution) >= 15


def test_impossible_request_fails_clearly():
    with pytest.raises(GenerationError, match="lower min_solution_length"):
        generate_level(GeneratorConfig(height=5, width=5, num_boxes=1, min_solution_length=50, max_tries=3), 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"height": 3}, "height and width"),
        ({"num_boxes": 0}, "num_boxes=0"),
        ({"num_boxes": 9}, "num_boxes=9"),
        ({"min_solution_length": 0}, "min_solution_length"),
        ({"floor_fraction": 0.0}, "floor_fraction"),
    ],
)
def test_config_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GeneratorConfig(**kwargs)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), size=st.integers(5, 9), push=st.sampled_from(ACTIONS))
def test_one_push_levels_are_solved_by_that_push_only(seed, size, push):
    generated = one_push_level(push, random.Random(seed), size)
    level = parse_level(generated.level)
    assert generated.solution == (push,)
    for action in ACTIONS:
        assert step(level, action).level.solved == (action == push)


def test_shorten_keeps_pushes_and_drops_detours():
    level = parse_level("#######\n#@ $. #\n#     #\n#######")
    detour = ["Down", "Right", "Up", "Left", "Right", "Right"]  # walks around, then pushes
    short = shorten(level, detour)
    assert short == ["Right", "Right"]
    assert play(level, short).solved
