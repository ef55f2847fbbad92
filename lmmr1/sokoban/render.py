"""Pictures of Sokoban levels (PIL), written into datasets as the image column.

Tiles differ by colour *and* shape, so they stay apart after the resizing a vision model applies:
walls dark grey, floor light grey, targets a red square in the floor, boxes orange squares
(green once on a target), the player a blue disc (with a red rim on a target). ``image_size``
fixes the side in pixels: the default 224 gives Qwen2.5-VL 8x8 visual tokens (28 px each); the
tiny model sees 112 px (4x4 tokens), where a 7x7 level's tiles are 16 px.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from lmmr1.sokoban.rules import Level, parse_level

__all__ = ["COLOURS", "render_level"]

COLOURS: dict[str, tuple[int, int, int]] = {
    "wall": (60, 60, 70),
    "floor": (225, 225, 215),
    "target": (220, 30, 30),
    "box": (235, 140, 20),
    "box_on_target": (40, 170, 60),
    "player": (30, 70, 230),
}


def render_level(level: Level | str, image_size: int = 224) -> Image.Image:
    """An RGB square picture of ``level`` (a :class:`Level` or its text), ``image_size`` pixels a side.

    Tiles are square, ``image_size // max(height, width)`` pixels each, and the level is centred
    on a wall-coloured canvas (what is outside a room is wall to the rules too).
    """
    if isinstance(level, str):
        level = parse_level(level)
    tile = image_size // max(level.height, level.width)
    if tile < 4:
        raise ValueError(
            f"image_size={image_size} leaves {tile} px per tile for a {level.height}x{level.width} level; "
            f"use image_size >= {4 * max(level.height, level.width)}"
        )
    image = Image.new("RGB", (image_size, image_size), COLOURS["wall"])
    draw = ImageDraw.Draw(image)
    x0 = (image_size - tile * level.width) // 2
    y0 = (image_size - tile * level.height) // 2
    m = max(1, tile // 6)  # inset of the shapes inside a tile
    for r in range(level.height):
        for c in range(level.width):
            cell = (r, c)
            left, top = x0 + c * tile, y0 + r * tile
            box = (left, top, left + tile - 1, top + tile - 1)
            if cell in level.walls:
                draw.rectangle(box, fill=COLOURS["wall"], outline=(90, 90, 100))
                continue
            draw.rectangle(box, fill=COLOURS["floor"])
            inner = (left + m, top + m, left + tile - 1 - m, top + tile - 1 - m)
            on_target = cell in level.targets
            if cell in level.boxes:
                draw.rectangle(inner, fill=COLOURS["box_on_target" if on_target else "box"], outline=(90, 50, 10))
            elif on_target:
                q = tile // 3
                draw.rectangle((left + q, top + q, left + tile - 1 - q, top + tile - 1 - q), fill=COLOURS["target"])
            if cell == level.player:
                draw.ellipse(inner, fill=COLOURS["player"], outline=COLOURS["target"] if on_target else None,
                             width=max(1, m // 2 + 1) if on_target else 0)
    return image
