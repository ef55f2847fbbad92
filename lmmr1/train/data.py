"""Stage datasets: load what ``curate export --to trl`` writes (or any dataset with its columns).

Columns: ``prompt`` (conversational, or a plain string that becomes one user message), ``image``
(one image) or ``images`` (a list) for multimodal rows, ``solution`` (the gold answer), ``task``
(math / choice / geometry) and ``options``. Images given as file paths are read as images,
relative paths against the data file's folder.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from lmmr1.errors import UserError

logger = logging.getLogger(__name__)

LOCAL_SUFFIXES = {".jsonl": "json", ".json": "json", ".parquet": "parquet", ".csv": "csv"}
SYNTHETIC_PREFIX = "synthetic:"
SYNTHETIC_KINDS = ("fre", "mgt")
REQUIRED_COLUMNS = ("prompt", "solution")
HUB_PROBE_TIMEOUT_S = 5.0  # seconds to wait for the Hub's answer before saying it is unreachable


class DataError(UserError):
    """A stage's dataset cannot be used: absent, unreadable, wrong columns, or on an unreachable Hub."""


class DatasetSourceMissing(DataError):
    """A stage's dataset is a local path that does not exist (reported as such by ``--dry-run``)."""


def looks_local(name: str) -> bool:
    """Whether ``name`` is meant as a local path rather than a Hub id like ``org/name``."""
    path = Path(name).expanduser()
    return name.startswith((".", "/", "~")) or path.suffix in LOCAL_SUFFIXES or path.exists()


def load_stage_dataset(
    name: str | None,
    *,
    config: str | None = None,
    split: str = "train",
    max_samples: int | None = None,
    synthetic_size: int = 256,
    seed: int = 0,
):
    """The dataset named by a stage's ``dataset_name``, as a ``datasets.Dataset`` with PIL images."""
    import datasets

    check_dataset_name(name)
    base_dir: Path | None = None
    if name.startswith(SYNTHETIC_PREFIX):
        ds = _synthetic(name, synthetic_size, seed)
    elif looks_local(name):
        ds, base_dir = _load_local(Path(name).expanduser())
    else:
        ds = _load_hub(name, config, split)
    if isinstance(ds, datasets.DatasetDict):
        if split not in ds:
            raise DataError(
                f"dataset {name!r} has splits {list(ds)}, not {split!r}; set dataset_train_split"
            )
        ds = ds[split]
    if max_samples is not None:
        ds = ds.select(range(min(max_samples, len(ds))))
    check_columns(ds, name)
    return _read_images(ds, base_dir)


def check_dataset_name(name: str | None) -> None:
    """The checks that read no data: a name is set, a local path exists, a synthetic kind is known."""
    if not name:
        raise DataError(
            "no dataset_name for this stage; set dataset_name at the top of the recipe or in its fre:/mgt: "
            "section (a .jsonl/.parquet file, a save_to_disk folder, a Hub id, or synthetic:fre / synthetic:mgt)"
        )
    if name.startswith(SYNTHETIC_PREFIX):
        if name[len(SYNTHETIC_PREFIX) :] not in SYNTHETIC_KINDS:
            raise DataError(
                f"unknown synthetic dataset {name!r}; use one of {[SYNTHETIC_PREFIX + k for k in SYNTHETIC_KINDS]}"
            )
    elif looks_local(name) and not Path(name).expanduser().exists():
        raise DatasetSourceMissing(
            f"dataset {name!r} does not exist (resolved to {Path(name).expanduser().resolve()}); write it "
            "with `curate export --to trl`, or point dataset_name at an existing file or folder"
        )


def _load_local(path: Path):
    """A local dataset and the folder its relative image paths start from."""
    import datasets

    if path.is_dir():
        try:
            return datasets.load_from_disk(str(path)), path
        except FileNotFoundError as exc:  # a folder that save_to_disk did not write
            raise DataError(f"dataset folder {path} is not a `save_to_disk` folder ({exc})") from exc
    if path.suffix not in LOCAL_SUFFIXES:
        raise DataError(f"dataset {path} has suffix {path.suffix!r}; use one of {sorted(LOCAL_SUFFIXES)}")
    try:
        ds = datasets.load_dataset(LOCAL_SUFFIXES[path.suffix], data_files=str(path), split="train")
    except datasets.exceptions.DatasetGenerationError as exc:  # a malformed line, a truncated file
        raise DataError(f"dataset {path} cannot be read: {exc.__cause__ or exc}") from exc
    return ds, path.parent


def hub_offline() -> bool:
    """Whether Hugging Face's offline mode is on (``HF_HUB_OFFLINE=1``, read now or when datasets loaded)."""
    import datasets
    from huggingface_hub import constants

    env = os.environ.get("HF_HUB_OFFLINE", "").upper() in {"1", "ON", "YES", "TRUE"}
    return env or bool(datasets.config.HF_HUB_OFFLINE) or bool(constants.HF_HUB_OFFLINE)


