"""Rows/s of ``lmmr1 evaluate``'s transformers backend against a plain batched ``model.generate`` loop.

    python benchmarks/evaluate_speed.py [--rows 128] [--max-new-tokens 32] [--batch-size 16] [--repeats 3]

Both sides run the tiny model (``lmmr1.train.tiny``) on the same prompts (the tiny recipe's MGT
held-out set, one image each), greedy, same batch size, same process. lmmr1's side is the whole
``evaluate()`` call: images, prompts, generation, scoring with ``verify_batch`` and the files; the
plain loop only tokenizes, generates and decodes. Each side runs ``--repeats`` times, alternating;
the best time of each counts. Targets: ratio >= 0.95, scoring <= 2 % of lmmr1's time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import machine

from lmmr1.evaluate import registry
from lmmr1.evaluate.backends import GenerationSettings
from lmmr1.evaluate.backends.hf import TransformersBackend
from lmmr1.evaluate.prompting import request
from lmmr1.evaluate.runner import EvalSettings, evaluate
from lmmr1.train.tiny import build_tiny_model

BENCHMARK = "tiny_mgt_heldout"


def plain_loop(model, processor, requests, max_new_tokens: int, batch_size: int) -> list[str]:
    """What a user writes without lmmr1: chat template, processor, generate, decode."""
    import torch

    suppress = [model.config.image_token_id, model.config.video_token_id]
    out: list[str] = []
    for start in range(0, len(requests), batch_size):
        batch = requests[start : start + batch_size]
        texts = [processor.apply_chat_template(r.messages, add_generation_prompt=True, tokenize=False) for r in batch]
        inputs = processor(text=texts, images=[im for r in batch for im in r.images], return_tensors="pt", padding=True)
        with torch.no_grad():
            ids = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False, suppress_tokens=suppress)
        out += processor.batch_decode(ids[:, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=128)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    torch.set_num_threads(1)
    work = Path(tempfile.mkdtemp(prefix="evaluate_speed-"))
    model_dir = build_tiny_model(work / "tiny")
    processor = AutoProcessor.from_pretrained(model_dir, trust_remote_code=True, padding_side="left")
    model = AutoModelForImageTextToText.from_pretrained(model_dir).eval()
    gen = GenerationSettings(batch_size=args.batch_size)
    backend = TransformersBackend(model, processor, gen)
    settings = EvalSettings(limit=args.rows, max_new_tokens=args.max_new_tokens, verifier_workers=1, chunk=args.rows, generation=gen)
    bench = registry.get(BENCHMARK)
    items = bench.load(None)[: args.rows]
    requests = [request(it, bench.system_prompt) for it in items]

    ours, theirs, scoring = [], [], []
    for i in range(args.repeats):
        t0 = time.perf_counter()
        plain = plain_loop(model, processor, requests, args.max_new_tokens, args.batch_size)
        theirs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        (result,) = evaluate(str(model_dir), [BENCHMARK], work / f"run-{i}", settings, backend=backend)
        ours.append(time.perf_counter() - t0)
        scoring.append(result["seconds_scoring"])
    ours_rows = [r["completion"] for r in _rows(work / "run-0" / BENCHMARK / "predictions.jsonl")]
    same = sum(a == b for a, b in zip(ours_rows, plain, strict=True))
    best_ours, best_theirs = min(ours), min(theirs)
    share = scoring[ours.index(best_ours)] / best_ours
    print(f"evaluate_speed on {machine()}")
    print(f"{args.rows} rows ({BENCHMARK}), {args.max_new_tokens} new tokens, batch {args.batch_size}, best of {args.repeats}")
    print(f"  plain generate loop   {best_theirs:7.3f} s  {args.rows / best_theirs:8.1f} rows/s")
    print(f"  lmmr1 evaluate        {best_ours:7.3f} s  {args.rows / best_ours:8.1f} rows/s  (scoring {100 * share:.2f} % of it)")
    print(f"  ratio (lmmr1 rows/s / plain rows/s) {best_theirs / best_ours:.3f}  target >= 0.95")
    print(f"  same completions: {same} / {args.rows}")
    return 0


def _rows(path: Path) -> list[dict]:
    import json

    return [json.loads(line) for line in path.read_text().splitlines()]


if __name__ == "__main__":
    raise SystemExit(main())
