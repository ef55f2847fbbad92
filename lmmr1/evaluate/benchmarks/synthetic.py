"""The tiny recipe's held-out sets (``lmmr1.train.synthetic``), evaluated as the recipe trained them.

Seeds no training run uses; the prompts, system prompt (``"."``) and completion length (6 tokens)
of ``recipes/tiny-cpu.yaml``, so the tiny base, FRE and MGT checkpoints compare like the paper's
Table 1 in a minute on a CPU. MGT's set is balanced: an image-blind policy scores exactly 0.25.
"""

from __future__ import annotations

from pathlib import Path

from lmmr1.evaluate.items import Item
from lmmr1.evaluate.registry import Benchmark, register

N = 128  # items per set
SEED = 10_000  # held out: the recipe's training sets use seeds 0-2
SYSTEM_PROMPT = "."  # recipes/tiny-cpu.yaml
NEW_TOKENS = 6  # recipes/tiny-cpu.yaml max_completion_length


def _text(prompt: list[dict]) -> str:
    content = prompt[-1]["content"]
    return content if isinstance(content, str) else "".join(p.get("text") or "" for p in content)


def load_fre(data_dir: Path | None) -> list[Item]:
    from lmmr1.train.synthetic import make_fre_dataset

    ds = make_fre_dataset(N, seed=SEED)
    return [Item(id=f"fre-{i}", question=_text(r["prompt"]), gold=r["solution"], task=r["task"]) for i, r in enumerate(ds)]


def load_mgt(data_dir: Path | None) -> list[Item]:
    from lmmr1.train.synthetic import make_mgt_dataset

    ds = make_mgt_dataset(N, seed=SEED)
    return [
        Item(id=f"mgt-{i}", question=_text(r["prompt"]), gold=r["solution"], task=r["task"], images=(r["image"],))
        for i, r in enumerate(ds)
    ]


for _name, _modality, _load, _what in (
    ("tiny_fre_heldout", "text", load_fre, "repeat the digit"),
    ("tiny_mgt_heldout", "mm", load_mgt, "colour of the shape, image-blind chance 0.25"),
):
    register(
        Benchmark(
            name=_name,
            modality=_modality,
            summary=f"tiny recipe's held-out set ({N} items: {_what})",
            source=f"generated: lmmr1.train.synthetic, seed {SEED}",
            load=_load,
            system_prompt=SYSTEM_PROMPT,
            new_tokens=NEW_TOKENS,
        )
    )
