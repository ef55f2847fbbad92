"""Stage 1 of verification: find the answer a completion commits to.

Rules, in order:
1. If the completion has closed ``<answer>…</answer>`` spans, only the last one is judged; a
   ``\\boxed{}`` inside ``<think>`` never overrides it. Inside the span: ``\\boxed{}``, then the
   "answer is" anchors, then ``$…$``, then the bare text.
2. Without tags: the last ``\\boxed{}``, then "final answer is" / "Answer:" anchors, then a short
   bare completion taken whole, then the last ``$…$`` / ``\\[…\\]``, then the last number of the
   final sentence (for multiple choice: the final sentence, where the letter is looked for).
Text after a chat-template token that opens a new turn (``<|im_start|>``, ``<|endoftext|>``) is
not the model's answer and is cut off first.
Several different boxed answers side by side (``\\boxed{2} or \\boxed{3}``) are a hedge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BARE_CHARS = 60  # a completion without tags, boxes or anchors is taken whole only if this short

_ANSWER_SPAN = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_BOX_START = re.compile(r"\\(?:boxed|fbox)\s*")
_ANCHOR = re.compile(
    r"(?:final\s+answer\s*(?:is|:)|the\s+answer\s+is|answer\s*:|answer\s+is|^\s*A:|^####)\s*:?\s*",
    re.IGNORECASE | re.MULTILINE,
)
_TURN_END = re.compile(r"<\|(?:im_start|im_end|endoftext|eot_id|end_of_text)\|>")
_LAST_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?")
TRUNCATED_MIN_CHARS = 200  # shorter texts ending in a word are answers ("… 1,000.99 dollars"), not cut-offs
MAX_TAIL_CHARS = 300  # the "final sentence" searched by the last-resort fallbacks
# $$…$$, $…$ (an escaped \$ inside is a dollar sign, not a delimiter), \(…\), \[…\]
_INLINE_MATH = re.compile(
    r"\$\$(.+?)\$\$|(?<!\\)\$((?:\\\$|[^$])+?)(?<!\\)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL
)
# What may stand between boxes that list several answers: "\boxed{2} or \boxed{3}", "\boxed{1}, \boxed{2}".
_HEDGE_GAP = re.compile(
    r"^(?:\s|,|;|/|\bor\b|\band\b|\\quad|\\qquad|\\lor|\\text\{\s*(?:or|and)\s*\}|\$)*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Extraction:
    """The answer text a completion commits to (``None`` if none) and whether it hedges."""

    text: str | None
    source: str  # "answer_tag" | "boxed" | "anchor" | "math" | "bare" | "none"
    hedged: bool = False
    alternatives: tuple[str, ...] = ()


def find_boxed(text: str) -> list[tuple[int, int, str]]:
    """Every ``\\boxed{…}`` / ``\\fbox{…}`` (braces balanced) or ``\\boxed x`` as (start, end, content)."""
    found = []
    for m in _BOX_START.finditer(text):
        i = m.end()
        if i < len(text) and text[i] == "{":
            depth, j = 0, i
            while j < len(text):
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if depth != 0:
                continue  # unbalanced: truncated completion
            found.append((m.start(), j + 1, text[i + 1 : j]))
        else:
            w = re.match(r"[^\s$]+", text[i:])
            if w and m.group(0).endswith(" "):
                found.append((m.start(), i + w.end(), w.group(0)))
    return found


def _from_boxes(text: str) -> Extraction | None:
    boxes = find_boxed(text)
    if not boxes:
        return None
    last_start, _, last = boxes[-1]
    alternatives = [last.strip()]
    # Walk back over boxes joined by a mere "or" / "," (a hedge); a box far earlier is working.
    for start, end, content in reversed(boxes[:-1]):
        gap = text[end:last_start]
        if not _HEDGE_GAP.match(gap):
            break
        alternatives.append(content.strip())
        last_start = start
    distinct = tuple(dict.fromkeys(a for a in reversed(alternatives) if a))
    if len(distinct) > 1:
        return Extraction(last.strip(), "boxed", hedged=True, alternatives=distinct)
    return Extraction(last.strip() or None, "boxed")


def _from_anchor(text: str) -> Extraction | None:
    matches = list(_ANCHOR.finditer(text))
    if not matches:
        return None
    rest = text[matches[-1].end() :].strip()
    rest = rest.split("\n\n", 1)[0].strip()
    # Stop at the end of the sentence, but not at a decimal point or inside $…$.
    m = re.match(r"((?:\$(?:\\\$|[^$])*\$|\\\$|[^.$]|\.(?=\d))*)", rest)
    candidate = (m.group(1) if m else rest).strip()
    candidate = candidate.rstrip(".;,").strip()
    return Extraction(candidate or None, "anchor") if candidate else None


def _from_inline_math(text: str) -> Extraction | None:
    segments = [next(g for g in m.groups() if g is not None).strip() for m in _INLINE_MATH.finditer(text)]
    segments = [s for s in segments if s]
    if not segments:
        return None
    if len(segments) > 1 and re.search(r"\bor\b", _INLINE_MATH.sub(" ", text), re.IGNORECASE):
        distinct = tuple(dict.fromkeys(segments))
        if len(distinct) > 1:
            return Extraction(segments[-1], "math", hedged=True, alternatives=distinct)
    return Extraction(segments[-1], "math")


def _within(span: str) -> Extraction:
    for finder in (_from_boxes, _from_anchor, _from_inline_math):
        found = finder(span)
        if found is not None:
            return found
    bare = span.strip()
    return Extraction(bare or None, "answer_tag" if bare else "none")


def _sentences(text: str) -> list[str]:
    tail = text.strip()[-2 * MAX_TAIL_CHARS :]
    return [p.strip() for p in re.split(r"\n+|(?<=[.!?])\s+(?=[A-Z])", tail) if p.strip()]


def _answer_in_sentence(sentence: str) -> str | None:
    """``The volume of $ABCDEFGH$ is 120.`` → ``120``: what follows the last "is"/"=", else the last
    math or number of the sentence."""
    sentence = sentence.strip().rstrip(".;,!").strip()
    if sentence.count("$") % 2:  # a split cut a $…$ in two: drop the orphan delimiter
        sentence = sentence.replace("$", " ").strip()
    if len(sentence.split()) <= 3:
        inner = _from_inline_math(sentence)
        return inner.text if inner is not None and not inner.hedged else sentence
    pieces = re.split(r"\b(?:is|are|was|equals|be)\b|(?<![<>!])=(?!=)", sentence)
    if len(pieces) > 1:
        found = _answer_in_sentence(pieces[-1]) if pieces[-1].strip() else None
        if found and re.search(r"\d|\\", found):
            words = re.sub(r"\\[a-zA-Z]+", "", found)
            numbers = _LAST_NUMBER.findall(found)
            if re.search(r"[a-zA-Z]{2,}", words) and numbers and "$" not in pieces[-1]:
                return numbers[0].rstrip(",")  # "there are 12 distinct sequences" → 12
            return found
    inner = _from_inline_math(sentence)
    if inner is not None and not inner.hedged:
        return inner.text
    numbers = _LAST_NUMBER.findall(sentence)
    return numbers[-1].rstrip(",") if numbers else None


def extract_answer(completion: str, *, choice: bool = False) -> Extraction:
    """The answer ``completion`` commits to; ``text=None`` when there is none.

    ``choice=True`` ends with the final sentence instead of its last number, so that the choice
    verifier can look for the letter in it ("… therefore I think it's B").
    """
    turn_end = _TURN_END.search(completion)
    if turn_end:
        completion = completion[: turn_end.start()]
    spans = _ANSWER_SPAN.findall(completion)
    if spans:
        found = _within(spans[-1])
        if found.source in ("math", "anchor", "boxed"):
            return found
        return Extraction(found.text, "answer_tag" if found.text else "none", found.hedged, found.alternatives)
    boxed = _from_boxes(completion)
    if boxed is not None:
        return boxed
    anchored = _from_anchor(completion)
    if anchored is not None and anchored.text:
        if choice:
            return anchored
        inner = _from_inline_math(anchored.text)
        if inner is not None and inner.hedged:
            return Extraction(inner.text, "anchor", True, inner.alternatives)
        answer = _answer_in_sentence(anchored.text)  # "The answer is $5$." → 5
        return Extraction(answer or anchored.text, "anchor")
    bare = completion.strip()
    if bare and len(bare) <= MAX_BARE_CHARS and "\n" not in bare and "<think>" not in bare:
        if len(bare.split()) <= 3 or choice:
            inner = _from_inline_math(bare)
            if inner is not None and inner.hedged:
                return Extraction(inner.text, "math", True, inner.alternatives)
            # "16 $\pi$" is 16π: drop the delimiters, keep everything
            return Extraction(_INLINE_MATH.sub(lambda m: next(g for g in m.groups() if g is not None), bare), "bare")
    if re.search(r"(?:\$|\\\]|\\\))\W{0,3}$", bare):  # ends with a math segment: "… is $(7, 6)$."
        last = _from_inline_math(completion)
        if last is not None and not last.hedged and not choice:
            return Extraction(last.text, "last_math")
    sentences = _sentences(completion)
    if choice:
        return Extraction(sentences[-1], "last_sentence") if sentences else Extraction(None, "none")
    if sentences and len(completion) > TRUNCATED_MIN_CHARS and re.search(r"[a-z]$", sentences[-1]):
        return Extraction(None, "none")  # a long text cut off mid-word ("Let me dou"): no final answer
    for sentence in reversed(sentences[-2:]):  # the last, or the one before "I hope it is correct."
        if re.search(r"\d|\$", sentence):
            answer = _answer_in_sentence(sentence)
            if answer:
                return Extraction(answer, "last_sentence")
    return Extraction(None, "none")