def _load_hub(name: str, config: str | None, split: str):
    """A Hub dataset; offline mode or an unreachable Hub is said at once instead of after retries."""
    import datasets
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session

    local_hint = "point dataset_name at a local file or folder (e.g. one written by `curate export --to trl`)"
    if hub_offline():
        try:
            return datasets.load_dataset(name, config, split=split)
        except ConnectionError as exc:  # datasets' answer for "offline and not cached"
            raise DataError(
                f"dataset {name!r} is not a local path, and the Hub is offline (HF_HUB_OFFLINE=1) with no "
                f"cached copy of it; {local_hint}, or unset HF_HUB_OFFLINE to download it"
            ) from exc
    try:
        get_session().head(constants.ENDPOINT, timeout=HUB_PROBE_TIMEOUT_S)
    except Exception as exc:  # any transport failure (DNS, refused, timeout) means the same to the user
        raise DataError(
            f"dataset {name!r} is not a local path, and the Hub ({constants.ENDPOINT}) is unreachable "
            f"({type(exc).__name__}: {exc}); {local_hint}, or set HF_HUB_OFFLINE=1 to use a cached copy"
        ) from exc
    return datasets.load_dataset(name, config, split=split)


def _synthetic(name: str, n: int, seed: int):
    from lmmr1.train import synthetic

    kind = name[len(SYNTHETIC_PREFIX) :]  # known: check_dataset_name ran
    make = synthetic.make_fre_dataset if kind == "fre" else synthetic.make_mgt_dataset
    return curate_generated(make(n, seed=seed), name)


# The synthetic tasks repeat a handful of prompts by design (a tiny model must see each many
# times), so the dedup filters are off; every other filter (gold checks against lmmr1's own
# verifier, image checks, choice checks) runs as on real data.
GENERATED_DATA_SKIPS = ("duplicate_exact", "near_duplicate")


def curate_generated(ds, name: str):
    """Run ``lmmr1.curation`` over generated trainer rows and keep what passes (logged per reason)."""
    from lmmr1.curation.config import load_config
    from lmmr1.curation.pipeline import curate
    from lmmr1.curation.sources import Schema
    from lmmr1.verifiers.rewards import completion_text

    questions = [completion_text([m for m in p if m["role"] == "user"]) for p in ds["prompt"]]
    work = ds.add_column("question", questions)
    image_col = "image" if "image" in ds.column_names else None
    options_col = "options" if "options" in ds.column_names else None
    schema = Schema("custom", "question", "solution", image_col, options_col, "list" if options_col else "none")
    config = load_config().toggled(disable=GENERATED_DATA_SKIPS)
    kept, _, stats = curate(work, config, schema=schema)
    stats.check()
    logger.info(
        "curated %s: %d rows in = %d kept + %d dropped %s", name, stats.input_rows, stats.kept_rows,
        stats.input_rows - stats.kept_rows, dict(stats.dropped),
    )
    if stats.kept_rows == 0:
        raise DataError(f"curation dropped every row of {name}: {dict(stats.dropped)}")
    extra = [c for c in kept.column_names if c not in ds.column_names]
    return kept.remove_columns(extra)


def check_columns(ds, name: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in ds.column_names]
    if missing:
        raise DataError(
            f"dataset {name!r} lacks column(s) {missing} (has {ds.column_names}); the trainer needs a "
            "conversational 'prompt' and the gold answer in 'solution' (what `curate export --to trl` writes)"
        )


def has_images(ds) -> bool:
    return "image" in ds.column_names or "images" in ds.column_names


def _read_images(ds, base_dir: Path | None):
    """Cast image columns holding file paths to ``datasets.Image`` (relative paths: from ``base_dir``)."""
    import datasets

    for column in ("image", "images"):
        if column not in ds.column_names:
            continue
        feature = ds.features[column]
        inner = feature.feature if isinstance(feature, (datasets.Sequence, datasets.List)) else feature
        if isinstance(inner, datasets.Image):
            continue
        if base_dir is not None:
            ds = ds.map(lambda row, c=column: {c: _resolve(row[c], base_dir)})
        target = datasets.Image() if inner is feature else datasets.List(datasets.Image())
        ds = ds.cast_column(column, target)
    return ds


def _resolve(value: Any, base_dir: Path) -> Any:
    if isinstance(value, str):
        return value if Path(value).is_absolute() else str(base_dir / value)
    if isinstance(value, list):
        return [_resolve(v, base_dir) for v in value]
    return value


def add_system_prompt(ds, system_prompt: str | None):
    """Turn string prompts into one user message and put ``system_prompt`` first where none is set."""

    def _fix(row: dict[str, Any]) -> dict[str, Any]:
        prompt = row["prompt"]
        if isinstance(prompt, str):
            prompt = [{"role": "user", "content": prompt}]
        if system_prompt and prompt[0].get("role") != "system":
            # Same content shape as the user turn: Arrow needs one type per column.
            content: Any = system_prompt
            if not isinstance(prompt[0].get("content"), str):
                content = [{"type": "text", "text": system_prompt}]
            prompt = [{"role": "system", "content": content}, *prompt]
        return {"prompt": prompt}

    return ds.map(_fix)
