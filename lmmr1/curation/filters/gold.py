"""The gold must pass lmmr1's own verifier against itself, with the trainer's verifier config."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lmmr1.curation.filters.base import Decision, Drop, Filter, register
from lmmr1.curation.sources import LETTERS, Example
from lmmr1.verifiers.text import CONTROL

logger = logging.getLogger(__name__)


@register("gold_verifiable")
@dataclass(frozen=True)
class GoldVerifiable(Filter):
    """``verify(template.format(gold), gold)`` must be correct; unparseable golds cannot reward anything.

    Verdicts are cached by (gold, task, options), and whole columns go through ``verify_batch``.
    """

    reasons = ("gold_unparseable", "gold_not_self_consistent")
    in_main = True
    needs_verifier = True
    template: str = "<answer>{gold}</answer>"  # how the gold is dressed as a completion
    workers: int | None = None  # verify_batch workers; None lets the verifier choose
    verifier: Any = None  # a VerifierConfig; set from the config's `verifier:` section

    def prepare(self, examples: Sequence[Example]) -> dict[tuple, Any]:
        """The verdict of every distinct (gold, task, options), in one ``verify_batch``."""
        from lmmr1 import verify_batch

        todo = sorted({k for k in map(self._key, examples) if not CONTROL.search(k[0])}, key=repr)
        if not todo:
            return {}
        logger.info("verifying %d distinct golds against themselves", len(todo))
        verdicts = verify_batch(
            [self.template.format(gold=g) for g, _, _ in todo], [g for g, _, _ in todo], [t for _, t, _ in todo],
            [dict(zip(LETTERS, o, strict=False)) if o else None for _, _, o in todo], self.verifier, self.workers,
        )
        return dict(zip(todo, verdicts, strict=True))

    def check_all(self, examples: Sequence[Example], state: dict[tuple, Any] | None = None) -> list[Decision]:
        verdicts = self.prepare(examples) if state is None else state
        return [self._decide(self._key(ex), verdicts) for ex in examples]

    @staticmethod
    def _key(ex: Example) -> tuple[str, str, tuple[str, ...]]:
        return (ex.gold, ex.task, ex.options if ex.task == "choice" else ())

    @staticmethod
    def _decide(key: tuple, verdicts: dict[tuple, Any]) -> Decision:
        gold = key[0]
        bad = CONTROL.search(gold)
        if bad:  # e.g. "\frac" read as form feed + "rac" when a JSON writer missed an escape
            return Drop("gold_unparseable", f"control character {bad.group()!r} in gold {gold!r} (a lost backslash escape?)")
        verdict = verdicts[key]
        if verdict.correct is None:
            return Drop("gold_unparseable", f"verifier: {verdict.reason} {verdict.detail or ''}".strip())
        if not verdict.correct:
            return Drop("gold_not_self_consistent", f"verifier: {verdict.reason}, extracted {verdict.extracted!r}")
        return None

    def settings(self) -> dict[str, Any]:
        return {"template": self.template}
