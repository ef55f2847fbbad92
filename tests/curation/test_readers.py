"""Data files are read as the text they hold: no retyped golds, bad lines named, empty files said (issue 15)."""

from __future__ import annotations

import json

import datasets
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmmr1.curation.sources import load_source
from lmmr1.errors import UserError

TRICKY = ["007", "1.50", "1e3", "-0", "N/A", "7"]


def answers(path, **kw) -> list:
    ds, _ = load_source(path, **kw)
    return ds["answer"]


def test_jsonl_mixed_types_keep_the_files_text(tmp_path):
    # numbers and strings in one column: pandas' fallback in `datasets` made "007" -> 7, "1.50" -> 1.5
    path = tmp_path / "d.jsonl"
    path.write_text('{"problem": "a?", "answer": "007"}\n{"problem": "b?", "answer": 1.50}\n'
                    '{"problem": "c?", "answer": 1e3}\n{"problem": "d?", "answer": -0}\n'
                    '{"problem": "e?", "answer": "N/A"}\n{"problem": "f?", "answer": 7}\n')
    assert answers(path) == TRICKY


def test_jsonl_numeric_answer_column_is_text_and_other_columns_stay_numbers(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"problem": "a?", "answer": 1.50, "level": 2, "meta": {"k": 1}}\n'
                    '{"problem": "b?", "answer": 25, "level": 3, "extra": "only here"}\n')
    ds, _ = load_source(path)
    assert ds["answer"] == ["1.50", "25"] and ds["level"] == [2, 3]
    assert ds["extra"] == [None, "only here"]  # a column only some rows have is kept, not lost
    assert json.loads(ds["meta"][0]) == {"k": 1}


def test_json_list_and_mixed_id_column(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('[{"id": 1, "question": "a?", "answer": "007"}, {"id": "x2", "question": "b?", "answer": 1.50}]')
    ds, _ = load_source(path)
    assert ds["answer"] == ["007", "1.50"] and ds["id"] == ["1", "x2"]


def test_csv_keeps_leading_zeros_and_sentinels(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("question,answer,pass_rate\n" + "".join(f"q{i}?,{a},0.5\n" for i, a in enumerate(TRICKY)))
    ds, _ = load_source(path)
    assert ds["answer"] == TRICKY and ds["pass_rate"] == [0.5] * len(TRICKY)


def test_parquet_files_with_different_answer_types(tmp_path):
    folder = tmp_path / "pq"
    folder.mkdir()
    datasets.Dataset.from_dict({"problem": ["a?"], "answer": [7]}).to_parquet(str(folder / "a.parquet"))
    datasets.Dataset.from_dict({"problem": ["b?"], "answer": ["007"]}).to_parquet(str(folder / "b.parquet"))
    assert answers(folder) == ["7", "007"]


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"problem": "a?", "answer": "1"}\n{"problem": "b?", answer: 2}\n[3]\n{"problem": "c?", "answer": "4"}\n')
    with pytest.raises(UserError, match=r"d\.jsonl:2: not valid JSON .*--skip-bad-lines"):
        load_source(path)
    ds, info = load_source(path, skip_bad_lines=True)
    assert ds["answer"] == ["1", "4"]
    assert [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in info.bad_lines] == ["2", "3"]
    assert "a JSON array, not an object" in info.bad_lines[1]


@pytest.mark.parametrize(("name", "text"), [("e.jsonl", ""), ("e.jsonl", "\n\n  \n"), ("e.json", "[]"),
                                            ("e.csv", "question,answer\n")])
def test_empty_file_says_empty(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(UserError, match="is empty"):
        load_source(path)


@pytest.mark.parametrize(("text", "spdx"), [("MIT License\n\nCopyright (c) 2021", "mit"),
                                            ("Attribution-ShareAlike 4.0 International\n====", "cc-by-sa-4.0"),
                                            ("Some custom terms", None)])
def test_licence_stated_beside_the_data(tmp_path, text, spdx):
    (tmp_path / "LICENSE.source").write_text(text)
    path = tmp_path / "d.jsonl"
    path.write_text('{"problem": "a?", "answer": "1"}\n')
    assert load_source(path)[1].license == spdx


NUMBER = st.from_regex(r"-?(0|[1-9][0-9]{0,12})(\.[0-9]{1,6})?([eE][-+]?[0-9]{1,3})?", fullmatch=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(NUMBER.map(lambda t: ("number", t)), st.text(st.characters(exclude_categories=("Cs",)), max_size=12).map(lambda t: ("string", t))),
                min_size=1, max_size=12))
def test_property_golds_read_back_exactly(tmp_path_factory, golds):
    # whatever mix of JSON numbers and strings a file holds, each gold reads back as the characters written
    path = tmp_path_factory.mktemp("prop") / "d.jsonl"
    lines = [f'{{"problem": "q{i}?", "answer": {t if kind == "number" else json.dumps(t)}}}'
             for i, (kind, t) in enumerate(golds)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert answers(path) == [t for _, t in golds]


def test_undecodable_line_and_lone_surrogate_are_named(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"problem": "a?", "answer": "1"}\n{"problem": "\xff?", "answer": "2"}\n')
    with pytest.raises(UserError, match=r"d\.jsonl:2: not UTF-8"):
        load_source(path)
    assert load_source(path, skip_bad_lines=True)[0]["answer"] == ["1"]
    path.write_text('{"problem": "a\\ud800?", "answer": "1"}\n')
    with pytest.raises(UserError, match="lone surrogate"):
        load_source(path)
