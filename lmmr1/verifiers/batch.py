"""PROVISIONAL: replaced by the batch engine shortly. Same signature."""

from __future__ import annotations

from lmmr1.verifiers.api import verify


def verify_batch(completions, golds, tasks="auto", options=None, config=None, workers=None):
    n = len(completions)
    tasks = [tasks] * n if isinstance(tasks, str) else list(tasks)
    options = [options] * n if options is None or isinstance(options, dict) else list(options)
    return [verify(c, g, t, o, config) for c, g, t, o in zip(completions, golds, tasks, options)]
