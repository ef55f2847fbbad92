"""The tiny Qwen2.5-VL built offline loads with the stock Auto classes, as a real processor."""

from __future__ import annotations

import pytest

transformers = pytest.importorskip("transformers")
from PIL import Image  # noqa: E402
from transformers import AutoModelForImageTextToText, AutoProcessor, ProcessorMixin  # noqa: E402

from lmmr1.train.synthetic import make_mgt_dataset  # noqa: E402
from lmmr1.train.tiny import QWEN_SPECIAL_TOKENS, TAG_TOKENS, build_tiny_model  # noqa: E402


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


def test_auto_processor_is_a_real_processor(tiny_dir):
    processor = AutoProcessor.from_pretrained(tiny_dir, trust_remote_code=True)
    # A bare tokenizer here would make TRL treat the model as text-only.
    assert isinstance(processor, ProcessorMixin)
    assert type(processor).__name__ == "Qwen2_5_VLImageOnlyProcessor"
    assert processor.image_processor is not None


def test_without_trust_remote_code_loading_refuses_instead_of_returning_a_tokenizer(tiny_dir):
    with pytest.raises(ValueError, match="trust_remote_code"):
        AutoProcessor.from_pretrained(tiny_dir, trust_remote_code=False)


def test_tags_and_special_tokens_are_single_tokens(tiny_dir):
    tokenizer = AutoProcessor.from_pretrained(tiny_dir, trust_remote_code=True).tokenizer
    for token in (*QWEN_SPECIAL_TOKENS, *TAG_TOKENS):
        ids = tokenizer.encode(token, add_special_tokens=False)
        assert len(ids) == 1, (token, ids)
    text = "<think>1+1</think><answer>$2$</answer>"
    assert tokenizer.decode(tokenizer.encode(text)) == text
    assert tokenizer.eos_token == "<|im_end|>"


def test_chat_template_is_qwen25vl(tiny_dir):
    processor = AutoProcessor.from_pretrained(tiny_dir, trust_remote_code=True)
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Colour?"}]}]
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert text == (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Colour?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_model_is_tiny_and_generates_from_an_image(tiny_dir):
    processor = AutoProcessor.from_pretrained(tiny_dir, trust_remote_code=True)
    model = AutoModelForImageTextToText.from_pretrained(tiny_dir)
    n_params = sum(p.numel() for p in model.parameters())
    assert 100_000 <= n_params <= 1_000_000
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Colour?"}]}]
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    batch = processor(text=[text], images=[Image.new("RGB", (56, 56), "red")], return_tensors="pt")
    assert batch["pixel_values"].shape[0] == 16  # 56x56 px = 4x4 patches of 14 px
    # The cap: 112x112 px, 8x8 patches (16 LLM tokens after the 2x2 merge); larger images shrink to it.
    for size, patches in ((112, 64), (448, 64)):
        capped = processor(text=[text], images=[Image.new("RGB", (size, size), "red")], return_tensors="pt")
        assert capped["pixel_values"].shape[0] == patches, size
    out = model.generate(**batch, max_new_tokens=4, do_sample=False)
    assert out.shape[1] > batch["input_ids"].shape[1]


def test_image_tokens_enter_the_language_model_large(tiny_dir):
    """The merger's output is scaled at build (tiny.IMAGE_EMBED_GAIN): image tokens start with
    embeddings far larger than text tokens', as RL that learned to read the image made them, so a
    stage 2 started from a text-trained checkpoint can still pick the image up (issue 7)."""
    import torch

    processor = AutoProcessor.from_pretrained(tiny_dir, trust_remote_code=True)
    model = AutoModelForImageTextToText.from_pretrained(tiny_dir).eval()
    row = make_mgt_dataset(4, seed=0)[0]
    text = processor.apply_chat_template(row["prompt"], add_generation_prompt=True, tokenize=False)
    batch = processor(text=[text], images=[row["image"]], return_tensors="pt")
    with torch.no_grad():
        embeds = model(**batch, output_hidden_states=True).hidden_states[0][0]
    is_image = batch["input_ids"][0] == model.config.image_token_id
    image_norm = embeds[is_image].norm(dim=-1).mean()
    text_norm = embeds[~is_image].norm(dim=-1).mean()
    assert is_image.sum() == 16
    assert image_norm > 20 * text_norm, (image_norm, text_norm)


def test_build_is_deterministic_and_reused(tmp_path):
    import torch

    a = AutoModelForImageTextToText.from_pretrained(build_tiny_model(tmp_path / "a", seed=3))
    b = AutoModelForImageTextToText.from_pretrained(build_tiny_model(tmp_path / "b", seed=3))
    for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert torch.equal(pa, pb), name
    assert build_tiny_model(tmp_path / "a", seed=3) == tmp_path / "a"
