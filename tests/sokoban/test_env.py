"""The gymnasium environment: the API checker, rewards per step, termination and truncation."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from lmmr1.sokoban.env import SokobanEnv
from lmmr1.sokoban.generate import GeneratorConfig, generate_level
from lmmr1.sokoban.rules import ACTIONS

A = {a: i for i, a in enumerate(ACTIONS)}


def test_passes_gymnasium_checker():
    check_env(SokobanEnv(), skip_render_check=True)


def test_rewards_and_termination():
    env = SokobanEnv(level="#######\n#@$.$.#\n#     #\n#######")
    obs, info = env.reset()
    assert obs.shape == (112, 112, 3) and obs.dtype == np.uint8
    _, r, terminated, _, info = env.step(A["Left"])  # bump into the wall
    assert (round(r, 6), terminated) == (-0.1, False)
    _, r, terminated, _, info = env.step(A["Right"])  # first box onto its target
    assert (round(r, 6), terminated, info["boxes_on_targets"]) == (0.9, False, 1)


def test_generated_level_solved_by_its_solution_terminates():
    generated = generate_level(GeneratorConfig(), 3)
    env = SokobanEnv(max_steps=100)
    env.reset(seed=3)
    assert env.render() is None
    total, terminated = 0.0, False
    for action in generated.solution:
        _, r, terminated, truncated, _ = env.step(A[action])
        total += r
        assert not truncated
    assert terminated
    assert total == pytest.approx(2 * 1.0 + 10.0 - 0.1 * len(generated.solution))


def test_truncated_after_max_steps_and_ansi_render():
    env = SokobanEnv(level="#####\n#@$.#\n#####", max_steps=2, render_mode="ansi")
    env.reset()
    assert env.step(A["Left"])[3] is False
    assert env.step(A["Left"])[3] is True
    assert env.render() == "#####\n#@$.#\n#####"


def test_reset_with_a_level_option_and_bad_actions():
    env = SokobanEnv()
    _, info = env.reset(options={"level": "#####\n#@$.#\n#####"})
    assert info["level"] == "#####\n#@$.#\n#####"
    with pytest.raises(ValueError, match="0..3"):
        env.step(7)
