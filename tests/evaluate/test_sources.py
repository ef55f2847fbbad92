"""Loaders: local copies in each Hub schema, the shared data's upstream files, missing images, the Hub's absence."""

from __future__ import annotations

import pytest

from lmmr1.errors import UserError
from lmmr1.evaluate import registry
from lmmr1.evaluate.items import MissingImagesError, check_images
from lmmr1.evaluate.runner import EvalSettings, load_items

HUB_BENCHMARKS = {  # name -> (items in the test copy, images per item)
    "mathverse_testmini": (3, 1),
    "mathverse_testmini_vision_only": (1, 1),
    "mathverse_testmini_text_lite": (1, 1),
    "mmstar": (2, 1),
    "olympiadbench": (3, None),
    "gpqa_diamond": (2, 0),
    "mathvista_testmini": (2, 1),
}


@pytest.mark.parametrize("name", sorted(HUB_BENCHMARKS))
def test_hub_schema_copies_load_from_data_dir(name, hub_dir):
    n, images = HUB_BENCHMARKS[name]
    items = registry.get(name).load(hub_dir)
    assert len(items) == n
    assert all(it.gold for it in items) and len({it.id for it in items}) == n
    if images is not None:
        assert all(len(it.images) == images for it in items)
        assert all(hasattr(im, "convert") for it in items for im in it.images)  # decoded pictures, not paths


def test_olympiadbench_text_items_have_no_images_and_multimodal_ones_do(hub_dir):
    items = registry.get("olympiadbench").load(hub_dir)
    assert [len(it.images) for it in items] == [0, 0, 1]


def test_unreachable_hub_names_data_dir(tmp_path, monkeypatch):
    import datasets

    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'Lin-Chen/MMStar' on the Hub (LocalEntryNotFoundError)")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(UserError, match=r"--data-dir DIR with the rows at DIR/mmstar") as err:
        registry.get("mmstar").load(tmp_path)
    assert "Lin-Chen/MMStar" in str(err.value) and "ConnectionError" in str(err.value)
    with pytest.raises(UserError, match="--data-dir"):
        registry.get("mmstar").load(None)


def test_local_only_benchmark_without_data_dir_says_so():
    with pytest.raises(UserError, match=r"aime24 is only read from a local copy; pass --data-dir"):
        registry.get("aime24").load(None)


def test_unknown_benchmark_suggests_the_closest():
    with pytest.raises(UserError, match="did you mean 'mathvista_testmini'"):
        registry.get("mathvista_mini")


def test_a_name_registered_twice_is_refused():
    bench = registry.get("math500")
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(bench)


def test_missing_images_fail_naming_them_or_are_skipped_and_counted(tmp_path):
    from lmmr1.evaluate.items import Item

    (tmp_path / "there.png").write_bytes(b"x")
    items = [Item("1", "q", "1", images=(tmp_path / "there.png",)), Item("2", "q", "2", images=(tmp_path / "gone.png",))]
    with pytest.raises(MissingImagesError, match=r"1 of 2 items have missing image files \(.*gone.png\).*--skip-missing-images"):
        check_images("bench", items, skip_missing=False)
    kept, skipped = check_images("bench", items, skip_missing=True)
    assert [it.id for it in kept] == ["1"] and skipped == 1


EXPECTED_LOCAL = {  # name -> (items, first id, first gold, first task)
    "mathv_test": (3040, "1", "60", "auto"),
    "mathv_testmini": (304, "4", "6", "auto"),
    "mathvista_testmini": (1000, "1", "1.2", "auto"),
    "geometry3k": (554, "2401", "60", "geometry"),
    "math500": (500, "test/precalculus/807.json", "\\left( 3, \\frac{\\pi}{2} \\right)", "auto"),
    "gsm8k": (1319, "0", "18", "auto"),
    "aime24": (30, "60", "204", "auto"),
    "aime25": (30, "0", "70", "auto"),
    "amc23": (40, "0", "27", "auto"),
    "tiny_fre_heldout": (128, "fre-0", "3", "math"),
    "tiny_mgt_heldout": (128, "mgt-0", "3", "math"),
}


@pytest.mark.data
@pytest.mark.parametrize("name", sorted(EXPECTED_LOCAL))
def test_shared_data_loaders(name, shared_data):
    n, first_id, gold, task = EXPECTED_LOCAL[name]
    items = registry.get(name).load(shared_data)
    assert len(items) == n
    assert (items[0].id, items[0].gold, items[0].task) == (first_id, gold, task)


@pytest.mark.data
def test_mathv_choice_items_carry_their_letters(shared_data):
    items = registry.get("mathv_testmini").load(shared_data)
    choice = [it for it in items if it.task == "choice"]
    assert choice and all(it.gold in it.options for it in choice)
    assert all("<image" not in it.question for it in items)


@pytest.mark.data
def test_mathv_testmini_images_are_all_there(shared_data):
    items, skipped = load_items(registry.get("mathv_testmini"), EvalSettings(data_dir=str(shared_data)))
    assert len(items) == 304 and skipped == 0


@pytest.mark.data
def test_mathvista_without_its_images_fails_unless_skipping(shared_data):
    bench = registry.get("mathvista_testmini")
    with pytest.raises(MissingImagesError, match=r"1000 of 1000 items have missing image files \(.*images/1.jpg"):
        load_items(bench, EvalSettings(data_dir=str(shared_data)))
    items, skipped = load_items(bench, EvalSettings(data_dir=str(shared_data), skip_missing_images=True))
    assert items == [] and skipped == 1000
