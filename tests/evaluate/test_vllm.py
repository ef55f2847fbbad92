"""The vLLM backend: prompts in vLLM's offline format everywhere; generation only where CUDA and vLLM exist."""

from __future__ import annotations

import importlib.util
import sys
import types

import pytest

from lmmr1.errors import UserError
from lmmr1.evaluate.backends import GenerationSettings
from lmmr1.evaluate.backends.vllm_backend import VLLMBackend
from lmmr1.evaluate.items import Item
from lmmr1.evaluate.prompting import request
from tests.evaluate.conftest import image


class TemplateOnly:
    def apply_chat_template(self, messages, add_generation_prompt, tokenize):
        assert add_generation_prompt and not tokenize
        return "|".join(m["role"] for m in messages)


def test_prompts_carry_images_as_multi_modal_data():
    backend = VLLMBackend(llm=None, processor=TemplateOnly(), settings=GenerationSettings())
    with_image = request(Item("1", "Colour?", "1", images=(image(),)), ".")
    text_only = request(Item("2", "2+2?", "4"), ".")
    a, b = backend.prompts([with_image, text_only])
    assert a["prompt"] == "system|user" and len(a["multi_modal_data"]["image"]) == 1
    assert b == {"prompt": "system|user"}


def test_samples_of_one_prompt_get_different_seeds(monkeypatch):
    """vLLM seeds every request alone: the same seed for k copies of a prompt gives k equal samples."""
    captured = {}

    class FakeLLM:
        def generate(self, prompts, params, use_tqdm):
            captured["params"] = params
            done = types.SimpleNamespace(text="4", token_ids=[1], finish_reason="stop")
            return [types.SimpleNamespace(outputs=[done]) for _ in prompts]

    fake = types.ModuleType("vllm")
    fake.SamplingParams = lambda **kw: kw
    monkeypatch.setitem(sys.modules, "vllm", fake)
    backend = VLLMBackend(FakeLLM(), TemplateOnly(), GenerationSettings(temperature=1.0, seed=7))
    same = request(Item("2", "2+2?", "4"), ".")
    gens = backend.generate([same] * 4, max_new_tokens=8)
    assert [g.text for g in gens] == ["4"] * 4
    seeds = [p["seed"] for p in captured["params"]]
    assert len(set(seeds)) == 4 and seeds[0] == 7  # distinct, and reproducible from the run's seed
    assert all(p["temperature"] == 1.0 and p["max_tokens"] == 8 for p in captured["params"])


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed here")
def test_without_vllm_the_backend_says_how_to_get_it():
    with pytest.raises(UserError, match=r"pip install 'lmmr1\[gpu\]'"):
        VLLMBackend.load("some/model", GenerationSettings())


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


@pytest.mark.gpu
@pytest.mark.skipif(not _cuda(), reason="gpu: needs CUDA (none here)")
def test_vllm_and_transformers_agree_greedily_on_the_tiny_model(tmp_path):
    pytest.importorskip("vllm", reason="gpu: needs vLLM (pip install 'lmmr1[gpu]')")
    from lmmr1.evaluate.runner import EvalSettings, evaluate
    from lmmr1.train.tiny import build_tiny_model

    model = str(build_tiny_model(tmp_path / "tiny"))
    runs = {}
    for backend in ("transformers", "vllm"):
        settings = EvalSettings(backend=backend, limit=16, verifier_workers=1, generation=GenerationSettings(dtype="float32"))
        (runs[backend],) = evaluate(model, ["tiny_mgt_heldout"], tmp_path / backend, settings)
    assert runs["vllm"]["n"] == runs["transformers"]["n"] == 16
    assert runs["vllm"]["accuracy"] == runs["transformers"]["accuracy"]
