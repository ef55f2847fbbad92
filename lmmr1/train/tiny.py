"""A tiny, random Qwen2.5-VL-family model built offline, for CPU tests and the ``tiny-cpu`` recipe.

``build_tiny_model(out_dir)`` writes a directory that loads with the stock Auto classes
(``AutoModelForImageTextToText``, ``AutoProcessor``, ``AutoTokenizer``) like a hub checkpoint:

- a ``Qwen2_5_VLForConditionalGeneration`` with tiny sizes and random weights (~200k parameters);
- a byte-level BPE tokenizer trained here with ``tokenizers`` on a small built-in corpus, carrying
  Qwen2.5-VL's special tokens and ``<think>``, ``</think>``, ``<answer>``, ``</answer>`` as single tokens;
- Qwen2.5-VL's chat template;
- a ``Qwen2_5_VLProcessor`` whose image processor is the PIL one (no torchvision) and which has
  no video processor: transformers 5.x's video processors need torchvision, and LMM-R1 uses no video.

Nothing is downloaded. The build is deterministic for a given ``seed``.
"""

from __future__ import annotations

import logging
import string
from pathlib import Path

logger = logging.getLogger(__name__)

# Qwen2.5-VL's special tokens, in the hub tokenizer's order (ids differ: our vocabulary is tiny).
QWEN_SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
)
# LMM-R1's reasoning/answer tags: single, non-special tokens so that decoding keeps them.
TAG_TOKENS = ("<think>", "</think>", "<answer>", "</answer>")

# Qwen2.5-VL-3B-Instruct's chat template (chat_template.json on the hub), verbatim.
QWEN25VL_CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}"
    "{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}"
    "{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}"
    "<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

PATCH_SIZE = 14  # pixels per ViT patch side, as in Qwen2.5-VL
MERGE_SIZE = 2  # 2x2 patches merge into one LLM token, as in Qwen2.5-VL
# Images are resized to between 28x28 (1 LLM token) and 112x112 pixels (16 LLM tokens): small, so a
# CPU step stays cheap, but not smaller: with 4 image tokens in the prompt, RL never learned to read
# the synthetic task's image (issue 7); with 16 it did.
MIN_PIXELS = (PATCH_SIZE * MERGE_SIZE) ** 2
MAX_PIXELS = 16 * MIN_PIXELS
# The vision merger's output layer is scaled by this at build time, so image tokens enter the language
# model with embeddings ~50x the norm of a random init (~11 against ~0.2 for text tokens). RL that
# learned to read the image grew them ~140x by itself, over its first few thousand steps; and after
# a text-only stage 1 has sharpened the language model's attention, image tokens that start small
# never grew: stage 2 stayed at the image-blind accuracy in every hand-off tried (issue 7).
IMAGE_EMBED_GAIN = 50.0
BPE_VOCAB_SIZE = 400  # 256 byte tokens + ~140 merges; the special and tag tokens come on top

_CORPUS_LINES = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant solves it.",
    "The assistant first thinks about the reasoning process in the mind and then provides the user with the answer.",
    "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags.",
    "Please put the final answer in LaTeX format inside $ $, for example $\\frac{1}{2}$ or $\\sqrt{3}$.",
    "What is 3 + 4? Compute the sum. What is the product of 6 and 7? Solve for x: 2x + 3 = 11.",
    "Which colour is the shape in the image? Choices: A. red B. green C. blue D. yellow",
    "How many circles are in the image? Count the triangles. The area of the triangle is 12.",
    "In the figure, angle ABC is 30 degrees and AB = AC. Find the length of BC. Answer: $4\\sqrt{2}$",
    "system user assistant You are a helpful assistant. Let me think step by step. So the answer is",
)


def _corpus() -> list[str]:
    """Training text for the tiny BPE: the built-in lines plus every printable character and number."""
    numbers = " ".join(str(i) for i in range(200))
    return [*_CORPUS_LINES, string.printable, numbers] * 4


