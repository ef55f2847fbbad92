"""One benchmark item as every backend and the scorer see it, and the checks on its images."""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lmmr1.errors import UserError
from lmmr1.verifiers import VerifierConfig

logger = logging.getLogger(__name__)

LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class Item:
    """A question, its images and how to verify an answer to it.

    ``question`` is the user text exactly as the model sees it (the benchmark's prompt builder made
    it); ``images`` are PIL images or paths, shown before the text; ``gold``/``task``/``options`` go to
    ``lmmr1.verify_batch`` unchanged. ``config`` is a per-item verifier config (OlympiadBench's
    per-item precision); ``None`` means the benchmark's.
    """

    id: str
    question: str
    gold: str
    task: str = "auto"
    options: Mapping[str, str] | None = None
    images: tuple[Any, ...] = ()
    config: VerifierConfig | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


class MissingImagesError(UserError):
    """Some items' image files are not on disk."""


def lettered(options: Sequence[Any]) -> dict[str, str]:
    """``["3", "4"]`` -> ``{"A": "3", "B": "4"}``."""
    if len(options) > len(LETTERS):
        raise ValueError(f"{len(options)} options are more than the {len(LETTERS)} letters A-Z")
    return {LETTERS[i]: str(o) for i, o in enumerate(options)}


def choices_block(options: Mapping[str, str]) -> str:
    """Options as the trainer's prompts list them (``lmmr1.curation.export.user_text``)."""
    return "Choices:\n" + "\n".join(f"({k}) {v}" for k, v in options.items())


def missing_images(item: Item) -> list[str]:
    return [str(p) for p in item.images if isinstance(p, (str, Path)) and not Path(p).is_file()]


def check_images(benchmark: str, items: Sequence[Item], skip_missing: bool) -> tuple[list[Item], int]:
    """The items whose images exist, and how many were skipped; an error if any is missing and not skipping.

    A benchmark with its images absent must never score 0 silently: it fails and says which files
    are missing, or, with ``skip_missing``, leaves those rows out and counts them.
    """
    kept: list[Item] = []
    missing: list[str] = []
    skipped = 0
    for item in items:
        gone = missing_images(item)
        if gone:
            missing += gone
            skipped += 1
        else:
            kept.append(item)
    if missing and not skip_missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise MissingImagesError(
            f"{benchmark}: {skipped} of {len(items)} items have missing image files ({shown}); "
            "put the images there (e.g. download the benchmark's image archive into the --data-dir folder) "
            "or pass --skip-missing-images to leave those items out (they are counted in results.json)"
        )
    if skipped:
        logger.warning("%s: skipped %d of %d items whose images are missing", benchmark, skipped, len(items))
    return kept, skipped
