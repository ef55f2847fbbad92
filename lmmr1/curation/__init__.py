"""Curation: keep rows a rule can check, drop the rest with reasons, and document the result.

>>> from lmmr1.curation import curate, load_source, to_trl
>>> ds, info = load_source("data.jsonl")                 # doctest: +SKIP
>>> kept, rejected, stats = curate(ds, source=info)    # doctest: +SKIP
"""

from lmmr1.curation.config import CurationConfig, load_config
from lmmr1.curation.export import to_trl
from lmmr1.curation.filters import FILTERS, Drop, Filter, register
from lmmr1.curation.pipeline import CurationStats, curate
from lmmr1.curation.sources import Example, load_source

__all__ = [
    "FILTERS",
    "CurationConfig",
    "CurationStats",
    "Drop",
    "Example",
    "Filter",
    "curate",
    "load_config",
    "load_source",
    "register",
    "to_trl",
]
