"""What every backend returns, and the settings that decide what it generates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from lmmr1.evaluate.prompting import Request


@dataclass(frozen=True)
class GenerationSettings:
    """Sampling settings; the defaults are the paper's evaluation (greedy)."""

    temperature: float = 0.0  # 0: greedy
    top_p: float = 1.0
    seed: int = 0
    batch_size: int = 16  # prompts per generate call (transformers); vLLM schedules its own batches
    dtype: str = "auto"  # "auto": bfloat16 on CUDA, float32 on CPU
    revision: str | None = None  # Hub revision of the model
    trust_remote_code: bool = True  # the tiny model ships its processor as code
    tensor_parallel_size: int = 1  # vLLM
    data_parallel_size: int = 1  # vLLM
    max_model_len: int | None = None  # vLLM; None: the model's

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0 (0 is greedy), got {self.temperature!r}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size!r}")


@dataclass(frozen=True)
class Generation:
    """One completion: its text, how many tokens it has, and whether it hit the length limit."""

    text: str
    tokens: int
    truncated: bool


class Backend(Protocol):
    name: str

    def generate(self, requests: Sequence[Request], max_new_tokens: int) -> list[Generation]:
        """One completion per request, in order."""
        ...
