"""The filter contract: keep a row, or drop it with a named reason (datatrove's pattern).

A filter is a frozen dataclass whose fields are its YAML parameters. Row filters implement
:meth:`Filter.check` for one :class:`~lmmr1.curation.sources.Example`; dataset filters
(``in_main``: contamination, batched verification; ``cross_row``: duplicates) implement
:meth:`Filter.check_all` over the rows (for ``cross_row``, those still alive, in order).

Work a dataset filter does once per run (a benchmark index, MinHashes, batched verdicts) happens in
:meth:`Filter.prepare`, whose result the pipeline hands to every ``check_all`` call of that run:
filters hold no hidden state. Capability flags tell the pipeline what else a filter needs
(``needs_phash``, ``needs_verifier``, ``needs_corpus``), so it never asks a filter's name or type.
A filter may emit only the reasons it declares, plus :data:`FILTER_ERROR`, which the base class owns.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from lmmr1.curation.sources import Example


@dataclass(frozen=True)
class Drop:
    """Drop this row because of ``reason`` (a stable code); ``detail`` says more for humans."""

    reason: str
    detail: str = ""
    key: str = ""  # groups hits in the stats, e.g. the benchmark a contaminated row matched


Decision = Drop | None  # None means keep


FILTER_ERROR = "filter_error"  # a row filter raised on a row: the row is dropped with the error as detail


class UndeclaredReason(AssertionError):
    """A filter emitted a reason it does not declare: a bug in the filter, not in the data."""


class Filter:
    """Base class: subclasses set ``name`` and ``reasons`` and implement ``check`` or ``check_all``."""

    name: ClassVar[str] = ""
    reasons: ClassVar[tuple[str, ...]] = ()
    in_main: ClassVar[bool] = False  # True: runs check_all once in the main process (indexes, batching)
    cross_row: ClassVar[bool] = False  # True: the decision depends on the other rows still alive
    needs_phash: ClassVar[bool] = False  # True: rows reach check_all with Example.phashes filled
    needs_verifier: ClassVar[bool] = False  # True: has a `verifier` field, set from the config's `verifier:`
    needs_corpus: ClassVar[bool] = False  # True: indexes reference files (`benchmarks`); Drop.key names the hit

    @classmethod
    def declared_reasons(cls) -> tuple[str, ...]:
        """Every reason this filter may emit: its own, then the base class's ``filter_error``."""
        return (*cls.reasons, FILTER_ERROR)

    def checked(self, decision: Decision) -> Decision:
        """``decision``, after making sure its reason is declared (raises :class:`UndeclaredReason`)."""
        if decision is not None and decision.reason not in self.declared_reasons():
            raise UndeclaredReason(f"filter {self.name!r} emitted reason {decision.reason!r}, which it does not "
                                   f"declare (declared: {list(self.declared_reasons())}); add it to `reasons`")
        return decision

    def check(self, ex: Example) -> Decision:
        raise NotImplementedError(f"{type(self).__name__} must implement check() or check_all()")

    def prepare(self, examples: Sequence[Example]) -> Any:
        """Per-run state built once from every input row (indexes, hashes, verdicts); ``None`` by default."""
        return None

    def check_all(self, examples: Sequence[Example], state: Any = None) -> list[Decision]:
        """Decisions for ``examples`` (a subset of the rows ``state`` was prepared from)."""
        return [self.check(ex) for ex in examples]

    def settings(self) -> dict[str, Any]:
        """Parameters as written to the stats file and the card."""
        return dataclasses.asdict(self) if dataclasses.is_dataclass(self) else {}


FILTERS: dict[str, type[Filter]] = {}


def register(name: str):
    """Class decorator adding a filter to the registry; refuses a name already taken."""

    def deco(cls: type[Filter]) -> type[Filter]:
        if name in FILTERS and FILTERS[name] is not cls:
            raise ValueError(f"filter name {name!r} is already registered by {FILTERS[name].__qualname__}; pick another name")
        cls.name = name
        if not cls.reasons:
            cls.reasons = (name,)
        FILTERS[name] = cls
        return cls

    return deco


def resolve(name: str) -> type[Filter]:
    """A registered filter by name, or a user's filter by dotted path (``pkg.module.Class`` or ``pkg.module:Class``)."""
    if name in FILTERS:
        return FILTERS[name]
    if "." in name or ":" in name:
        module, _, attr = name.replace(":", ".").rpartition(".")
        try:
            cls = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"cannot import filter {name!r} ({exc}); give 'package.module.ClassName' on the Python path") from exc
        if not (isinstance(cls, type) and issubclass(cls, Filter)):
            raise ValueError(f"{name!r} is not a subclass of lmmr1.curation.filters.Filter")
        if not cls.name:
            cls.name = attr
        if not cls.reasons:
            cls.reasons = (cls.name,)
        return cls
    raise ValueError(f"unknown filter {name!r}{did_you_mean(name, FILTERS)}; known filters: {sorted(FILTERS)}, "
                     "or a dotted path to your own class")


def did_you_mean(name: str, known) -> str:
    """`` (did you mean 'image'?)`` for a near miss, else ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def build(name: str, params: dict[str, Any] | None = None) -> Filter:
    """Instantiate filter ``name`` with ``params``, naming any unknown parameter and the allowed ones."""
    cls = resolve(name)
    params = dict(params or {})
    allowed = {f.name for f in dataclasses.fields(cls) if f.init} if dataclasses.is_dataclass(cls) else set()
    unknown = set(params) - allowed
    if unknown:
        raise ValueError(f"filter {name!r} has no parameter(s) {sorted(unknown)}; allowed: {sorted(allowed) or 'none'}")
    for key, value in params.items():  # YAML gives lists where the dataclasses hold tuples
        if isinstance(value, list):
            params[key] = tuple(value)
    try:
        return cls(**params)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"bad parameters for filter {name!r}: {exc}") from exc
