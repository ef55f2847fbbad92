"""The renderer: every tile kind keeps its own colour at the sizes the models see."""

from __future__ import annotations

import pytest

from lmmr1.sokoban.render import COLOURS, render_level
from lmmr1.sokoban.rules import parse_level

LEVEL = "#######\n#@$. *#\n#  $. #\n#######"  # every tile kind in row 1: wall, player, box, target, floor, box on target


def _centre(image, level_rows: int, level_cols: int, r: int, c: int):
    tile = image.width // max(level_rows, level_cols)
    x0 = (image.width - tile * level_cols) // 2
    y0 = (image.height - tile * level_rows) // 2
    return image.getpixel((x0 + c * tile + tile // 2, y0 + r * tile + tile // 2))


@pytest.mark.parametrize("size", [112, 224, 448])
def test_tiles_have_their_colours(size):
    image = render_level(LEVEL, size)
    assert image.size == (size, size) and image.mode == "RGB"
    level = parse_level(LEVEL)
    at = {
        "wall": (0, 0),
        "player": (1, 1),
        "box": (1, 2),
        "target": (1, 3),
        "floor": (1, 4),
        "box_on_target": (1, 5),
    }
    seen = {name: _centre(image, level.height, level.width, *cell) for name, cell in at.items()}
    assert seen == {name: COLOURS[name] for name in at}, seen


def test_player_on_target_and_levels_that_differ_draw_differently():
    a = render_level("#####\n#@$.#\n#####", 112)
    b = render_level("#####\n# @*#\n#####", 112)
    assert a.tobytes() != b.tobytes()
    on_target = render_level("#####\n#+$ #\n#  *#\n#####", 112)
    assert on_target.tobytes() != render_level("#####\n#@$ #\n#  *#\n#####".replace("@$ ", "@$."), 112).tobytes()


def test_too_small_says_how_big():
    with pytest.raises(ValueError, match="use image_size >= 28"):
        render_level("#######\n#@$.  #\n#######", 20)
