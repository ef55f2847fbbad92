"""``--judge-url``: ask a model (any OpenAI-compatible endpoint, e.g. ``vllm serve``) about the rows rules cannot decide.

Only ``undecided`` rows (``verdict`` ``None``: an unparseable gold, a timeout) are sent; every
rule verdict stands. The judge's answers are kept in ``judge.jsonl`` beside predictions.jsonl
(so a rerun asks only about new rows), and results.json reports the rule accuracy and the
accuracy with the judge side by side.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmmr1.errors import UserError
from lmmr1.evaluate.items import Item

logger = logging.getLogger(__name__)

JUDGE_FILE = "judge.jsonl"
PROMPT = (
    "You grade an answer to a maths question. Reply with one word: yes if the final answer of the response "
    "is equivalent to the reference answer, no otherwise.\n\nQuestion:\n{question}\n\nReference answer: {gold}\n\n"
    "Response (its end):\n{tail}\n\nEquivalent (yes/no)?"
)
TAIL_CHARS = 2000  # the end of a long completion holds its final answer


@dataclass(frozen=True)
class Judge:
    """An OpenAI-compatible chat endpoint: ``url`` is its base (``http://host:8000/v1``)."""

    url: str
    model: str = "default"
    timeout_s: float = 120.0  # seconds per request

    def ask(self, item: Item, completion: str) -> bool | None:
        """True / False from the judge's yes / no; None when it answers anything else."""
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": PROMPT.format(question=item.question, gold=item.gold, tail=completion[-TAIL_CHARS:])}],
            "temperature": 0,
            "max_tokens": 8,
        }
        req = urllib.request.Request(
            self.url.rstrip("/") + "/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                reply = json.loads(resp.read())
        except (urllib.error.URLError, TimeoutError) as exc:
            raise UserError(f"--judge-url {self.url}: the judge did not answer ({exc}); is the server running?") from exc
        text = str(reply["choices"][0]["message"]["content"]).strip().lower()
        word = text.split()[0].strip(".!,") if text else ""
        return {"yes": True, "no": False}.get(word)


def judge_undecided(judge: Judge, folder: Path, items: dict[str, Item], rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Ask ``judge`` about the undecided ``rows`` not asked before; the judge's summary for results.json."""
    path = folder / JUDGE_FILE
    known: dict[tuple[str, int], bool | None] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                known[(r["id"], r["sample"])] = r["judge"]
    undecided = [r for r in rows if r["verdict"] is None]
    with path.open("a", encoding="utf-8") as f:
        for r in undecided:
            key = (r["id"], r["sample"])
            if key not in known:
                known[key] = judge.ask(items[r["id"]], r["completion"])
                f.write(json.dumps({"id": r["id"], "sample": r["sample"], "judge": known[key]}) + "\n")
                f.flush()
    said = [known[(r["id"], r["sample"])] for r in undecided]
    correct = sum(r["verdict"] is True for r in rows) + sum(v is True for v in said)
    logger.info("judge %s: %d undecided rows, %d judged correct", judge.url, len(undecided), sum(v is True for v in said))
    return {
        "url": judge.url,
        "model": judge.model,
        "asked": len(undecided),
        "judged_correct": sum(v is True for v in said),
        "judged_wrong": sum(v is False for v in said),
        "still_undecided": sum(v is None for v in said),
        "accuracy_with_judge": correct / len(rows) if rows else 0.0,
    }
