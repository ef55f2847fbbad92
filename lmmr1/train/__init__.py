"""LMM-R1's two-stage GRPO trainer on TRL: ``train-two-stage --config recipes/NAME.yaml``.

Modules: ``config`` (recipes, parsed by TrlParser), ``data`` (stage datasets), ``rewards`` (reward
functions by name), ``stage`` (one GRPO stage), ``pipeline`` (FRE then MGT), ``reward_log`` (reward
curves), ``tiny`` (an offline tiny Qwen2.5-VL), ``synthetic`` (self-generated tasks), ``cli``.
Importing this package loads no torch; the submodules import what they need.
"""
