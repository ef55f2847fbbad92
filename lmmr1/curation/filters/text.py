"""Prompt length: drop prompts longer than the trainer's ``max_prompt_length``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lmmr1.curation.filters.base import Decision, Drop, Filter, register
from lmmr1.curation.sources import Example

_TOKEN = re.compile(r"\w+|[^\w\s]")


@lru_cache(maxsize=4)
def _tokenizer(name: str) -> Any:
    from transformers import AutoTokenizer  # optional: only with the [train] extra

    return AutoTokenizer.from_pretrained(name, local_files_only=True)


@register("prompt_too_long")
@dataclass(frozen=True)
class PromptTooLong(Filter):
    """Question plus options longer than ``max_tokens``.

    Without ``tokenizer`` a word/punctuation count stands in for tokens (it undercounts LaTeX by
    about 1.5x); with a local tokenizer path the count is exact.
    """

    max_tokens: int = 2048  # tokens of question + options, images excluded
    tokenizer: str | None = None  # local path of a Hugging Face tokenizer; loaded with local_files_only

    def check(self, ex: Example) -> Decision:
        text = ex.question + "\n" + "\n".join(ex.options)
        if self.tokenizer:
            n = len(_tokenizer(self.tokenizer)(text)["input_ids"])
        else:
            n = len(_TOKEN.findall(text))
        if n > self.max_tokens:
            return Drop("prompt_too_long", f"{n} tokens > {self.max_tokens}")
        return None

