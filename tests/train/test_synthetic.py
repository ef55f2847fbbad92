"""The synthetic tiny-run tasks: right format, deterministic, balanced, checkable, image-only for MGT."""

from __future__ import annotations

from collections import Counter

import pytest

from lmmr1 import verify
from lmmr1.train.synthetic import (
    BACKGROUND,
    COLOURS,
    MGT_PAIR_PROMPT,
    MGT_PROMPT,
    blank_images,
    make_fre_dataset,
    make_mgt_dataset,
    make_mgt_pair_dataset,
)


def _as_completion(answer: str) -> str:
    return f"<think></think><answer>{answer}</answer>"


def test_fre_rows_are_conversational_text_math():
    ds = make_fre_dataset(20, seed=0)
    assert set(ds.column_names) == {"prompt", "solution", "task"}
    row = ds[0]
    assert row["prompt"][0]["role"] == "user"
    assert isinstance(row["prompt"][0]["content"], str)
    assert row["task"] == "math"
    assert row["prompt"][0]["content"].endswith(row["solution"])


def test_fre_is_deterministic_per_seed_and_balanced():
    assert make_fre_dataset(30, seed=3).to_dict() == make_fre_dataset(30, seed=3).to_dict()
    assert make_fre_dataset(30, seed=3)["solution"] != make_fre_dataset(30, seed=4)["solution"]
    assert Counter(make_fre_dataset(100, seed=0)["solution"]) == {d: 25 for d in "1234"}


@pytest.mark.parametrize("seed", [0, 1])
def test_fre_gold_is_verified_by_lmmr1(seed):
    for row in make_fre_dataset(10, seed=seed):
        assert verify(_as_completion(row["solution"]), row["solution"], task=row["task"]).correct is True
        wrong = str(int(row["solution"]) % 4 + 1)
        assert verify(_as_completion(wrong), row["solution"], task=row["task"]).correct is False


def test_mgt_rows_have_one_image_and_identical_prompt_text():
    ds = make_mgt_dataset(16, seed=0)
    assert set(ds.column_names) == {"prompt", "image", "solution", "task"}
    prompts = ds["prompt"]
    assert all(p == prompts[0] for p in prompts), "an image-blind policy must see the same text every time"
    parts = prompts[0][0]["content"]
    assert [p["type"] for p in parts] == ["image", "text"]
    assert parts[1]["text"] == MGT_PROMPT
    row = ds[0]
    assert row["task"] == "math" and row["solution"] in {"1", "2", "3", "4"}
    assert row["image"].mode == "RGB"


def test_mgt_is_deterministic_and_balanced():
    a, b = make_mgt_dataset(12, seed=5), make_mgt_dataset(12, seed=5)
    assert a["solution"] == b["solution"]
    assert [im.tobytes() for im in a["image"]] == [im.tobytes() for im in b["image"]]
    counts = Counter(make_mgt_dataset(40, seed=0)["solution"])
    assert counts == {"1": 10, "2": 10, "3": 10, "4": 10}, "balanced colours put blind policies at chance"


def _option(image) -> str:
    """The option number of the colour nearest to ``image``'s most common non-background pixel."""
    names = list(COLOURS)
    pixels = [p for p in image.getdata() if p != BACKGROUND]
    dominant = Counter(pixels).most_common(1)[0][0]
    nearest = min(names, key=lambda n: sum((x - y) ** 2 for x, y in zip(dominant, COLOURS[n], strict=True)))
    return str(names.index(nearest) + 1)


def test_mgt_image_carries_the_answer():
    """The most common non-background pixel is nearest to the gold colour's RGB centre."""
    for row in make_mgt_dataset(24, seed=2):
        assert _option(row["image"]) == row["solution"]


def test_mgt_pair_rows_have_two_images_and_the_second_carries_the_answer():
    ds = make_mgt_pair_dataset(40, seed=1)
    assert set(ds.column_names) == {"prompt", "images", "solution", "task"}
    parts = ds[0]["prompt"][0]["content"]
    assert [p["type"] for p in parts] == ["image", "image", "text"] and parts[2]["text"] == MGT_PAIR_PROMPT
    firsts = []
    for row in ds:
        assert len(row["images"]) == 2
        assert _option(row["images"][1]) == row["solution"]
        firsts.append(_option(row["images"][0]))
    # Both images' colours are balanced; the first is shuffled apart from the answer.
    assert Counter(firsts) == Counter(ds["solution"]) == {"1": 10, "2": 10, "3": 10, "4": 10}
    assert firsts != ds["solution"]
    again = make_mgt_pair_dataset(40, seed=1)
    assert [im.tobytes() for r in again["images"] for im in r] == [im.tobytes() for r in ds["images"] for im in r]


def test_mgt_gold_is_verified_by_lmmr1():
    for row in make_mgt_dataset(8, seed=0):
        assert verify(_as_completion(row["solution"]), row["solution"], task=row["task"]).correct is True
        wrong = str(int(row["solution"]) % 4 + 1)
        assert verify(_as_completion(wrong), row["solution"], task=row["task"]).correct is False


def test_blank_images_remove_the_information_only():
    ds = make_mgt_dataset(8, seed=0)
    blank = blank_images(ds)
    assert blank["solution"] == ds["solution"] and blank["prompt"] == ds["prompt"]
    for before, after in zip(ds["image"], blank["image"], strict=True):
        assert after.size == before.size
        assert after.getextrema() == tuple((c, c) for c in BACKGROUND)


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_bad_n_is_refused_with_the_value(bad):
    with pytest.raises(ValueError, match=str(bad)):
        make_fre_dataset(bad, seed=0)
