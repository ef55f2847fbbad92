"""``curate prepare``: a paper's training data from a manifest, downloaded, curated and exported.

    curate prepare --manifest recipes/lmm-r1/data.yaml --output-dir data/lmm-r1

For each dataset of the manifest: fetch its files (the Hub through ``huggingface_hub``, or a local
folder), unpack its image archive, curate it (``curate filter``, golds checked with the verifier
config of the manifest's recipe), export it as the trainer reads it (``curate export --to trl``)
and write its card. Layout per dataset: ``<output-dir>/<name>/train.jsonl``, ``rejected.jsonl``,
``README.md`` (the card), ``README.stats.json`` and ``images/``.
"""

from __future__ import annotations

import fnmatch
import logging
import tarfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from lmmr1.curation.card import CardMeta, file_revision, write_card
from lmmr1.curation.config import CurationConfig, load_config
from lmmr1.curation.export import to_trl
from lmmr1.curation.sources import detect_schema, load_source
from lmmr1.curation.writers import write_dataset
from lmmr1.errors import UserError
from lmmr1.prompts import SYSTEM_PROMPT

logger = logging.getLogger(__name__)

DATASET_KEYS = {"hub", "revision", "data", "images", "image_prefix", "local", "license", "task"}
MANIFEST_KEYS = {"recipe", "max_prompt_words", "datasets"}
UNPACKED_MARK = ".unpacked"  # in the images folder: the archive it was unpacked from (name and size)


class PrepareError(UserError):
    """A manifest that cannot be used, or a file that cannot be fetched; the message says what to do."""


@dataclass(frozen=True)
class Source:
    """One dataset of the manifest: where its rows (``data``, a file name or glob) and images come from."""

    name: str
    hub: str | None = None
    revision: str = "main"
    data: str = "*.jsonl"
    images: str | None = None  # a .tar.gz / .tar / .tgz of the images the rows refer to
    # The folder the rows' absolute image paths start with on the authors' machine; it is replaced by
    # the unpacked archive's folder. Unset: found from the first rows whose image paths do not exist.
    image_prefix: str | None = None
    local: str | None = None  # a folder (or file: URL of one) holding the files instead of the Hub
    license: str = "unknown"
    task: str = "auto"  # the verifier task for every row (curation's `task:`), e.g. geometry; auto infers it


@dataclass(frozen=True)
class Manifest:
    path: Path
    datasets: tuple[Source, ...]
    recipe: Path | None = None
    max_prompt_words: int | None = None


