"""Stage datasets: load what ``curate export --to trl`` writes (or any dataset with its columns).

Columns: ``prompt`` (conversational, or a plain string that becomes one user message), ``image``
(one image) or ``images`` (a list) for multimodal rows, ``solution`` (the gold answer), ``task``
(math / choice / geometry) and ``options``. Images given as file paths are read as images,
relative paths against the data file's folder. A row's images fill its prompt's ``{"type": "image"}``
parts in order (TRL's ``prepare_multimodal_messages``); a string prompt gets one part per image.

``dataset_name`` may also map several sources to sampling probabilities, ``{a.jsonl: 0.7,
synthetic:mgt: 0.3}`` (OpenRLHF's ``--prompt_data a,b --prompt_data_probs 0.7,0.3``): the sources
are interleaved with ``datasets.interleave_datasets`` until the first runs out (``first_exhausted``,
OpenRLHF's default: no row repeats within an epoch), and each row keeps its source's name in
``mixture_source``.
"""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any

from lmmr1.errors import UserError

logger = logging.getLogger(__name__)

LOCAL_SUFFIXES = {".jsonl": "json", ".json": "json", ".parquet": "parquet", ".csv": "csv"}
SYNTHETIC_PREFIX = "synthetic:"
SYNTHETIC_KINDS = ("fre", "mgt", "mgt_pair")
REQUIRED_COLUMNS = ("prompt", "solution")
HUB_PROBE_TIMEOUT_S = 5.0  # seconds to wait for the Hub's answer before saying it is unreachable
MIXTURE_SOURCE_COLUMN = "mixture_source"  # which source of a mixture a row came from
MIXTURE_STOPPING = "first_exhausted"  # datasets.interleave_datasets' stopping_strategy
PROBABILITY_TOLERANCE = 1e-3  # how far from 1 a mixture's probabilities may sum (0.33 + 0.33 + 0.34 is fine)


class DataError(UserError):
    """A stage's dataset cannot be used: absent, unreadable, wrong columns, or on an unreachable Hub."""


class DatasetSourceMissing(DataError):
    """A stage's dataset is a local path that does not exist (reported as such by ``--dry-run``)."""


def looks_local(name: str) -> bool:
    """Whether ``name`` is meant as a local path rather than a Hub id like ``org/name``."""
    path = Path(name).expanduser()
    return name.startswith((".", "/", "~")) or path.suffix in LOCAL_SUFFIXES or path.exists()


def load_stage_dataset(
    name: str | dict[str, float] | None,
    *,
    config: str | None = None,
    split: str = "train",
    max_samples: int | None = None,
    synthetic_size: int = 256,
    seed: int = 0,
):
    """The dataset named by a stage's ``dataset_name``, as a ``datasets.Dataset`` with PIL images.

    A mapping of sources to probabilities is a mixture; ``max_samples`` then keeps the first rows
    of the mixture, not of each source.
    """
    check_dataset_name(name)
    sources = mixture_sources(name)
    if sources is not None:
        ds = _load_mixture(sources, config, split, synthetic_size, seed)
    else:
        ds = _load_source(name, config, split, synthetic_size, seed)
    if max_samples is not None:
        ds = ds.select(range(min(max_samples, len(ds))))
    check_columns(ds, _label(name))
    check_image_placeholders(ds, _label(name))
    return ds


def _label(name: str | dict[str, float]) -> str:
    return name if isinstance(name, str) else "mixture " + describe_dataset(name)


def _load_source(name: str, config: str | None, split: str, synthetic_size: int, seed: int):
    """One source, its image columns read as images."""
    import datasets

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
    return _read_images(ds, base_dir)


def mixture_sources(name: Any) -> tuple[tuple[str, float], ...] | None:
    """A mixture's ``(source, probability)`` pairs in the recipe's order; ``None`` for one source.

    Probabilities must be non-negative numbers summing to 1 (within ``PROBABILITY_TOLERANCE``).
    """
    if name is None or isinstance(name, str):
        return None
    if isinstance(name, (list, tuple)):
        raise DataError(
            f"dataset_name {list(name)} is a list; to mix sources give each its sampling probability as a "
            "mapping, e.g. dataset_name: {" + ", ".join(f"{s}: {1 / max(len(name), 1):.2g}" for s in name) + "}"
        )
    if not isinstance(name, dict) or not name:
        raise DataError(
            f"dataset_name must be one source or a mapping of sources to probabilities, got {name!r}"
        )
    pairs = []
    for source, prob in name.items():
        if not isinstance(source, str) or not source:
            raise DataError(f"dataset_name mixture: source {source!r} is not a dataset name")
        if isinstance(prob, bool) or not isinstance(prob, (int, float)) or not math.isfinite(prob) or prob < 0:
            raise DataError(
                f"dataset_name mixture: {source!r} has probability {prob!r}; give a number >= 0"
            )
        pairs.append((source, float(prob)))
    total = sum(p for _, p in pairs)
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        raise DataError(
            f"dataset_name mixture: probabilities {[p for _, p in pairs]} sum to {total:.4g}, not 1; "
            "scale them so they add up to 1"
        )
    return tuple(pairs)


def describe_dataset(name: Any) -> str:
    """``name`` as the dry run reports it: the source, or each source with its probability."""
    sources = mixture_sources(name)
    if sources is None:
        return str(name)
    mixed = " + ".join(f"{p:.3g} {s}" for s, p in sources)
    return f"{mixed} (interleaved, {MIXTURE_STOPPING})"


