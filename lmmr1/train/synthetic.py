"""Synthetic, self-generated tasks for the tiny two-stage run: learnable in minutes on a CPU.

Both stages' tasks are built so that a tiny random model can show real RL learning quickly, and so
that lmmr1's verifiers can check every answer:

* **FRE** (text only, ``task="math"``): "repeat the digit". The prompt names one digit from 1-4;
  the gold answer is that digit. One-token answers from the same four digits MGT answers with, so
  that what stage 1 learns (the tags, a digit inside ``<answer>``) can carry over to stage 2.
* **MGT** (image, ``task="math"``): the colour of one shape drawn with PIL, answered by the number
  of its option (``1``-``4``).
  Every item has the *same* prompt text, and the colours are balanced, so a policy that ignores the
  image scores exactly chance (1 / number of colours); only the pixels carry the answer.
* **MGT pair** (two images, ``task="math"``): the colour of the shape in the *second* of two images.
  The first image's colour is balanced too and drawn independently of the answer, so a policy that
  reads only the first image (or none) scores exactly chance: the rows exercise multi-image input.

Rows use the trainer's input format: a conversational ``prompt``, ``image`` (MGT, a PIL image) or
``images`` (MGT pair, a list of two), ``solution`` and ``task`` (no ``options``: both stages answer with a number). Both
builders are deterministic per ``seed``.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

__all__ = [
    "COLOURS",
    "FRE_DIGITS",
    "FRE_PROMPT",
    "MGT_PAIR_PROMPT",
    "MGT_PROMPT",
    "blank_images",
    "draw_shape",
    "make_fre_dataset",
    "make_mgt_dataset",
    "make_mgt_pair_dataset",
]

#: Colour names and RGB centres for MGT; each item jitters its colour a little around the centre.
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 180, 60),
    "blue": (40, 70, 220),
    "yellow": (230, 210, 40),
}
SHAPES = ("square", "circle", "triangle")
BACKGROUND = (255, 255, 255)
IMAGE_SIZE = 112  # pixels a side: 8x8 patches of 14 px → 16 visual tokens after Qwen2.5-VL's 2x2 merge
COLOUR_JITTER = 25  # max absolute change of each RGB channel, so no two images are identical

FRE_PROMPT = "Repeat the digit: {digit}"
FRE_DIGITS = ("1", "2", "3", "4")  # MGT's option numbers: stage 1 practises stage 2's answer space
# Short on purpose: at first a random model's attention is near uniform over the context, so the
# image tokens' share of it (and so the signal to learn from) shrinks with every text token. With the
# options spelled out ("1 red, 2 green, ...": 31 tokens) RL never left the image-blind 0.25; with
# this prompt it did. The option numbers follow COLOURS' order: red 1, green 2, blue 3, yellow 4.
MGT_PROMPT = "Colour?"
MGT_PAIR_PROMPT = "Colour 2?"  # the second image's colour; as short as MGT_PROMPT for the same reason


def _check(n: int, seed: int) -> None:
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int (number of rows), got {n!r}")
    if not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")


def _balanced(n: int, k: int, rng: random.Random) -> list[int]:
    """``n`` labels in ``range(k)``, as balanced as ``n`` allows, in random order."""
    labels = [i % k for i in range(n)]
    rng.shuffle(labels)
    return labels


def make_fre_dataset(n: int, seed: int = 0):
    """``n`` text-only "repeat the digit" rows (``task="math"``, gold one of ``FRE_DIGITS``)."""
    from datasets import Dataset

    _check(n, seed)
    rng = random.Random(seed)
    digits = [FRE_DIGITS[i] for i in _balanced(n, len(FRE_DIGITS), rng)]
    return Dataset.from_dict(
        {
            "prompt": [[{"role": "user", "content": FRE_PROMPT.format(digit=d)}] for d in digits],
            "solution": list(digits),
            "task": ["math"] * n,
        }
    )


def draw_shape(colour: tuple[int, int, int], shape: str, rng: random.Random, size: int = IMAGE_SIZE) -> Image.Image:
    """One shape of ``colour`` on a white square canvas; position and extent vary with ``rng``."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    extent = rng.randint(size * 7 // 8, size)  # large: the colour must dominate a few patches
    x0 = rng.randint(0, size - extent)
    y0 = rng.randint(0, size - extent)
    box = (x0, y0, x0 + extent - 1, y0 + extent - 1)
    if shape == "square":
        draw.rectangle(box, fill=colour)
    elif shape == "circle":
        draw.ellipse(box, fill=colour)
    else:
        draw.polygon([(x0 + extent // 2, y0), (box[2], box[3]), (x0, box[3])], fill=colour)
    return image


def _jitter(rgb: tuple[int, int, int], rng: random.Random) -> tuple[int, int, int]:
    return tuple(min(255, max(0, c + rng.randint(-COLOUR_JITTER, COLOUR_JITTER))) for c in rgb)


def make_mgt_dataset(n: int, seed: int = 0, image_size: int = IMAGE_SIZE):
    """``n`` "colour of the shape" rows (``task="math"``, gold the colour's option number ``1``-``4``).

    The prompt text is identical in every row and the colours are balanced, so an image-blind
    policy is right on exactly ``1 / len(COLOURS)`` of the rows (up to rounding of ``n``).
    """
    from datasets import Dataset

    _check(n, seed)
    rng = random.Random(seed)
    names = list(COLOURS)
    labels = _balanced(n, len(names), rng)
    images = [
        draw_shape(_jitter(COLOURS[names[i]], rng), rng.choice(SHAPES), rng, image_size) for i in labels
    ]
    prompt = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": MGT_PROMPT}]}]
    return Dataset.from_dict(
        {
            "prompt": [prompt] * n,
            "image": images,
            "solution": [str(i + 1) for i in labels],
            "task": ["math"] * n,
        }
    )


def make_mgt_pair_dataset(n: int, seed: int = 0, image_size: int = IMAGE_SIZE):
    """``n`` two-image rows: gold is the option number (``1``-``4``) of the *second* image's colour.

    ``images`` holds both images in prompt order (the prompt has two image parts before the text).
    Both images' colours are balanced and shuffled independently, so the first image says nothing
    about the answer: only a policy that reads the second one beats ``1 / len(COLOURS)``.
    """
    from datasets import Dataset

    _check(n, seed)
    rng = random.Random(seed)
    names = list(COLOURS)
    labels = _balanced(n, len(names), rng)
    distractors = _balanced(n, len(names), rng)

    def shape(i: int) -> Image.Image:
        return draw_shape(_jitter(COLOURS[names[i]], rng), rng.choice(SHAPES), rng, image_size)

    images = [[shape(first), shape(second)] for first, second in zip(distractors, labels, strict=True)]
    prompt = [{"role": "user", "content": [{"type": "image"}, {"type": "image"}, {"type": "text", "text": MGT_PAIR_PROMPT}]}]
    return Dataset.from_dict(
        {
            "prompt": [prompt] * n,
            "images": images,
            "solution": [str(i + 1) for i in labels],
            "task": ["math"] * n,
        }
    )


def blank_images(dataset):
    """The same rows with every image replaced by a blank canvas of the same size (an ablation).

    With the image blank, the MGT prompt carries no information about the answer, so accuracy
    should fall to chance; if it does not, the task leaks its answer through the text.
    """

    def _blank(row):
        return {"image": Image.new("RGB", row["image"].size, BACKGROUND)}

    return dataset.map(_blank)
