"""The tiny run's greedy checks take the stage's own sampling settings."""

from __future__ import annotations

import pytest


def test_greedy_kwargs_are_the_stages_own_sampling_settings(tmp_path):
    """Greedy checks evaluate with the prompts and length the stage trained with, read from the plan."""
    pytest.importorskip("trl")
    from lmmr1.evaluate.greedy import greedy_kwargs
    from lmmr1.train import pipeline
    from tests.train.tiny_run import RECIPE

    (mgt,) = pipeline.plan(RECIPE, stages=["mgt"], output_dir=str(tmp_path), overrides=["system_prompt=Look."])
    assert greedy_kwargs(mgt) == {"system_prompt": "Look.", "max_new_tokens": mgt.training.max_completion_length}
    assert mgt.training.max_completion_length == 6  # recipes/tiny-cpu.yaml