def _load_mixture(sources, config: str | None, split: str, synthetic_size: int, seed: int):
    """The sources interleaved with their probabilities; their columns must match (``image`` may join ``images``)."""
    import datasets

    loaded = [(s, _load_source(s, config, split, synthetic_size, seed)) for s, _ in sources]
    if any("images" in ds.column_names for _, ds in loaded):
        loaded = [(s, _as_image_lists(ds)) for s, ds in loaded]
    first_name, first = loaded[0]
    columns = set(first.column_names)
    aligned = []
    for source, ds in loaded:
        if set(ds.column_names) != columns:
            missing, extra = sorted(columns - set(ds.column_names)), sorted(set(ds.column_names) - columns)
            raise DataError(
                f"dataset_name mixture: source {source!r} has columns {sorted(ds.column_names)}, but "
                f"{first_name!r} has {sorted(columns)} ({source!r} lacks {missing}, has extra {extra}); every "
                "source of a mixture needs the same columns (add or remove them, e.g. with `curate export --to trl`)"
            )
        ds = ds.select_columns(first.column_names)
        if ds.features != first.features:
            differ = [c for c in first.column_names if ds.features[c] != first.features[c]]
            try:
                ds = _align(ds, differ, first.features)
            except (ValueError, TypeError) as exc:  # pyarrow's ArrowInvalid is a ValueError
                raise DataError(
                    f"dataset_name mixture: source {source!r} stores column(s) {differ} as "
                    f"{[str(ds.features[c]) for c in differ]}, and {first_name!r} as "
                    f"{[str(first.features[c]) for c in differ]}; they cannot be aligned ({exc})"
                ) from exc
        aligned.append(ds.add_column(MIXTURE_SOURCE_COLUMN, [source] * len(ds)))
    probs = [p for _, p in sources]
    total = sum(probs)
    mixed = datasets.interleave_datasets(
        aligned, probabilities=[p / total for p in probs], seed=seed, stopping_strategy=MIXTURE_STOPPING
    )
    counts = Counter(mixed[MIXTURE_SOURCE_COLUMN])
    logger.info(
        "dataset mixture: %d rows (%s)", len(mixed),
        ", ".join(f"{s}: {counts[s]} of {len(ds)} rows, p={p:.3g}" for (s, p), ds in zip(sources, aligned, strict=True)),
    )
    return mixed


def _align(ds, columns: list[str], features):
    """``ds`` with ``features``: an Arrow cast, else the values re-encoded (a JSON file's mixed message
    parts load as ``Json``, generated ones as structs: the same prompts either way)."""
    try:
        return ds.cast(features)
    except (ValueError, TypeError):
        logger.debug("cast to %s failed; re-encoding %s", features, columns)
    return ds.map(lambda *values: dict(zip(columns, values, strict=True)), input_columns=columns, features=features)


def _as_image_lists(ds):
    """A one-image ``image`` column as a ``images`` column of lists (empty where a row has none)."""
    import datasets

    if "image" not in ds.column_names:
        return ds
    ds = ds.cast_column("image", datasets.Image(decode=False))  # no decoding: bytes and paths move as they are
    ds = ds.map(lambda row: {"images": [] if row["image"] is None else [row["image"]]}, remove_columns=["image"])
    return ds.cast_column("images", datasets.List(datasets.Image()))


def check_dataset_name(name: str | dict[str, float] | None) -> None:
    """The checks that read no data: a name is set, a local path exists, a synthetic kind is known.

    For a mixture: its probabilities, then each source.
    """
    sources = mixture_sources(name)
    if sources is not None:
        for source, _ in sources:
            check_dataset_name(source)
        return
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
    make = {"fre": synthetic.make_fre_dataset, "mgt": synthetic.make_mgt_dataset,
            "mgt_pair": synthetic.make_mgt_pair_dataset}[kind]
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
    image_col = next((c for c in ("image", "images") if c in ds.column_names), None)
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


def check_image_placeholders(ds, name: str) -> None:
    """Raise unless every row has as many images as its prompt has image parts (TRL's rule, checked up front).

    TRL fills a prompt's ``{"type": "image"}`` parts with the row's images in order, and gives a
    prompt whose user turn is a string one part per image; a count that differs fails mid-training.
    """
    import pyarrow.compute as pc
    from trl.data_utils import prepare_multimodal_messages

    column = next((c for c in ("images", "image") if c in ds.column_names), None)
    if column is None:
        return
    values = ds.with_format("arrow")[column]  # counts from Arrow: no image is decoded
    if column == "images":
        counts = pc.fill_null(pc.list_value_length(values), 0).to_pylist()
    else:
        counts = [0 if null else 1 for null in values.is_null().to_pylist()]
    prompts = ds.select_columns(["prompt"])[:]["prompt"]  # decoded (Json parts too), ~2x faster than ds["prompt"]
    for i, (prompt, n) in enumerate(zip(prompts, counts, strict=True)):
        images = [None] * n
        if isinstance(prompt, str):
            prompt = [{"role": "user", "content": prompt}]
        try:
            prepare_multimodal_messages(prompt, images=images)
        except ValueError as exc:
            parts = sum(
                1 for m in prompt if isinstance(m.get("content"), list) for p in m["content"] if p.get("type") == "image"
            )
            raise DataError(
                f"dataset {name!r}, row {i}: {len(images)} image(s) in {column!r} but {parts} image part(s) "
                f"({{'type': 'image'}}) in its prompt ({exc}); give the prompt one image part per image, in the "
                "images' order, or a plain-text user turn (TRL then puts one part per image before it)"
            ) from exc


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
