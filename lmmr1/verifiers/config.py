"""Verifier configuration: one frozen dataclass per task, bundled by :class:`VerifierConfig`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from lmmr1.sokoban.verifier import SokobanConfig

PercentPolicy = Literal["either", "strip", "strict"]
UnitsPolicy = Literal["strip", "strict"]
RoundingPolicy = Literal["either", "gold", "none"]

DEFAULT_TIMEOUT_S = 5.0  # seconds; one whole verify() call, extraction to verdict


def _check_timeout(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and value > 0):
        raise ValueError(f"{name}.timeout_s must be a positive number of seconds, got {value!r}")


def _check_choice(cls: str, name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{cls}.{name}={value!r} is not valid; choose one of {allowed}")


@dataclass(frozen=True)
class MathConfig:
    """Symbolic equivalence of free-form math answers.

    percent: ``"either"`` lets ``50\\%`` match ``50`` and ``0.5``; ``"strip"`` only ``50``;
    ``"strict"`` only the value 0.5 (``50\\%``, ``0.5``, ``1/2``).
    units: ``"strip"`` drops trailing units and ``^\\circ`` (``5 cm`` == ``5``); ``"strict"`` keeps them.
    """

    timeout_s: float = DEFAULT_TIMEOUT_S
    percent: PercentPolicy = "either"
    units: UnitsPolicy = "strip"
    rel_tol: float = 1e-9  # relative tolerance for numeric (non-rational) values; float noise only
    long_decimal_places: int = 6  # a decimal with at least this many places may round a fraction (0.083333 = 1/12)

    def __post_init__(self) -> None:
        _check_timeout("MathConfig", self.timeout_s)
        _check_choice("MathConfig", "percent", self.percent, ("either", "strip", "strict"))
        _check_choice("MathConfig", "units", self.units, ("strip", "strict"))
        if not 0 <= self.rel_tol < 1:
            raise ValueError(f"MathConfig.rel_tol must be in [0, 1), got {self.rel_tol!r}")


@dataclass(frozen=True)
class ChoiceConfig:
    """Multiple choice: a letter, or an option's text, must name the gold option."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    match_option_text: bool = True  # accept the option's text (or an equivalent value) instead of its letter

    def __post_init__(self) -> None:
        _check_timeout("ChoiceConfig", self.timeout_s)


@dataclass(frozen=True)
class GeometryConfig:
    """Numeric comparison for geometry, where answers are usually rounded.

    rounding: ``"either"`` treats a decimal literal on either side as rounded at its last digit
    (gold ``12.67`` accepts ``38/3``; gold ``2\\sqrt{3}`` accepts ``3.46``); ``"gold"`` only the
    gold's literal; ``"none"`` no rounding allowance. Integers on both sides always compare exactly.
    """

    timeout_s: float = DEFAULT_TIMEOUT_S
    rounding: RoundingPolicy = "either"
    rel_tol: float = 1e-4  # relative; rejects 59.95 for 60 yet absorbs float noise in pi, sqrt
    units: UnitsPolicy = "strip"

    def __post_init__(self) -> None:
        _check_timeout("GeometryConfig", self.timeout_s)
        _check_choice("GeometryConfig", "rounding", self.rounding, ("either", "gold", "none"))
        _check_choice("GeometryConfig", "units", self.units, ("strip", "strict"))
        if not 0 <= self.rel_tol < 1:
            raise ValueError(f"GeometryConfig.rel_tol must be in [0, 1), got {self.rel_tol!r}")


@dataclass(frozen=True)
class VerifierConfig:
    """All per-task configs together; pass it, or a single per-task config, as ``config=``."""

    math: MathConfig = field(default_factory=MathConfig)
    choice: ChoiceConfig = field(default_factory=ChoiceConfig)
    geometry: GeometryConfig = field(default_factory=GeometryConfig)
    sokoban: SokobanConfig = field(default_factory=SokobanConfig)

    def __post_init__(self) -> None:
        for name, cls in (("math", MathConfig), ("choice", ChoiceConfig), ("geometry", GeometryConfig), ("sokoban", SokobanConfig)):
            if not isinstance(getattr(self, name), cls):
                raise TypeError(f"VerifierConfig.{name} must be a {cls.__name__}, got {type(getattr(self, name)).__name__}")

    @classmethod
    def coerce(cls, config: AnyConfig | None) -> VerifierConfig:
        """Accept None, a VerifierConfig, or one per-task config (the others stay default)."""
        if config is None:
            return _DEFAULT
        if isinstance(config, VerifierConfig):
            return config
        if isinstance(config, MathConfig):
            return cls(math=config)
        if isinstance(config, ChoiceConfig):
            return cls(choice=config)
        if isinstance(config, GeometryConfig):
            return cls(geometry=config)
        if isinstance(config, SokobanConfig):
            return cls(sokoban=config)
        raise TypeError(
            "config must be None, VerifierConfig, MathConfig, ChoiceConfig, GeometryConfig or SokobanConfig, "
            f"got {type(config).__name__}"
        )

    def __hash__(self) -> int:  # computed once: every verify call hashes its config for the verdict cache
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.math, self.choice, self.geometry, self.sokoban))
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self) -> dict:  # the cached hash is this process's (str hashes are salted): never sent
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)

    def for_task(self, task: str) -> MathConfig | ChoiceConfig | GeometryConfig | SokobanConfig:
        return getattr(self, task)


AnyConfig = VerifierConfig | MathConfig | ChoiceConfig | GeometryConfig | SokobanConfig
_DEFAULT = VerifierConfig()
