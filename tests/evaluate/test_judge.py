"""``--judge-url``: only undecided rows go to the judge; both numbers are reported."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from lmmr1.errors import UserError
from lmmr1.evaluate.items import Item
from lmmr1.evaluate.judge import Judge, judge_undecided


@pytest.fixture
def judge_server():
    """An OpenAI-compatible stub that answers "Yes." and records the prompts it was sent."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            asked.append(body["messages"][0]["content"])
            reply = json.dumps({"choices": [{"message": {"role": "assistant", "content": "Yes."}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1", asked
    server.shutdown()
    thread.join()


def _row(i: str, verdict):
    return {"id": i, "sample": 0, "completion": f"<answer>{i}</answer>", "verdict": verdict}


def test_only_undecided_rows_are_asked_and_once(judge_server, tmp_path):
    url, asked = judge_server
    items = {i: Item(i, f"question {i}", "\x0crac{36}{13}" if i == "u" else "1") for i in ("a", "b", "u")}
    rows = [_row("a", True), _row("b", False), _row("u", None)]
    summary = judge_undecided(Judge(url), tmp_path, items, rows)
    assert len(asked) == 1 and "question u" in asked[0] and "rac{36}{13}" in asked[0]
    assert (summary["asked"], summary["judged_correct"], summary["accuracy_with_judge"]) == (1, 1, pytest.approx(2 / 3))
    judge_undecided(Judge(url), tmp_path, items, rows)
    assert len(asked) == 1  # kept in judge.jsonl: not asked again


def test_an_unreachable_judge_is_a_user_error(tmp_path):
    judge = Judge("http://127.0.0.1:9/v1", timeout_s=2)
    with pytest.raises(UserError, match="the judge did not answer"):
        judge_undecided(judge, tmp_path, {"u": Item("u", "q", "g")}, [_row("u", None)])


def test_cli_reports_both_numbers(judge_server, tmp_path, capsys):
    from lmmr1.evaluate import cli

    url, asked = judge_server
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"id": "fre-0", "completion": "<answer>3</answer>"}) + "\n")
    rc = cli.main(["--predictions", str(preds), "--benchmark", "tiny_fre_heldout", "--output-dir", str(tmp_path / "o"),
                   "--judge-url", url, "--workers", "1", "--log-level", "WARNING"])
    assert rc == 0 and asked == []  # the rule decided the only row
    assert "| tiny_fre_heldout | 100.0 | 100.0 | 1 |" in capsys.readouterr().out
