"""Properties of answers written in the wild (issue 14): Unicode, trailing words, truncation, config."""

import re
import time

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lmmr1 import ChoiceConfig, GeometryConfig, MathConfig, VerifierConfig, verify

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SUPER = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# (Unicode spelling, LaTeX spelling) of the same value, built from small integers
unicode_pairs = st.one_of(
    st.builds(lambda a, b: (f"{a}√{b}", rf"{a}\sqrt{{{b}}}"), st.integers(2, 30), st.integers(2, 30)),
    st.builds(lambda a, b: (f"{a}/√{b}", rf"\frac{{{a}}}{{\sqrt{{{b}}}}}"), st.integers(1, 30), st.integers(2, 30)),
    st.builds(lambda a: (f"−{a}", f"-{a}"), st.integers(1, 10**6)),
    st.builds(lambda a, b: (f"{a}×{b}", rf"{a}\times {b}"), st.integers(1, 99), st.integers(1, 99)),
    st.builds(lambda a, b: (f"{a}÷{b}", rf"{a}\div {b}"), st.integers(1, 99), st.integers(1, 99)),
    st.builds(lambda a: (f"{a}π", rf"{a}\pi"), st.integers(2, 50)),
    st.builds(lambda a: (f"{a}°", rf"{a}^\circ"), st.integers(1, 359)),
    st.builds(lambda a: ("10⁻" + str(a).translate(SUPER), f"10^{{-{a}}}"), st.integers(1, 99)),
    st.builds(lambda a: (f"x²+{a}", f"x^2+{a}"), st.integers(1, 99)),
    st.builds(lambda a: ("".join(chr(0xFF10 + int(d)) for d in str(a)), str(a)), st.integers(0, 10**6)),
)


@SETTINGS
@given(unicode_pairs, st.sampled_from(["<answer>{}</answer>", "The answer is {}.", "{}"]))
def test_unicode_and_latex_spellings_verify_alike(pair, wrapping):
    uni, latex = pair
    for gold in (latex, uni):
        a, b = verify(wrapping.format(uni), gold), verify(wrapping.format(latex), gold)
        assert (a.correct, a.reason) == (b.correct, b.reason), (uni, latex, gold, a, b)
    assert verify(wrapping.format(uni), latex).correct is True


NOUNS = ["apples", "bolts", "slices", "more stamps", "sheep left", "marbles in all", "students", "ways"]
QUALIFIERS = ["", " (in cm)", r" \text{ for all } n", " for some x"]


@SETTINGS
@given(st.integers(0, 10**6), st.sampled_from(NOUNS), st.sampled_from(["<answer>{}</answer>", "The answer is {}.", "So there are {}."]))
def test_a_noun_after_a_correct_number_keeps_it_correct(n, noun, wrapping):
    assert verify(wrapping.format(f"{n} {noun}"), str(n)).correct is True
    assert verify(wrapping.format(f"{n + 1} {noun}"), str(n)).correct is False


@SETTINGS
@given(st.integers(0, 10**6), st.sampled_from(QUALIFIERS))
def test_a_qualifier_after_a_correct_answer_keeps_it_correct(n, qualifier):
    assert verify(f"<answer>{n}{qualifier}</answer>", str(n)).correct is True


FINAL = [r"\frac{{{a}}}{{{b}}}", r"{a}\sqrt{{{b}}}", r"({a}, {b})", r"{a} + {b}", r"x^{{{a}}} - {b}"]


@SETTINGS
@given(
    st.integers(1, 99), st.integers(2, 99), st.sampled_from(FINAL), st.data(),
    st.sampled_from(["The total is ${}$", "So we get $S = {}", "Therefore the answer is {}", "<think>x</think><answer>{}"]),
)
def test_cutting_the_final_expression_never_pays_a_wrong_answer(a, b, final, data, template):
    expression = final.format(a=a, b=b)
    completion = template.format(expression)
    start = completion.index(expression)
    cut = data.draw(st.integers(start + 1, len(completion) - 1))
    truncated = completion[:cut]
    # A cut right after a whole number outside any delimiter ("… the answer is 1" of "1 + 2") reads
    # exactly like a finished answer; no rule can tell them apart, so such cuts are not asked about.
    assume("$" in template or not truncated.rstrip()[-1:].isdigit())
    wrong = str(a * 1000 + b)  # a gold the full answer does not equal
    for gold in (wrong, str(a), str(b)):
        full = verify(completion, gold)
        if full.correct is True:
            continue
        assert verify(truncated, gold).correct is not True, (truncated, gold)


