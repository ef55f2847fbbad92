"""OpenRLHF reward server over real HTTP on loopback: contract, rewards, 4xx, concurrency."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from lmmr1.verifiers.server import ServerConfig, create_app, extract_response, main  # noqa: E402

CHATML_PROMPT = "<|im_start|>user\nWhat is 6 * 7?<|im_end|>\n<|im_start|>assistant\n"
GOOD = "<think>6 * 7 = 42</think><answer>42</answer>"
BOXED = "6 times 7 is $\\boxed{42}$."
WRONG = "<think>6 * 7 = 48</think><answer>48</answer>"


class _Server:
    def __init__(self, config: ServerConfig) -> None:
        # log_config=None: uvicorn's loggers propagate to the root logger, where caplog sees them
        cfg = uvicorn.Config(create_app(config), host="127.0.0.1", port=0, log_config=None, lifespan="off")
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def url():
    with _Server(ServerConfig(workers=1, max_body_bytes=20_000, body_timeout_s=1.0)) as base:
        yield base


def post(url, payload, path="/get_reward", **kw):
    return httpx.post(url + path, json=payload, timeout=30, **kw)


def test_openrlhf_request_gets_lmmr1_rewards(url):
    queries = [CHATML_PROMPT + GOOD + "<|im_end|>", CHATML_PROMPT + BOXED, CHATML_PROMPT + WRONG]
    r = post(url, {"query": queries, "prompts": [CHATML_PROMPT] * 3, "labels": ["42"] * 3})
    assert r.status_code == 200
    body = r.json()
    # accuracy + 0.5 * strict format, as LMM-R1's server
    assert body["rewards"] == [1.5, 1.0, 0.5]
    assert body["scores"] == [1.0, 1.0, 0.0]
    assert body["reasons"] == ["equal", "equal", "not_equal"]
    assert body["extra_logs"]["format"] == [1.0, 0.0, 1.0]


def test_root_path_and_numeric_labels(url):
    r = post(url, {"query": ["Q: 6*7? A: " + BOXED], "prompts": ["Q: 6*7? A: "], "labels": [42]}, path="/")
    assert r.status_code == 200 and r.json()["rewards"] == [1.0]


def test_cannot_verify_is_zero_with_reason(url):
    r = post(url, {"query": [GOOD], "prompts": [""], "labels": [""]})
    body = r.json()
    assert body["rewards"] == [0.5]  # format only: accuracy cannot be verified
    assert body["scores"] == [0.0]
    assert body["reasons"] == ["gold_unparseable"]
    assert body["extra_logs"]["verifiable"] == [0.0]


def test_choice_tasks_and_options(url):
    payload = {
        "query": ["<answer>B</answer>", "<answer>A</answer>"],
        "labels": ["B", "B"],
        "tasks": ["choice", "choice"],
        "options": [{"A": "3", "B": "7"}, ["3", "7"]],
    }
    assert post(url, payload).json()["scores"] == [1.0, 0.0]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 400, "must be a JSON object"),
        (json.dumps({"query": ["a"]}).encode(), 400, "missing field 'labels'"),
        (json.dumps({"query": "a", "labels": ["1"]}).encode(), 400, "'query' must be a list"),
        (json.dumps({"query": ["a", "b"], "prompts": ["a"], "labels": ["1", "2"]}).encode(), 400, "lengths {'prompts': 1}"),
        (json.dumps({"query": ["a"], "prompts": [1], "labels": ["1"]}).encode(), 400, "prompts[0] must be a string"),
        (json.dumps({"query": ["a\ud800b"], "labels": ["1"]}).encode(), 400, "query[0] holds a lone surrogate (U+D800"),
        (b'{"query": ["a"], "labels": ["\xed\xa0\x80"]}', 400, "labels[0] holds a lone surrogate"),
        (b'{"query": ["a"], "labels": [' + b"7" * 5000 + b"]}", 400, "has 5000 digits"),
        (json.dumps({"query": ["a"], "labels": ["1"], "tasks": ["poetry"]}).encode(), 400, "tasks[0]='poetry'"),
        (json.dumps({"query": ["x" * 30_000], "labels": ["1"]}).encode(), 413, "max-body-bytes=20000"),
    ],
)
def test_bad_requests_get_4xx_and_the_server_keeps_serving(url, body, status, message):
    r = httpx.post(url + "/get_reward", content=body, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == status
    assert message in r.json()["error"]
    ok = post(url, {"query": [BOXED], "labels": ["42"]})
    assert ok.status_code == 200 and ok.json()["rewards"] == [1.0]


def test_deeply_nested_json_is_400(url):
    with _Server(ServerConfig(workers=1)) as base:  # the module's server refuses 200 KB bodies
        body = b'{"query": ["a"], "labels": ["1"], "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        r = httpx.post(base + "/get_reward", content=body, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 400 and "nested too deeply" in r.json()["error"]


def test_non_json_content_type_is_415(url):
    r = httpx.post(url + "/get_reward", content=b'{"query": [], "labels": []}', headers={"content-type": "text/plain"}, timeout=30)
    assert r.status_code == 415 and "application/json" in r.json()["error"]
    for ok_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        r = httpx.post(url + "/get_reward", content=b'{"query": [], "labels": []}', headers={"content-type": ok_type}, timeout=30)
        assert r.status_code == 200


def _raw(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def test_a_body_shorter_than_its_content_length_times_out_with_408(url):
    with _raw(url) as sock:
        sock.sendall(b"POST /get_reward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"query\"")
        start = time.monotonic()
        reply = b""
        while not reply.endswith(b"}"):  # before, no reply ever came
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 408") and b"is Content-Length right?" in reply
    assert time.monotonic() - start < 8  # the fixture's body timeout is 1 s


def test_client_disconnect_is_one_quiet_line(url, caplog):
    with caplog.at_level(logging.INFO):
        with _raw(url) as sock:
            sock.sendall(b"POST /get_reward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        body = json.dumps({"query": [r"\boxed{\sqrt{8}}"], "labels": [r"2\sqrt{2}"]}).encode()
        with _raw(url) as sock:  # a whole request, then gone before the reply
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        time.sleep(0.5)
        post(url, {"query": [BOXED], "labels": ["42"]})  # the server keeps serving
    assert "disconnected before sending its whole request" in caplog.text
    assert "Exception in ASGI application" not in caplog.text and "Traceback" not in caplog.text


def test_bad_items_fail_only_themselves(url):
    body = b'{"query": ["<answer>42</answer>", "<answer>42</answer>", "<answer>42</answer>", null, 7, "<answer>42</answer>"], ' \
        b'"labels": ["42", null, NaN, "42", "42", {"a": 1}]}'
    r = httpx.post(url + "/get_reward", content=body, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 200
    out = r.json()
    assert out["reasons"] == ["equal", "gold_unparseable", "gold_unparseable", "no_answer", "no_answer", "gold_unparseable"]
    assert out["scores"] == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert out["extra_logs"]["verifiable"] == [1.0, 0.0, 0.0, 1.0, 1.0, 0.0]


def test_help_shows_the_defaults(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one line per option
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "67108864" in out and "(default: 60.0)" in out and "(default: 127.0.0.1)" in out


def test_oversized_chunked_body_without_length_is_refused(url):
    def chunks():
        for _ in range(30):
            yield b"x" * 1000

    r = httpx.post(url + "/get_reward", content=chunks(), timeout=30)
    assert r.status_code == 413


def test_get_is_not_allowed_and_health(url):
    assert httpx.get(url + "/get_reward", timeout=10).status_code == 405
    assert httpx.get(url + "/health", timeout=10).json() == {"status": "ok"}


def test_concurrent_clients_each_get_their_own_rewards(url):
    def client(k: int) -> list[float]:
        out = []
        with httpx.Client(timeout=60) as c:
            for j in range(5):  # bounded: 8 clients x 5 requests
                gold = str(k * 10 + j)
                queries = [f"so $\\boxed{{{gold}}}$", f"so $\\boxed{{{gold}1}}$", f"<think>t</think><answer>{gold}</answer>"]
                r = c.post(url + "/get_reward", json={"query": queries, "prompts": [""] * 3, "labels": [gold] * 3})
                assert r.status_code == 200
                out.append(r.json()["rewards"])
        return out

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(client, range(8)))
    assert all(rewards == [1.0, 0.0, 1.5] for per_client in results for rewards in per_client)


def test_extract_response():
    assert extract_response(CHATML_PROMPT + GOOD + "<|im_end|>", CHATML_PROMPT) == GOOD
    # prompt re-tokenized differently: fall back to the last assistant marker
    assert extract_response(CHATML_PROMPT + GOOD, "What is 6*7?") == GOOD
    assert extract_response("User: hi\n\nAssistant: <answer>1</answer>", None) == "<answer>1</answer>"
    assert extract_response("[[RESP]]x", None, response_prefix=r"\[\[RESP\]\]") == "x"
    assert extract_response("just text", None) == "just text"


def test_bad_server_config_is_refused_with_exit_code(caplog):
    assert main(["--format-weight", "-1", "--port", "1"]) == 2
    assert "LMM-R1 uses 0.5" in caplog.text


def test_server_config_validation():
    with pytest.raises(ValueError, match="not a valid regex"):
        ServerConfig(response_prefix="(")
    with pytest.raises(ValueError, match="max_body_bytes"):
        ServerConfig(max_body_bytes=0)


@pytest.mark.slow
def test_console_entry_point_serves_over_http(tmp_path):
    """``lmmr1-reward-server`` (main) under a real uvicorn process on a free loopback port."""
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = "import sys; from lmmr1.verifiers.server import main; sys.exit(main(sys.argv[1:]))"
    args = ["--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--format-weight", "0", "--log-level", "warning"]
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):  # bounded: up to ~20 s to start
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        r = httpx.post(base + "/get_reward", json={"query": [BOXED, WRONG], "prompts": ["", ""], "labels": ["42", "42"]}, timeout=30)
        assert r.json()["rewards"] == [1.0, 0.0]  # --format-weight 0: accuracy only
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# Degenerate items the policy writes or a dataset holds; all must be answered, none may stall the rest.
_DEGENERATE = [
    ("\n" * 2000 + "<answer>7</answer>", "7"),
    ("{" * 2000, "7"),
    ("\\boxed{" * 200, "7"),
    ("<answer>7</answer>", None),
    ("<answer>7</answer>", float("nan")),
    (None, "7"),
]


@pytest.mark.slow
def test_load_64_clients_x_20_requests_lose_nothing(caplog):
    """Loopback load: 64 clients x 20 requests of 4 items, one degenerate each; every reply right.

    About 20 s on a busy 2-core machine (the clients and the server share one interpreter).
    """
    latencies: list[float] = []

    def client(k: int) -> int:
        answered = 0
        with httpx.Client(timeout=120) as c:
            for j in range(20):
                gold = str(k * 100 + j)
                bad_completion, bad_gold = _DEGENERATE[(k + j) % len(_DEGENERATE)]
                queries = [f"so $\\boxed{{{gold}}}$", f"<answer>{gold}1</answer>", f"<think>t</think><answer>{gold}</answer>", bad_completion]
                body = json.dumps({"query": queries, "labels": [gold, gold, gold, bad_gold]})  # NaN: JSON's extension
                start = time.monotonic()
                r = c.post(url + "/get_reward", content=body, headers={"content-type": "application/json"})
                latencies.append(time.monotonic() - start)
                assert r.status_code == 200, r.text
                assert r.json()["rewards"][:3] == [1.0, 0.0, 1.5]
                answered += 1
        return answered

    with caplog.at_level(logging.WARNING), _Server(ServerConfig(workers=2)) as url:
        with ThreadPoolExecutor(64) as pool:
            answered = sum(pool.map(client, range(64)))
    assert answered == 64 * 20
    latencies.sort()
    p99 = latencies[int(0.99 * len(latencies))]
    print(f"load: {answered} requests, p50 {latencies[len(latencies) // 2]:.3f} s, p99 {p99:.3f} s, max {latencies[-1]:.3f} s")
    assert p99 < 30.0  # generous: a loaded CI machine; a stall behind one item would be minutes
    assert "Exception in ASGI application" not in caplog.text
