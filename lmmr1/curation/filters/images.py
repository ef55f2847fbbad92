"""Image filters: missing, unreadable, too small or too large; and the helpers that open images."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from typing import Any

from lmmr1.curation.filters.base import Decision, Drop, Filter, register
from lmmr1.curation.sources import Example


def open_image(ref: Any):
    """A PIL image from a path, bytes, a ``{"bytes", "path"}`` dict or a PIL image; raises if unreadable."""
    from PIL import Image

    if isinstance(ref, Image.Image):
        return ref
    if isinstance(ref, dict):
        ref = ref.get("bytes") or ref.get("path")
    if isinstance(ref, (bytes, bytearray)):
        return Image.open(io.BytesIO(ref))
    if isinstance(ref, str):
        return Image.open(ref)
    raise TypeError(f"cannot read an image from {type(ref).__name__}")


def image_key(ref: Any) -> str:
    """A content hash of the image (bytes when available), for exact de-duplication."""
    from PIL import Image

    if isinstance(ref, dict):
        ref = ref.get("bytes") or ref.get("path")
    if isinstance(ref, str) and os.path.isfile(ref):
        with open(ref, "rb") as fh:
            return hashlib.blake2b(fh.read(), digest_size=12).hexdigest()
    if isinstance(ref, (bytes, bytearray)):
        return hashlib.blake2b(ref, digest_size=12).hexdigest()
    if isinstance(ref, Image.Image):
        return hashlib.blake2b(ref.tobytes(), digest_size=12).hexdigest()
    return f"missing:{ref}"


def _exists(ref: Any) -> bool:
    if isinstance(ref, dict):
        return bool(ref.get("bytes")) or (isinstance(ref.get("path"), str) and os.path.isfile(ref["path"]))
    if isinstance(ref, str):
        return os.path.isfile(ref)
    return ref is not None


@register("image")
@dataclass(frozen=True)
class ImageCheck(Filter):
    """Each image must exist, decode, and have a size a vision encoder can use."""

    reasons = ("missing_image", "image_is_directory", "unreadable_image", "image_too_small", "image_too_large")
    min_side: int = 28  # pixels; Qwen2.5-VL's patch merger needs at least one 28x28 block
    max_side: int = 8192  # pixels; beyond this encoders resize away the detail anyway
    max_pixels: int = 40_000_000  # width*height; guards against decompression bombs
    decode: bool = True  # decode fully (catches truncated files); False reads only the header

    def check(self, ex: Example) -> Decision:
        if not ex.expects_image:
            return None
        if not ex.images:
            return Drop("missing_image", "the row refers to an image but has none")
        from PIL import Image

        for ref in ex.images:
            path = ref.get("path") if isinstance(ref, dict) and not ref.get("bytes") else ref
            if isinstance(path, str) and os.path.isdir(path):
                return Drop("image_is_directory", f"{path!r} is a folder, not an image file; point the row at a file")
            if not _exists(ref):
                return Drop("missing_image", f"no such file {ref!r}" if isinstance(ref, str) else "empty image")
            try:
                img = open_image(ref)  # reads the header only: the size is known before anything is decoded
                width, height = img.size
                if width * height > self.max_pixels:
                    return Drop("image_too_large", f"{width}x{height} exceeds {self.max_pixels} pixels")
                if self.decode:
                    img.load()
            except Image.DecompressionBombError as exc:  # PIL refuses to even open > 2x MAX_IMAGE_PIXELS
                return Drop("image_too_large", f"{exc} (limit max_pixels={self.max_pixels})")
            except Exception as exc:  # PIL raises OSError, SyntaxError, ValueError... for broken files
                return Drop("unreadable_image", f"{type(exc).__name__}: {exc}")
            if min(width, height) < self.min_side:
                return Drop("image_too_small", f"{width}x{height} is under {self.min_side} px")
            if max(width, height) > self.max_side:
                return Drop("image_too_large", f"{width}x{height} exceeds {self.max_side} px")
        return None
