"""Write the trainer's input: conversational ``prompt``, ``image``/``images``, ``solution``, ``task``, ``options``."""

from __future__ import annotations

import re
from typing import Any

import datasets

from lmmr1.curation.sources import (
    LETTERS,
    Example,
    Schema,
    SourceInfo,
    canonical,
    detect_schema,
    undecoded_images,
)
from lmmr1.errors import UserError
from lmmr1.prompts import SYSTEM_PROMPT

_PLACEHOLDER = re.compile(r"\s*<image\d*>\s*")
ID_COLUMNS = ("id", "pid", "unique_id", "geometry3k_id")


class ExportError(UserError, ValueError):
    """A row cannot be written in the trainer's format; curate it first."""


def user_text(ex: Example) -> str:
    """The question without ``<image1>`` placeholders, with text options listed as ``(A) ...``."""
    text = _PLACEHOLDER.sub(" ", ex.question).strip()
    if ex.task == "choice" and ex.options and not re.search(r"\(A\)|\bA[.:)]\s", text):
        text += "\nChoices:\n" + "\n".join(f"({LETTERS[i]}) {o}" for i, o in enumerate(ex.options))
    return text


def to_trl(
    dataset: datasets.Dataset,
    *,
    schema: Schema | None = None,
    source: SourceInfo | None = None,
    system_prompt: str = SYSTEM_PROMPT,
    image_feature: bool = True,
) -> datasets.Dataset:
    """Convert a (curated) dataset to TRL's conversational format for GRPO.

    Multimodal rows get one ``{"type": "image"}`` content part per image before the text; the images
    go in ``image`` (one per row) or ``images`` (a list, when any row has several). With
    ``image_feature=False`` images stay paths (for JSON Lines). ``task`` comes from the curated
    ``lmmr1_task`` column when present.
    """
    base = source.base_dir if source else None
    schema = schema or detect_schema([c for c in dataset.column_names if not c.startswith("lmmr1_")])
    work = undecoded_images(dataset, schema)
    rows: list[dict[str, Any]] = []
    ids = next((c for c in ID_COLUMNS if c in dataset.column_names), None)
    for i, row in enumerate(work):
        ex = canonical(row, i, schema, base)
        if ex.error:
            raise ExportError(f"row {i} cannot be exported ({ex.error}); run `curate filter` first to drop such rows")
        task = row.get("lmmr1_task") or ex.task
        images = [_image_value(r, image_feature) for r in ex.images]
        user = [{"type": "image", "text": None} for _ in images] + [{"type": "text", "text": user_text(ex)}]
        rows.append({
            **({"id": str(row[ids])} if ids else {}),
            "prompt": [
                {"role": "system", "content": [{"type": "text", "text": system_prompt}]},
                {"role": "user", "content": user},
            ],
            "images": images,
            "solution": ex.gold,
            "task": task,
            "options": list(ex.options) if task == "choice" else [],
        })
    multi = any(len(r["images"]) > 1 for r in rows)
    any_image = any(r["images"] for r in rows)
    for r in rows:
        imgs = r.pop("images")
        if any_image:
            if multi:
                r["images"] = imgs
            else:
                r["image"] = imgs[0] if imgs else None
    out = datasets.Dataset.from_list(rows)
    if any_image and image_feature:
        feat = datasets.Image()
        out = out.cast_column("images", datasets.Sequence(feat)) if multi else out.cast_column("image", feat)
    return out


def _image_value(ref: Any, as_feature: bool) -> Any:
    if isinstance(ref, dict):
        return ref if as_feature else ref.get("path")
    if isinstance(ref, (bytes, bytearray)):
        return {"bytes": bytes(ref), "path": None} if as_feature else None
    if isinstance(ref, str):
        return {"bytes": None, "path": ref} if as_feature else ref
    return ref  # PIL images: the Image feature encodes them
