"""Load a dataset from a file, a ``save_to_disk`` folder or the Hub, and detect its schema.

A :class:`Schema` names the question, answer, image and options columns; :func:`detect_schema`
recognises LMM-R1's message JSONL, Geometry3K (original and FormalGeo), MathVista, MATH-V and plain
``problem``/``answer`` text sets. :func:`canonical` turns one raw row into an :class:`Example`, the
only thing filters see.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import datasets

from lmmr1.curation.files import FORMATS, file_kind, resolve_image_path
from lmmr1.curation.readers import detect_license, read_files
from lmmr1.errors import UserError
from lmmr1.sokoban.data import curation_hint as sokoban_hint
from lmmr1.verifiers.text import LETTERS, find_boxed

logger = logging.getLogger(__name__)

SchemaName = Literal["lmmr1_message", "geometry3k", "formalgeo", "mathvista", "mathv", "plain", "custom"]
OptionsKind = Literal["none", "list", "mathvista"]


class SourceError(UserError, ValueError):
    """The source cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class Schema:
    """Which columns hold what; ``None`` means the dataset has no such column."""

    name: SchemaName
    question_col: str
    answer_col: str
    image_col: str | None = None
    options_col: str | None = None
    options_kind: OptionsKind = "none"
    default_task: Literal["math", "geometry"] = "math"


@dataclass(frozen=True)
class SourceInfo:
    """Where a dataset came from: enough to resolve relative image paths and to write a card."""

    source: str
    kind: Literal["file", "folder", "hub", "memory"]
    split: str = "train"
    base_dir: str | None = None  # relative image paths resolve against this folder
    revision: str | None = None
    files: tuple[str, ...] = ()
    license: str | None = None  # SPDX id the source states (Hub card, README header, LICENSE text)
    bad_lines: tuple[str, ...] = ()  # "file:line: why" for lines skipped by --skip-bad-lines


@dataclass(frozen=True)
class Example:
    """One row as the filters see it; ``error`` is set when the row could not be read."""

    index: int
    question: str = ""
    gold: str = ""
    raw_gold: Any = None
    options: tuple[str, ...] = ()
    images: tuple[Any, ...] = ()  # paths (absolute), bytes, dicts {"bytes","path"} or PIL images
    expects_image: bool = False
    task: str = "math"
    pass_rate: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    image_keys: tuple[str, ...] = ()  # content hashes of the images, filled by the pipeline
    phashes: tuple[str, ...] = ()  # perceptual hashes (hex), filled by the pipeline when needed


# ---------------------------------------------------------------- loading
def load_source(source: str | os.PathLike, split: str = "train", *, skip_bad_lines: bool = False,
                text_columns: tuple[str, ...] = ()) -> tuple[datasets.Dataset, SourceInfo]:
    """Read ``source`` (file, ``save_to_disk`` folder or Hub id) into a :class:`datasets.Dataset`.

    Files are read by :mod:`lmmr1.curation.readers`: golds keep the text the file holds, and a bad
    JSON line is an error naming it unless ``skip_bad_lines`` (then it is counted in ``bad_lines``).
    """
    text = str(source)
    path = Path(text)
    if path.is_dir():
        if (path / "dataset_info.json").is_file() or (path / "state.json").is_file():
            ds = datasets.load_from_disk(str(path))
            if isinstance(ds, datasets.DatasetDict):
                if split not in ds:
                    raise SourceError(f"{path} has splits {sorted(ds)}, not {split!r}; pass --split with one of them")
                ds = ds[split]
            if len(ds) == 0:
                raise SourceError(f"{path} is empty: its {split!r} split holds no rows")
            return ds, SourceInfo(text, "folder", split, str(path.resolve()),
                                  license=detect_license(path) or _info_license(ds))
        files = sorted(p for p in path.iterdir() if file_kind(p))
        if not files:
            raise SourceError(f"{path} is a folder with no save_to_disk data and no {'/'.join(FORMATS)} files")
        return _load_files(files, split, skip_bad_lines, text_columns, text)
    if file_kind(path):
        if path.is_dir() or not path.exists():
            raise SourceError(f"data file {path} does not exist; check the path (relative to {Path.cwd()})")
        return _load_files([path], split, skip_bad_lines, text_columns, text)
    if re.fullmatch(r"[\w.-]+(/[\w.-]+)?", text) and not path.exists():
        return _load_hub(text, split)
    raise SourceError(
        f"cannot read {text!r}: give a {'/'.join(FORMATS)} file, a save_to_disk folder, or a Hub id"
    )


