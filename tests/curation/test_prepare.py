"""`curate prepare`: the paper's datasets from the shipped manifest, on fixtures in the authors' layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from lmmr1.curation.cli import main
from lmmr1.curation.prepare import (
    PrepareError,
    fetch,
    find_image_prefix,
    load_manifest,
    local_folder,
    prepare,
    relocate_images,
    unpack,
)
from lmmr1.curation.sources import detect_schema, load_source
from lmmr1.verifiers.config import GeometryConfig, MathConfig, VerifierConfig
from tests.curation.paper_data import FILES, PREFIX, local_manifest, write_paper_data

REPO_MANIFEST = Path(__file__).resolve().parents[2] / "recipes" / "lmm-r1" / "data.yaml"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("prepare")
    write_paper_data(root / "src")
    manifest = local_manifest(REPO_MANIFEST, root / "src", root / "data.yaml")
    assert main(["prepare", "--manifest", str(manifest), "--output-dir", str(root / "out")]) == 0
    return root


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_shipped_manifest_names_the_authors_files():
    m = load_manifest(REPO_MANIFEST)
    by = {s.name: s for s in m.datasets}
    assert by["fre-text"].hub == "VLM-Reasoner/deepscaler"
    assert (by["vermulti-60k"].hub, by["vermulti-60k"].data, by["vermulti-60k"].images) == (
        "VLM-Reasoner/VerMulti", "mathv60k_message.jsonl", "mathv60k_img.tar.gz")
    assert (by["mgt-geo"].data, by["mgt-geo"].images, by["mgt-geo"].task) == (
        "mathv_geo_message.jsonl", "mathv_geo_img.tar.gz", "geometry")
    assert m.recipe.is_file() and m.max_prompt_words == 4096


def test_prepare_writes_trainer_input_and_cards(prepared):
    out = prepared / "out"
    for name in FILES:
        rows = _rows(out / name / "train.jsonl")
        assert len(rows) == 8
        assert rows[0]["prompt"][0]["role"] == "system" and rows[0]["solution"].strip("$")
        card = (out / name / "README.md").read_text(encoding="utf-8")
        assert "8 rows in, 8 kept" in card and "local copy" in card
    geo = _rows(out / "mgt-geo" / "train.jsonl")
    assert {r["task"] for r in geo} == {"geometry"}
    assert all(Path(r["image"]).is_file() for r in geo)  # unpacked from the archive, absolute paths
    assert "image" not in _rows(out / "fre-text" / "train.jsonl")[0]


def test_prepare_is_rerunnable(prepared, capsys):
    manifest = prepared / "data.yaml"
    assert main(["prepare", "--manifest", str(manifest), "--output-dir", str(prepared / "out"),
                 "--only", "mgt-geo"]) == 0
    assert "mgt-geo: kept 8 of 8" in capsys.readouterr().out


def test_missing_file_says_what_to_download_and_where(tmp_path, capsys):
    write_paper_data(tmp_path / "src")
    (tmp_path / "src" / "mgt-geo" / "mathv_geo_img.tar.gz").unlink()
    manifest = yaml.safe_load(REPO_MANIFEST.read_text())
    manifest["recipe"] = str(REPO_MANIFEST.parent / manifest["recipe"])
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(manifest))
    code = main(["prepare", "--manifest", str(tmp_path / "m.yaml"), "--output-dir", str(tmp_path / "out"),
                 "--local-dir", str(tmp_path / "src")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "mathv_geo_img.tar.gz" in err and "VLM-Reasoner/VerMulti" in err and "--local-dir DIR" in err
    assert not (tmp_path / "out").exists()  # every dataset is fetched before any is curated


def test_unreachable_hub_is_a_user_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    source = load_manifest(REPO_MANIFEST).datasets[1]
    with pytest.raises(PrepareError, match="cannot download mathv60k_message.jsonl, mathv60k_img.tar.gz"):
        fetch(source)


def test_recipe_verifier_reaches_the_gold_check(tmp_path):
    from lmmr1.curation.prepare import curation_config

    recipe = tmp_path / "r.yaml"
    recipe.write_text("verifier: {math: {units: strict}, geometry: {rel_tol: 1.0e-3}}\n")
    manifest = tmp_path / "m.yaml"
    manifest.write_text(yaml.safe_dump({"recipe": "r.yaml", "max_prompt_words": 4096,
                                        "datasets": {"a": {"local": str(tmp_path)}}}))
    config = curation_config(load_manifest(manifest))
    assert config.verifier == VerifierConfig(math=MathConfig(units="strict"), geometry=GeometryConfig(rel_tol=1e-3))
    assert dict(next(f for f in config.filters if f.name == "prompt_too_long").params)["max_tokens"] == 4096
    spec = next(f for f in config.filters if f.name == "gold_verifiable")
    assert spec.build(config.verifier).verifier == config.verifier


def test_manifest_errors_name_the_key(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("datasets: {a: {hub: x/y, imgs: z.tar.gz}}\n")
    with pytest.raises(PrepareError, match=r"datasets.a: unknown key\(s\) \['imgs'\]"):
        load_manifest(bad)
    bad.write_text("datasets: {a: {data: x.jsonl}}\n")
    with pytest.raises(PrepareError, match="needs `hub:`"):
        load_manifest(bad)
    with pytest.raises(PrepareError, match="--only"):
        prepare(load_manifest(REPO_MANIFEST), tmp_path, only=("nope",))


def test_local_folder_accepts_file_urls(tmp_path):
    assert local_folder(tmp_path.as_uri()) == tmp_path
    assert local_folder("file:rel/dir") == Path("rel/dir")
    assert local_folder(str(tmp_path)) == tmp_path


def test_unpack_refuses_a_broken_archive(tmp_path):
    broken = tmp_path / "x.tar.gz"
    broken.write_bytes(b"not a tar")
    with pytest.raises(PrepareError, match="download it again"):
        unpack(broken, tmp_path / "img")


def test_the_authors_image_folder_is_found_and_replaced(tmp_path):
    src = write_paper_data(tmp_path / "src", n=3) / "mgt-geo"
    root = unpack(src / "mathv_geo_img.tar.gz", tmp_path / "images")
    ds, _ = load_source(src / "mathv_geo_message.jsonl")
    schema = detect_schema(ds.column_names)
    assert find_image_prefix(ds, schema, root) == PREFIX["mgt-geo"]
    moved = relocate_images(ds, schema, root)
    assert str(root / "mathv_geo_img" / "0.png") in moved[0]["message"]
    assert PREFIX["mgt-geo"] not in "".join(moved["message"])
    assert find_image_prefix(moved, schema, root) is None  # nothing left to move
