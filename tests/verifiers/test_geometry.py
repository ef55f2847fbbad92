"""Geometry: numeric comparison that respects rounding."""

import pytest

from lmmr1 import GeometryConfig, verify

TABLE = [
    ("12.67", r"$\frac{38}{3}$", True),
    (r"2\sqrt{3}", "3.464", True),
    (r"2\sqrt{3}", "3.46", True),
    (r"\frac{\pi}{3}", "1.047", True),
    ("30", r"30^\circ", True),
    ("5", "5 cm", True),
    ("180*acos(97/111)/pi", "29.09", True),  # FormalGeo's sympy-syntax gold
    ("60", "59", False),
    ("12.7", "12.6", False),
    (r"2\sqrt{3}", "3", False),
    ("10.44", "10.4", False),  # coarser than the rounded gold
    ("60", "59.95", False),
    (r"x+1", r"1+x", True),  # not a constant: falls back to symbolic equivalence
]


@pytest.mark.parametrize(("gold", "pred", "correct"), TABLE)
def test_geometry_table(gold, pred, correct):
    v = verify(f"<answer>{pred}</answer>", gold, task="geometry")
    assert v.correct is correct, v


def test_rounding_none_requires_exact_values():
    cfg = GeometryConfig(rounding="none")
    assert verify("<answer>3.46</answer>", r"2\sqrt{3}", task="geometry", config=cfg).correct is False
    assert verify(r"<answer>\sqrt{12}</answer>", r"2\sqrt{3}", task="geometry", config=cfg).correct is True


def test_relative_tolerance_is_configurable():
    cfg = GeometryConfig(rel_tol=0.01)
    assert verify("<answer>59.5</answer>", "60", task="geometry", config=cfg).correct is True
