"""``lmmr1 evaluate``: score checkpoints on the paper's benchmarks with lmmr1's verifiers, deterministically.

Parts: ``registry`` and ``benchmarks/`` (one module per benchmark: loader, prompt, gold, verifier
task and config), ``backends/`` (transformers, vLLM), ``scoring`` (``verify_batch``, the one
scoring path), ``runner`` (generate, resume, score; or score another harness's predictions),
``results`` / ``compare`` (files and the Table-1 layout), ``callback`` (evaluation during training),
``greedy`` (the tiny run's greedy checks), ``cli``.
"""

from lmmr1.evaluate.compare import compare
from lmmr1.evaluate.items import Item
from lmmr1.evaluate.registry import Benchmark, get, names
from lmmr1.evaluate.runner import EvalSettings, evaluate, score_predictions
from lmmr1.evaluate.scoring import score

__all__ = ["Benchmark", "EvalSettings", "Item", "compare", "evaluate", "get", "names", "score", "score_predictions"]
