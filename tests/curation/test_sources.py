"""Loading and schema detection for every supported layout."""

from __future__ import annotations

import json

import datasets
import pytest

from lmmr1.curation.sources import SourceError, canonical, detect_schema, load_source, parse_messages
from tests.curation.conftest import write_jsonl


@pytest.mark.parametrize(
    ("columns", "name", "image", "options"),
    [
        (["message", "answer"], "lmmr1_message", None, None),
        (["problem", "answer", "choices", "images"], "geometry3k", "images", "choices"),
        (["problem_text_en", "answer", "image", "geometry3k_id"], "formalgeo", "image", None),
        (["question", "choices", "answer", "precision", "unit", "question_type", "image"], "mathvista", "image", "choices"),
        (["id", "question", "options", "answer", "image", "level"], "mathv", "image", "options"),
        (["problem", "answer", "solution"], "plain", None, None),
        (["question", "answer"], "plain", None, None),
    ],
)
def test_detect_schema(columns, name, image, options):
    schema = detect_schema(columns)
    assert (schema.name, schema.image_col, schema.options_col) == (name, image, options)


def test_overrides_and_unknown_columns():
    schema = detect_schema(["q", "a", "pic"], {"question_col": "q", "answer_col": "a", "image_col": "pic"})
    assert (schema.question_col, schema.answer_col, schema.image_col) == ("q", "a", "pic")
    with pytest.raises(SourceError, match="--question-col"):
        detect_schema(["q", "a"])
    with pytest.raises(SourceError, match="'nope' is not in the dataset"):
        detect_schema(["problem", "answer"], {"image_col": "nope"})


def test_hub_id_is_a_clear_error_offline(monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    with pytest.raises(SourceError, match="Hub is unreachable"):
        load_source("someone/some-dataset")


def test_hub_id_unreachable(monkeypatch):
    def boom(*a, **k):
        raise ConnectionError("Name or service not known")

    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    monkeypatch.setattr("huggingface_hub.HfApi.dataset_info", boom)
    with pytest.raises(SourceError, match="unreachable"):
        load_source("someone/some-dataset")


def test_missing_file_and_bad_format(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        load_source(tmp_path / "none.jsonl")
    with pytest.raises(SourceError, match="cannot read"):
        load_source(tmp_path / "data.txt")


def test_mathvista_dict_json_and_gold_letter(tmp_path):
    path = tmp_path / "testmini.json"
    path.write_text(json.dumps({
        "1": {"question": "Which is larger?", "choices": ["3 cm", "5 cm"], "answer": "5 cm", "precision": None,
              "unit": None, "question_type": "multi_choice", "metadata": {"a": 1}},
        "2": {"question": "How long?", "choices": None, "answer": "1.2", "precision": 1, "unit": "m",
              "question_type": "free_form", "metadata": {"b": [1]}},
    }))
    ds, info = load_source(path)
    schema = detect_schema(ds.column_names)
    assert schema.name == "mathvista" and len(ds) == 2
    first = canonical(ds[0], 0, schema, info.base_dir)
    assert (first.gold, first.options, first.task) == ("B", ("3 cm", "5 cm"), "choice")
    assert canonical(ds[1], 1, schema, info.base_dir).task == "math"


def test_message_jsonl_with_relative_image(tmp_path, png):
    png("pic.png")
    msg = [{"role": "user", "content": [{"type": "image", "image": "pic.png"}, {"type": "text", "text": "Find x."}]}]
    path = write_jsonl(tmp_path / "train.jsonl", [{"message": str(msg), "answer": "$\\boxed{60}$"}])
    ds, info = load_source(path)
    ex = canonical(ds[0], 0, detect_schema(ds.column_names), info.base_dir)
    assert (ex.question, ex.gold, ex.expects_image) == ("Find x.", "60", True)
    assert ex.images == (str(tmp_path / "pic.png"),)
    assert parse_messages(json.dumps(msg))[0] == "Find x."


def test_save_to_disk_folder_with_pil_images(tmp_path, png):
    from PIL import Image

    ds = datasets.Dataset.from_dict({"problem": ["Find x."], "answer": ["3"], "images": [[Image.open(png())]]})
    ds.save_to_disk(str(tmp_path / "disk"))
    loaded, info = load_source(tmp_path / "disk")
    assert info.kind == "folder" and detect_schema(loaded.column_names).name == "geometry3k"


def test_wrong_types_become_errors():
    schema = detect_schema(["question", "answer"])
    ex = canonical({"question": 5, "answer": "3"}, 0, schema, None)
    assert ex.error and "question" in ex.error
    ex = canonical({"question": "ok?", "answer": {"x": 1}}, 0, schema, None)
    assert ex.error and "answer" in ex.error
