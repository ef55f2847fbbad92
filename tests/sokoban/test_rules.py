"""Sokoban rules: moves, pushes, walls, targets, and the text notation."""

from __future__ import annotations

import pytest

from lmmr1.sokoban.rules import LevelError, parse_level, play, step


def moved(level: str, *actions: str) -> str:
    return play(parse_level(level), list(actions)).to_text()


@pytest.mark.parametrize(
    ("level", "action", "after", "did_move", "pushed"),
    [
        ("#####\n#@  #\n#*  #\n#####", "Right", "#####\n# @ #\n#*  #\n#####", True, False),  # walk
        ("#####\n#@  #\n#*  #\n#####", "Left", "#####\n#@  #\n#*  #\n#####", False, False),  # into a wall
        ("######\n#@$ .#\n######", "Right", "######\n# @$.#\n######", True, True),  # push
        ("######\n#@$#.#\n######", "Right", "######\n#@$#.#\n######", False, False),  # push into a wall: nothing
        ("#######\n#@$$..#\n#######", "Right", "#######\n#@$$..#\n#######", False, False),  # two boxes: nothing
        ("#####\n#@$.#\n#####", "Right", "#####\n# @*#\n#####", True, True),  # box onto a target
        ("######\n#@*  #\n######", "Right", "######\n# +$ #\n######", True, True),  # box off, player on target
        ("#####\n#@. #\n#$  #\n#####", "Right", "#####\n# + #\n#$  #\n#####", True, False),  # walk onto a target
        ("#####\n#+  #\n#$  #\n#####", "Right", "#####\n#.@ #\n#$  #\n#####", True, False),  # leave a target
    ],
)
def test_one_action(level, action, after, did_move, pushed):
    result = step(parse_level(level), action)
    assert result.level.to_text() == after
    assert (result.moved, result.pushed) == (did_move, pushed)


def test_no_pull():
    """Walking away from a box leaves it where it was."""
    assert moved("######\n#.$@ #\n######", "Right") == "######\n#.$ @#\n######"


def test_solved_only_when_every_box_is_on_a_target():
    level = parse_level("#######\n#@$.$.#\n#######")
    assert not level.solved
    half = play(level, ["Right"])
    assert half.boxes_on_targets == 1 and not half.solved
    assert parse_level("#####\n#@**#\n#####").solved


def test_outside_the_grid_is_wall():
    """An open level cannot be walked off, and a box cannot be pushed off it."""
    assert moved("@$.", "Left") == "@$."
    assert moved(".@$", "Right") == ".@$"


def test_text_round_trip_and_ragged_rows():
    text = "  ####\n###  #\n#@$. #\n######"
    assert parse_level(text).to_text() == text
    ragged = parse_level("####\n#@$.#\n###")
    assert ragged.width == 5 and ragged.to_text().endswith("\n###  ")  # missing cells are floor
    assert parse_level("\n\n#####\n#@$.#\n#####\n\n").height == 3  # surrounding blank lines ignored
    assert parse_level("#####\n#@$.#\n#####".replace(" ", "-")).boxes == parse_level("#####\n#@$.#\n#####").boxes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("#####\n#@$ #\n#####", r"1 box\(es\) but 0 target"),
        ("#####\n# $.#\n#####", "exactly one player"),
        ("#####\n#@@$.#\n#####", "exactly one player"),
        ("#####\n#@  .#\n#####", "no box"),
        ("#####\n#@$X.#\n#####", "unknown symbol 'X'"),
    ],
)
def test_bad_levels_say_what_is_wrong(text, message):
    with pytest.raises(LevelError, match=message):
        parse_level(text)


def test_unknown_action():
    with pytest.raises(ValueError, match="unknown action"):
        step(parse_level("#####\n#@$.#\n#####"), "Jump")
