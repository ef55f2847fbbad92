"""``Qwen2_5_VLImageOnlyProcessor``: Qwen2.5-VL's processor without the video processor.

transformers 5.x's ``Qwen2_5_VLProcessor`` cannot even be constructed without torchvision, because
its video processor needs it. LMM-R1 uses images only, so the tiny model ships this subclass: same
image and text handling, no video attribute. ``build_tiny_model`` copies this file into the model
directory with an ``auto_map`` entry, so stock ``AutoProcessor.from_pretrained(dir,
trust_remote_code=True)`` loads it; without ``trust_remote_code`` transformers refuses loudly
rather than silently falling back to a bare tokenizer.

This file must import nothing but transformers: it runs as Hub "remote code".
"""

from transformers import Qwen2_5_VLProcessor


class Qwen2_5_VLImageOnlyProcessor(Qwen2_5_VLProcessor):
    """A ``Qwen2_5_VLProcessor`` for images and text only (no torchvision needed)."""

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        # ProcessorMixin reads the sub-processors from this signature, so "video_processor" is not one.
        super().__init__(image_processor, tokenizer, None, chat_template=chat_template, **kwargs)


__all__ = ["Qwen2_5_VLImageOnlyProcessor"]
