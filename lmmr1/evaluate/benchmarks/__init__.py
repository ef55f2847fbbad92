"""One module per benchmark (or family); importing this package registers them all."""

from lmmr1.evaluate.benchmarks import (  # noqa: F401
    geometry3k,
    gpqa,
    mathv,
    mathverse,
    mathvista,
    mmstar,
    olympiadbench,
    synthetic,
    text_math,
)