@SETTINGS
@given(st.integers(1, 999), st.integers(1, 9))
def test_a_config_value_reaches_math_choice_and_geometry(n, digits):
    gold = rf"{n}\sqrt{{2}}"
    value = n * 2**0.5
    pred = f"{value:.{digits + 3}f}"  # rounded well within 1e-3, outside 1e-9
    assume(abs(float(pred) - value) > 1e-9 * value)
    no_rounding = 30  # long_decimal_places: never treat the prediction as a rounded value here
    loose = VerifierConfig(math=MathConfig(rel_tol=1e-3, long_decimal_places=no_rounding), geometry=GeometryConfig(rel_tol=1e-3, rounding="none"))
    tight = VerifierConfig(math=MathConfig(rel_tol=1e-12, long_decimal_places=no_rounding), geometry=GeometryConfig(rel_tol=1e-12, rounding="none"))
    for task, options, g in (("math", None, gold), ("geometry", None, gold), ("choice", [gold, str(n + 1)], "A")):
        c = f"<answer>{pred}</answer>"
        assert verify(c, g, task, options, config=loose).correct is True, task
        assert verify(c, g, task, options, config=tight).correct is False, task


def test_units_policy_reaches_every_task():
    strict = VerifierConfig(math=MathConfig(units="strict"), geometry=GeometryConfig(units="strict"))
    assert verify("<answer>5 km</answer>", "5 cm", config=strict).correct is False
    assert verify(r"<answer>5 \text{ kg}</answer>", "5 cm", config=strict).correct is False
    assert verify("<answer>5</answer>", "5 cm", config=strict).correct is False
    assert verify("<answer>5 cm</answer>", "5 cm", config=strict).correct is True
    assert verify("<answer>5</answer>", "5 cm", "geometry", config=strict).correct is False
    assert verify("<answer>5</answer>", "5 cm").correct is True  # the default strips a unit on one side


def test_percent_policy_reaches_choice():
    strip = VerifierConfig(math=MathConfig(percent="strip"))
    assert verify("<answer>0.5</answer>", r"50\%", config=strip).correct is False
    assert verify("<answer>0.5</answer>", "A", "choice", [r"50\%", r"20\%"], config=strip).correct is False
    assert verify("<answer>0.5</answer>", "A", "choice", [r"50\%", r"20\%"]).correct is True


def test_choice_config_is_honoured():
    off = ChoiceConfig(match_option_text=False)
    assert verify("<answer>12</answer>", "B", "choice", ["10", "12"], config=off).correct is False
    assert verify("<answer>12</answer>", "B", "choice", ["10", "12"]).correct is True


def test_several_worker_calls_share_one_deadline():
    # units on both sides, a list and sympy values: several worker calls in one verify
    cfg = MathConfig(timeout_s=2.0)
    start = time.monotonic()
    verify(r"<answer>\sqrt{2} m, \sqrt{3} m, \sqrt{5} m</answer>", r"\sqrt{5}, \sqrt{3}, \frac{2}{\sqrt{2}}", config=cfg)
    verify(r"<answer>$2^{2^{2^{2^{2^{10}}}}}$, $3^{3^{3^{3^{3}}}}$</answer>", r"2^{2^{2^{2^{2^{10}}}}}, 3^{3^{3^{3^{4}}}}", config=cfg)
    assert time.monotonic() - start <= 2 * 2.0 * 1.10


def test_unicode_is_read_before_anything():
    assert re.fullmatch(r"-?\d+", "−35".replace("−", "-"))
    assert verify("<answer>5/√3</answer>", "5").correct is False
    assert verify("<answer>10⁻³</answer>", "0.001").correct is True
