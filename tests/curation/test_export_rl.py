"""`curate export --to verl / openrlhf`: the other trainers' formats, read back as those trainers read them."""

from __future__ import annotations

import io
import json
import tarfile

import pyarrow.parquet as pq
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
