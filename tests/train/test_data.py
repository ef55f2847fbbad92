"""Stage datasets: what `curate export --to trl` writes, read with images, plus the system prompt."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("datasets")
from PIL import Image  # noqa: E402

from lmmr1.errors import UserError  # noqa: E402
from lmmr1.train.data import (  # noqa: E402
    DataError,
    DatasetSourceMissing,
    add_system_prompt,
    has_images,
    load_stage_dataset,
)


@pytest.fixture
def exported(tmp_path):
    """A tiny JSONL in the export format, images as paths relative to the file."""
    (tmp_path / "images").mkdir()
    Image.new("RGB", (30, 30), "red").save(tmp_path / "images" / "a.png")
    rows = [
        {
            "prompt": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Colour?"}]}],
            "image": "images/a.png",
            "solution": "A",
            "task": "choice",
            "options": ["red", "blue"],
        },
        {
            "prompt": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Area?"}]}],
            "image": str(tmp_path / "images" / "a.png"),
            "solution": "4",
            "task": "math",
            "options": [],
        },
    ]
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_export_jsonl_is_read_with_pil_images(exported):
    ds = load_stage_dataset(str(exported))
    assert has_images(ds) and len(ds) == 2
    assert isinstance(ds[0]["image"], Image.Image) and ds[0]["image"].size == (30, 30)
    assert ds[0]["solution"] == "A" and ds[0]["options"] == ["red", "blue"]


def test_save_to_disk_folder_and_max_samples(exported, tmp_path):
    load_stage_dataset(str(exported)).save_to_disk(str(tmp_path / "disk"))
    ds = load_stage_dataset(str(tmp_path / "disk"), max_samples=1)
    assert len(ds) == 1 and isinstance(ds[0]["image"], Image.Image)


def test_system_prompt_matches_the_user_turns_shape(exported):
    ds = add_system_prompt(load_stage_dataset(str(exported)), "Think, then answer.")
    system, user = ds[0]["prompt"][:2]
    assert system["role"] == "system" and system["content"][0]["text"] == "Think, then answer."
    assert user["role"] == "user"
    text = add_system_prompt(load_stage_dataset("synthetic:fre", synthetic_size=4), "S")
    assert text[0]["prompt"][0] == {"role": "system", "content": "S"}
    assert (
        add_system_prompt(load_stage_dataset("synthetic:fre", synthetic_size=4), None)[0]["prompt"][0]["role"]
        == "user"
    )


def test_string_prompts_become_one_user_message(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"prompt": "1+1?", "solution": "2"}) + "\n")
    ds = add_system_prompt(load_stage_dataset(str(path)), "S")
    assert ds[0]["prompt"] == [{"role": "system", "content": "S"}, {"role": "user", "content": "1+1?"}]


def test_missing_file_and_missing_columns_say_how_to_fix(tmp_path):
    with pytest.raises(DatasetSourceMissing, match="curate export --to trl"):
        load_stage_dataset(str(tmp_path / "absent.jsonl"))
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"question": "1+1?", "answer": "2"}) + "\n")
    with pytest.raises(DataError, match=r"lacks column\(s\) \['prompt', 'solution'\]"):
        load_stage_dataset(str(path))
    with pytest.raises(DataError, match="synthetic:fre / synthetic:mgt"):
        load_stage_dataset(None)
    with pytest.raises(DataError, match="unknown synthetic dataset"):
        load_stage_dataset("synthetic:geometry")
    assert issubclass(DatasetSourceMissing, DataError) and issubclass(DataError, UserError)


def test_a_malformed_file_names_the_file_and_what_is_wrong(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps({"prompt": "1+1?", "solution": "2"}) + "\n{oops\n")
    with pytest.raises(DataError, match=r"broken\.jsonl cannot be read: .*JSON parse error"):
        load_stage_dataset(str(path))


def test_a_hub_id_in_offline_mode_says_so_at_once(monkeypatch, tmp_path):
    import datasets
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))  # nothing cached
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "cache")
    with pytest.raises(DataError, match=r"'someone/some-data' is not a local path, and the Hub is offline"):
        load_stage_dataset("someone/some-data")


def test_a_hub_id_with_the_hub_unreachable_says_so_at_once(monkeypatch):
    import datasets
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")  # the discard port: refused at once
    with pytest.raises(DataError, match=r"the Hub \(http://127\.0\.0\.1:9\) is unreachable .*HF_HUB_OFFLINE=1"):
        load_stage_dataset("someone/some-data")


@pytest.mark.data
def test_curated_export_of_shared_geometry3k_loads(shared_data, tmp_path):
    from lmmr1.curation import load_source, to_trl

    ds, info = load_source(shared_data / "geometry3k_test" / "problems.jsonl")
    to_trl(ds.select(range(4)), source=info, image_feature=False).to_json(str(tmp_path / "g.jsonl"))
    out = add_system_prompt(load_stage_dataset(str(tmp_path / "g.jsonl")), "unused: the export has one")
    assert isinstance(out[0]["image"], Image.Image)
    assert (
        out[0]["prompt"][0]["role"] == "system" and "unused" not in out[0]["prompt"][0]["content"][0]["text"]
    )
    assert out[0]["task"] == "geometry" and out[0]["solution"]
