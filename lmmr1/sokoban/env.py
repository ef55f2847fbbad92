"""Sokoban as a ``gymnasium.Env``: the rules of :mod:`lmmr1.sokoban.rules`, the rewards of the verifier.

>>> env = SokobanEnv(level="#####\\n#@$.#\\n#####")
>>> obs, info = env.reset()
>>> obs, reward, terminated, truncated, info = env.step(ACTIONS.index("Right"))
>>> terminated, round(reward, 2)
(True, 10.9)

Actions are ``Discrete(4)`` in :data:`lmmr1.sokoban.rules.ACTIONS` order (Up, Down, Left, Right).
The observation is the rendered picture (``image_size`` pixels a side, RGB ``uint8``); the level
text is in ``info["level"]`` and ``render_mode="ansi"`` renders it. A step's reward is
``-step_penalty`` plus ``box_on_target`` per box pushed onto a target, minus ``box_off_target`` per
box pushed off, plus ``solved_bonus`` when solved (gym-sokoban's, and the shaped verifier's).
An episode terminates when solved and is truncated after ``max_steps`` actions.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from lmmr1.sokoban.generate import GeneratorConfig, generate_level
from lmmr1.sokoban.render import render_level
from lmmr1.sokoban.rules import ACTIONS, Level, parse_level, step
from lmmr1.sokoban.verifier import SokobanConfig

__all__ = ["SokobanEnv"]


class SokobanEnv(gym.Env):
    """One Sokoban level per episode: ``level`` (fixed text), else a generated one per reset seed."""

    metadata = {"render_modes": ["rgb_array", "ansi"]}

    def __init__(
        self,
        level: str | None = None,
        generator: GeneratorConfig | None = None,
        rewards: SokobanConfig | None = None,
        max_steps: int = 50,
        image_size: int = 112,
        render_mode: str | None = None,
    ) -> None:
        if level is not None and generator is not None:
            raise ValueError("give a fixed level or a generator config, not both")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        self._fixed = parse_level(level) if level is not None else None
        self.generator = generator or GeneratorConfig()
        self.rewards = rewards or SokobanConfig()
        self.max_steps = max_steps
        self.image_size = image_size
        self.render_mode = render_mode
        self.action_space = gym.spaces.Discrete(len(ACTIONS))
        self.observation_space = gym.spaces.Box(0, 255, (image_size, image_size, 3), np.uint8)
        self.level: Level | None = None
        self.steps = 0

    def _obs(self) -> np.ndarray:
        return np.asarray(render_level(self.level, self.image_size), dtype=np.uint8)

    def _info(self) -> dict[str, Any]:
        return {"level": self.level.to_text(), "boxes_on_targets": self.level.boxes_on_targets,
                "steps": self.steps}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if options and "level" in options:
            self.level = parse_level(options["level"])
        elif self._fixed is not None:
            self.level = self._fixed
        else:
            level_seed = seed if seed is not None else int(self.np_random.integers(2**31))
            self.level = parse_level(generate_level(self.generator, level_seed).level)
        self.steps = 0
        return self._obs(), self._info()

    def step(self, action):
        if self.level is None:
            raise RuntimeError("call reset() before step()")
        if not self.action_space.contains(action):
            raise ValueError(f"action must be an int in 0..3 ({', '.join(ACTIONS)}), got {action!r}")
        before = self.level.boxes_on_targets
        self.level = step(self.level, ACTIONS[int(action)]).level
        self.steps += 1
        change = self.level.boxes_on_targets - before
        r = self.rewards
        reward = -r.step_penalty + max(change, 0) * r.box_on_target + min(change, 0) * r.box_off_target
        terminated = self.level.solved
        if terminated:
            reward += r.solved_bonus
        truncated = not terminated and self.steps >= self.max_steps
        return self._obs(), float(reward), terminated, truncated, self._info()

    def render(self):
        if self.level is None or self.render_mode is None:
            return None
        return self._obs() if self.render_mode == "rgb_array" else self.level.to_text()
