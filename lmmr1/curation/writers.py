"""Atomic writers: a temp file (or folder) beside the target, then ``os.replace``.

Temporaries are named ``.NAME.lmmr1-tmp-PID-XXXX``: a run killed mid-write leaves one behind, and the
next write to NAME removes those whose process is gone.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import datasets

from lmmr1.curation.files import FORMATS
from lmmr1.errors import UserError

logger = logging.getLogger(__name__)

TMP_MARK = "lmmr1-tmp"


class OutputError(UserError, ValueError):
    """An output path cannot be written as given."""


def _prefix(path: Path) -> str:
    return f".{path.name}.{TMP_MARK}-{os.getpid()}-"


def clean_stale_temporaries(path: Path) -> list[Path]:
    """Remove temporaries of ``path`` left by runs that were killed (their process no longer exists)."""
    removed = []
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.{TMP_MARK}-*"):
        pid = tmp.name[len(f".{path.name}.{TMP_MARK}-"):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(tmp) if tmp.is_dir() and not tmp.is_symlink() else tmp.unlink(missing_ok=True)
            logger.warning("removed %s, left by a run that was killed while writing %s", tmp, path)
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: leave its files alone
        return True
    return True


def _temp_beside(path: Path, suffix: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(path), suffix=suffix, dir=path.parent)
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
    if suffix in FORMATS:
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
        raise OutputError(f"cannot write {path}: use a {', '.join(FORMATS)} file or a folder name without suffix")
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(path), dir=path.parent))
    try:
        ds.save_to_disk(str(tmp))
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=_prefix(path) + "old", dir=path.parent))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
