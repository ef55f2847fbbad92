"""Scoring-case tables per benchmark: precision, units, letters, multi-answer; undecided kept apart."""

from __future__ import annotations

import pytest

from lmmr1.evaluate.benchmarks import gpqa, mathv, mathverse, mathvista, mmstar, olympiadbench
from lmmr1.evaluate.items import Item
from lmmr1.evaluate.scoring import prediction_row, score, summarize
from tests.evaluate.conftest import GPQA_ROWS, MATHVERSE_ROWS, MMSTAR_ROWS, OLYMPIAD_ROWS


def _row(columns: dict, i: int) -> dict:
    return {k: v[i] for k, v in columns.items()}


def _answer(text: str) -> str:
    return f"<think>…</think><answer>{text}</answer>"


MV_CHOICE = {"pid": "6", "question": "AC?", "image": "i.jpg", "choices": ["6cm", "7cm", "4cm", "5cm"], "unit": None,
             "precision": None, "answer": "6cm", "question_type": "multi_choice", "answer_type": "text"}
MV_FLOAT = {"pid": "1", "question": "d?", "image": "i.jpg", "choices": None, "unit": "m", "precision": 1.0,
            "answer": "1.2", "question_type": "free_form", "answer_type": "float"}
MV_INT = {"pid": "2", "question": "n?", "image": "i.jpg", "choices": None, "unit": None, "precision": None,
          "answer": "18", "question_type": "free_form", "answer_type": "integer"}

CASES = [
    # MathVista: option-text golds answered by letter or text; floats at the gold's precision; units stripped
    ("mathvista letter", mathvista.to_item(MV_CHOICE, None), _answer("A"), True),
    ("mathvista option text", mathvista.to_item(MV_CHOICE, None), _answer("6cm"), True),
    ("mathvista wrong letter", mathvista.to_item(MV_CHOICE, None), _answer("B"), False),
    ("mathvista float", mathvista.to_item(MV_FLOAT, None), _answer("1.2"), True),
    ("mathvista float with unit", mathvista.to_item(MV_FLOAT, None), _answer("1.2 m"), True),
    ("mathvista other float", mathvista.to_item(MV_FLOAT, None), _answer("1.3"), False),
    ("mathvista 18.0 for 18", mathvista.to_item(MV_INT, None), _answer("18.0"), True),
    # MATH-V: letters among the options, free-form values
    ("mathv letter", mathv.to_item({"id": "1", "question": "q <image1>", "options": ["1", "2", "3", "4", "5"], "answer": "C"}, None), _answer("(C)"), True),
    ("mathv option value", mathv.to_item({"id": "1", "question": "q", "options": ["1", "2", "3", "4", "5"], "answer": "C"}, None), _answer("3"), True),
    ("mathv free form", mathv.to_item({"id": "2", "question": "q", "options": [], "answer": "61"}, None), _answer("61"), True),
    # MathVerse: letters with text options, letters only for vision-only items
    ("mathverse letter", mathverse.to_item(_row(MATHVERSE_ROWS, 0)), _answer("D"), True),
    ("mathverse option text", mathverse.to_item(_row(MATHVERSE_ROWS, 0)), _answer("90°"), True),
    ("mathverse vision only", mathverse.to_item(_row(MATHVERSE_ROWS, 1)), _answer("D"), True),
    ("mathverse free form", mathverse.to_item(_row(MATHVERSE_ROWS, 2)), _answer("5"), True),
    # MMStar: four letters
    ("mmstar letter", mmstar.to_item(_row(MMSTAR_ROWS, 1)), _answer("C"), True),
    ("mmstar wrong letter", mmstar.to_item(_row(MMSTAR_ROWS, 1)), _answer("D"), False),
    ("mmstar two letters", mmstar.to_item(_row(MMSTAR_ROWS, 1)), _answer("C or D"), False),
    # OlympiadBench: multi-answer items need every answer, in any order; per-item absolute error
    ("olympiad both answers", olympiadbench.to_item(_row(OLYMPIAD_ROWS, 0)), _answer("3, 2"), True),
    ("olympiad one of two", olympiadbench.to_item(_row(OLYMPIAD_ROWS, 0)), _answer("2"), False),
    ("olympiad within error", olympiadbench.to_item(_row(OLYMPIAD_ROWS, 1)), _answer("6.3"), True),
    ("olympiad outside error", olympiadbench.to_item(_row(OLYMPIAD_ROWS, 1)), _answer("6.5"), False),
    ("olympiad unit given anyway", olympiadbench.to_item(_row(OLYMPIAD_ROWS, 1)), _answer("6.26 \\mathrm{m/s}"), True),  # plain "6.26 m/s" is not_equal: the verifiers strip LaTeX units only
    # GPQA: the shuffled letter
    ("gpqa letter", gpqa.to_item(_row(GPQA_ROWS, 0), 0), _answer("C"), True),
    ("gpqa text", gpqa.to_item(_row(GPQA_ROWS, 0), 0), _answer("1/2"), True),
]


@pytest.mark.parametrize(("name", "item", "completion", "expected"), CASES, ids=[c[0] for c in CASES])
def test_scoring_case(name, item, completion, expected):
    (verdict,) = score([item], [completion], workers=1)
    assert verdict.correct is expected, (name, verdict)


def test_a_batch_gives_each_item_its_own_verdict_and_config():
    items = [c[1] for c in CASES]
    verdicts = score(items, [c[2] for c in CASES], workers=1)
    assert [v.correct for v in verdicts] == [c[3] for c in CASES]


def test_gpqa_letters_are_the_same_on_every_run():
    assert gpqa.shuffled(_row(GPQA_ROWS, 1)) == gpqa.shuffled(dict(_row(GPQA_ROWS, 1)))
    options, gold = gpqa.shuffled(_row(GPQA_ROWS, 1))
    assert options[gold] == "Nitrogen"


def test_undecided_is_its_own_count():
    corrupted = Item(id="2830", question="q", gold="\x0crac{36}{13}")  # MATH-V's corrupted gold
    fine = Item(id="1", question="q", gold="4")
    items = [corrupted, fine, fine]
    completions = [_answer("2"), _answer("4"), _answer("5")]
    rows = [prediction_row(it, 0, c, v, 3, False) for it, c, v in zip(items, completions, score(items, completions, workers=1), strict=True)]
    summary = summarize(rows)
    assert (summary["correct"], summary["wrong"], summary["undecided"], summary["n"]) == (1, 1, 1, 3)
    assert summary["accuracy"] == pytest.approx(1 / 3) and summary["accuracy_of_decided"] == pytest.approx(1 / 2)
    assert summary["reasons"]["gold_unparseable"] == 1
