"""`curate export --to verl / openrlhf`: the other trainers' formats, read back as those trainers read them."""

from __future__ import annotations

import io
import json
import tarfile

import pyarrow.parquet as pq
import pytest
from PIL import Image

from lmmr1.curation.cli import main
from lmmr1.curation.sources import parse_messages
from lmmr1.verifiers.verl import compute_score
from tests.curation.paper_data import write_paper_data


def _geo(tmp_path):
    """The fixture's geometry rows, with their archive unpacked beside them (what `prepare` does)."""
    src = write_paper_data(tmp_path / "src", n=3, prefixed=False) / "mgt-geo"
    with tarfile.open(src / "mathv_geo_img.tar.gz") as tar:
        tar.extractall(src, filter="data")
    return src / "mathv_geo_message.jsonl"


def test_verl_parquet_has_rlhfdataset_columns_and_scores_with_our_adapter(tmp_path, capsys):
    out = tmp_path / "geo.parquet"
    assert main(["export", "--to", "verl", "--dataset", str(_geo(tmp_path)), "--output", str(out)]) == 0
    table = pq.read_table(out)
    assert {"data_source", "prompt", "images", "ability", "reward_model", "extra_info"} <= set(table.column_names)
    row = table.to_pylist()[0]
    assert row["prompt"][1]["role"] == "user" and row["prompt"][1]["content"].startswith("<image>")
    assert Image.open(io.BytesIO(row["images"][0]["bytes"])).size == (48, 48)  # embedded, not a path
    gold = row["reward_model"]["ground_truth"]
    assert row["reward_model"]["style"] == "rule" and gold.strip("$") == "7"
    right = compute_score(row["data_source"], "<think>.</think><answer>$7$</answer>", gold, row["extra_info"])
    wrong = compute_score(row["data_source"], "<think>.</think><answer>$8$</answer>", gold, row["extra_info"])
    assert (right["score"], wrong["score"]) == (1.0, 0.0)


def test_openrlhf_jsonl_is_lmm_r1s_message_layout(tmp_path):
    out = tmp_path / "geo.jsonl"
    assert main(["export", "--to", "openrlhf", "--dataset", str(_geo(tmp_path)), "--output", str(out)]) == 0
    row = json.loads(out.read_text().splitlines()[0])
    messages = json.loads(row["message"])
    assert messages[0]["role"] == "system" and row["answer"].startswith("$") and row["answer"].endswith("$")
    question, images = parse_messages(row["message"])
    assert "geometry problem 0" in question and len(images) == 1 and images[0].endswith("0.png")


def test_wrong_suffix_is_refused(tmp_path, capsys):
    assert main(["export", "--to", "verl", "--dataset", str(_geo(tmp_path)), "--output", str(tmp_path / "x.jsonl")]) == 2
    assert "--to verl writes .parquet" in capsys.readouterr().err


def test_easyr1_parquet_loads_with_its_default_keys_and_one_placeholder_per_image(tmp_path, png, capsys):
    import datasets

    Template = pytest.importorskip("jinja2").Template  # EasyR1 renders its format prompt with Jinja

    from lmmr1.prompts import SYSTEM_PROMPT
    from tests.curation.conftest import write_jsonl

    two = [str(png("a.png")), str(png("b.png", size=(40, 30)))]
    rows = [{"problem": "<image>Find x.", "answer": "$3$", "images": two[:1]},
            {"problem": "Compare the <image1> and <image2> areas.", "answer": "2", "images": two},
            {"problem": "What is 1+1?", "answer": "2", "images": []}]
    out = tmp_path / "easy.parquet"
    assert main(["export", "--to", "easyr1", "--dataset", str(write_jsonl(tmp_path / "r.jsonl", rows)),
                 "--output", str(out)]) == 0
    ds = datasets.load_dataset("parquet", data_files=str(out), split="train")  # as EasyR1's RLHFDataset loads it
    assert ds.column_names == ["problem", "answer", "images"]  # data.prompt_key / answer_key / image_key defaults
    assert ds.features["problem"].dtype == "string" and ds.features["answer"].dtype == "string"
    assert isinstance(ds.features["images"].feature, datasets.Image)
    assert ds["answer"] == ["3", "2", "2"]
    for row in ds:
        assert row["problem"].count("<image>") == len(row["images"])
        assert row["problem"].replace("<image>", "").strip() and "<image1>" not in row["problem"]
    assert [im.size for im in ds[1]["images"]] == [(64, 64), (40, 30)]  # embedded, decoded to PIL as EasyR1 reads them
    template = tmp_path / "easy.format_prompt.jinja"
    assert f"data.format_prompt={template}" in capsys.readouterr().out
    rendered = Template(template.read_text().strip()).render(content=ds[0]["problem"])  # EasyR1's _build_messages
    assert rendered.startswith(SYSTEM_PROMPT) and rendered.endswith("<image>Find x.")


def test_easyr1_text_rows_have_no_images_column_and_braces_in_the_prompt_survive(tmp_path):
    import datasets

    Template = pytest.importorskip("jinja2").Template  # EasyR1 renders its format prompt with Jinja

    from tests.curation.conftest import write_jsonl

    out = tmp_path / "text.parquet"
    data = write_jsonl(tmp_path / "t.jsonl", [{"problem": "What is 1+1?", "answer": "2"}])
    assert main(["export", "--to", "easyr1", "--dataset", str(data), "--output", str(out),
                 "--system-prompt", "Answer in {{ braces }}."]) == 0
    assert datasets.load_dataset("parquet", data_files=str(out), split="train").column_names == ["problem", "answer"]
    template = (tmp_path / "text.format_prompt.jinja").read_text().strip()
    assert Template(template).render(content="Q") == "Answer in {{ braces }}.\n\nQ"
