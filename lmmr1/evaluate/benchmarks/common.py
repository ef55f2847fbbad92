"""Helpers the benchmark modules share: images from a row, placeholders, numbers as golds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_PLACEHOLDER = re.compile(r"\s*<image\d*>\s*")


def strip_placeholders(text: str) -> str:
    """``<image1>`` markers out: the images are given as content parts before the text."""
    return _PLACEHOLDER.sub(" ", text).strip()


def is_image(value: Any) -> bool:
    return hasattr(value, "size") and hasattr(value, "convert")


def row_images(row: dict[str, Any], base: Path | None, *columns: str) -> tuple[Any, ...]:
    """The first of ``columns`` that holds images: PIL images as they are, paths under ``base``.

    A Hub row usually has both a path (``image``) and the decoded picture (``decoded_image``): name
    the decoded column first.
    """
    for col in columns:
        value = row.get(col)
        if value is None or value == "" or value == []:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        out = []
        for v in values:
            if v is None:
                continue
            if isinstance(v, dict) and v.get("bytes") is not None:
                import io

                from PIL import Image

                v = Image.open(io.BytesIO(v["bytes"]))
            elif isinstance(v, dict) and v.get("path"):
                v = v["path"]
            if isinstance(v, str):
                v = (base / v) if base is not None and not Path(v).is_absolute() else Path(v)
            out.append(v)
        if out:
            return tuple(out)
    return ()


def number_gold(value: Any) -> str:
    """A JSON number gold as text: ``27.0`` -> ``"27"``, ``0.5`` -> ``"0.5"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
