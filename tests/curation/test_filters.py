"""Each filter: keeps a good row, drops a bad one with its reason (not just a boolean)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmmr1.curation.filters import FILTERS, Drop, Filter, build, register, resolve
from lmmr1.curation.sources import Example


def ex(i=0, question="What is 2+3?", gold="5", options=(), **kw) -> Example:
    return Example(i, question, gold, gold, tuple(options), task="choice" if options else "math", **kw)


def reason(name, example, **params):
    d = build(name, params).check(example)
    return d.reason if d else None


@pytest.mark.parametrize(
    ("name", "example", "expected"),
    [
        ("malformed_row", ex(error="TypeError: question holds int"), "malformed_row"),
        ("malformed_row", ex(), None),
        ("empty_gold", ex(gold="  "), "empty_gold"),
        ("empty_gold", ex(), None),
        ("sentinel_gold", ex(gold="N/A"), "sentinel_gold"),
        ("sentinel_gold", ex(gold="notfound"), "sentinel_gold"),
        ("sentinel_gold", ex(gold="0"), None),
        ("proof", ex(gold="Proof. Assume n is odd; then n^2 is odd."), "proof"),
        ("proof", ex(gold="\\sqrt{2}"), None),
        ("multi_part", ex(gold="(a) 3 (b) 4"), "multi_part"),
        ("multi_part", ex(gold="(3,4)"), None),
        ("free_text_answer", ex(gold="the blue one is larger"), "free_text_answer"),
        ("free_text_answer", ex(gold="x^2+1"), None),
        ("free_text_answer", ex(gold="\\text{Evelyn}"), None),  # one word: checkable (MATH-500)
        ("yes_no", ex(gold="Yes"), "yes_no"),
        ("yes_no", ex(gold="12"), None),
        ("choice_without_options", ex(gold="C"), "choice_without_options"),
        ("choice_without_options", ex(question="Pick: (A) 1 (B) 2 (C) 3", gold="C"), None),
        ("choice_options_only_in_image", ex(gold="A", options="ABCDE"), "choice_options_only_in_image"),
        ("choice_options_only_in_image", ex(gold="A", options=("(A)", "(B)", "(C)")), "choice_options_only_in_image"),
        ("choice_options_only_in_image", ex(gold="K", options="KENGU"), None),
        ("choice_options_only_in_image", ex(gold="A", options=("1", "2")), None),
        ("choice_letter_not_in_options", ex(gold="E", options=("1", "2", "3")), "choice_letter_not_in_options"),
        ("choice_letter_not_in_options", ex(gold="7 cm", options=("1", "2")), "choice_letter_not_in_options"),
        ("choice_letter_not_in_options", ex(gold="B", options=("1", "2")), None),
        ("prompt_too_long", ex(question="word " * 3000), "prompt_too_long"),
        ("prompt_too_long", ex(), None),
        ("pass_rate", ex(pass_rate=0.0), "too_hard"),
        ("pass_rate", ex(pass_rate="16/16"), "too_easy"),
        ("pass_rate", ex(pass_rate="3/16"), None),
        ("pass_rate", ex(pass_rate="lots"), "bad_pass_rate"),
        ("pass_rate", ex(pass_rate=None), None),
    ],
)
def test_row_filter_reasons(name, example, expected):
    assert reason(name, example) == expected


def test_image_reasons(png, tmp_path):
    f = build("image")
    good = png()
    assert f.check(ex(images=(str(good),), expects_image=True)) is None
    assert f.check(ex(images=(), expects_image=True)).reason == "missing_image"
    assert f.check(ex(images=(str(tmp_path / "nope.png"),), expects_image=True)).reason == "missing_image"
    broken = tmp_path / "broken.png"
    broken.write_bytes(good.read_bytes()[:60])
    assert f.check(ex(images=(str(broken),), expects_image=True)).reason == "unreadable_image"
    assert f.check(ex(images=(b"not an image",), expects_image=True)).reason == "unreadable_image"
    tiny = png("tiny.png", size=(10, 40))
    assert f.check(ex(images=(str(tiny),), expects_image=True)).reason == "image_too_small"
    wide = png("wide.png", size=(300, 40))
    assert build("image", {"max_side": 200}).check(ex(images=(str(wide),), expects_image=True)).reason == "image_too_large"
    assert f.check(ex(images=({"bytes": good.read_bytes(), "path": None},), expects_image=True)) is None
    assert f.check(ex(expects_image=False)) is None  # text-only rows are not judged


def test_duplicate_exact_keeps_first_and_needs_same_image():
    f = build("duplicate_exact")
    rows = [ex(0, "Find  x."), ex(1, "find x"), ex(2, "Find x.", image_keys=("img-a",)),
            ex(3, "Find x.", image_keys=("img-b",)), ex(4, "find X", image_keys=("img-a",))]
    got = f.check_all(rows)
    assert [d.reason if d else None for d in got] == [None, "duplicate_exact", None, None, "duplicate_exact"]
    assert "row 2" in got[4].detail


def test_near_duplicate_text_and_phash():
    f = build("near_duplicate")
    q = "A train leaves the station at 3 pm travelling at 60 miles per hour towards the city centre"
    rows = [ex(0, q), ex(1, q + "."), ex(2, "Completely different question about the area of a circle of radius 2")]
    assert [d.reason if d else None for d in f.check_all(rows)] == [None, "near_duplicate", None]
    # same text, images far apart in pHash: different problems (template text over different diagrams)
    far = [ex(0, q, phashes=("ffffffff00000000",)), ex(1, q, phashes=("00000000ffffffff",))]
    assert build("near_duplicate").check_all(far) == [None, None]
    near = [ex(0, q, phashes=("ffffffff00000000",)), ex(1, q, phashes=("ffffffff00000001",))]
    assert build("near_duplicate").check_all(near)[1].reason == "near_duplicate"
    # Geometry3K: the same facts and diagram, a different quantity asked for, a different answer
    other_goal = [ex(0, q + " Find AB.", gold="35", phashes=("ff00ff00ff00ff00",)),
                  ex(1, q + " Find BC.", gold="160", phashes=("ff00ff00ff00ff00",))]
    assert build("near_duplicate").check_all(other_goal) == [None, None]


def test_contaminated(tmp_path):
    from tests.curation.conftest import write_jsonl

    bench = write_jsonl(tmp_path / "bench.jsonl", [
        {"problem": "Janet's ducks lay 16 eggs per day and she eats three for breakfast every morning, how many are left",
         "answer": "13"},
    ])
    f = build("contaminated", {"benchmarks": (str(bench),)})
    copied = ex(0, "Janet's ducks lay 16 eggs per day and she eats three for breakfast every morning, how many are left?")
    clean = ex(1, "A square has side 4. What is its area in square centimetres, rounded to the nearest unit?")
    got = f.check_all([copied, clean])
    assert [d.reason if d else None for d in got] == ["contaminated", None]
    assert got[0].key.endswith("/bench")
    digits = build("contaminated", {"benchmarks": (str(bench),)}).check_all(
        [Example(0, "Janet's ducks lay 99 eggs per day and she eats three for breakfast every morning, how many are left", "1")])
    assert digits[0].reason == "contaminated" and "digits" in digits[0].detail


def test_contaminated_short_questions(tmp_path):
    from tests.curation.conftest import write_jsonl

    bench = write_jsonl(tmp_path / "b.jsonl", [{"problem": "Compute $\\dbinom{8}{4}$.", "answer": "70"},
                                              {"problem": "Find x.", "answer": "3"}])
    f = build("contaminated", {"benchmarks": (str(bench),)})
    got = f.check_all([Example(0, "Compute $\\dbinom{8}{4}$.", "70"),          # text-only, exact: leaked
                       Example(1, "Find x.", "5", image_keys=("other-diagram",)),  # template text, own diagram
                       Example(2, "Compute $\\dbinom{9}{4}$.", "126")])         # short and different: kept
    assert [d.reason if d else None for d in got] == ["contaminated", None, None]


def test_gold_verifiable():
    f = build("gold_verifiable")
    rows = [ex(0, gold="60"), ex(1, gold="\x0crac{36}{13}"), ex(2, gold="B", options=("1", "2", "3"))]
    got = f.check_all(rows)
    assert got[0] is None and got[2] is None
    assert got[1].reason == "gold_unparseable" and "control character" in got[1].detail


def test_gold_verifiable_maps_verdicts(monkeypatch):
    from lmmr1.verifiers.verdict import judged, undecided

    def fake_batch(completions, golds, tasks, options, config, workers):
        return [undecided("gold_unparseable", None, t) if g == "??" else judged(g != "bad", "equal" if g != "bad" else "not_equal", g, t)
                for g, t in zip(golds, tasks, strict=True)]

    monkeypatch.setattr("lmmr1.verify_batch", fake_batch)
    got = build("gold_verifiable").check_all([ex(0, gold="1"), ex(1, gold="??"), ex(2, gold="bad")])
    assert [d.reason if d else None for d in got] == [None, "gold_unparseable", "gold_not_self_consistent"]


def test_registry_refuses_duplicates_and_resolves_dotted_paths():
    with pytest.raises(ValueError, match="already registered"):
        register("empty_gold")(type("Other", (Filter,), {}))
    assert resolve("tests.curation.test_filters.ShortQuestion") is ShortQuestion
    with pytest.raises(ValueError, match="unknown filter 'nope'"):
        resolve("nope")
    with pytest.raises(ValueError, match="no parameter"):
        build("image", {"min_sid": 3})
    assert {"empty_gold", "image", "near_duplicate", "contaminated", "gold_verifiable"} <= set(FILTERS)


@dataclasses.dataclass(frozen=True)
class ShortQuestion(Filter):
    """A user filter, loaded by dotted path in the tests."""

    reasons = ("short_question",)
    min_words: int = 3

    def check(self, e: Example):
        return Drop("short_question") if len(e.question.split()) < self.min_words else None


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (no pixel data): what a decompression bomb looks like."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND")))


def test_huge_image_is_too_large_not_unreadable(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header(30_000, 30_000))  # 900 Mpx: PIL refuses to open it at all
    d = build("image").check(ex(images=(str(bomb),), expects_image=True))
    assert d.reason == "image_too_large" and "900000000" in d.detail
    big = tmp_path / "big.png"
    big.write_bytes(_png_header(8_000, 8_000))  # 64 Mpx: opens, the header's size is over max_pixels
    assert build("image").check(ex(images=(str(big),), expects_image=True)).reason == "image_too_large"


def test_directory_as_image_is_its_own_reason(tmp_path):
    d = build("image").check(ex(images=(str(tmp_path),), expects_image=True))
    assert d.reason == "image_is_directory" and "folder" in d.detail


def test_every_filter_declares_filter_error_and_its_own_reasons():
    for name, cls in FILTERS.items():
        assert cls.declared_reasons()[-1] == "filter_error" and cls.reasons, name
        assert "filter_error" not in cls.reasons, name  # the base class owns it


def test_filters_hold_no_hidden_state():
    # per-run indexes live in prepare()'s result, not in caches on frozen dataclasses
    for cls in FILTERS.values():
        assert all(f.init for f in dataclasses.fields(cls)), cls.__name__


def test_prepared_state_is_shared_between_calls(monkeypatch):
    q = "A train leaves the station at 3 pm travelling at 60 miles per hour towards the city centre"
    rows = [ex(0, q), ex(1, q + "."), ex(2, "Something else entirely about circles and their areas today")]
    f = build("near_duplicate")
    state = f.prepare(rows)
    assert set(state.minhash) == {0, 1, 2}
    assert f.check_all(rows, state) == f.check_all(rows)  # the same decisions with or without a prepared state
    assert f.check_all(rows[1:], state)[0] is None  # row 1 alone: nothing to be a duplicate of


def test_capability_flags():
    assert FILTERS["gold_verifiable"].needs_verifier and FILTERS["contaminated"].needs_corpus
    assert FILTERS["near_duplicate"].needs_phash
    assert not any(cls.needs_verifier or cls.needs_corpus or cls.needs_phash
                   for name, cls in FILTERS.items() if name not in ("gold_verifiable", "contaminated", "near_duplicate"))


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # the point of the sizes tried
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40_000), st.integers(1, 40_000))
def test_property_image_size_reasons_follow_the_header(width, height):
    # header-only PNGs with decode off: the reason depends on the size alone, and is always a declared one
    f = build("image", {"decode": False})
    d = f.check(ex(images=(_png_header(width, height),), expects_image=True))
    pixels = width * height  # the pixel budget first, then the smallest side, then the largest
    expected = ("image_too_large" if pixels > f.max_pixels else "image_too_small" if min(width, height) < f.min_side
                else "image_too_large" if max(width, height) > f.max_side else None)
    assert (d.reason if d else None) == expected
    assert d is None or d.reason in f.declared_reasons()
