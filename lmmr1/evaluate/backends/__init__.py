"""Generation backends: ``transformers`` (CPU or GPU, batched ``generate``) and ``vllm`` (GPU)."""

from __future__ import annotations

from lmmr1.errors import UserError
from lmmr1.evaluate.backends.base import Backend, Generation, GenerationSettings

BACKENDS = ("transformers", "vllm")

__all__ = ["BACKENDS", "Backend", "Generation", "GenerationSettings", "make_backend"]


def make_backend(name: str, model: str, settings: GenerationSettings) -> Backend:
    """The backend called ``name`` loaded with ``model`` (a directory or Hub id)."""
    if name == "transformers":
        from lmmr1.evaluate.backends.hf import TransformersBackend

        return TransformersBackend.load(model, settings)
    if name == "vllm":
        from lmmr1.evaluate.backends.vllm_backend import VLLMBackend

        return VLLMBackend.load(model, settings)
    raise UserError(f"unknown backend {name!r}; choose one of {BACKENDS}")
