"""Local copies of Hub benchmarks in each Hub schema (a few rows each), written by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image


def image(colour=(200, 30, 30)) -> Image.Image:
    return Image.new("RGB", (28, 28), colour)


MATHVERSE_ROWS = {
    "sample_index": ["1", "2", "3"],
    "problem_index": ["1", "1", "2"],
    "problem_version": ["Text Lite", "Vision Only", "Text Dominant"],
    "question": [
        "As shown in the figure, AB is the diameter of circle O. What is the measure of angle ACB?\n"
        "Choices:\nA:30°\nB:45°\nC:60°\nD:90°",
        "",
        "In the right triangle shown, the legs are 3 and 4. Find the hypotenuse.",
    ],
    "image": [image(), image(), image()],
    "answer": ["D", "D", "5"],
    "question_type": ["multi-choice", "multi-choice", "free-form"],
    "metadata": [{"split": "testmini"}] * 3,
    "query_cot": ["q1", "q2", "q3"],
}

MMSTAR_ROWS = {
    "index": [0, 1],
    "question": [
        "Which option describe the object relationship in the image correctly?\n"
        "Options: A: The suitcase is on the book., B: The suitcase is beneath the cat., "
        "C: The suitcase is beneath the bed., D: The suitcase is beneath the book.",
        "How many apples are there? Options: A: 1, B: 2, C: 3, D: 4",
    ],
    "image": [image(), image((0, 200, 0))],
    "answer": ["A", "C"],
    "category": ["coarse perception", "fine-grained perception"],
    "l2_category": ["image scene and topic", "object counting"],
    "meta_info": [{"source": "MMBench"}, {"source": "SEEDBench"}],
}

OLYMPIAD_ROWS = {
    "question_id": [2231, 2232, 1606],
    "question": [
        "Find all positive integers $n$ such that $n^2 - 5n + 6 = 0$.",
        "A ball of mass $m=0.5$ kg falls from $h=2.0$ m. Find its speed just before it hits the ground, with $g=9.8$.",
        "Compute the area of the triangle shown in the figure.",
    ],
    "final_answer": [["$2$", "$3$"], ["$6.26$"], ["$6$"]],
    "is_multiple_answer": [True, False, False],
    "unit": [None, "m/s", None],
    "answer_type": ["Numerical", "Numerical", "Numerical"],
    "error": [None, "1e-1", None],
    "subfield": ["Number Theory", "Mechanics", "Geometry"],
    "subject": ["Math", "Physics", "Math"],
    "language": ["English"] * 3,
    "images": [[], [], [image()]],
}

GPQA_ROWS = {
    "Record ID": ["rec1", "rec2"],
    "Question": ["What is the spin of an electron?", "Which gas is most abundant in Earth's atmosphere?"],
    "Correct Answer": ["1/2", "Nitrogen"],
    "Incorrect Answer 1": ["1", "Oxygen"],
    "Incorrect Answer 2": ["0", "Argon"],
    "Incorrect Answer 3": ["3/2", "Carbon dioxide"],
}

MATHVISTA_HUB_ROWS = {
    "pid": ["1", "2"],
    "question": ["What is the value of the largest bar?", "Which shape is red?"],
    "image": ["images/1.jpg", "images/2.jpg"],
    "decoded_image": [image(), image()],
    "choices": [None, ["circle", "square", "triangle"]],
    "unit": [None, None],
    "precision": [None, None],
    "answer": ["7", "square"],
    "question_type": ["free_form", "multi_choice"],
    "answer_type": ["integer", "text"],
}


def save(rows: dict, folder: Path, how: str = "save_to_disk") -> Path:
    """``rows`` (columns) as a Hub dataset saved locally: a save_to_disk folder or one parquet file."""
    from datasets import Dataset

    ds = Dataset.from_dict(rows)
    folder.mkdir(parents=True, exist_ok=True)
    if how == "save_to_disk":
        ds.save_to_disk(str(folder))
    else:
        ds.to_parquet(str(folder / "test-00000-of-00001.parquet"))
    return folder


@pytest.fixture
def hub_dir(tmp_path) -> Path:
    """A --data-dir holding every Hub benchmark's rows in its Hub schema."""
    save(MATHVERSE_ROWS, tmp_path / "mathverse_testmini")
    save(MMSTAR_ROWS, tmp_path / "mmstar", "parquet")
    save(OLYMPIAD_ROWS, tmp_path / "olympiadbench")
    save(GPQA_ROWS, tmp_path / "gpqa_diamond", "parquet")
    save(MATHVISTA_HUB_ROWS, tmp_path / "mathvista_testmini")
    return tmp_path
