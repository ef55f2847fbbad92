"""Rule-based verifiers: ``verify`` a completion against a gold answer, ``check_format`` its tags."""

from lmmr1.verifiers.api import verify
from lmmr1.verifiers.batch import verify_batch
from lmmr1.verifiers.budget import shutdown, warm_up
from lmmr1.verifiers.config import ChoiceConfig, GeometryConfig, MathConfig, SokobanConfig, VerifierConfig
from lmmr1.verifiers.format_tags import check_format
from lmmr1.verifiers.verdict import REASONS, Verdict

__all__ = [
    "REASONS",
    "ChoiceConfig",
    "GeometryConfig",
    "MathConfig",
    "SokobanConfig",
    "Verdict",
    "VerifierConfig",
    "check_format",
    "verify",
    "shutdown",
    "verify_batch",
    "warm_up",
]
