"""TRL export: conversational prompt with image placeholders, image(s), solution, task, options."""

from __future__ import annotations

import datasets
from PIL import Image

from lmmr1.curation.export import to_trl
from lmmr1.curation.pipeline import curate
from lmmr1.curation.sources import load_source
from lmmr1.prompts import SYSTEM_PROMPT


def test_pil_image_column_curate_and_export(png, fast_config):
    good = Image.open(png())
    ds = datasets.Dataset.from_dict({
        "problem": ["<image1> Find x.", "Find y in the second figure.", "Which is larger?"],
        "answer": ["3", "4", "B"],
        "choices": [[], [], ["2 cm", "5 cm"]],
        "images": [[good], [good], [good]],
    }).cast_column("images", datasets.List(datasets.Image()))
    kept, rejected, stats = curate(ds, fast_config)
    assert stats.kept_rows == 3, rejected["lmmr1_detail"]
    trl = to_trl(kept)
    row = trl[2]
    assert row["prompt"][0] == {"role": "system", "content": [{"type": "text", "text": SYSTEM_PROMPT}]}
    user = row["prompt"][1]["content"]
    assert user[0]["type"] == "image" and user[-1]["type"] == "text" and "(B) 5 cm" in user[-1]["text"]
    assert row["task"] == "choice" and row["options"] == ["2 cm", "5 cm"] and row["solution"] == "B"
    assert row["image"].size == (64, 64)
    assert "<image1>" not in trl[0]["prompt"][1]["content"][-1]["text"]


def test_broken_image_bytes_are_a_reason(png, fast_config):
    good = png().read_bytes()
    ds = datasets.Dataset.from_dict({
        "problem": ["Find x.", "Find the other x."],
        "answer": ["3", "4"],
        "image": [{"bytes": good, "path": None}, {"bytes": b"\x89PNG broken", "path": None}],
    }).cast_column("image", datasets.Image())
    kept, rejected, _ = curate(ds, fast_config)
    assert len(kept) == 1 and rejected["lmmr1_reason"] == ["unreadable_image"]


def test_message_jsonl_export_uses_images_from_messages(tmp_path, png):
    png("p.png")
    msg = [{"role": "user", "content": [{"type": "image", "image": "p.png"}, {"type": "text", "text": "Find x."}]}]
    path = tmp_path / "train.jsonl"
    import json

    path.write_text(json.dumps({"message": str(msg), "answer": "$\\boxed{60}$"}) + "\n")
    ds, info = load_source(path)
    trl = to_trl(ds, source=info, image_feature=False)
    assert trl[0]["image"] == str(tmp_path / "p.png") and trl[0]["solution"] == "60" and trl[0]["task"] == "math"
    text_only = to_trl(datasets.Dataset.from_list([{"problem": "What is 2+3?", "answer": "5"}]))
    assert "image" not in text_only.column_names and text_only[0]["prompt"][1]["content"] == [
        {"type": "text", "text": "What is 2+3?"}]
