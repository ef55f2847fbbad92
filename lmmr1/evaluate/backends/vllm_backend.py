"""The vLLM backend (GPU): the offline ``LLM.generate`` API with ``multi_modal_data`` images.

vLLM is imported only here, when the backend is chosen (``pip install 'lmmr1[gpu]'``). Prompts
are the same chat-template texts the transformers backend builds; vLLM batches them itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from lmmr1.errors import UserError
from lmmr1.evaluate.backends.base import Generation, GenerationSettings
from lmmr1.evaluate.prompting import MAX_PIXELS, Request

logger = logging.getLogger(__name__)

MAX_IMAGES_PER_PROMPT = 8  # OlympiadBench items have up to 5 images


class VLLMBackend:
    name = "vllm"

    def __init__(self, llm: Any, processor: Any, settings: GenerationSettings) -> None:
        self.llm = llm
        self.processor = processor
        self.settings = settings

    @classmethod
    def load(cls, model_path: str, settings: GenerationSettings) -> VLLMBackend:
        try:
            from vllm import LLM
        except ImportError as exc:
            raise UserError("the vllm backend needs vLLM: pip install 'lmmr1[gpu]' (or use --backend transformers)") from exc
        from transformers import AutoProcessor

        processor = AutoProcessor.from_pretrained(
            model_path, revision=settings.revision, trust_remote_code=settings.trust_remote_code
        )
        kwargs: dict[str, Any] = {
            "model": model_path,
            "revision": settings.revision,
            "trust_remote_code": settings.trust_remote_code,
            "dtype": settings.dtype,
            "seed": settings.seed,
            "tensor_parallel_size": settings.tensor_parallel_size,
            "limit_mm_per_prompt": {"image": MAX_IMAGES_PER_PROMPT},
            "mm_processor_kwargs": {"max_pixels": MAX_PIXELS},
        }
        if settings.data_parallel_size > 1:
            kwargs["data_parallel_size"] = settings.data_parallel_size
        if settings.max_model_len:
            kwargs["max_model_len"] = settings.max_model_len
        logger.info("vllm backend: %s (tensor parallel %d)", model_path, settings.tensor_parallel_size)
        return cls(LLM(**kwargs), processor, settings)

    def prompts(self, requests: Sequence[Request]) -> list[dict[str, Any]]:
        out = []
        for r in requests:
            text = self.processor.apply_chat_template(r.messages, add_generation_prompt=True, tokenize=False)
            prompt: dict[str, Any] = {"prompt": text}
            if r.images:
                prompt["multi_modal_data"] = {"image": list(r.images)}
            out.append(prompt)
        return out

    def generate(self, requests: Sequence[Request], max_new_tokens: int) -> list[Generation]:
        from vllm import SamplingParams

        s = self.settings
        # One seed per request: vLLM seeds each request alone, so k samples of one prompt sharing a seed
        # would be one completion k times (--n-samples, curate pass-rate).
        params = [
            SamplingParams(temperature=s.temperature, top_p=s.top_p, max_tokens=max_new_tokens, seed=s.seed + i)
            for i in range(len(requests))
        ]
        outputs = self.llm.generate(self.prompts(requests), params, use_tqdm=False)
        return [
            Generation(o.outputs[0].text, len(o.outputs[0].token_ids), o.outputs[0].finish_reason == "length")
            for o in outputs
        ]
