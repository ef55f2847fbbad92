"""The model card (``README.md``) of a stage's checkpoints, naming the model it started from and its data.

TRL's own card links its base model only when that is a Hub id, so every local start (lmmr1's tiny
model, stage fre's checkpoint for stage mgt) read "fine-tuned version of [None]". This card names the
stage's start, and, for a start that is itself a stage's checkpoint, the model that stage started from.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import yaml

from lmmr1.train.config import StagePlan
from lmmr1.train.data import looks_local
from lmmr1.train.rerun import read_record

README = "README.md"
KIND = {"fre": "text-only GRPO, LMM-R1's FRE stage", "mgt": "multimodal GRPO, LMM-R1's MGT stage"}
MAX_CHAIN = 8  # starts followed back through stages' records (a chain is at most a few stages long)


def _is_local(name: str) -> bool:
    return Path(name).expanduser().exists()


def _named(name: str) -> str:
    """A Hub id as a link, a local path as code."""
    return f"`{name}`" if _is_local(name) else f"[{name}](https://huggingface.co/{name})"


def start_chain(init_from: str) -> list[tuple[str, str | None]]:
    """``(checkpoint, stage that wrote it or None)`` from ``init_from`` back to the model the first stage started from."""
    chain: list[tuple[str, str | None]] = []
    current: str | None = str(init_from)
    while current is not None and len(chain) < MAX_CHAIN:
        record = read_record(current) if _is_local(current) else None
        chain.append((current, record.get("stage") if record else None))
        current = record.get("init_from") if record else None
    return chain


def card_text(plan: StagePlan, init_from: str) -> str:
    """The card for stage ``plan.name`` trained from ``init_from``."""
    chain = start_chain(init_from)
    root = chain[-1][0]
    dataset = str(plan.script.dataset_name)
    header = {"library_name": "transformers", "model_name": plan.name,
              "tags": ["lmmr1", "lmm-r1", "grpo", "trl", plan.name]}
    if not _is_local(root):
        header["base_model"] = root
    if not (_is_local(dataset) or looks_local(dataset) or dataset.startswith("synthetic:")):  # a Hub id
        header["datasets"] = [dataset]
    start = ""
    for i, (checkpoint, stage) in enumerate(chain):
        what = f"stage {stage}'s checkpoint {_named(checkpoint)}" if stage else _named(checkpoint)
        start += what if i == 0 else f" (itself fine-tuned from {what}"
    start += ")" * (len(chain) - 1)
    weights = plan.training.reward_weights or [1.0] * len(plan.script.reward_funcs)
    rewards = ", ".join(f"{name} × {w:g}" for name, w in zip(plan.script.reward_funcs, weights, strict=True))
    kind = KIND.get(plan.name, "GRPO")
    return (
        f"---\n{yaml.safe_dump(header, sort_keys=False)}---\n\n"
        f"# Stage {plan.name} of an lmmr1 `train-two-stage` run\n\n"
        f"This model is a fine-tuned version of {start}, trained with {kind}, on the dataset "
        f"`{dataset}` with the rewards {rewards}, by TRL's `GRPOTrainer`.\n\n"
        "Load it with `AutoModelForImageTextToText.from_pretrained(folder)` and "
        "`AutoProcessor.from_pretrained(folder)`. The stage's settings are in `lmmr1_settings.json` "
        "and its summary in `lmmr1_stage.json` (both in the stage's `final/` folder).\n\n"
        f"Versions: lmmr1 {_version('lmmr1')}, TRL {_version('trl')}, transformers "
        f"{_version('transformers')}, torch {_version('torch')}.\n"
    )


def write_card(folder: str | Path, plan: StagePlan, init_from: str) -> Path:
    path = Path(folder) / README
    path.write_text(card_text(plan, init_from))
    return path


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "(not installed)"