def _load_files(files: list[Path], split: str, skip_bad_lines: bool, text_columns: tuple[str, ...],
                named: str) -> tuple[datasets.Dataset, SourceInfo]:
    kinds = {file_kind(p) for p in files}
    if len(kinds) > 1:
        raise SourceError(f"mixed file types {sorted(kinds)} in {[str(p) for p in files]}; curate one type at a time")
    folder = files[0].resolve().parent
    ds, bad = read_files(files, kinds.pop(), skip_bad_lines=skip_bad_lines, text_columns=text_columns)
    for line in bad:
        logger.warning("skipped %s", line)
    info = SourceInfo(named, "file", split, str(folder), files=tuple(str(p.resolve()) for p in files),
                      license=detect_license(folder), bad_lines=tuple(bad))
    return ds, info


def _info_license(ds: datasets.Dataset) -> str | None:
    lic = getattr(ds.info, "license", None)
    return lic.strip().lower() if isinstance(lic, str) and re.fullmatch(r"[\w.+-]+", lic.strip()) else None


def _load_hub(repo_id: str, split: str) -> tuple[datasets.Dataset, SourceInfo]:
    from huggingface_hub import HfApi, constants

    if constants.HF_HUB_OFFLINE:
        raise SourceError(
            f"{repo_id!r} looks like a Hub dataset id, but HF_HUB_OFFLINE is set so the Hub is unreachable; "
            "download it where the Hub is reachable (datasets.load_dataset(...).save_to_disk(DIR)) and pass DIR"
        )
    try:
        info = HfApi().dataset_info(repo_id, timeout=10)
    except Exception as exc:  # network errors come from httpx/requests; any of them means: unreachable
        raise SourceError(
            f"{repo_id!r} looks like a Hub dataset id, but the Hub is unreachable or has no such dataset "
            f"({type(exc).__name__}: {exc}); pass a local file or a save_to_disk folder instead"
        ) from exc
    ds = datasets.load_dataset(repo_id, split=split, revision=info.sha)
    card = getattr(info, "card_data", None)
    lic = getattr(card, "license", None) if card is not None else None
    return ds, SourceInfo(repo_id, "hub", split, None, revision=info.sha,
                          license=lic if isinstance(lic, str) else None)


# ---------------------------------------------------------------- schema
def detect_schema(columns: list[str] | tuple[str, ...], overrides: dict[str, str | None] | None = None) -> Schema:
    """Guess the schema from column names; ``overrides`` (question_col, ...) win over the guess."""
    cols = set(columns)
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    if (hint := sokoban_hint(cols)) is not None:  # levels as golds: lmmr1.sokoban's tools, not these filters
        raise SourceError(hint)
    if "message" in cols and "answer" in cols:
        schema = Schema("lmmr1_message", "message", "answer")
    elif "problem_text_en" in cols and "answer" in cols:
        schema = Schema("formalgeo", "problem_text_en", "answer", _first(cols, "image", "images"),
                        default_task="geometry")
    elif {"question", "choices", "answer"} <= cols and ({"precision", "unit"} & cols or "question_type" in cols):
        schema = Schema("mathvista", "question", "answer", _first(cols, "image", "decoded_image"), "choices", "mathvista")
    elif {"question", "options", "answer"} <= cols:
        schema = Schema("mathv", "question", "answer", _first(cols, "image", "images", "decoded_image"), "options", "list")
    elif {"problem", "answer"} <= cols and ({"choices", "images", "image"} & cols):
        schema = Schema("geometry3k", "problem", "answer", _first(cols, "images", "image"),
                        _first(cols, "choices"), "list" if "choices" in cols else "none", "geometry")
    elif "answer" in cols and ({"problem", "question"} & cols):
        options = _first(cols, "options", "choices")
        schema = Schema("plain", _first(cols, "problem", "question") or "problem", "answer",
                        _first(cols, "images", "image"), options, "list" if options else "none")
    elif overrides.get("question_col") and overrides.get("answer_col"):
        schema = Schema("custom", overrides["question_col"], overrides["answer_col"])
    else:
        raise SourceError(
            f"cannot recognise the schema of columns {sorted(cols)}; name them with "
            "--question-col and --answer-col (and --image-col / --options-col if present)"
        )
    if overrides:
        if "options_col" in overrides and schema.options_kind == "none":
            overrides["options_kind"] = "list"
        schema = replace(schema, **overrides)
        if schema.name != "custom":
            schema = replace(schema, name=schema.name)
    for col in (schema.question_col, schema.answer_col, schema.image_col, schema.options_col):
        if col is not None and col not in cols:
            raise SourceError(f"column {col!r} is not in the dataset; it has {sorted(cols)}")
    return schema


