"""Atomic writers: a temp file (or folder) beside the target, then ``os.replace``."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import datasets

FORMATS = (".jsonl", ".json", ".parquet", ".csv")


def _temp_beside(path: Path, suffix: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs should read like any other file
    return Path(tmp)


def write_text(path: str | Path, text: str) -> None:
    path = Path(path)
    tmp = _temp_beside(path, ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: str | Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def write_dataset(ds: datasets.Dataset, path: str | Path) -> None:
    """Write by suffix (.jsonl/.json JSON Lines, .parquet, .csv) or, with no suffix, a save_to_disk folder."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".parquet", ".csv"):
        tmp = _temp_beside(path, suffix)
        try:
            if suffix == ".parquet":
                ds.to_parquet(str(tmp))
            elif suffix == ".csv":
                ds.to_csv(str(tmp), index=False)
            else:
                ds.to_json(str(tmp), lines=True, force_ascii=False)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return
    if suffix:
        raise ValueError(f"cannot write {path}: use a {', '.join(FORMATS)} file or a folder name without suffix")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        ds.save_to_disk(str(tmp))
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
