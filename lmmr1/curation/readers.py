"""Read data files as the text they hold: golds are never retyped, bad lines are named, empty files said.

``datasets``' JSON and CSV builders infer types (pandas turns ``"007"`` into ``7``, ``"1.50"`` into
``1.5``, ``N/A`` into NaN) and refuse a file for one bad line without naming it. These readers keep
every JSON number as the text the file holds until a column's type is settled: answer-like columns
and columns of mixed types become text, exactly as written; other numeric columns become numbers.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets

from lmmr1.errors import UserError

#: columns read as text whatever the file's types: golds and options (``--answer-col`` adds to these)
TEXT_COLUMNS = frozenset({"answer", "answers", "gold", "label", "solution", "final_answer", "ground_truth",
                          "answer_numeric", "options", "choices"})
LICENSE_FILES = ("LICENSE", "LICENSE.source", "LICENSE.txt", "LICENSE.md", "LICENCE", "LICENCE.txt")
# first match wins: the more specific Creative Commons variants come first
_LICENSE_TEXTS = (
    (re.compile(r"Attribution-NonCommercial-ShareAlike 4\.0"), "cc-by-nc-sa-4.0"),
    (re.compile(r"Attribution-NonCommercial 4\.0"), "cc-by-nc-4.0"),
    (re.compile(r"Attribution-ShareAlike 4\.0"), "cc-by-sa-4.0"),
    (re.compile(r"Attribution 4\.0 International"), "cc-by-4.0"),
    (re.compile(r"CC0 1\.0"), "cc0-1.0"),
    (re.compile(r"Apache License[\s,]+Version 2\.0"), "apache-2.0"),
    (re.compile(r"MIT License|Permission is hereby granted, free of charge"), "mit"),
)


class ReadError(UserError, ValueError):
    """A data file cannot be read as it stands; the message names the file, the line and the fix."""


class _Number(str):
    """A JSON number as the characters the file holds (``1.50`` stays ``"1.50"``)."""


@dataclass
class Records:
    """Rows read from files, with the lines skipped by ``--skip-bad-lines`` (``file:line: why``)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    bad_lines: list[str] = field(default_factory=list)


def read_files(files: list[Path], kind: str, *, skip_bad_lines: bool = False,
               text_columns: Iterable[str] = ()) -> tuple[datasets.Dataset, list[str]]:
    """``files`` (all of one ``kind``) as one dataset, and the bad lines skipped."""
    text = TEXT_COLUMNS | set(text_columns)
    if kind == "parquet":
        return _parquet(files, text), []
    records = Records()
    for path in files:
        if path.stat().st_size == 0:
            raise ReadError(f"{path} is empty (0 bytes): it holds no rows; give a file with data")
        before = len(records.rows)
        try:
            if kind == "csv":
                _csv(path, records)
            else:
                _json_file(path, records, skip_bad_lines)
        except UnicodeDecodeError as exc:  # JSON Lines are decoded line by line and name the line
            raise ReadError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); re-encode it as UTF-8") from exc
        if len(records.rows) == before and not records.bad_lines:
            raise ReadError(f"{path} is empty: it holds no rows (only blank lines, a header or an empty list); "
                            "give a file with data")
    if not records.rows:
        raise ReadError(f"{', '.join(map(str, files))}: every line was bad, so there are no rows; "
                        f"first problem: {records.bad_lines[0] if records.bad_lines else 'none'}")
    rows = _settle_types(records.rows, text, numbers_are_text=kind == "csv")
    try:
        return datasets.Dataset.from_list(rows), records.bad_lines
    except UnicodeEncodeError as exc:
        raise ReadError(f"{', '.join(map(str, files))}: a value holds a lone surrogate (an escape such as \\ud800 "
                        f"without its pair), which Arrow cannot store ({exc}); fix or remove those values") from exc
    except Exception as exc:  # pyarrow's many errors for rows it cannot put in one table
        raise ReadError(f"cannot make one table of {', '.join(map(str, files))}: {exc}; "
                        "rows must share column types") from exc


def _json_file(path: Path, records: Records, skip_bad_lines: bool) -> None:
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip()
    if path.suffix.lower() == ".json" and head[:1] in (b"[", b"{"):
        try:
            data = _loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            data = None  # JSON Lines with a .json suffix
        if data is not None:
            rows = _json_rows(data)
            if rows is None:
                raise ReadError(f"{path} holds a JSON {type(data).__name__} that is not a list of records, "
                                "a mapping id -> record, or {'data': [records]}")
            records.rows.extend(rows)
            return
    _jsonl(path, records, skip_bad_lines)


def _jsonl(path: Path, records: Records, skip_bad_lines: bool) -> None:
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            problem = None
            try:
                row = _loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                problem = f"{path}:{lineno}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            except json.JSONDecodeError as exc:
                problem = f"{path}:{lineno}: not valid JSON ({exc.msg} at column {exc.colno})"
            else:
                if not isinstance(row, dict):
                    problem = f"{path}:{lineno}: a JSON {_kind(row)}, not an object with named columns"
            if problem is None:
                records.rows.append(row)
            elif skip_bad_lines:
                records.bad_lines.append(problem)
            else:
                raise ReadError(f"{problem}; fix the line, or pass --skip-bad-lines to skip and count such lines")


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_Number, parse_float=_Number, parse_constant=_Number)


