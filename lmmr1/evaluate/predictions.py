"""Completions made by other harnesses, as ``{"id", "completion"}`` rows.

Read: a JSON Lines file of id + completion (any column names, see ``ID_COLUMNS`` and
``COMPLETION_COLUMNS``), lmms-eval's ``--log_samples`` files (``doc_id``, ``doc``, ``resps`` /
``filtered_resps``), and VLMEvalKit's prediction tables (``.xlsx`` / ``.tsv`` / ``.csv`` with
``index`` and ``prediction``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lmmr1.errors import UserError

ID_COLUMNS = ("id", "pid", "problem_id", "question_id", "sample_index", "unique_id", "index", "doc_id")
COMPLETION_COLUMNS = ("completion", "response", "prediction", "output", "model_answer", "pred", "answer_pred")


def _first_text(value: Any) -> str | None:
    while isinstance(value, (list, tuple)):
        if not value:
            return None
        value = value[0]
    return None if value is None else str(value)


def _lmms_eval(row: dict[str, Any], id_col: str | None) -> dict[str, Any] | None:
    if "doc" not in row or not ({"resps", "filtered_resps"} & set(row)):
        return None
    doc = row["doc"] if isinstance(row["doc"], dict) else {}
    key = id_col or next((c for c in ID_COLUMNS if c in doc and c != "doc_id"), None)
    ident = doc.get(key) if key and key in doc else row.get("doc_id")
    text = _first_text(row.get("filtered_resps")) or _first_text(row.get("resps"))
    return {"id": str(ident), "completion": text or ""}


def _pick(columns: list[str], given: str | None, candidates: tuple[str, ...], what: str, path: Path) -> str:
    if given:
        if given not in columns:
            raise UserError(f"{path}: no column {given!r} for the {what}; its columns are {columns}")
        return given
    found = next((c for c in candidates if c in columns), None)
    if found is None:
        flag = "--id-col" if what == "id" else "--completion-col"
        raise UserError(f"{path}: cannot tell which column holds the {what} (columns {columns}); name it with {flag}")
    return found


def _table(path: Path) -> list[dict[str, Any]]:
    import pandas as pd

    if path.suffix == ".xlsx":
        try:
            frame = pd.read_excel(path)
        except ImportError as exc:
            raise UserError(f"{path}: reading .xlsx needs openpyxl (pip install openpyxl), or save it as .tsv") from exc
    else:
        frame = pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",")
    return frame.where(frame.notna(), None).to_dict("records")


def read(path: str | Path, id_col: str | None = None, completion_col: str | None = None) -> list[dict[str, Any]]:
    """``[{"id": str, "completion": str}, …]`` in file order."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"--predictions {path}: no such file")
    if path.suffix in (".xlsx", ".tsv", ".csv"):
        rows = _table(path)
    elif path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = list(data.values()) if isinstance(data, dict) else list(data)
        if isinstance(data, dict) and rows and isinstance(rows[0], dict) and not any(c in rows[0] for c in ID_COLUMNS):
            rows = [{"id": k, **v} for k, v in data.items()]  # MathVista's {pid: {...}} layout
    else:
        with path.open(encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
    if not rows:
        raise UserError(f"--predictions {path} holds no rows")
    out: list[dict[str, Any]] = []
    columns = list(rows[0])
    for row in rows:
        lmms = _lmms_eval(row, id_col)
        if lmms is not None:
            out.append(lmms)
            continue
        ic = _pick(columns, id_col, ID_COLUMNS, "id", path)
        cc = _pick(columns, completion_col, COMPLETION_COLUMNS, "completion", path)
        value = row.get(ic)
        ident = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        out.append({"id": ident, "completion": "" if row.get(cc) is None else str(row.get(cc))})
    return out
