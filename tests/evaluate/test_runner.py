"""The run loop: files written, resume after a kill generates only the missing rows, settings kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmmr1.errors import UserError
from lmmr1.evaluate.backends import Generation, GenerationSettings
from lmmr1.evaluate.runner import EvalSettings, evaluate


class EchoBackend:
    """Answers every ``Repeat the digit: D`` prompt with D (or a fixed wrong digit); records what it was asked."""

    name = "echo"

    def __init__(self, wrong: bool = False, fail_after: int | None = None) -> None:
        self.asked: list[str] = []
        self.wrong = wrong
        self.fail_after = fail_after

    def generate(self, requests, max_new_tokens):
        if self.fail_after is not None and len(self.asked) >= self.fail_after:
            raise KeyboardInterrupt("killed")
        out = []
        for r in requests:
            text = r.messages[-1]["content"]
            self.asked.append(text)
            digit = "9" if self.wrong else text[-1]
            out.append(Generation(f"<think></think><answer>{digit}</answer>", 5, False))
        return out


SETTINGS = EvalSettings(limit=10, chunk=4, verifier_workers=1)


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_files_and_numbers(tmp_path):
    backend = EchoBackend()
    (result,) = evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, SETTINGS, backend=backend)
    folder = tmp_path / "tiny_fre_heldout"
    rows = _rows(folder / "predictions.jsonl")
    assert len(rows) == 10 and len(backend.asked) == 10
    assert set(rows[0]) == {"id", "sample", "completion", "extracted", "verdict", "reason", "tokens", "truncated", "gold"}
    assert all(r["verdict"] is True and r["reason"] == "equal" for r in rows)
    saved = json.loads((folder / "results.json").read_text())
    assert saved == result
    assert (saved["accuracy"], saved["n"], saved["undecided"], saved["truncation_rate"], saved["mean_tokens"]) == (1.0, 10, 0, 0.0, 5.0)
    s = saved["settings"]
    assert (s["system_prompt"], s["max_new_tokens"], s["temperature"], s["max_pixels"]) == (".", 6, 0.0, 1024 * 1024)
    assert saved["lmmr1_version"] and "seconds" in saved
    assert "| tiny_fre_heldout | 100.0 | 10 |" in (folder / "results.md").read_text()
    assert "tiny_fre_heldout" in (tmp_path / "results.md").read_text()


def test_resume_after_a_kill_generates_only_the_missing_rows(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, SETTINGS, backend=EchoBackend(fail_after=4))
    path = tmp_path / "tiny_fre_heldout" / "predictions.jsonl"
    assert len(_rows(path)) == 4  # one chunk made it to disk
    with path.open("a") as f:
        f.write('{"id": "fre-4", "sample": 0, "compl')  # killed in the middle of a write
    again = EchoBackend()
    (result,) = evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, SETTINGS, backend=again)
    assert len(again.asked) == 6 and (result["generated_now"], result["resumed"], result["n"]) == (6, 4, 10)
    rows = _rows(path)
    assert [r["id"] for r in rows] == [f"fre-{i}" for i in range(10)]
    nothing = EchoBackend()
    evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, SETTINGS, backend=nothing)
    assert nothing.asked == []


def test_a_longer_limit_adds_rows_and_a_shorter_one_reports_the_slice(tmp_path):
    evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, SETTINGS, backend=EchoBackend())
    more = EchoBackend()
    (result,) = evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, EvalSettings(limit=12, verifier_workers=1), backend=more)
    assert len(more.asked) == 2 and result["n"] == 12
    (small,) = evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, EvalSettings(limit=3, verifier_workers=1), backend=EchoBackend())
    assert small["n"] == 3


def test_resuming_with_other_settings_is_refused(tmp_path):
    evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, SETTINGS, backend=EchoBackend())
    other = EvalSettings(limit=10, max_new_tokens=99, verifier_workers=1)
    with pytest.raises(UserError, match=r"max_new_tokens: 6 -> 99"):
        evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, other, backend=EchoBackend())
    with pytest.raises(UserError, match=r"model: 'echo-model' -> 'another'"):
        evaluate("another", ["tiny_fre_heldout"], tmp_path, SETTINGS, backend=EchoBackend())


def test_wrong_answers_score_zero_and_nothing_is_undecided(tmp_path):
    (result,) = evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, SETTINGS, backend=EchoBackend(wrong=True))
    assert (result["accuracy"], result["wrong"], result["undecided"]) == (0.0, 10, 0)


def test_settings_are_checked():
    with pytest.raises(UserError, match="--n-samples > 1 needs --temperature > 0"):
        EvalSettings(n_samples=4)
    EvalSettings(n_samples=4, generation=GenerationSettings(temperature=1.0))
    with pytest.raises(UserError, match="--limit"):
        EvalSettings(limit=0)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    pytest.importorskip("transformers")
    from lmmr1.train.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.mark.slow
@pytest.mark.data
def test_transformers_backend_end_to_end_with_images_and_resume(tiny_model, shared_data, tmp_path):
    """The tiny model on a MATH-V testmini slice (with its images) and a MATH-500 slice, then a resume."""
    settings = EvalSettings(limit=3, max_new_tokens=4, data_dir=str(shared_data), verifier_workers=1,
                            generation=GenerationSettings(batch_size=2))
    results = evaluate(str(tiny_model), ["mathv_testmini", "math500"], tmp_path, settings)
    assert [r["benchmark"] for r in results] == ["mathv_testmini", "math500"]
    for r in results:
        rows = _rows(tmp_path / r["benchmark"] / "predictions.jsonl")
        assert len(rows) == 3 and r["n"] == 3 and r["correct"] + r["wrong"] + r["undecided"] == 3
        assert all(0 < row["tokens"] <= 4 and isinstance(row["truncated"], bool) for row in rows)
        assert r["settings"]["model_revision"].startswith("local-sha256:")
        assert r["settings"]["backend"] == "transformers" and r["generated_now"] == 3
    path = tmp_path / "mathv_testmini" / "predictions.jsonl"
    first = _rows(path)
    path.write_text("".join(json.dumps(row) + "\n" for row in first[:2]))  # the last row was lost in a kill
    (again,) = evaluate(str(tiny_model), ["mathv_testmini"], tmp_path, settings)
    assert (again["generated_now"], again["resumed"]) == (1, 2)
    assert _rows(path) == first  # greedy: the regenerated row is the same row


def test_n_samples_makes_k_rows_per_item_and_resumes_per_sample(tmp_path):
    sampled = EvalSettings(limit=5, n_samples=2, verifier_workers=1, generation=GenerationSettings(temperature=1.0))
    backend = EchoBackend()
    (result,) = evaluate("echo-model", ["tiny_fre_heldout"], tmp_path, sampled, backend=backend)
    rows = _rows(tmp_path / "tiny_fre_heldout" / "predictions.jsonl")
    assert [(r["id"], r["sample"]) for r in rows[:4]] == [("fre-0", 0), ("fre-0", 1), ("fre-1", 0), ("fre-1", 1)]
    assert result["n"] == 10 and len(backend.asked) == 10
