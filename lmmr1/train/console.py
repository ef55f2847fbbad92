"""What a training run shows on the console: a progress bar with the reward, each warning once.

``quiet()`` is for the ``train-two-stage`` command (process settings belong to the CLI, and it
restores them on exit); ``RewardProgressCallback`` is the stage's progress bar.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from transformers.trainer_callback import ProgressCallback

# Warnings that libraries repeat at every step or save (e.g. transformers' FutureWarning on
# `is_gradient_checkpointing`, once per checkpoint save): "default" (not "always") for these, and each
# distinct message shown once. The filters' own memory ("default", and "once" too, which CPython keeps
# per module) is cleared whenever a library changes the filters (catch_warnings, simplefilter), so the
# showing is deduplicated in ``warnings.showwarning``, which the warnings module lets programs replace.
NOISY = (FutureWarning, UserWarning)
# transformers' save_pretrained bar, drawn (and left on screen) at every checkpoint save.
HIDDEN_BARS = frozenset({"Writing model shards"})
TOTAL = "reward"  # TRL's logged mean of the weighted total reward
ACCURACY = "rewards/accuracy_reward/mean"  # TRL's logged mean of lmmr1's accuracy reward
WINDOW = 10  # logged steps averaged in the bar: one step's mean of a few completions is noisy


@contextmanager
def quiet(log_level: int = logging.INFO) -> Iterator[None]:
    """Each distinct warning once, transformers' logging at WARNING (or ``log_level`` when higher),
    no ``HIDDEN_BARS`` progress bars; everything restored on exit.

    Warning filters given with ``python -W`` or ``PYTHONWARNINGS`` are left as they are.
    """
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    previous_hook = hf_logging.set_tqdm_hook(_hide_bars)
    hf_logging.set_verbosity(max(logging.WARNING, log_level))
    try:
        with warnings.catch_warnings():
            for category in () if sys.warnoptions else NOISY:
                warnings.filterwarnings("default", category=category)
            warnings.showwarning = _once(warnings.showwarning)
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.set_tqdm_hook(previous_hook)


def _once(show):
    """``show`` (a ``warnings.showwarning``) for the first warning of each category and message only."""
    seen: set[tuple[type, str]] = set()

    def showwarning(message, category, filename, lineno, file=None, line=None):
        key = (category, str(message))
        if key not in seen:
            seen.add(key)
            show(message, category, filename, lineno, file, line)

    return showwarning


def _hide_bars(factory, args, kwargs):
    from transformers.utils.logging import EmptyTqdm

    if kwargs.get("desc") in HIDDEN_BARS:
        return EmptyTqdm(*args, **kwargs)
    return factory(*args, **kwargs)


def bar_postfix(recent: deque[dict]) -> dict[str, str]:
    """The bar's postfix from the last logged steps: mean total reward, and accuracy when logged."""
    out = {}
    for label, key in (("reward", TOTAL), ("accuracy", ACCURACY)):
        values = [logs[key] for logs in recent if key in logs]
        if values:
            out[label] = f"{sum(values) / len(values):.3f}"
    return out


class RewardProgressCallback(ProgressCallback):
    """transformers' progress bar, with the mean reward (and accuracy) of the last ``WINDOW`` logged
    steps as its postfix; ``echo=False`` drops the bar's print of every metrics dict."""

    def __init__(self, echo: bool = True) -> None:
        super().__init__()
        self.echo = echo
        self.recent: deque[dict] = deque(maxlen=WINDOW)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and self.training_bar is not None and logs and TOTAL in logs:
            self.recent.append(logs)
            self.training_bar.set_postfix(bar_postfix(self.recent), refresh=False)
        if self.echo:
            return super().on_log(args, state, control, logs=logs, **kwargs)
        return None
