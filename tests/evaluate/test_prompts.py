"""Golden prompts: the exact messages built for one row of MathVista, MathVerse, MMStar and OlympiadBench."""

from __future__ import annotations

from lmmr1.evaluate.benchmarks import mathverse, mathvista, mmstar, olympiadbench
from lmmr1.evaluate.prompting import fit_pixels, messages
from lmmr1.prompts import SYSTEM_PROMPT
from tests.evaluate.conftest import MATHVERSE_ROWS, MMSTAR_ROWS, OLYMPIAD_ROWS, image


def _row(columns: dict, i: int) -> dict:
    return {k: v[i] for k, v in columns.items()}


def test_mathvista_multiple_choice_row():
    # testmini pid 6 (../shared/data/mathvista_testmini/testmini.json), image path as upstream.
    row = {
        "pid": "6", "question": "As shown in the figure, if CB = 4.0, DB = 7.0, and D is the midpoint of AC, then the length of AC is ()",
        "image": "images/6.jpg", "choices": ["6cm", "7cm", "4cm", "5cm"], "unit": None, "precision": None,
        "answer": "6cm", "question_type": "multi_choice", "answer_type": "text",
    }
    item = mathvista.to_item(row, None)
    assert messages(item, SYSTEM_PROMPT) == [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": [
            {"type": "image"},
            {"type": "text", "text": (
                "As shown in the figure, if CB = 4.0, DB = 7.0, and D is the midpoint of AC, then the length of AC is ()\n"
                "Choices:\n(A) 6cm\n(B) 7cm\n(C) 4cm\n(D) 5cm\n"
                "Answer with the option's letter."
            )},
        ]},
    ]
    assert (item.gold, item.task, item.options) == ("A", "choice", {"A": "6cm", "B": "7cm", "C": "4cm", "D": "5cm"})
    assert [str(p) for p in item.images] == ["images/6.jpg"]


def test_mathvista_free_form_row_names_its_unit_and_precision():
    row = {"pid": "9", "question": "How long is the rod?", "image": "images/9.jpg", "choices": None, "unit": "cm",
           "precision": 1.0, "answer": "2.5", "question_type": "free_form", "answer_type": "float"}
    assert mathvista.to_item(row, None).question == (
        "How long is the rod? (Unit: cm)\nAnswer with a number rounded to 1 decimal place."
    )


def test_mathverse_row():
    item = mathverse.to_item(_row(MATHVERSE_ROWS, 0))
    assert messages(item, SYSTEM_PROMPT)[1] == {"role": "user", "content": [
        {"type": "image"},
        {"type": "text", "text": (
            "As shown in the figure, AB is the diameter of circle O. What is the measure of angle ACB?\n"
            "Choices:\nA:30°\nB:45°\nC:60°\nD:90°"
        )},
    ]}
    assert (item.id, item.gold, item.task) == ("1", "D", "choice")
    assert item.options == {"A": "30°", "B": "45°", "C": "60°", "D": "90°"}


def test_mathverse_vision_only_row_points_at_the_image():
    item = mathverse.to_item(_row(MATHVERSE_ROWS, 1))
    assert item.question == mathverse.SHOWN_ONLY
    assert item.options == {"A": "A", "B": "B", "C": "C", "D": "D"}  # only a letter can be checked


def test_mmstar_row():
    item = mmstar.to_item(_row(MMSTAR_ROWS, 0))
    assert messages(item, SYSTEM_PROMPT)[1]["content"][1]["text"] == (
        "Which option describe the object relationship in the image correctly?\n"
        "Options: A: The suitcase is on the book., B: The suitcase is beneath the cat., "
        "C: The suitcase is beneath the bed., D: The suitcase is beneath the book.\n"
        "Answer with the option's letter from the given choices."
    )
    assert item.options == {
        "A": "The suitcase is on the book.", "B": "The suitcase is beneath the cat.",
        "C": "The suitcase is beneath the bed.", "D": "The suitcase is beneath the book.",
    }
    assert (item.gold, item.task) == ("A", "choice")


def test_olympiadbench_row():
    item = olympiadbench.to_item(_row(OLYMPIAD_ROWS, 1))
    assert messages(item, SYSTEM_PROMPT) == [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": (
            "A ball of mass $m=0.5$ kg falls from $h=2.0$ m. Find its speed just before it hits the ground, with $g=9.8$.\n"
            "The unit of the answer is m/s; give the number without the unit."
        )},
    ]
    assert (item.gold, item.task) == ("6.26", "geometry")
    assert abs(item.config.geometry.rel_tol - 0.1 / 6.26) < 1e-12 and item.config.geometry.rounding == "none"


def test_olympiadbench_multi_answer_row_asks_for_all_answers():
    item = olympiadbench.to_item(_row(OLYMPIAD_ROWS, 0))
    assert item.question.endswith("This problem has more than one answer: give all of them, separated by commas.")
    assert (item.gold, item.task, item.config) == ("2, 3", "auto", None)


def test_images_are_scaled_to_max_pixels_keeping_their_shape():
    big = image().resize((2048, 1024))
    small = fit_pixels(big, 1024 * 1024)
    assert small.size[0] * small.size[1] <= 1024 * 1024 and small.size == (1448, 724)
    assert fit_pixels(image(), 1024 * 1024).size == (28, 28)
