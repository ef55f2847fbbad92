"""``lmmr1 evaluate``: run a model on benchmarks, score another harness's predictions, or compare runs.

    lmmr1 evaluate --model PATH_OR_HUB_ID --benchmarks mathvista_testmini,mathv_test --output-dir runs/eval/base
    lmmr1 evaluate --predictions preds.jsonl --benchmark mathv_test --output-dir runs/eval/old
    lmmr1 evaluate --compare runs/eval/base runs/eval/fre runs/eval/mgt
    lmmr1 evaluate --list
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from lmmr1.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="lmmr1 evaluate", description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--model", help="checkpoint directory or Hub id to generate with")
    mode.add_argument("--predictions", help="score completions made elsewhere: JSONL of id + completion, lmms-eval or VLMEvalKit output")
    mode.add_argument("--compare", nargs="+", metavar="DIR", help="--output-dir folders of earlier runs; the first is the baseline")
    mode.add_argument("--list", action="store_true", help="list the benchmarks")
    p.add_argument("--benchmarks", help="comma-separated benchmark names (with --model)")
    p.add_argument("--benchmark", help="the benchmark the --predictions belong to")
    p.add_argument("--output-dir", help="where predictions.jsonl, results.json and results.md go (per benchmark); "
                   "with --compare, where compare.md and compare.png go (default: the first DIR)")
    p.add_argument("--data-dir", default=os.environ.get("LMMR1_DATA"),
                   help="local copies of the benchmarks, e.g. ../shared/data (default: $LMMR1_DATA, else the Hub)")
    p.add_argument("--backend", choices=["transformers", "vllm"], default="transformers")
    p.add_argument("--limit", type=int, help="first N items of each benchmark")
    p.add_argument("--n-samples", type=int, default=1, help="completions per item (needs --temperature > 0); accuracy is their mean")
    p.add_argument("--temperature", type=float, default=0.0, help="0 (default, the paper's protocol): greedy")
    p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-new-tokens", type=int, help="default: 4,096 for multimodal benchmarks, 8,192 for text")
    p.add_argument("--max-pixels", type=int, default=1024 * 1024, help="images are scaled down to at most this many pixels")
    p.add_argument("--system-prompt", help="default: LMM-R1's R1 prompt (lmmr1.prompts); '' for none")
    p.add_argument("--batch-size", type=int, default=16, help="prompts per generate call (transformers)")
    p.add_argument("--dtype", choices=["auto", "bfloat16", "float16", "float32"], default="auto")
    p.add_argument("--revision", help="Hub revision of --model")
    p.add_argument("--tensor-parallel-size", type=int, default=1, help="vLLM")
    p.add_argument("--data-parallel-size", type=int, default=1, help="vLLM")
    p.add_argument("--torch-threads", type=int, help="torch.set_num_threads (CPU); tiny models on a busy CPU run faster with 1")
    p.add_argument("--skip-missing-images", action="store_true", help="leave out items whose image files are missing (counted)")
    p.add_argument("--workers", type=int, help="verifier processes (default: one per CPU)")
    p.add_argument("--judge-url", help="OpenAI-compatible endpoint (e.g. http://localhost:8000/v1) asked only about undecided rows")
    p.add_argument("--judge-model", default="default", help="model name to send to --judge-url")
    p.add_argument("--id-col", help="--predictions: the column holding the item id")
    p.add_argument("--completion-col", help="--predictions: the column holding the completion")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def _settings(args):
    from lmmr1.evaluate.backends import GenerationSettings
    from lmmr1.evaluate.judge import Judge
    from lmmr1.evaluate.runner import EvalSettings

    try:
        generation = GenerationSettings(
            temperature=args.temperature, top_p=args.top_p, seed=args.seed, batch_size=args.batch_size, dtype=args.dtype,
            revision=args.revision, tensor_parallel_size=args.tensor_parallel_size, data_parallel_size=args.data_parallel_size,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    return EvalSettings(
        backend=args.backend, limit=args.limit, n_samples=args.n_samples, max_new_tokens=args.max_new_tokens,
        max_pixels=args.max_pixels, system_prompt=args.system_prompt, data_dir=args.data_dir,
        skip_missing_images=args.skip_missing_images, verifier_workers=args.workers, generation=generation,
        judge=Judge(args.judge_url, args.judge_model) if args.judge_url else None,
    )


def _list() -> int:
    from lmmr1.evaluate import registry

    for name in registry.names():
        b = registry.get(name)
        print(f"{name:38s} {b.modality:4s}  {b.summary}\n{'':44s}{b.source}")
    return 0


def _run(args) -> int:
    from lmmr1.evaluate import registry
    from lmmr1.evaluate.results import report
    from lmmr1.evaluate.runner import evaluate

    if not args.benchmarks or not args.output_dir:
        raise UserError("--model needs --benchmarks NAME[,NAME…] and --output-dir DIR")
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    results = evaluate(args.model, registry.parse_names(args.benchmarks), args.output_dir, _settings(args))
    print(report(results), end="")
    return 0


def _predictions(args) -> int:
    from lmmr1.evaluate import predictions
    from lmmr1.evaluate.results import report
    from lmmr1.evaluate.runner import score_predictions

    if not args.benchmark or not args.output_dir:
        raise UserError("--predictions needs --benchmark NAME and --output-dir DIR")
    rows = predictions.read(args.predictions, args.id_col, args.completion_col)
    result = score_predictions(args.benchmark, rows, args.output_dir, _settings(args), source=args.predictions)
    print(report([result]), end="")
    return 0


def _compare(args) -> int:
    from lmmr1.evaluate.compare import compare

    print(compare(args.compare, args.output_dir or args.compare[0]), end="")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.list:
            return _list()
        if args.compare:
            return _compare(args)
        if args.predictions:
            return _predictions(args)
        return _run(args)
    except UserError as exc:
        print(f"lmmr1 evaluate: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
