"""Score a completion that answers a Sokoban level with a whole action sequence at once.

``score_sokoban(completion, level, config, deadline)``: the level (text notation, see
:mod:`lmmr1.sokoban.rules`) is the gold. The last ``<answer>…</answer>`` span holds the actions:
``Left``, ``Right``, ``Up``, ``Down`` in any case, or the standard one-letter moves ``l``, ``r``,
``u``, ``d``, separated by commas and/or whitespace (the whole list may sit in ``[…]``). Any other
word is ``bad_action``. With ``bare_answers`` and no format gate, a completion without a span that
is, tags aside, only a few actions counts too (e.g. one cut off before ``</answer>``). The actions
are played from the start; the episode ends when every box is on a target, as in the gymnasium
environment, so actions after that are not played. ``correct`` is whether the level got solved.

Two rewards (``SokobanConfig.reward``):

* ``"solved"``: 1.0 when solved, else 0.0.
* ``"shaped"``: LMM-R1's environment reward, normalised into [0, 1]. Raw value: the best running
  sum over the played prefixes (at least one action) of the per-action rewards
  ``-step_penalty`` + ``box_on_target`` per box pushed onto a target − ``box_off_target`` per box
  pushed off one + ``solved_bonus`` when the level is solved; plus ``action_bonus`` for an answer of
  1..``max_actions`` actions; minus ``repeat_penalty`` when the answer contains a repeated pattern
  (a block of 2-4 actions, not all equal, repeated ``repeat_times`` times in a row, e.g. ``Left
  Right Left Right Left Right``). A completion that fails the format gate (``format_gate``: strict
  ``<think>…</think><answer>…</answer>``), has no answer, a bad action or more than ``max_actions``
  actions gets the raw ``shaped_floor``. ``score = clip((raw - shaped_floor) / (ceiling -
  shaped_floor), 0, 1)``, where ``ceiling = num_boxes * box_on_target + solved_bonus + action_bonus -
  step_penalty`` bounds every raw value of the level; the raw value is in ``detail``.

Work is bounded without a timer: the answer span is split lazily and at most ``max_actions + 1``
words are read, and at most ``max_actions`` actions are played; ``deadline`` (an absolute
``time.monotonic()``) is checked before playing and every 64 actions.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Literal

from lmmr1.sokoban.rules import Level, LevelError, parse_level, step

__all__ = ["SOKOBAN_REASONS", "SokobanConfig", "SokobanResult", "parse_actions", "score_sokoban"]

#: Every reason :func:`score_sokoban` may give, with its meaning. Codes are stable.
SOKOBAN_REASONS: dict[str, str] = {
    "solved": "the actions leave every box on a target",
    "not_solved": "the actions are valid but do not solve the level",
    "no_answer": "no <answer>…</answer> span, or an empty one, in the completion",
    "bad_action": "the answer holds a word that is not Left/Right/Up/Down (or l/r/u/d)",
    "too_many_actions": "the answer holds more actions than SokobanConfig.max_actions",
    "bad_format": "the shaped reward's format gate: not <think>…</think><answer>…</answer>",
    "level_unparseable": "the gold is not a playable level in Sokoban text notation; nothing is judged",
    "timeout": "the deadline passed before the actions were played; nothing is judged",
}

_WORDS = {"left": "Left", "right": "Right", "up": "Up", "down": "Down", "l": "Left", "r": "Right", "u": "Up", "d": "Down"}
_TOKEN = re.compile(r"[^\s,]+")
_ANSWER_OPEN, _ANSWER_CLOSE = "<answer>", "</answer>"
_TAGS = ("<think>", "</think>", _ANSWER_OPEN, _ANSWER_CLOSE)
_STRICT = re.compile(r"\A\s*<think>.*?</think>\s*<answer>.*?</answer>\s*\Z", re.DOTALL)
_CHECK_EVERY = 64  # actions between deadline checks
_MAX_BARE_WORDS = 8  # a bare answer is short: at most this many words


@dataclass(frozen=True)
class SokobanConfig:
    """How :func:`score_sokoban` scores; the shaped reward's knobs are raw reward units per event."""

    timeout_s: float = 5.0  # seconds; the caller turns it into the deadline
    reward: Literal["solved", "shaped"] = "solved"
    max_actions: int = 50  # actions read and played at most (LMM-R1: 50); more is too_many_actions
    step_penalty: float = 0.1  # subtracted per action played
    box_on_target: float = 1.0  # added per box pushed onto a target
    box_off_target: float = 1.0  # subtracted per box pushed off a target
    solved_bonus: float = 10.0  # added when the last box reaches its target
    action_bonus: float = 0.5  # added for an answer of 1..max_actions actions (shaped only)
    repeat_penalty: float = 1.0  # subtracted once when the answer holds a repeated pattern (shaped only)
    repeat_times: int = 3  # repetitions in a row of a 2-4 action block that make a pattern
    format_gate: bool = True  # shaped only: require strict <think>…</think><answer>…</answer>
    # Without an <answer>…</answer> span, read a completion that is, tags aside, only a few actions
    # (as lmmr1's math extraction reads a short bare answer); never under the format gate
    bare_answers: bool = True
    shaped_floor: float = -2.0  # raw value of a failed answer, and the low end of the normalisation

    def __post_init__(self) -> None:
        if self.reward not in ("solved", "shaped"):
            raise ValueError(f"reward must be 'solved' or 'shaped', got {self.reward!r}")
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0 seconds, got {self.timeout_s!r}")
        if not isinstance(self.max_actions, int) or self.max_actions < 1:
            raise ValueError(f"max_actions must be an int >= 1 (LMM-R1 uses 50), got {self.max_actions!r}")
        for name in ("step_penalty", "box_on_target", "box_off_target", "solved_bonus", "action_bonus", "repeat_penalty"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0 (it is a magnitude; its sign is fixed), got {getattr(self, name)!r}")
        if self.repeat_times < 2:
            raise ValueError(f"repeat_times must be >= 2 (repetitions in a row), got {self.repeat_times!r}")
        if self.shaped_floor >= -self.step_penalty:
            raise ValueError(
                f"shaped_floor={self.shaped_floor} must be below -step_penalty ({-self.step_penalty}), so that a "
                "failed answer scores below any played one; use e.g. -2.0"
            )


@dataclass(frozen=True)
class SokobanResult:
    """What :func:`score_sokoban` concluded. ``correct`` is None when nothing could be judged."""

    correct: bool | None
    score: float
    reason: str
    extracted: str | None = None  # the parsed actions, comma-separated, e.g. "Left, Up"
    detail: str | None = None


class _ActionError(ValueError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _answer_span(completion: str) -> str | None:
    end = completion.rfind(_ANSWER_CLOSE)
    start = completion.rfind(_ANSWER_OPEN, 0, end) if end >= 0 else -1
    if start < 0:
        return None
    span = completion[start + len(_ANSWER_OPEN) : end].strip()
    return _unbracket(span)


def _bare_answer(completion: str) -> str | None:
    """Without an answer span: the completion's text with the tags taken out, when it is short."""
    text = completion
    for tag in _TAGS:
        text = text.replace(tag, " ")
    text = text.strip()
    if len(text) > 16 * _MAX_BARE_WORDS:  # long prose: not a bare answer
        return None
    return _unbracket(text)


def _unbracket(span: str) -> str | None:
    if span.startswith("[") and span.endswith("]"):
        span = span[1:-1].strip()
    return span or None


def parse_actions(answer: str, max_actions: int = 50) -> list[str]:
    """The actions in an answer span; raises ValueError with ``.reason`` bad_action/too_many_actions.

    Reads at most ``max_actions + 1`` words, so a huge span costs no more than a short one.
    """
    actions: list[str] = []
    for match in _TOKEN.finditer(answer):
        word = match.group()
        action = _WORDS.get(word.lower())
        if action is None:
            raise _ActionError("bad_action", f"{word[:40]!r} is not an action; use Left, Right, Up or Down")
        if len(actions) == max_actions:
            raise _ActionError("too_many_actions", f"more than max_actions={max_actions} actions")
        actions.append(action)
    return actions


def _has_repeat(actions: list[str], times: int) -> bool:
    n = len(actions)
    for size in (2, 3, 4):
        for start in range(n - size * times + 1):
            block = actions[start : start + size]
            if len(set(block)) > 1 and all(
                actions[start + k * size : start + (k + 1) * size] == block for k in range(1, times)
            ):
                return True
    return False


def _ceiling(level: Level, config: SokobanConfig) -> float:
    return len(level.boxes) * config.box_on_target + config.solved_bonus + config.action_bonus - config.step_penalty


def _normalise(raw: float, level: Level, config: SokobanConfig) -> float:
    low, high = config.shaped_floor, _ceiling(level, config)
    return min(1.0, max(0.0, (raw - low) / (high - low)))


def score_sokoban(completion: str, level: str, config: SokobanConfig, deadline: float) -> SokobanResult:
    """Score ``completion`` on ``level`` (text notation) by ``config``; see the module docstring."""
    try:
        start = parse_level(level)
    except LevelError as exc:
        return SokobanResult(None, 0.0, "level_unparseable", None, str(exc))
    shaped = config.reward == "shaped"

    def failed(reason: str, extracted: str | None = None, detail: str | None = None) -> SokobanResult:
        if shaped:
            detail = f"{detail + '; ' if detail else ''}raw={config.shaped_floor:g}"
        return SokobanResult(False, 0.0, reason, extracted, detail)

    span = _answer_span(completion)
    gated = shaped and config.format_gate
    if span is None and config.bare_answers and not gated:
        span = _bare_answer(completion)
        if span is not None:
            try:
                parse_actions(span, min(config.max_actions, _MAX_BARE_WORDS))
            except _ActionError:
                span = None  # a bare text that is not all actions is no answer, not a bad one
    if span is None:
        return failed("no_answer")
    if gated and not _STRICT.match(completion):
        return failed("bad_format", span[:80])
    try:
        actions = parse_actions(span, config.max_actions)
    except _ActionError as exc:
        return failed(exc.reason, span[:80], exc.detail)
    if not actions:
        return failed("no_answer")
    if time.monotonic() > deadline:
        return SokobanResult(None, 0.0, "timeout", None, "deadline passed before playing")

    state, running, best, played = start, 0.0, float("-inf"), 0
    for i, action in enumerate(actions):
        if i and i % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            return SokobanResult(None, 0.0, "timeout", None, f"deadline passed after {i} actions")
        before = state.boxes_on_targets
        state = step(state, action).level
        played += 1
        change = state.boxes_on_targets - before
        running += -config.step_penalty + max(change, 0) * config.box_on_target + min(change, 0) * config.box_off_target
        if state.solved:
            running += config.solved_bonus
        best = max(best, running)
        if state.solved:
            break
    solved = state.solved
    extracted = ", ".join(actions)
    reason = "solved" if solved else "not_solved"
    progress = f"played {played} of {len(actions)} actions, {state.boxes_on_targets}/{len(state.boxes)} boxes on targets"
    if not shaped:
        return SokobanResult(solved, 1.0 if solved else 0.0, reason, extracted, progress)
    raw = best + config.action_bonus
    repeated = _has_repeat(actions, config.repeat_times)
    if repeated:
        raw -= config.repeat_penalty
    detail = f"{progress}; raw={raw:.4g}{' (repeated pattern)' if repeated else ''}"
    return SokobanResult(solved, _normalise(raw, start, config), reason, extracted, detail)
