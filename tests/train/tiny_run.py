"""What the tiny-model mechanics tests (hand-off, resume, distributed) share."""

from pathlib import Path

RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "tiny-cpu.yaml"

# Mechanics, not learning: one update per generation round (one reward row a step), room for the
# tags so a random model gets reward variance, and small batches, whatever recipes/tiny-cpu.yaml
# is tuned to for learning.
MECHANICS = [
    "num_iterations=1",
    "max_completion_length=8",
    "scale_rewards=none",
    "synthetic_size=16",
    "per_device_train_batch_size=8",
    "num_generations=4",
]
