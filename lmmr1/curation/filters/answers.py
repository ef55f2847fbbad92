"""Filters on the gold answer's shape: empty, sentinel, proof, multi-part, free text, yes/no."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lmmr1.curation.answer_types import DEFAULT_SENTINELS, classify
from lmmr1.curation.filters.base import Decision, Drop, Filter, register
from lmmr1.curation.sources import Example


@register("malformed_row")
@dataclass(frozen=True)
class MalformedRow(Filter):
    """Rows whose columns have the wrong types or cannot be parsed (the reason, not a crash)."""

    def check(self, ex: Example) -> Decision:
        return Drop("malformed_row", ex.error) if ex.error else None


@register("empty_gold")
@dataclass(frozen=True)
class EmptyGold(Filter):
    def check(self, ex: Example) -> Decision:
        return Drop("empty_gold") if not ex.gold.strip() else None


@register("sentinel_gold")
@dataclass(frozen=True)
class SentinelGold(Filter):
    """Golds that are placeholders for "no answer" (proof, notfound, N/A, ...)."""

    sentinels: tuple[str, ...] = DEFAULT_SENTINELS

    def check(self, ex: Example) -> Decision:
        if classify(ex.gold, ex.options, self.sentinels) == "sentinel":
            return Drop("sentinel_gold", f"gold is {ex.gold!r}")
        return None


def _typed(answer_type: str, reason: str):
    @dataclass(frozen=True)
    class _ByType(Filter):
        def check(self, ex: Example) -> Decision:
            if classify(ex.gold, ex.options) == answer_type:
                return Drop(reason, f"gold {ex.gold[:80]!r} is classified {answer_type}")
            return None

    return _ByType


@register("proof")
class Proof(_typed("proof", "proof")):
    """Golds that are proofs: no rule can check them."""


@register("multi_part")
class MultiPart(_typed("multi_part", "multi_part")):
    """Golds with several labelled parts ((a) ... (b) ...): one reward cannot grade them."""


@register("free_text_answer")
@dataclass(frozen=True)
class FreeTextAnswer(Filter):
    """Golds that are phrases or sentences rather than values.

    One-word answers (``\\text{Evelyn}``, ``east``) are kept: they name one of a few candidates the
    question lists, and the verifier matches them exactly.
    """

    max_words: int = 1  # text golds of up to this many words are kept

    def check(self, ex: Example) -> Decision:
        if classify(ex.gold, ex.options) != "text":
            return None
        words = len(re.sub(r"\\[A-Za-z]+|[{}$]", " ", ex.gold).split())
        if words > self.max_words:
            return Drop("free_text_answer", f"gold {ex.gold[:80]!r} is {words} words of text")
        return None


@register("yes_no")
class YesNo(_typed("yes_no", "yes_no")):
    """Yes/no golds: a coin flip is right half the time (off by default)."""
