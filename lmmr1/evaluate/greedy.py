"""Greedy checks of a trained checkpoint on rows in the trainer's format (``prompt``, ``image``, ``solution``).

The tiny run's tests use these on ``lmmr1.train.synthetic`` datasets (e.g. the blank-image
ablation); benchmarks go through :func:`lmmr1.evaluate.evaluate` instead.
"""

from __future__ import annotations


def greedy_completions(
    model_dir,
    dataset,
    max_new_tokens: int = 8,
    batch_size: int = 32,
    skip_special_tokens: bool = True,
    system_prompt: str | None = None,
) -> list[str]:
    """``model_dir``'s greedy completions for ``dataset``'s prompts (and images), decoded as TRL does.

    Image (and video) placeholder tokens are suppressed, as TRL's GRPOTrainer suppresses them when
    it samples: the policy never learns their logits down, so an unsuppressed greedy decode can
    emit ``<|image_pad|>`` and score a checkpoint on something training never produced.
    Evaluate with the prompts the model was trained on: pass the recipe's ``system_prompt`` (the
    trainer adds it to every row) and its ``max_completion_length`` as ``max_new_tokens``.
    """
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from lmmr1.train.data import add_system_prompt

    if system_prompt:
        dataset = add_system_prompt(dataset, system_prompt)
    processor = AutoProcessor.from_pretrained(model_dir, trust_remote_code=True, padding_side="left")
    model = AutoModelForImageTextToText.from_pretrained(model_dir).eval()
    suppress = [i for i in (model.config.image_token_id, model.config.video_token_id) if i is not None]
    completions: list[str] = []
    for start in range(0, len(dataset), batch_size):
        rows = dataset[start : start + batch_size]
        texts = [processor.apply_chat_template(p, add_generation_prompt=True, tokenize=False) for p in rows["prompt"]]
        extra = {"images": [[im] for im in rows["image"]]} if "image" in rows else {}
        inputs = processor(text=texts, return_tensors="pt", padding=True, **extra)
        with torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False, suppress_tokens=suppress)
        new = out[:, inputs["input_ids"].shape[1] :]
        completions += processor.batch_decode(new, skip_special_tokens=skip_special_tokens)
    return completions


def greedy_kwargs(plan) -> dict:
    """Arguments for :func:`greedy_completions` / :func:`greedy_accuracy` that match how ``plan``'s
    stage (a ``pipeline.plan`` entry) sampled: its system prompt and its completion length."""
    return {"system_prompt": plan.script.system_prompt, "max_new_tokens": plan.training.max_completion_length}


def greedy_accuracy(
    model_dir, dataset, max_new_tokens: int = 8, batch_size: int = 32, system_prompt: str | None = None
) -> float:
    """Mean accuracy reward of ``model_dir``'s greedy answers on ``dataset`` (rows as built here).

    For the tiny run's checks, e.g. the blank-image ablation: ``greedy_accuracy(ckpt,
    blank_images(make_mgt_dataset(128, seed=99)), 6, system_prompt=".")`` should be near
    ``1 / len(COLOURS)``. Rows the verifier cannot judge count as wrong. Arguments as for
    :func:`greedy_completions`.
    """
    from lmmr1.rewards import AccuracyReward

    completions = greedy_completions(model_dir, dataset, max_new_tokens, batch_size, system_prompt=system_prompt)
    columns = {k: dataset[k] for k in ("solution", "task", "options") if k in dataset.column_names}
    scores = AccuracyReward(log_reasons=False)(None, completions, **columns)
    return sum(s or 0.0 for s in scores) / len(scores)
