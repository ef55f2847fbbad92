"""Curation filters: each keeps a row or drops it with a named reason; looked up by name."""

from lmmr1.curation.filters import answers, choice, decontam, dedup, gold, images, pass_rate, text  # noqa: F401  (registers)
from lmmr1.curation.filters.base import FILTERS, Decision, Drop, Filter, build, register, resolve

__all__ = ["FILTERS", "Decision", "Drop", "Filter", "build", "register", "resolve"]
