"""OpenRLHF remote reward server: ``lmmr1-reward-server --host 127.0.0.1 --port 5000``.

Speaks the contract of OpenRLHF's ``--remote_rm_url`` (and LMM-R1's math server): POST JSON
``{"query": [...], "prompts": [...], "labels": [...]}`` to ``/get_reward`` (or ``/``) and get
``{"rewards": [...]}`` back, one reward per query. A query is the full text, prompt and
response; the response is what follows the prompt (or, failing that, the last assistant turn
marker of a known chat template). Labels are the gold answers.

reward = accuracy + format_weight * format, like LMM-R1 (format_weight 0.5, strict format). A
response that cannot be verified gets accuracy 0.0; its reason is in ``reasons`` and
``extra_logs["verifiable"]`` is 0. Optional request lists ``tasks`` and ``options`` pick the task
("math", "choice", "geometry", "auto") and multiple-choice options per item.

Concurrent requests are merged into one ``verify_batch`` call, run in a worker thread so the event
loop keeps accepting requests. Bad requests get a 4xx with a message (400 malformed, 408 a body
that does not arrive in ``--body-timeout`` s, 413 too large, 415 not JSON); the server keeps
serving. A bad *item* fails only itself: a label that is null, NaN, infinite or not text or a
number is ``gold_unparseable``, a query that is not text is ``no_answer``, and the other items
are scored. A client that disconnects is logged in one line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lmmr1.verifiers.batch import verify_batch
from lmmr1.verifiers.config import VerifierConfig
from lmmr1.verifiers.format_tags import FormatStyle, check_format
from lmmr1.verifiers.rewards import drop_option_padding
from lmmr1.verifiers.verdict import TASKS

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024  # bytes; 4,096 queries of ~16 KB each
DEFAULT_BODY_TIMEOUT_S = 60.0  # seconds to receive a whole body; 64 MiB at ~1 MB/s
# A lone surrogate can only arrive as a \ud800-\udfff escape or as their (surrogatepass) bytes.
_MAYBE_SURROGATE = re.compile(rb"\\u[dD][89abcdefABCDEF]|\xed[\xa0-\xbf]")
# Where the response starts when the query does not begin with the prompt (chatml, DeepSeek, base).
ASSISTANT_MARKERS = ("<|im_start|>assistant\n", "<｜Assistant｜>", "Assistant:")
END_MARKERS = ("<|im_end|>", "<｜end▁of▁sentence｜>", "<|endoftext|>")


@dataclass(frozen=True)
class ServerConfig:
    """How the server turns verdicts into rewards."""

    format_weight: float = 0.5  # LMM-R1: reward = accuracy + 0.5 * format
    format_style: FormatStyle = "strict"
    default_task: str = "auto"
    workers: int | None = None  # verify_batch processes; None lets the engine choose
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S  # a slower body (or a false Content-Length) gets 408
    response_prefix: str | None = None  # regex; the response starts after its last match
    verifier: VerifierConfig = field(default_factory=VerifierConfig)

    def __post_init__(self) -> None:
        if not (isinstance(self.format_weight, (int, float)) and self.format_weight >= 0):
            raise ValueError(f"format_weight must be a number >= 0 (LMM-R1 uses 0.5), got {self.format_weight!r}")
        if self.format_style not in ("strict", "tags"):
            raise ValueError(f"format_style={self.format_style!r}; choose 'strict' or 'tags'")
        if self.default_task not in (*TASKS, "auto"):
            raise ValueError(f"default_task={self.default_task!r}; choose one of {(*TASKS, 'auto')}")
        if self.workers is not None and not (isinstance(self.workers, int) and self.workers >= 1):
            raise ValueError(f"workers must be a positive int (or unset for all cores), got {self.workers!r}")
        if not (isinstance(self.max_body_bytes, int) and self.max_body_bytes > 0):
            raise ValueError(f"max_body_bytes must be a positive int, got {self.max_body_bytes!r}")
        if not (isinstance(self.body_timeout_s, (int, float)) and self.body_timeout_s > 0):
            raise ValueError(f"body_timeout_s must be a number of seconds > 0, got {self.body_timeout_s!r}")
        if self.response_prefix is not None:
            try:
                re.compile(self.response_prefix)
            except re.error as e:
                raise ValueError(f"response_prefix {self.response_prefix!r} is not a valid regex: {e}") from e


def extract_response(query: str, prompt: str | None, response_prefix: str | None = None) -> str:
    """The model's response inside ``query``: the text after ``prompt``, else after the last
    assistant marker (``response_prefix`` first), else the whole query; end-of-turn tokens removed."""
    if prompt and query.startswith(prompt):
        response = query[len(prompt) :]
    else:
        response = query
        starts = []
        if response_prefix:
            starts = [m.end() for m in re.finditer(response_prefix, query)]
        if not starts:
            starts = [query.rfind(m) + len(m) for m in ASSISTANT_MARKERS if m in query]
        if starts:
            response = query[max(starts) :]
    for marker in END_MARKERS:
        response = response.replace(marker, "")
    return response.strip()


class RequestError(Exception):
    """A client mistake: answered with ``status`` and ``message``, never a traceback."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class _Items:
    responses: list[str | None]  # None: the query was not text (no_answer)
    labels: list[Any]  # verify_batch answers a bad label gold_unparseable
    tasks: list[str]
    options: list[Any]


