"""lmmr1: rule-based rewards, data curation and a two-stage GRPO trainer for LMM-R1-style RL.

>>> from lmmr1 import verify
>>> verify("<think>2+2</think><answer>$4$</answer>", "4").correct
True
"""

import logging

from lmmr1.verifiers import (
    REASONS,
    ChoiceConfig,
    GeometryConfig,
    MathConfig,
    Verdict,
    VerifierConfig,
    check_format,
    shutdown,
    verify,
    verify_batch,
    warm_up,
)

__version__ = "0.1.0"
__all__ = [
    "REASONS",
    "ChoiceConfig",
    "GeometryConfig",
    "MathConfig",
    "Verdict",
    "VerifierConfig",
    "__version__",
    "check_format",
    "shutdown",
    "verify",
    "verify_batch",
    "warm_up",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
