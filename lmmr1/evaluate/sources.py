"""Where a benchmark's rows come from: a local copy under ``--data-dir``, or its Hub id at a revision.

Local copies may be the upstream files (JSON Lines / JSON, as in ``../shared/data``) or the Hub
dataset saved locally (``Dataset.save_to_disk`` folder, or parquet files), in the Hub schema.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmmr1.errors import UserError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubSource:
    """A Hub dataset: ``load_dataset(id, config, split=split, revision=revision)``.

    ``revision`` is a branch, tag or commit. None of them could be resolved to a commit from this
    machine (no Hub access); a run records the revision it asked for in results.json.
    """

    id: str
    split: str
    config: str | None = None
    revision: str = "main"

    def __str__(self) -> str:
        cfg = f" ({self.config})" if self.config else ""
        return f"{self.id}{cfg} {self.split} @ {self.revision}"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_local(path: Path) -> list[dict[str, Any]]:
    """Rows of a .jsonl / .json / .parquet file, a folder of parquet files or a save_to_disk folder."""
    if path.is_file():
        if path.suffix == ".jsonl":
            return read_jsonl(path)
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            return list(data.values()) if isinstance(data, dict) else list(data)
        if path.suffix == ".parquet":
            return _rows(_datasets().load_dataset("parquet", data_files=str(path), split="train"))
        raise UserError(f"{path}: cannot read a {path.suffix or 'suffix-less'} file; use .jsonl, .json or .parquet")
    if (path / "dataset_info.json").is_file() or (path / "dataset_dict.json").is_file():
        ds = _datasets().load_from_disk(str(path))
        if hasattr(ds, "keys"):  # a DatasetDict: take its only split
            (split,) = ds.keys() if len(ds) == 1 else (None,)
            if split is None:
                raise UserError(f"{path} holds splits {sorted(ds)}; save the one split to evaluate")
            ds = ds[split]
        return _rows(ds)
    files = sorted(str(p) for p in path.rglob("*.parquet"))
    if files:
        return _rows(_datasets().load_dataset("parquet", data_files=files, split="train"))
    raise UserError(f"{path} holds no .parquet files and is not a save_to_disk folder")


def _datasets():
    import datasets

    return datasets


def _rows(ds) -> list[dict[str, Any]]:
    return [dict(r) for r in ds]


def load_rows(
    name: str, data_dir: Path | None, local: str | tuple[str, ...] | None, hub: HubSource | None
) -> list[dict[str, Any]]:
    """The benchmark's rows from the first of ``data_dir / local`` that exists, else from ``hub``.

    ``local`` is one relative path or several (the upstream file first, then a Hub-schema copy).
    Fails with a UserError that names ``--data-dir`` and the paths it looked for when neither works.
    """
    candidates = (local,) if isinstance(local, str) else tuple(local or ())
    wheres = [Path(data_dir) / c for c in candidates] if data_dir is not None else []
    for where in wheres:
        if where.exists():
            logger.info("%s: reading %s", name, where)
            return read_local(where)
    local_hint = f"--data-dir DIR with the rows at DIR/{' or DIR/'.join(candidates)}" if candidates else "--data-dir"
    looked = f" (looked for {', '.join(map(str, wheres))})" if wheres else ""
    if hub is None:
        raise UserError(f"{name} is only read from a local copy{looked}; pass {local_hint}")
    try:
        ds = _datasets().load_dataset(hub.id, hub.config, split=hub.split, revision=hub.revision)
    except Exception as exc:  # any Hub failure gets the same advice; the cause stays chained
        raise UserError(
            f"{name}: could not load {hub} from the Hugging Face Hub ({type(exc).__name__}: {str(exc)[:200]}){looked}. "
            f"Download it where the Hub is reachable (datasets' save_to_disk or its parquet files) and pass {local_hint}"
        ) from exc
    return _rows(ds)