def parse_request(payload: Any, config: ServerConfig) -> _Items:
    """Validate a decoded JSON body; raise :class:`RequestError` (400) saying what is wrong."""
    if not isinstance(payload, dict):
        raise RequestError(400, f"body must be a JSON object with 'query' and 'labels' lists, got {type(payload).__name__}")
    for key in ("query", "labels"):
        if key not in payload:
            raise RequestError(400, f"missing field {key!r}; send {{'query': [...], 'prompts': [...], 'labels': [...]}}")
    lists = {}
    for key in ("query", "prompts", "labels", "tasks", "options"):
        value = payload.get(key)
        if value is None and key not in ("query", "labels"):
            continue
        if not isinstance(value, list):
            raise RequestError(400, f"field {key!r} must be a list, got {type(value).__name__}")
        lists[key] = value
    n = len(lists["query"])
    wrong = {k: len(v) for k, v in lists.items() if len(v) != n}
    if wrong:
        raise RequestError(400, f"every list must have one entry per query ({n}); got lengths {wrong}")
    queries = lists["query"]  # a query that is not text is that item's no_answer
    prompts = _strings(lists["prompts"], "prompts") if "prompts" in lists else [None] * n
    labels = lists["labels"]
    tasks = lists.get("tasks") or [config.default_task] * n
    for i, task in enumerate(tasks):
        if task not in (*TASKS, "auto"):
            raise RequestError(400, f"tasks[{i}]={task!r}; choose one of {(*TASKS, 'auto')}")
    options = [drop_option_padding(o) for o in lists.get("options") or [None] * n]
    for i, opt in enumerate(options):
        if opt is not None and not isinstance(opt, (dict, list)):
            raise RequestError(400, f"options[{i}] must be an object letter -> text, a list, or null; got {type(opt).__name__}")
    responses = [
        extract_response(q, p, config.response_prefix) if isinstance(q, str) else None
        for q, p in zip(queries, prompts, strict=True)
    ]
    return _Items(responses, list(labels), list(tasks), list(options))


def _strings(values: list[Any], key: str) -> list[str]:
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise RequestError(400, f"{key}[{i}] must be a string, got {type(v).__name__}: {v!r:.80}")
    return values


def _check_unicode(values: list[Any], key: str) -> None:
    """Refuse a lone surrogate (``"\\ud800"`` in JSON): no answer can be read from, or sent back
    as, text that is not Unicode."""
    for i, v in enumerate(values):
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError as e:
                raise RequestError(
                    400, f"{key}[{i}] holds a lone surrogate (U+{ord(v[e.start]):04X} at character {e.start}); send valid Unicode text"
                ) from None


