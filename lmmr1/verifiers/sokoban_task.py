"""The ``sokoban`` task: the gold is a level in Sokoban text notation; the completion's actions are
played on it by :func:`lmmr1.sokoban.score_sokoban` (solved/not solved, or the shaped reward)."""

from __future__ import annotations

from lmmr1.sokoban.verifier import score_sokoban
from lmmr1.verifiers.extract import Extraction
from lmmr1.verifiers.tasks import Context, register
from lmmr1.verifiers.verdict import Verdict


@register("sokoban", raw_completion=True)
def _sokoban_task(level: str, extraction: Extraction, options: dict[str, str], ctx: Context) -> Verdict:
    assert extraction.text is not None
    r = score_sokoban(extraction.text, level, ctx.config.sokoban, ctx.deadline)
    return Verdict(r.correct, r.score, r.reason, r.extracted, "sokoban", r.detail)
