"""Exports for the other trainers: verl's RLHFDataset parquet, EasyR1's parquet and OpenRLHF / LMM-R1's message JSONL.

verl: ``data_source``, ``prompt`` (chat messages, one ``<image>`` per image before the text),
``images`` (embedded bytes), ``ability``, ``reward_model`` (``style: rule``, ``ground_truth``) and
``extra_info`` (``index``, ``task``, ``options``: what ``lmmr1.verifiers.verl.compute_score`` reads).
EasyR1 (``verl/utils/dataset.py``, ``examples/config.yaml``: ``data.prompt_key: problem``,
``answer_key: answer``, ``image_key: images``): ``problem`` (one ``<image>`` per image before the
text: EasyR1 splits the prompt on them), ``answer`` (the gold) and, when any row has images,
``images`` (embedded). EasyR1 has no system turn; its ``data.format_prompt`` Jinja file, rendered
with ``content``, carries the system prompt instead (written beside the parquet).
OpenRLHF: ``{"message": "<OpenAI message list as a JSON string>", "answer": "$gold$"}``, with images
as absolute paths, as LMM-R1's ``--input_key message`` and its reward server read it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import datasets

from lmmr1.curation.export import ExportError, user_text
from lmmr1.curation.sources import Schema, SourceInfo, canonical, detect_schema, undecoded_images


def _examples(dataset: datasets.Dataset, schema: Schema | None, source: SourceInfo | None):
    base = source.base_dir if source else None
    schema = schema or detect_schema([c for c in dataset.column_names if not c.startswith("lmmr1_")])
    for i, row in enumerate(undecoded_images(dataset, schema)):
        ex = canonical(row, i, schema, base)
        if ex.error:
            raise ExportError(f"row {i} cannot be exported ({ex.error}); run `curate filter` first to drop such rows")
        yield i, row.get("lmmr1_task") or ex.task, ex


def _image_bytes(ref: Any, i: int) -> dict[str, Any]:
    if isinstance(ref, dict) and ref.get("bytes"):
        return {"bytes": ref["bytes"], "path": None}
    path = ref.get("path") if isinstance(ref, dict) else ref
    if not isinstance(path, str) or not Path(path).is_file():
        raise ExportError(f"row {i}: image {path!r} is not a file; curate the rows first (they keep readable images)")
    return {"bytes": Path(path).read_bytes(), "path": None}


def to_verl(dataset: datasets.Dataset, *, schema: Schema | None = None, source: SourceInfo | None = None,
            system_prompt: str, data_source: str = "lmmr1") -> datasets.Dataset:
    """Rows for verl's ``RLHFDataset`` (``data.prompt_key: prompt``, ``data.image_key: images``)."""
    rows = []
    for i, task, ex in _examples(dataset, schema, source):
        images = [_image_bytes(r, i) for r in ex.images]
        rows.append({
            "data_source": data_source,
            "prompt": [{"role": "system", "content": system_prompt},
                       {"role": "user", "content": "<image>" * len(images) + user_text(ex)}],
            "images": images,
            "ability": "math",
            "reward_model": {"style": "rule", "ground_truth": ex.gold},
            "extra_info": {"index": i, "task": task, "options": list(ex.options) if task == "choice" else []},
        })
    return datasets.Dataset.from_list(rows)


def to_easyr1(dataset: datasets.Dataset, *, schema: Schema | None = None,
              source: SourceInfo | None = None) -> datasets.Dataset:
    """Rows for EasyR1's ``RLHFDataset`` with its default keys; ``images`` only when a row has one."""
    rows = []
    for i, _task, ex in _examples(dataset, schema, source):
        images = [_image_bytes(r, i) for r in ex.images]
        rows.append({"problem": "<image>" * len(images) + user_text(ex), "answer": ex.gold, "images": images})
    if not any(r["images"] for r in rows):  # a text set: EasyR1 then builds plain-text prompts
        return datasets.Dataset.from_list([{k: r[k] for k in ("problem", "answer")} for r in rows])
    features = datasets.Features({"problem": datasets.Value("string"), "answer": datasets.Value("string"),
                                  "images": datasets.List(datasets.Image())})
    return datasets.Dataset.from_list(rows, features=features)


def format_prompt_path(output: str | os.PathLike) -> Path:
    """Where ``--to easyr1`` writes its format prompt: ``NAME.format_prompt.jinja`` beside ``NAME.parquet``."""
    out = Path(output)
    return out.with_name(f"{out.stem}.format_prompt.jinja")


def easyr1_format_prompt(system_prompt: str) -> str:
    """EasyR1's ``data.format_prompt`` template: the system prompt, then the row's prompt (``content``)."""
    if any(tag in system_prompt for tag in ("{{", "{%", "{#")):  # keep Jinja from reading the prompt's braces
        system_prompt = "{% raw %}" + system_prompt + "{% endraw %}"
    return f"{system_prompt}\n\n{{{{ content | trim }}}}\n"


def to_openrlhf(dataset: datasets.Dataset, *, schema: Schema | None = None, source: SourceInfo | None = None,
                system_prompt: str) -> datasets.Dataset:
    """LMM-R1's message rows; the gold in ``$ $`` as its data holds it."""
    rows = []
    for i, task, ex in _examples(dataset, schema, source):
        images = []
        for ref in ex.images:
            path = ref.get("path") if isinstance(ref, dict) else ref
            if not isinstance(path, str):
                raise ExportError(f"row {i}: an embedded image cannot go in OpenRLHF's JSONL; export from image files")
            images.append({"type": "image", "image": path})
        message = [{"role": "system", "content": system_prompt},
                   {"role": "user", "content": [*images, {"type": "text", "text": user_text(ex)}]}]
        gold = ex.gold if ex.gold.startswith("$") else f"${ex.gold}$"
        rows.append({"message": json.dumps(message, ensure_ascii=False), "answer": gold, "task": task})
    return datasets.Dataset.from_list(rows)
