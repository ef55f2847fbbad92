"""An :class:`Item` as chat messages and images, as the trainer builds its prompts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmmr1.evaluate.items import Item

#: Qwen2.5-VL's ``max_pixels`` in LMM-R1's evaluation: each image at most 1024 x 1024 pixels.
MAX_PIXELS = 1024 * 1024


@dataclass(frozen=True)
class Request:
    """What a backend generates from: chat ``messages`` and the PIL ``images`` they refer to, in order."""

    messages: list[dict[str, Any]]
    images: tuple[Any, ...] = ()


def messages(item: Item, system_prompt: str | None) -> list[dict[str, Any]]:
    """System turn (when given), then one user turn: an image part per image, then the question.

    Text-only turns are plain strings, which text-only chat templates require as well.
    """
    user: Any = item.question
    if item.images:
        user = [{"type": "image"} for _ in item.images] + [{"type": "text", "text": item.question}]
    out: list[dict[str, Any]] = [{"role": "system", "content": system_prompt}] if system_prompt else []
    out.append({"role": "user", "content": user})
    return out


def fit_pixels(image, max_pixels: int = MAX_PIXELS):
    """``image`` as RGB, scaled down (aspect kept) so that width x height <= ``max_pixels``."""
    image = image.convert("RGB")
    w, h = image.size
    if w * h <= max_pixels:
        return image
    scale = math.sqrt(max_pixels / (w * h))
    return image.resize((max(1, int(w * scale)), max(1, int(h * scale))))


def open_image(value: Any, max_pixels: int = MAX_PIXELS):
    from PIL import Image

    if isinstance(value, (str, Path)):
        with Image.open(value) as im:
            return fit_pixels(im, max_pixels)
    return fit_pixels(value, max_pixels)


def request(item: Item, system_prompt: str | None, max_pixels: int = MAX_PIXELS) -> Request:
    return Request(messages(item, system_prompt), tuple(open_image(v, max_pixels) for v in item.images))
