"""The transformers backend: batched greedy ``generate`` on CPU or GPU, as the trainer decodes.

Image and video placeholder tokens are suppressed, as TRL's GRPOTrainer suppresses them when it
samples: training never learns their logits down, so an unsuppressed decode can emit
``<|image_pad|>`` and score a checkpoint on something it was never trained to produce.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from lmmr1.evaluate.backends.base import Generation, GenerationSettings
from lmmr1.evaluate.prompting import Request

logger = logging.getLogger(__name__)


class TransformersBackend:
    name = "transformers"

    def __init__(self, model: Any, processor: Any, settings: GenerationSettings) -> None:
        self.model = model
        self.processor = processor
        self.settings = settings
        config = getattr(model, "config", None)
        self.suppress = [
            i for i in (getattr(config, "image_token_id", None), getattr(config, "video_token_id", None)) if i is not None
        ]
        eos = model.generation_config.eos_token_id
        self.eos = set(eos if isinstance(eos, (list, tuple)) else [eos] if eos is not None else [])
        tokenizer = getattr(processor, "tokenizer", processor)
        self.pad_id = model.generation_config.pad_token_id
        if self.pad_id is None:
            self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(self.eos, default=0)

    @classmethod
    def load(cls, model_path: str, settings: GenerationSettings) -> TransformersBackend:
        import torch
        from transformers import AutoModelForCausalLM, AutoModelForImageTextToText, AutoProcessor

        device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = {"auto": torch.bfloat16 if device == "cuda" else torch.float32, "bfloat16": torch.bfloat16,
                 "float16": torch.float16, "float32": torch.float32}[settings.dtype]
        kwargs = {"revision": settings.revision, "trust_remote_code": settings.trust_remote_code}
        processor = AutoProcessor.from_pretrained(model_path, padding_side="left", **kwargs)
        try:
            model = AutoModelForImageTextToText.from_pretrained(model_path, dtype=dtype, **kwargs)
        except ValueError:  # a text-only model (GPQA, MATH-500 baselines): no image-text-to-text class
            model = AutoModelForCausalLM.from_pretrained(model_path, dtype=dtype, **kwargs)
        logger.info("transformers backend: %s on %s (%s)", model_path, device, dtype)
        return cls(model.to(device).eval(), processor, settings)

    def inputs(self, batch: Sequence[Request]):
        """The padded model inputs for ``batch`` (left padding), on the model's device."""
        texts = [self.processor.apply_chat_template(r.messages, add_generation_prompt=True, tokenize=False) for r in batch]
        images = [im for r in batch for im in r.images]
        extra = {"images": images} if images else {}
        return self.processor(text=texts, return_tensors="pt", padding=True, **extra).to(self.model.device)

    def generate_kwargs(self, max_new_tokens: int) -> dict[str, Any]:
        s = self.settings
        kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens, "pad_token_id": self.pad_id}
        if self.suppress:
            kwargs["suppress_tokens"] = self.suppress
        if s.temperature > 0:
            kwargs.update(do_sample=True, temperature=s.temperature, top_p=s.top_p)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return kwargs

    def generate(self, requests: Sequence[Request], max_new_tokens: int) -> list[Generation]:
        import torch

        out: list[Generation] = []
        tokenizer = getattr(self.processor, "tokenizer", self.processor)
        kwargs = self.generate_kwargs(max_new_tokens)
        for start in range(0, len(requests), self.settings.batch_size):
            batch = requests[start : start + self.settings.batch_size]
            inputs = self.inputs(batch)
            if self.settings.temperature > 0:
                torch.manual_seed(self.settings.seed + start)
            with torch.no_grad():
                ids = self.model.generate(**inputs, **kwargs)
            new = ids[:, inputs["input_ids"].shape[1] :].tolist()
            for row in new:
                end = next((i for i, t in enumerate(row) if t in self.eos), None)
                kept = row if end is None else row[: end + 1]
                out.append(Generation(tokenizer.decode(kept, skip_special_tokens=True), len(kept), end is None))
        return out
