"""The one table of file formats, the one image-path resolver, and the guard against overwriting inputs."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lmmr1.errors import UserError

#: suffix -> (reader/writer kind, whether images stay paths rather than embedded bytes)
FORMATS: dict[str, tuple[str, bool]] = {
    ".jsonl": ("json", True),
    ".json": ("json", True),
    ".parquet": ("parquet", False),
    ".csv": ("csv", True),
}


class PathCollision(UserError, ValueError):
    """Two paths of one run name the same file: writing would destroy data."""


def file_kind(path: str | os.PathLike) -> str | None:
    """``json``, ``parquet`` or ``csv`` for a data file's suffix; ``None`` for anything else (a folder)."""
    entry = FORMATS.get(Path(path).suffix.lower())
    return entry[0] if entry else None


def holds_image_paths(path: str | os.PathLike) -> bool:
    """True for text formats, where images are written as paths; parquet and folders embed the bytes."""
    entry = FORMATS.get(Path(path).suffix.lower())
    return bool(entry and entry[1])


def resolve_image_path(value: Any, base_dir: str | None) -> Any:
    """A relative image path joined to ``base_dir``; absolute paths, URLs and non-strings unchanged."""
    if isinstance(value, str) and value and base_dir and not os.path.isabs(value) and "://" not in value:
        return os.path.join(base_dir, value)
    return value


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (dataclasses as dicts, tuples as lists, anything else as its repr)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "__dataclass_fields__"):
        return jsonable({k: getattr(value, k) for k in value.__dataclass_fields__})
    return repr(value)


def _identity(path: str | os.PathLike) -> str:
    # resolve() follows symlinks, so a link to the input is the input
    return os.path.normcase(str(Path(path).expanduser().resolve()))


def refuse_collisions(inputs: Iterable[tuple[str, str | os.PathLike | None]],
                      outputs: Iterable[tuple[str, str | os.PathLike | None]]) -> None:
    """Raise :class:`PathCollision` if an output is an input, lies inside an input folder, or is another output.

    ``inputs`` and ``outputs`` are ``(flag, path)`` pairs; ``None`` paths are skipped. Runs before
    anything is read, so a mistyped flag never costs data.
    """
    ins = [(flag, _identity(p)) for flag, p in inputs if p]
    seen: dict[str, str] = {}
    for flag, p in outputs:
        if not p:
            continue
        ident = _identity(p)
        for in_flag, in_ident in ins:
            if ident == in_ident:
                raise PathCollision(f"{flag} {p} is the same file as {in_flag}: writing it would destroy the input; "
                                    "choose another output path")
            if Path(in_ident).is_dir() and Path(ident).is_relative_to(in_ident) and Path(ident).exists():
                raise PathCollision(f"{flag} {p} would overwrite a file inside the {in_flag} folder {in_ident}; "
                                    "write outside it")
            if Path(in_ident).is_relative_to(ident):
                raise PathCollision(f"{flag} {p} is a folder holding {in_flag} {in_ident}: replacing it would destroy "
                                    "the input; choose another output path")
        if ident in seen:
            raise PathCollision(f"{flag} {p} and {seen[ident]} name the same file: one would overwrite the other; "
                                "give each its own path")
        seen[ident] = f"{flag} {p}"
