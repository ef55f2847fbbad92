"""``lmmr1 evaluate`` as a user runs it (through ``lmmr1.evaluate.cli.main``)."""

from __future__ import annotations

import json

from lmmr1.evaluate import cli


def test_list_names_every_benchmark_of_the_paper(capsys):
    assert cli.main(["--list"]) == 0
    out = capsys.readouterr().out
    for name in ("mathvista_testmini", "mathverse_testmini", "mathverse_testmini_vision_only", "mathv_test", "mathv_testmini",
                 "olympiadbench", "mmstar", "math500", "gpqa_diamond", "aime24", "aime25", "amc23", "gsm8k", "geometry3k",
                 "tiny_fre_heldout", "tiny_mgt_heldout"):
        assert f"\n{name} " in "\n" + out, name


def test_predictions_then_compare(tmp_path, capsys):
    preds = tmp_path / "p.jsonl"
    preds.write_text("".join(json.dumps({"id": f"fre-{i}", "completion": "<answer>3</answer>"}) + "\n" for i in range(128)))
    for name in ("a", "b"):
        rc = cli.main(["--predictions", str(preds), "--benchmark", "tiny_fre_heldout", "--output-dir", str(tmp_path / name),
                       "--workers", "1", "--log-level", "WARNING"])
        assert rc == 0
    assert "| tiny_fre_heldout | 25.0 | 128 | 32 | 96 | 0 |" in capsys.readouterr().out  # balanced digits: 1 in 4 is 3
    assert cli.main(["--compare", str(tmp_path / "a"), str(tmp_path / "b"), "--output-dir", str(tmp_path / "cmp")]) == 0
    assert "| b | 25.0 (+0.0) |" in capsys.readouterr().out
    assert (tmp_path / "cmp" / "compare.png").is_file()


def test_user_mistakes_are_one_line_and_rc_2(tmp_path, capsys):
    assert cli.main(["--model", "m", "--benchmarks", "mathvista_mini", "--output-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lmmr1 evaluate: error: unknown benchmark 'mathvista_mini'; did you mean") and err.count("\n") == 1
    assert cli.main(["--model", "m"]) == 2
    assert "--model needs --benchmarks" in capsys.readouterr().err
    assert cli.main(["--predictions", str(tmp_path / "none.jsonl"), "--benchmark", "math500", "--output-dir", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli.main(["--model", "m", "--benchmarks", "tiny_fre_heldout", "--output-dir", str(tmp_path), "--n-samples", "3"]) == 2
    assert "--temperature" in capsys.readouterr().err
