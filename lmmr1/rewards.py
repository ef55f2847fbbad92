"""TRL reward functions built on the verifiers: ``from lmmr1.rewards import AccuracyReward, FormatReward``."""

from lmmr1.verifiers.rewards import AccuracyReward, FormatReward, completion_text

__all__ = ["AccuracyReward", "FormatReward", "completion_text"]