def _kind(value: Any) -> str:
    return {dict: "object", list: "array", bool: "boolean", type(None): "null"}.get(type(value), "number" if
                                                                                     isinstance(value, _Number) else "string")


def _json_rows(data: Any) -> list[dict] | None:
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        return data
    if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        return [{"_key": k, **v} for k, v in data.items()]  # MathVista: pid -> record
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        return data["data"]
    return None


def _csv(path: Path, records: Records) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            records.rows.append({k: v for k, v in row.items() if k is not None})


def _settle_types(rows: list[dict[str, Any]], text: set[str], *, numbers_are_text: bool) -> list[dict[str, Any]]:
    """Each column one type: text where answer-like or mixed, exact; numbers elsewhere (CSV: where all parse)."""
    kinds: dict[str, set[str]] = {}
    for row in rows:
        for k, v in row.items():
            if v is not None and not (numbers_are_text and v == ""):
                kinds.setdefault(k, set()).add(_kind(v))
    plan = {}
    for col, ks in kinds.items():
        mixed = len(ks) > 1
        if col in text:
            plan[col] = "flat" if mixed and "array" in ks else "text"
        elif numbers_are_text:
            plan[col] = "number" if all(_is_number(row.get(col)) for row in rows if row.get(col) not in (None, "")) else "keep"
        else:
            plan[col] = "flat" if mixed else "keep"
    columns = list(dict.fromkeys(k for row in rows for k in row))  # every row gets every column
    out = []
    for row in rows:
        new = {}
        for k in columns:
            v = row.get(k)
            how = plan.get(k, "keep")
            if v is None or (numbers_are_text and v == "" and how == "number"):
                new[k] = None
            elif how == "text":
                new[k] = _as_text(v)
            elif how == "flat":
                new[k] = str(v) if isinstance(v, str) else json.dumps(_plain(v), ensure_ascii=False)
            elif how == "number":
                new[k] = _number(v)
            else:
                new[k] = _restore(v)
        out.append(new)
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", value.strip()) is not None


def _number(text: str) -> int | float | str:
    t = text.strip()
    try:
        return int(t) if re.fullmatch(r"[-+]?\d+", t) else float(t)
    except ValueError:  # an integer longer than Python converts: keep its text
        return text


def _as_text(value: Any) -> Any:
    """A value as the text the file holds; lists keep their shape with text elements (options)."""
    if isinstance(value, str):  # _Number included: its characters are the file's
        return str(value)
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return json.dumps(_plain(value), ensure_ascii=False)  # booleans as true/false, objects as JSON


def _plain(value: Any) -> Any:
    """Plain Python values: JSON numbers back to numbers, all the way down."""
    if isinstance(value, _Number):
        return _number(value) if value not in ("NaN", "Infinity", "-Infinity") else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _restore(value: Any) -> Any:
    """A column value for Arrow: numbers as numbers; objects as JSON text (their keys vary per row)."""
    if isinstance(value, dict):
        return json.dumps(_plain(value), ensure_ascii=False)
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return _plain(value)


def _parquet(files: list[Path], text: set[str]) -> datasets.Dataset:
    parts = []
    for path in files:
        ds = datasets.Dataset.from_parquet(str(path))
        if len(ds) == 0:
            raise ReadError(f"{path} is empty: it holds no rows; give a file with data")
        for col in text & set(ds.column_names):
            feat = ds.features[col]
            if isinstance(feat, datasets.Value) and feat.dtype != "string":
                ds = ds.cast_column(col, datasets.Value("string"))  # one type per column across files
        parts.append(ds)
    try:
        return datasets.concatenate_datasets(parts) if len(parts) > 1 else parts[0]
    except ValueError as exc:
        raise ReadError(f"the parquet files {[str(p) for p in files]} have different columns or types: {exc}") from exc


def detect_license(folder: Path) -> str | None:
    """The SPDX id of a licence stated beside the data: a README's ``license:`` header or a LICENSE text."""
    readme = folder / "README.md"
    if readme.is_file():
        m = re.search(r"\A---\s*\n.*?^license:\s*([\w.+-]+)\s*$.*?^---", readme.read_text(encoding="utf-8",
                      errors="replace"), re.M | re.S)
        if m:
            return m.group(1)
    info = folder / "dataset_info.json"
    if info.is_file():
        try:
            lic = json.loads(info.read_text(encoding="utf-8")).get("license")
        except (json.JSONDecodeError, AttributeError):
            lic = None
        if isinstance(lic, str) and re.fullmatch(r"[\w.+-]+", lic.strip()):
            return lic.strip().lower()
    for name in LICENSE_FILES:
        path = folder / name
        if path.is_file():
            head = path.read_text(encoding="utf-8", errors="replace")[:4000]
            for pattern, spdx in _LICENSE_TEXTS:
                if pattern.search(head):
                    return spdx
    return None