def load_manifest(path: str | Path) -> Manifest:
    """Read and check a manifest; ``recipe`` is resolved against the manifest's folder."""
    path = Path(path)
    if not path.is_file():
        raise PrepareError(f"manifest {path} not found; pass --manifest recipes/lmm-r1/data.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PrepareError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), dict) or not data["datasets"]:
        raise PrepareError(f"{path}: a manifest maps `datasets:` names to their sources (hub, data, images)")
    unknown = set(data) - MANIFEST_KEYS
    if unknown:
        raise PrepareError(f"{path}: unknown key(s) {sorted(unknown)}; allowed: {sorted(MANIFEST_KEYS)}")
    sources = []
    for name, entry in data["datasets"].items():
        if not isinstance(entry, dict):
            raise PrepareError(f"{path}: datasets.{name} must be a mapping of {sorted(DATASET_KEYS)}")
        bad = set(entry) - DATASET_KEYS
        if bad:
            raise PrepareError(f"{path}: datasets.{name}: unknown key(s) {sorted(bad)}; allowed: {sorted(DATASET_KEYS)}")
        if not entry.get("hub") and not entry.get("local"):
            raise PrepareError(f"{path}: datasets.{name} needs `hub:` (a Hub dataset id) or `local:` (a folder)")
        sources.append(Source(str(name), **{k: str(v) for k, v in entry.items() if v is not None}))
    recipe = (path.parent / data["recipe"]) if data.get("recipe") else None
    if recipe is not None and not recipe.is_file():
        raise PrepareError(f"{path}: recipe {recipe} does not exist; `recipe:` is relative to the manifest")
    words = data.get("max_prompt_words")
    if words is not None and not (isinstance(words, int) and words > 0):
        raise PrepareError(f"{path}: max_prompt_words must be a positive integer, got {words!r}")
    return Manifest(path, tuple(sources), recipe, words)


def recipe_verifier(recipe: Path | None):
    """The ``verifier:`` of a training recipe as a ``VerifierConfig`` (the defaults without one)."""
    from lmmr1.verifiers.config import VerifierConfig

    if recipe is None:
        return VerifierConfig()
    raw = yaml.safe_load(recipe.read_text(encoding="utf-8")) or {}
    from lmmr1.train.config import verifier_config  # the trainer's own reading of the key

    return verifier_config(raw.get("verifier"), str(recipe))


def local_folder(text: str) -> Path:
    """A folder given as a path or a ``file:`` URL (``file:///abs/dir`` or ``file:rel/dir``)."""
    if text.startswith("file://"):
        text = text[len("file://"):]
    elif text.startswith("file:"):
        text = text[len("file:"):]
    return Path(text).expanduser()


@dataclass(frozen=True)
class Fetched:
    data_files: tuple[Path, ...]
    archive: Path | None
    origin: str  # for the card: "VLM-Reasoner/VerMulti @ <commit> : mathv60k_message.jsonl"
    revision: str


def fetch(source: Source, local_dir: Path | None = None) -> Fetched:
    """The source's files: from its ``local:`` folder or ``local_dir/<name>`` when given, else from the Hub."""
    folder = local_folder(source.local) if source.local else (local_dir / source.name if local_dir else None)
    if folder is not None:
        return _from_folder(source, folder)
    return _from_hub(source)


def _manual_hint(source: Source) -> str:
    files = " ".join(f for f in (source.data, source.images) if f)
    hub = source.hub or "<the dataset's Hub id>"
    return (f"download {files} of {hub} by hand (e.g. `hf download {hub} --repo-type dataset --revision "
            f"{source.revision} --include {' --include '.join(repr(f) for f in (source.data, source.images) if f)} "
            f"--local-dir DIR/{source.name}`), then rerun with --local-dir DIR (or set datasets.{source.name}.local: "
            "to the folder)")


def _from_folder(source: Source, folder: Path) -> Fetched:
    if not folder.is_dir():
        raise PrepareError(f"dataset {source.name}: local folder {folder} does not exist; {_manual_hint(source)}")
    data = tuple(sorted(p for p in folder.rglob("*") if p.is_file() and fnmatch.fnmatch(p.name, source.data)))
    if not data:
        raise PrepareError(f"dataset {source.name}: no file {source.data!r} in {folder}; {_manual_hint(source)}")
    archive = None
    if source.images:
        archive = next((p for p in sorted(folder.rglob(source.images)) if p.is_file()), None)
        if archive is None:
            raise PrepareError(f"dataset {source.name}: image archive {source.images} is not in {folder}; "
                               f"{_manual_hint(source)}")
    rev = file_revision([str(p) for p in data])
    origin = f"{source.hub or folder} (local copy, {rev}) : {', '.join(p.name for p in data)}"
    return Fetched(data, archive, origin, rev)


def _from_hub(source: Source) -> Fetched:
    import httpx
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import EntryNotFoundError

    patterns = [p for p in (source.data, source.images) if p]
    try:
        snapshot = Path(snapshot_download(source.hub, repo_type="dataset", revision=source.revision,
                                          allow_patterns=patterns))
    except (OSError, EntryNotFoundError, httpx.HTTPError) as exc:  # offline, unreachable, missing repo/revision
        raise PrepareError(f"dataset {source.name}: cannot download {', '.join(patterns)} from the Hub dataset "
                           f"{source.hub} @ {source.revision} ({type(exc).__name__}: {exc}); "
                           f"{_manual_hint(source)}") from exc
    fetched = _from_folder(source, snapshot)
    commit = snapshot.name  # the cache's snapshots/<commit> folder
    return replace(fetched, revision=commit,
                   origin=f"{source.hub} @ {commit} : {', '.join(p.name for p in fetched.data_files)}")


def unpack(archive: Path, dest: Path) -> Path:
    """Unpack ``archive`` into ``dest`` once (rerunning with the same archive skips it); returns ``dest``."""
    mark = dest / UNPACKED_MARK
    stamp = f"{archive.name} {archive.stat().st_size}"
    if mark.is_file() and mark.read_text(encoding="utf-8") == stamp:
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")  # no absolute paths, links out or device files
    except (tarfile.TarError, OSError) as exc:
        raise PrepareError(f"cannot unpack {archive} ({exc}); download it again (it may be truncated)") from exc
    mark.write_text(stamp, encoding="utf-8")
    return dest


def curation_config(manifest: Manifest, verifier=None) -> CurationConfig:
    """The default curation config with the recipe's verifier and the manifest's prompt length."""
    config = load_config()
    config = replace(config, verifier=verifier if verifier is not None else recipe_verifier(manifest.recipe))
    if manifest.max_prompt_words:
        config = config.with_params("prompt_too_long", max_tokens=manifest.max_prompt_words)
    return config


def prepare_one(source: Source, fetched: Fetched, out: Path, config: CurationConfig) -> dict[str, Any]:
    """Curate and export one dataset into ``out``; returns its stats."""
    import datasets

    from lmmr1.curation.cli import NothingKept, _nothing_kept

    image_root = unpack(fetched.archive, out / "images") if fetched.archive else None
    parts = [load_source(p) for p in fetched.data_files]
    ds = datasets.concatenate_datasets([d for d, _ in parts]) if len(parts) > 1 else parts[0][0]
    info = parts[0][1]
    info = replace(info, files=tuple(str(p.resolve()) for p in fetched.data_files),
                   base_dir=str(image_root.resolve()) if image_root else info.base_dir)
    schema = detect_schema(ds.column_names)
    if image_root:
        ds = relocate_images(ds, schema, image_root.resolve(), source.image_prefix)
    kept, rejected, stats = _curate(ds, replace(config, task=source.task), schema, info)
    if stats.kept_rows == 0:
        raise NothingKept(f"dataset {source.name}: {_nothing_kept(stats)}")
    trl = to_trl(kept, schema=schema, source=info, system_prompt=SYSTEM_PROMPT, image_feature=False)
    write_dataset(trl, out / "train.jsonl")
    write_dataset(rejected, out / "rejected.jsonl")
    data = stats.to_dict()
    data["source"]["revision"] = fetched.revision
    meta = CardMeta(name=source.name, license=source.license, source=fetched.origin, revision=fetched.revision,
                    data_files="train.jsonl",
                    notes=("Exported for TRL (lmmr1 train); image paths in train.jsonl are absolute, "
                           "into images/ of this folder.",))
    write_card(out / "README.md", data, meta)
    logger.info("dataset %s: kept %d of %d rows -> %s", source.name, stats.kept_rows, stats.input_rows,
                out / "train.jsonl")
    return data


PROBE_ROWS = 64  # rows looked at to find the authors' image folder


def _image_refs(row: dict[str, Any], schema) -> list[str]:
    from lmmr1.curation.sources import parse_messages

    if schema.name == "lmmr1_message":
        refs = parse_messages(row[schema.question_col])[1]
    else:
        value = row.get(schema.image_col) if schema.image_col else None
        refs = value if isinstance(value, list) else [value]
    return [r for r in refs if isinstance(r, str) and r]


def find_image_prefix(ds, schema, root: Path) -> str | None:
    """The leading folders of the rows' absolute image paths that the unpacked archive replaces.

    ``/their/disk/mathv60k/img/1.png`` with ``root/img/1.png`` present gives ``/their/disk/mathv60k/``.
    """
    for row in ds.select(range(min(PROBE_ROWS, len(ds)))):
        for ref in _image_refs(row, schema):
            path = PurePosixPath(ref.removeprefix("file://"))
            if not path.is_absolute() or Path(path).exists():
                continue
            for k in range(1, len(path.parts)):
                if (root / Path(*path.parts[k:])).is_file():
                    prefix = str(PurePosixPath(*path.parts[:k]))
                    return ("file://" if ref.startswith("file://") else "") + prefix.rstrip("/") + "/"
    return None


def relocate_images(ds, schema, root: Path, prefix: str | None = None):
    """Rows whose image paths start with ``prefix`` (or the one found) pointed into ``root`` instead."""
    prefix = prefix or find_image_prefix(ds, schema, root)
    if not prefix:
        return ds
    logger.info("image paths under %s now point into %s", prefix, root)
    col = schema.question_col if schema.name == "lmmr1_message" else schema.image_col
    new = str(root) + "/"

    def move(batch: dict[str, list]) -> dict[str, list]:
        return {col: [_replace(v, prefix, new) for v in batch[col]]}

    return ds.map(move, batched=True, desc="image paths")


def _replace(value: Any, prefix: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(prefix, new)
    if isinstance(value, list):
        return [_replace(v, prefix, new) for v in value]
    return value


def _curate(ds, config, schema, info):
    from lmmr1.curation.pipeline import curate

    return curate(ds, config, schema=schema, source=info)


def prepare(manifest: Manifest, output_dir: Path, *, local_dir: Path | None = None,
            only: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Prepare every dataset of ``manifest`` (or those named in ``only``); returns stats by name.

    Every dataset is fetched before any is curated, so a missing file is reported in seconds.
    """
    names = [s.name for s in manifest.datasets]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise PrepareError(f"--only {unknown}: the manifest's datasets are {names}")
    chosen = [s for s in manifest.datasets if not only or s.name in only]
    config = curation_config(manifest)
    fetched = [(s, fetch(s, local_dir)) for s in chosen]
    return {s.name: prepare_one(s, f, output_dir / s.name, config) for s, f in fetched}