def _first(cols: set[str], *names: str) -> str | None:
    return next((n for n in names if n in cols), None)


# ---------------------------------------------------------------- rows
def clean_gold(raw: Any) -> str:
    """The gold as a string: ``$\\boxed{60}$`` -> ``60``; GSM8K's ``... #### 18`` -> ``18``."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip(" \t\r\n")  # not str.strip(): a stray \x0c (from "\frac") must stay visible
    if "####" in text:
        text = text.rsplit("####", 1)[1].strip()
    for _ in range(2):
        if len(text) >= 2 and text.startswith("$") and text.endswith("$"):
            text = text.strip("$").strip()
        boxes = find_boxed(text) if text.startswith(("\\boxed", "$\\boxed")) else []
        if boxes and boxes[0][0] <= 1:
            text = boxes[0][2].strip()
    return text


def parse_messages(value: Any) -> tuple[str, list[Any]]:
    """LMM-R1's ``message``: a (stringified) chat list; returns user text and image references."""
    msgs = value
    if isinstance(value, str):
        try:
            msgs = json.loads(value)
        except json.JSONDecodeError:
            msgs = ast.literal_eval(value)  # LMM-R1 writes Python reprs with single quotes
    if isinstance(msgs, dict):
        msgs = [msgs]
    texts, images = [], []
    for msg in msgs:
        if msg.get("role", "user") != "user":
            continue
        content = msg.get("content")
        if isinstance(content, str):
            texts.append(content)
            continue
        for item in content or []:
            kind = item.get("type")
            if kind == "text":
                texts.append(item.get("text") or "")
            elif kind == "image":
                images.append(item.get("image") or item.get("path") or item.get("url"))
    return "\n".join(texts).strip(), images


def canonical(row: dict[str, Any], index: int, schema: Schema, base_dir: str | None,
              pass_rate_col: str | None = None) -> Example:
    """Build the :class:`Example` for one raw row; never raises (errors land in ``error``)."""
    try:
        return _canonical(row, index, schema, base_dir, pass_rate_col)
    except Exception as exc:  # a malformed row becomes a reason, not a crash
        return Example(index, error=f"{type(exc).__name__}: {exc}")


def _canonical(row, index, schema, base_dir, pass_rate_col) -> Example:
    raw_q = row.get(schema.question_col)
    images: list[Any] = []
    if schema.name == "lmmr1_message":
        question, images = parse_messages(raw_q)
    else:
        if not isinstance(raw_q, str):
            raise TypeError(f"question column {schema.question_col!r} holds {type(raw_q).__name__}, not text")
        question = raw_q.strip()
    raw_gold = row.get(schema.answer_col)
    if raw_gold is not None and not isinstance(raw_gold, (str, int, float)):
        raise TypeError(f"answer column {schema.answer_col!r} holds {type(raw_gold).__name__}, not text or a number")
    gold = clean_gold(raw_gold)
    options = _options(row.get(schema.options_col) if schema.options_col else None)
    task = schema.default_task
    if schema.options_kind == "mathvista" and options:
        if gold in options:
            gold = LETTERS[options.index(gold)]  # MathVista golds are the option text
        task = "choice"
    elif options:
        task = "choice"
    if schema.image_col:
        value = row.get(schema.image_col)
        images = list(value) if isinstance(value, (list, tuple)) else ([] if value is None else [value])
    images = [resolve_image_path(v, base_dir) for v in images if v is not None and v != ""]
    expects = bool(schema.image_col) or schema.name == "lmmr1_message" and bool(images) or "<image" in question
    extra = {k: row[k] for k in ("precision", "unit", "question_type") if k in row and row[k] is not None}
    return Example(index, question, gold, raw_gold, tuple(options), tuple(images), expects, task,
                   row.get(pass_rate_col) if pass_rate_col else None, extra)


def _options(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return []
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = ast.literal_eval(value)
    if isinstance(value, dict):
        value = [value[k] for k in sorted(value)]
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"options must be a list of strings, got {type(value).__name__}")
    return [str(v).strip() for v in value]


def undecoded_images(ds: datasets.Dataset, schema: Schema) -> datasets.Dataset:
    """Image columns as {bytes, path} dicts: filters open what they need, nothing is decoded twice."""
    col = schema.image_col
    if not col:
        return ds
    feat = ds.features[col]
    if isinstance(feat, datasets.Image):
        return ds.cast_column(col, datasets.Image(decode=False))
    inner = getattr(feat, "feature", None) or (feat[0] if isinstance(feat, list) and feat else None)
    if isinstance(inner, datasets.Image):
        return ds.cast_column(col, datasets.List(datasets.Image(decode=False)))
    return ds
