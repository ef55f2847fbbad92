"""The <think>…</think><answer>…</answer> format reward.

``strict`` is LMM-R1's rule: the completion is exactly one think block followed by one answer
block, with only whitespace around and between them. ``tags`` gives partial credit like open-r1's
tag-count reward: 0.25 for each of the four tags that appears exactly once, in order, except that
``</answer>`` earns nothing when the answer block is empty. Strict rejects an empty answer too; a
``tags`` reward that paid for one in full made ``<answer></answer>`` a trap for RL: a policy that
stops answering keeps its whole format reward and, once it never samples an answer, never leaves.
"""

from __future__ import annotations

import re
from typing import Literal

from lmmr1.verifiers.verdict import Verdict, judged

FormatStyle = Literal["strict", "tags"]
TAGS = ("<think>", "</think>", "<answer>", "</answer>")

_STRICT = re.compile(r"\s*<think>(?P<think>.*?)</think>\s*<answer>(?P<answer>.*?)</answer>\s*", re.DOTALL)


def check_format(completion: str, style: FormatStyle = "strict") -> Verdict:
    """Score the tag format of ``completion``; never raises for a string input.

    Returns ``format_ok`` (score 1.0), ``format_bad`` (0.0) or, with ``style="tags"``,
    ``format_partial`` (0.25 per correctly used tag).
    """
    if not isinstance(completion, str):
        raise TypeError(f"completion must be str, got {type(completion).__name__}")
    if style == "strict":
        return _strict(completion)
    if style == "tags":
        return _tags(completion)
    raise ValueError(f"style must be 'strict' or 'tags', got {style!r}")


def _strict(completion: str) -> Verdict:
    counts = {tag: completion.count(tag) for tag in TAGS}
    if any(n != 1 for n in counts.values()):
        bad = ", ".join(f"{t}×{n}" for t, n in counts.items() if n != 1)
        return judged(False, "format_bad", None, "format", f"each tag must appear exactly once: {bad}")
    m = _STRICT.fullmatch(completion)
    if m is None:
        return judged(False, "format_bad", None, "format", "text outside or tags out of order")
    if not m.group("answer").strip():
        return judged(False, "format_bad", None, "format", "empty <answer>")
    return judged(True, "format_ok", m.group("answer").strip(), "format")


def _tags(completion: str) -> Verdict:
    positions = []
    score = 0.0
    for tag in TAGS:
        if completion.count(tag) == 1:
            pos = completion.index(tag)
            if not positions or pos > positions[-1]:
                score += 0.25
            positions.append(pos)
    if score == 1.0 and not completion[positions[2] + len("<answer>") : positions[3]].strip():
        return Verdict(False, 0.75, "format_partial", None, "format", "empty <answer>")
    if score == 1.0:
        return Verdict(True, 1.0, "format_ok", None, "format")
    if score == 0.0:
        return Verdict(False, 0.0, "format_bad", None, "format")
    return Verdict(False, score, "format_partial", None, "format", f"{int(score * 4)}/4 tags used correctly")