def _build_tokenizer():
    """A byte-level BPE tokenizer (Qwen2's pre-tokenizer family) wrapped as a ``Qwen2TokenizerFast``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import Qwen2TokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=BPE_VOCAB_SIZE,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=list(QWEN_SPECIAL_TOKENS),
        show_progress=False,
    )
    bpe.train_from_iterator(_corpus(), trainer=trainer)
    tokenizer = Qwen2TokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",  # Instruct checkpoints end turns (and generation) with <|im_end|>
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        model_max_length=32768,
        clean_up_tokenization_spaces=False,
    )
    tokenizer.add_special_tokens({"additional_special_tokens": list(QWEN_SPECIAL_TOKENS[1:])})
    tokenizer.add_tokens(list(TAG_TOKENS), special_tokens=False)
    tokenizer.chat_template = QWEN25VL_CHAT_TEMPLATE
    return tokenizer


def _build_processor(tokenizer):
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    from lmmr1.train.image_only_processor import Qwen2_5_VLImageOnlyProcessor

    image_processor = Qwen2VLImageProcessorPil(
        min_pixels=MIN_PIXELS,
        max_pixels=MAX_PIXELS,
        patch_size=PATCH_SIZE,
        merge_size=MERGE_SIZE,
        temporal_patch_size=2,
    )
    processor = Qwen2_5_VLImageOnlyProcessor(
        image_processor=image_processor, tokenizer=tokenizer, chat_template=QWEN25VL_CHAT_TEMPLATE
    )
    # Saving then copies image_only_processor.py beside the configs and writes an auto_map entry.
    processor.register_for_auto_class("AutoProcessor")
    return processor


def _build_model(tokenizer, seed: int):
    import torch
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    ids = tokenizer.convert_tokens_to_ids
    text_hidden = 64
    config = Qwen2_5_VLConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": text_hidden,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,  # head_dim 16
            "num_key_value_heads": 2,
            "max_position_embeddings": 4096,
            "rope_parameters": {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [2, 3, 3]},
            "bos_token_id": ids("<|endoftext|>"),
            "eos_token_id": ids("<|im_end|>"),
            "pad_token_id": ids("<|endoftext|>"),
        },
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "patch_size": PATCH_SIZE,
            "spatial_merge_size": MERGE_SIZE,
            "temporal_patch_size": 2,
            "window_size": 56,
            "out_hidden_size": text_hidden,
            "fullatt_block_indexes": [1],
        },
        image_token_id=ids("<|image_pad|>"),
        video_token_id=ids("<|video_pad|>"),
        vision_start_token_id=ids("<|vision_start|>"),
        vision_end_token_id=ids("<|vision_end|>"),
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config)
    with torch.no_grad():
        model.get_submodule("model.visual.merger.mlp.2").weight.mul_(IMAGE_EMBED_GAIN)
    model.generation_config.eos_token_id = [ids("<|im_end|>"), ids("<|endoftext|>")]
    model.generation_config.pad_token_id = ids("<|endoftext|>")
    return model


def build_tiny_model(out_dir: str | Path, seed: int = 0) -> Path:
    """Build the tiny model, tokenizer and processor and save them in ``out_dir``; return the path.

    An existing build in ``out_dir`` (one with ``config.json`` and ``processor_config.json``) is
    reused, so repeated calls are cheap.
    """
    out = Path(out_dir)
    if (out / "config.json").is_file() and (out / "processor_config.json").is_file():
        logger.info("reusing the tiny model in %s", out)
        return out
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = _build_tokenizer()
    processor = _build_processor(tokenizer)
    model = _build_model(tokenizer, seed)
    model.save_pretrained(out)
    processor.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    logger.info("built a tiny Qwen2.5-VL (%d parameters, vocab %d) in %s", n_params, len(tokenizer), out)
    return out