def _parse_int(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        raise RequestError(400, f"a number in the body has {len(digits)} digits, too many to read; send it as a string") from None


def decode_body(body: bytes) -> Any:
    """The JSON of a request body; :class:`RequestError` (400) saying what is wrong with it."""
    try:
        payload = json.loads(body, parse_int=_parse_int)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RequestError(400, f"body is not valid JSON: {e}") from e
    except RecursionError:
        raise RequestError(400, "body is nested too deeply to read; send flat lists of strings") from None
    if _MAYBE_SURROGATE.search(body) and isinstance(payload, dict):
        for key in ("query", "prompts", "labels", "tasks", "options"):
            if isinstance(payload.get(key), list):
                _check_unicode(payload[key], key)
                for i, opts in enumerate(payload[key] if key == "options" else ()):
                    if isinstance(opts, (dict, list)):
                        _check_unicode(list(opts.values() if isinstance(opts, dict) else opts), f"options[{i}]")
    return payload


def score_items(items: _Items, config: ServerConfig) -> dict[str, Any]:
    """Verify and format-check every item; the response body (blocking: run it off the event loop)."""
    verdicts = verify_batch(
        items.responses, items.labels, tasks=items.tasks, options=items.options, config=config.verifier, workers=config.workers
    )
    acc = [v.score for v in verdicts]  # 1/0, or a task's graded score (Sokoban's shaped reward)
    fmt = [0.0 if r is None else check_format(r, config.format_style).score for r in items.responses]
    return {
        "rewards": [a + config.format_weight * f for a, f in zip(acc, fmt, strict=True)],
        "scores": acc,
        "reasons": [v.reason for v in verdicts],
        "extracted": [v.extracted for v in verdicts],
        "extra_logs": {"accuracy": acc, "format": fmt, "verifiable": [float(v.correct is not None) for v in verdicts]},
    }


class _Batcher:
    """Merges requests that arrive while a batch is being verified into the next single batch."""

    def __init__(self, config: ServerConfig) -> None:
        self._config = config
        self._pending: list[tuple[_Items, asyncio.Future]] = []
        self._lock = asyncio.Lock()

    async def score(self, items: _Items) -> dict[str, Any]:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((items, future))
        async with self._lock:
            if not future.done():
                batch, self._pending = self._pending, []
                await self._run(batch)
        return await future

    async def _run(self, batch: list[tuple[_Items, asyncio.Future]]) -> None:
        merged = _Items(
            [r for items, _ in batch for r in items.responses],
            [g for items, _ in batch for g in items.labels],
            [t for items, _ in batch for t in items.tasks],
            [o for items, _ in batch for o in items.options],
        )
        try:
            result = await asyncio.to_thread(score_items, merged, self._config)
        except Exception as e:  # handed to every waiting request, which answers 500
            logger.exception("verifying a batch of %d items failed", len(merged.responses))
            for _, future in batch:
                future.set_exception(e)
            return
        start = 0
        for items, future in batch:
            stop = start + len(items.responses)
            future.set_result(_slice(result, start, stop))
            start = stop


def _slice(result: dict[str, Any], start: int, stop: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in result.items():
        out[key] = {k: v[start:stop] for k, v in value.items()} if isinstance(value, dict) else value[start:stop]
    return out


def _check_content_type(request: Any) -> None:
    """JSON (``application/json``, ``application/*+json``) or no Content-Type at all."""
    declared = request.headers.get("content-type")
    if declared is None:
        return
    media = declared.split(";", 1)[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise RequestError(415, f"Content-Type {declared!r} is not JSON; send the body as application/json")


async def _read_body(request: Any, limit: int, timeout: float) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"body of {declared} bytes exceeds --max-body-bytes={limit}; send smaller batches")
    chunks, size = [], 0

    async def read() -> None:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestError(413, f"body exceeds --max-body-bytes={limit}; send smaller batches")
            chunks.append(chunk)

    try:
        await asyncio.wait_for(read(), timeout)
    except asyncio.TimeoutError:
        raise RequestError(
            408, f"got {size} of {declared or 'an unknown number of'} body bytes in --body-timeout={timeout:g} s; "
            "send the whole body (is Content-Length right?)"
        ) from None
    return b"".join(chunks)


def create_app(config: ServerConfig | None = None):
    """The ASGI app (Starlette): POST ``/get_reward`` and ``/``, GET ``/health``."""
    from starlette.applications import Starlette
    from starlette.requests import ClientDisconnect
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    config = config or ServerConfig()
    batcher = _Batcher(config)

    async def get_reward(request):
        try:
            _check_content_type(request)
            body = await _read_body(request, config.max_body_bytes, config.body_timeout_s)
            items = parse_request(decode_body(body), config)
        except ClientDisconnect:
            client = request.client.host if request.client else "?"
            logger.info("client %s disconnected before sending its whole request", client)
            return Response(status_code=400)  # nobody is left to read it
        except RequestError as e:
            logger.info("rejected request (%d): %s", e.status, e.message)
            return JSONResponse({"error": e.message}, status_code=e.status)
        if not items.responses:
            return JSONResponse(_slice(score_items(items, config), 0, 0))
        try:
            result = await batcher.score(items)
        except Exception as e:  # logged in _Batcher; the server keeps serving
            return JSONResponse({"error": f"internal error while verifying: {type(e).__name__}: {e}"}, status_code=500)
        return JSONResponse(result)

    async def health(request):
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/get_reward", get_reward, methods=["POST"]),
        Route("/", get_reward, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="lmmr1-reward-server",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind; 127.0.0.1 is loopback only")
    p.add_argument("--port", type=int, default=5000, help="port to listen on")
    p.add_argument("--workers", type=int, default=None, help="verifier processes; None is all cores")
    p.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES, help="larger requests get 413")
    p.add_argument("--body-timeout", type=float, default=DEFAULT_BODY_TIMEOUT_S, help="seconds to receive a body, else 408")
    p.add_argument("--format-weight", type=float, default=0.5, help="reward = accuracy + W * format (LMM-R1: 0.5)")
    p.add_argument("--format-style", choices=("strict", "tags"), default="strict", help="format reward style")
    p.add_argument("--task", choices=(*TASKS, "auto"), default="auto", help="task when a request sends no 'tasks'")
    p.add_argument("--response-prefix", default=None, help="regex after which the response starts in a query")
    p.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"), help="log level")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = ServerConfig(
            format_weight=args.format_weight,
            format_style=args.format_style,
            default_task=args.task,
            workers=args.workers,
            max_body_bytes=args.max_body_bytes,
            body_timeout_s=args.body_timeout,
            response_prefix=args.response_prefix,
        )
    except ValueError as e:
        logging.basicConfig(level=logging.ERROR)
        logger.error("%s", e)
        return 2
    import uvicorn

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level=args.log_level)
    return 0


__all__ = ["ServerConfig", "create_app", "decode_body", "extract_response", "main", "parse_request", "score_items"]
