import pytest

from lmmr1.curation.answer_types import classify
from lmmr1.curation.sources import clean_gold

# (gold, options, expected): golds taken from MATH-500, MATH-V, Geometry3K, GSM8K and MathVista
CASES = [
    ("60", (), "integer"),
    ("10,\\!080", (), "integer"),
    ("90^\\circ", (), "integer"),
    ("-3", (), "integer"),
    ("4.8", (), "decimal"),
    (".35625", (), "decimal"),
    ("\\frac{14}{3}", (), "fraction"),
    ("525/2", (), "fraction"),
    ("(3,4]", (), "interval"),
    ("(-\\infty, 2) \\cup (3, \\infty)", (), "interval"),
    ("\\left( 3, \\frac{\\pi}{2} \\right)", (), "set_tuple"),
    ("1,-2", (), "set_tuple"),
    ("\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}", (), "matrix"),
    ("x=5", (), "equation"),
    ("y = 2x + 3", (), "equation"),
    ("C", ("1", "2", "3"), "choice"),
    ("A", (), "choice"),
    ("Yes", (), "yes_no"),
    ("\\text{no}", (), "yes_no"),
    ("3\\sqrt{13}", (), "expression"),
    ("180*acos(97/111)/pi", (), "expression"),
    ("\\pi-\\tan ^{-1}\\left(\\frac{1}{d}\\right)", (), "expression"),
    ("\\text{Evelyn}", (), "text"),
    ("the red car is faster", (), "text"),
    ("(a) 5 (b) 7", (), "multi_part"),
    ("Proof: by induction on n, the claim holds.", (), "proof"),
    ("N/A", (), "sentinel"),
    ("notfound", (), "sentinel"),
    ("", (), "empty"),
]


@pytest.mark.parametrize(("gold", "options", "expected"), CASES)
def test_classify(gold, options, expected):
    assert classify(gold, options) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("$\\boxed{60}$", "60"), ("\\boxed{\\frac{1}{2}}", "\\frac{1}{2}"), ("He makes $18.\n#### 18", "18"),
     (27.0, "27"), (None, ""), ("\x0crac{36}{13}", "\x0crac{36}{13}")],
)
def test_clean_gold(raw, expected):
    assert clean_gold(raw) == expected
