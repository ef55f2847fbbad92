"""Curation settings: frozen dataclasses read from YAML, with errors that name the bad key."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from lmmr1.curation.filters import Filter, build, resolve
from lmmr1.curation.filters.base import did_you_mean
from lmmr1.errors import UserError
from lmmr1.verifiers.config import ChoiceConfig, GeometryConfig, MathConfig, VerifierConfig

DEFAULT_CONFIG = "curation.yaml"  # shipped inside this package
TaskChoice = Literal["auto", "math", "choice", "geometry"]


class ConfigError(UserError, ValueError):
    """A curation config is invalid; the message names the key and how to fix it."""


@dataclass(frozen=True)
class FilterSpec:
    """One entry of ``filters:``: a registered name or dotted path, on or off, and its parameters."""

    name: str
    enabled: bool = True
    params: tuple[tuple[str, Any], ...] = ()

    def build(self, verifier: VerifierConfig) -> Filter:
        params = dict(self.params)
        if resolve(self.name).needs_verifier:
            params.setdefault("verifier", verifier)
        return build(self.name, params)


@dataclass(frozen=True)
class CurationConfig:
    """Everything ``curate filter`` needs besides the data."""

    filters: tuple[FilterSpec, ...]
    verifier: VerifierConfig = field(default_factory=VerifierConfig)  # the trainer's verifier config
    task: TaskChoice = "auto"  # force one verifier task for every row, or infer per row
    pass_rate_col: str | None = "auto"  # "auto": a column named pass_rate / lmmr1_pass_rate if present
    absolute_image_paths: bool = True  # rewrite relative image paths in outputs so they stay valid

    def __post_init__(self) -> None:
        if self.task not in ("auto", "math", "choice", "geometry"):
            raise ConfigError(f"task={self.task!r} is not valid; use auto, math, choice or geometry")
        names = [f.name for f in self.filters]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ConfigError(f"filters {dup} are listed twice; list each filter once")

    def build_filters(self) -> list[Filter]:
        return [spec.build(self.verifier) for spec in self.filters if spec.enabled]

    def toggled(self, enable: tuple[str, ...] = (), disable: tuple[str, ...] = ()) -> CurationConfig:
        """A copy with the named filters switched on or off (``--enable`` / ``--disable``)."""
        known = {f.name for f in self.filters}
        for name in (*enable, *disable):
            if name not in known:
                raise ConfigError(f"no filter {name!r} in the config{did_you_mean(name, known)}; "
                                  f"its filters are {sorted(known)}")
        specs = tuple(
            replace(f, enabled=True) if f.name in enable else replace(f, enabled=False) if f.name in disable else f
            for f in self.filters
        )
        return replace(self, filters=specs)

    def with_corpus(self, paths: tuple[str, ...]) -> CurationConfig:
        """A copy whose corpus filters (``needs_corpus``: decontamination) index ``paths`` (``--decontaminate``)."""
        corpus = [f.name for f in self.filters if resolve(f.name).needs_corpus]
        if not corpus:
            raise ConfigError("--decontaminate needs a filter that indexes benchmarks (such as `contaminated`) "
                              "in the config; add one to `filters:`")
        config = self
        for name in corpus:
            config = config.with_params(name, benchmarks=tuple(paths))
        return config

    def with_params(self, name: str, **params: Any) -> CurationConfig:
        """A copy with parameters of filter ``name`` replaced."""
        specs = tuple(
            replace(f, params=tuple({**dict(f.params), **params}.items())) if f.name == name else f for f in self.filters
        )
        return replace(self, filters=specs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "filters": [{"name": f.name, "enabled": f.enabled, **dict(f.params)} for f in self.filters],
            "verifier": dataclasses.asdict(self.verifier),
            "task": self.task,
            "pass_rate_col": self.pass_rate_col,
            "absolute_image_paths": self.absolute_image_paths,
        }


def load_config(path: str | Path | None = None) -> CurationConfig:
    """Read a YAML config; ``None`` reads the default shipped with lmmr1."""
    if path is None:
        text = resources.files("lmmr1.curation").joinpath(DEFAULT_CONFIG).read_text(encoding="utf-8")
        where = f"lmmr1/curation/{DEFAULT_CONFIG}"
    else:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file {p} does not exist; omit --config to use the default")
        text, where = p.read_text(encoding="utf-8"), str(p)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}") from exc
    return config_from_dict(data, where)


def config_from_dict(data: dict[str, Any], where: str = "config") -> CurationConfig:
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping with a 'filters' list")
    allowed = {"filters", "verifier", "task", "pass_rate_col", "absolute_image_paths"}
    unknown = set(data) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    if not isinstance(data.get("filters"), list):
        raise ConfigError(f"{where}: 'filters' must be a list of filter names or {{name: ..., param: ...}} mappings")
    specs = []
    for i, entry in enumerate(data["filters"]):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or "name" not in entry:
            raise ConfigError(f"{where}: filters[{i}] must be a name or a mapping with 'name', got {entry!r}")
        entry = dict(entry)
        name, enabled = entry.pop("name"), entry.pop("enabled", True)
        try:
            cls = resolve(name)
            spec = FilterSpec(name, bool(enabled), tuple(entry.items()))
            build(name, {k: v for k, v in entry.items()})  # validates parameters now, not mid-run
        except ValueError as exc:
            raise ConfigError(f"{where}: filters[{i}]: {exc}") from exc
        if cls.needs_verifier and "verifier" in entry:
            raise ConfigError(f"{where}: filters[{i}]: set the verifier in the top-level 'verifier:' section, "
                              "which is the config the trainer uses too")
        specs.append(spec)
    kwargs = {k: data[k] for k in ("task", "pass_rate_col", "absolute_image_paths") if k in data}
    return CurationConfig(tuple(specs), _verifier(data.get("verifier") or {}, where), **kwargs)


def _verifier(data: dict[str, Any], where: str) -> VerifierConfig:
    parts = {"math": MathConfig, "choice": ChoiceConfig, "geometry": GeometryConfig}
    unknown = set(data) - set(parts)
    if unknown:
        raise ConfigError(f"{where}: verifier has unknown key(s) {sorted(unknown)}; allowed: {sorted(parts)}")
    try:
        return VerifierConfig(**{k: parts[k](**(v or {})) for k, v in data.items()})
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: verifier: {exc}") from exc
