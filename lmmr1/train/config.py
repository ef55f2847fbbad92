"""Recipe parsing: one YAML file describes the model, both stages and the shared GRPO settings.

A recipe is TRL's own YAML format (what ``TrlParser`` reads) plus two optional sections, ``fre:``
and ``mgt:``, holding per-stage overrides. Top-level keys are shared by both stages; a stage's
keys win over them. ``key=value`` on the command line sets a key for every stage, replacing it in
the stage sections too; ``fre.key=value`` sets it for one stage. Every key must be a field of :class:`TwoStageArguments`, TRL's ``GRPOConfig`` or
TRL's ``ModelConfig``; anything else is an error naming the key and the closest known ones.

.. code-block:: yaml

    model_name_or_path: Qwen/Qwen2.5-VL-3B-Instruct
    reward_funcs: [format, accuracy]
    reward_weights: [0.5, 1.0]
    num_generations: 16
    fre:
      dataset_name: data/fre/train.jsonl
      learning_rate: 1.0e-6
    mgt:
      dataset_name: data/mgt/train.jsonl
      learning_rate: 4.0e-7
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from trl import GRPOConfig, ModelConfig, ScriptArguments, TrlParser

from lmmr1.errors import UserError
from lmmr1.prompts import SYSTEM_PROMPT

STAGES = ("fre", "mgt")
ENV_KEY = "env"  # recipe section of environment variables, set when a real run starts (never while parsing)


@dataclass
class TwoStageArguments(ScriptArguments):
    """lmmr1's script arguments, on top of TRL's ``ScriptArguments`` (dataset_name, dataset_config, ...).

    ``dataset_name`` is a Hub id, a local file (.jsonl, .json, .parquet, .csv), a directory written by
    ``Dataset.save_to_disk``, or ``synthetic:fre`` / ``synthetic:mgt`` / ``synthetic:mgt_pair`` (generated
    by ``lmmr1.train.synthetic``); or a mapping of such sources to sampling probabilities that sum to 1,
    ``{data/a.jsonl: 0.7, synthetic:mgt: 0.3}``, mixed as ``lmmr1.train.data`` describes.
    """

    reward_funcs: list[str] = field(
        default_factory=lambda: ["format", "accuracy"],
        metadata={
            "help": "Reward functions by name (see lmmr1.train.rewards.REWARDS); weights are GRPOConfig's reward_weights."
        },
    )
    system_prompt: str | None = field(
        default=SYSTEM_PROMPT,
        metadata={"help": "System message added to prompts that have none; empty or null adds nothing."},
    )
    max_samples: int | None = field(
        default=None, metadata={"help": "Keep only the first N rows of the stage's dataset (smoke runs)."}
    )
    synthetic_size: int = field(default=256, metadata={"help": "Rows to generate for a synthetic:* dataset."})
    build_tiny_model: bool = field(
        default=False,
        metadata={
            "help": "Train the offline tiny Qwen2.5-VL of lmmr1.train.tiny (built into <output_dir>/tiny-base); "
            "leave model_name_or_path unset."
        },
    )
    torch_num_threads: int | None = field(
        default=None,
        metadata={
            "help": "CPU threads for torch (torch.set_num_threads); tiny models on a busy CPU run faster with 1."
        },
    )
    freeze_vision_tower: bool = field(
        default=False,
        metadata={"help": "Freeze the vision tower (the model's `visual` submodule, merger included), as LMM-R1's MGT-Sokoban stage does."},
    )
    plot_rewards: bool = field(
        default=True, metadata={"help": "Write rewards.csv and rewards.png after each stage."}
    )
    # The recipe's `eval:` section (lmmr1.evaluate.callback), flattened by load_recipe into these keys.
    eval_benchmarks: list[str] = field(default_factory=list, metadata={"help": "eval.benchmarks: lmmr1 evaluate benchmarks run during the stage."})
    eval_limit: int | None = field(default=None, metadata={"help": "eval.limit: items per benchmark."})
    eval_steps_between: int | None = field(default=None, metadata={"help": "eval.eval_steps: optimiser steps between evaluations."})
    eval_before_train: bool = field(default=False, metadata={"help": "eval.eval_before_train: also evaluate at step 0."})
    eval_data_dir: str | None = field(default=None, metadata={"help": "eval.data_dir: local benchmark copies (lmmr1 evaluate --data-dir)."})
    verifier: dict[str, Any] | str | None = field(
        default=None,
        metadata={
            "help": "The verifier config (lmmr1.VerifierConfig) as a mapping, e.g. {math: {units: strict}, "
            "geometry: {rel_tol: 1e-4}}: the accuracy reward uses it, and `curate prepare` checks golds with it."
        },
    )
    min_pixels: int | None = field(
        default=None,
        metadata={"help": "Fewest pixels an image is resized to by the processor (Qwen2.5-VL's min_pixels; null: the model's own)."},
    )
    max_pixels: int | None = field(
        default=None,
        metadata={"help": "Most pixels an image is resized to (Qwen2.5-VL's max_pixels; 28x28 pixels make one image token)."},
    )
    overlong_buffer_len: int | None = field(
        default=None,
        metadata={
            "help": "soft_overlong reward: completions longer than max_completion_length minus this many tokens are "
            "punished linearly down to -1 at max_completion_length (DAPO's L_cache; null: a fifth of "
            "max_completion_length, DAPO's 4,096 of 20,480)."
        },
    )
    repetition_ngram_size: int = field(
        default=3, metadata={"help": "repetition reward: size of the token n-grams counted (TRL's ngram_size)."}
    )
    repetition_max_penalty: float = field(
        default=-1.0,
        metadata={"help": "repetition reward: the reward of a completion that is all repeated n-grams (<= 0)."},
    )
    print_logs: bool = field(
        default=True,
        metadata={
            "help": "Print the Trainer's metrics dict at every logging step (transformers' default). With "
            "false, the console shows a progress bar only; the rewards still go to rewards.csv and report_to."
        },
    )

    def __post_init__(self) -> None:
        from lmmr1.train.data import DataError, mixture_sources

        try:
            mixture_sources(self.dataset_name)
        except DataError as exc:
            raise RecipeError(str(exc)) from None
        for key in ("min_pixels", "max_pixels"):
            value = getattr(self, key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise RecipeError(f"{key}={value!r}; give a positive number of pixels (e.g. {28 * 28 * 256}), or null")
        if self.min_pixels is not None and self.max_pixels is not None and self.min_pixels > self.max_pixels:
            raise RecipeError(
                f"min_pixels={self.min_pixels} is above max_pixels={self.max_pixels}; min_pixels must be <= max_pixels"
            )
        ngram = self.repetition_ngram_size
        if isinstance(ngram, bool) or not isinstance(ngram, int) or ngram < 1:
            raise RecipeError(f"repetition_ngram_size={self.repetition_ngram_size!r}; give a positive n-gram size")
        if self.repetition_max_penalty > 0:
            raise RecipeError(
                f"repetition_max_penalty={self.repetition_max_penalty}; it is the reward of a fully repetitive "
                "completion, so give a number <= 0 (e.g. -1.0)"
            )


class RecipeError(UserError):
    """A recipe that cannot be used as written; the message says which key and how to fix it."""


@dataclass(frozen=True)
class StagePlan:
    """Everything one stage needs, parsed and validated: TRL's three argument objects and the stage name.

    ``env``: the recipe's environment variables, applied once when a real run starts
    (``pipeline.apply_process_settings``). Creating a plan checks its rewards and step count, so a bad
    ``mgt`` section fails before stage fre trains.
    """

    name: str
    script: TwoStageArguments
    training: GRPOConfig
    model: ModelConfig
    env: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        from lmmr1.train.rewards import check_reward_funcs

        names, weights = self.script.reward_funcs, self.training.reward_weights
        try:
            check_reward_funcs(names)
        except RecipeError as exc:
            raise RecipeError(f"stage {self.name}: {exc}") from None
        verifier_config(self.script.verifier, f"stage {self.name}")  # a bad verifier: fails before training
        if self.training.use_vllm and (self.script.min_pixels or self.script.max_pixels):
            # TRL 1.16 starts vLLM from the model's own processor config and passes it no processor kwargs,
            # so vLLM would cut each image into a different number of tokens than the prompt holds.
            raise RecipeError(
                f"stage {self.name}: min_pixels/max_pixels reach only the trainer's processor, not vLLM "
                "(use_vllm: true), which would then disagree on each image's token count; set them in the "
                "model's preprocessor_config.json instead, or set use_vllm: false"
            )
        from lmmr1.train.rewards import shaping_for

        try:
            shaping_for(self)  # a bad overlong_buffer_len: fails before training
        except RecipeError as exc:
            raise RecipeError(f"stage {self.name}: {exc}") from None
        if weights is not None and len(weights) != len(names):
            raise RecipeError(
                f"stage {self.name}: reward_weights {weights} has {len(weights)} values for "
                f"{len(names)} reward_funcs {names}; give one weight per reward function, in the same order"
            )
        # transformers: -1 (the default) means "train num_train_epochs"; a positive value is a step count.
        if self.training.max_steps < -1:
            raise RecipeError(
                f"stage {self.name}: max_steps={self.training.max_steps}; give a positive number of "
                "optimiser steps, or -1 (the default) to train for num_train_epochs"
            )


def verifier_config(raw: dict[str, Any] | str | None, where: str = "recipe"):
    """The recipe's ``verifier:`` mapping as a ``VerifierConfig`` (``None``: the defaults)."""
    import json

    from lmmr1.verifiers.config import ChoiceConfig, GeometryConfig, MathConfig, VerifierConfig

    if isinstance(raw, str):  # given on the command line as JSON / YAML text
        raw = _parse_value(raw) if raw.strip() else None
    if raw is None:
        return VerifierConfig()
    parts = {"math": MathConfig, "choice": ChoiceConfig, "geometry": GeometryConfig}
    if not isinstance(raw, dict) or set(raw) - set(parts):
        raise RecipeError(
            f"{where}: verifier must map some of {sorted(parts)} to their settings, got {json.dumps(raw, default=str)}"
        )
    try:
        return VerifierConfig(**{k: parts[k](**(v or {})) for k, v in raw.items()})
    except (TypeError, ValueError) as exc:
        raise RecipeError(f"{where}: verifier: {exc} (fields: see lmmr1/verifiers/config.py)") from None


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


SCRIPT_KEYS = _fields(TwoStageArguments)
GRPO_KEYS = _fields(GRPOConfig)
MODEL_KEYS = _fields(ModelConfig)
KNOWN_KEYS = SCRIPT_KEYS | GRPO_KEYS | MODEL_KEYS


def _unknown_key_error(key: str, where: str, recipe: str) -> RecipeError:
    """``where``: "the top level" or "section 'fre'" of the recipe file, or the command-line argument."""
    close = difflib.get_close_matches(key, sorted(KNOWN_KEYS | set(STAGES)), n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return RecipeError(
        f"{recipe}: unknown key {key!r} {where}.{hint} Keys must be fields of TwoStageArguments, "
        "trl.GRPOConfig or trl.ModelConfig (see `train-two-stage --help`)."
    )


class _Loader(yaml.SafeLoader):
    """YAML with YAML 1.2 booleans: only true/false are booleans, so ``save_strategy: no`` stays "no"."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _parse_value(text: str) -> Any:
    """A command-line value, read as YAML: ``3`` is an int, ``1e-5`` a float, ``[a, b]`` a list."""
    value = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    # YAML 1.1 reads "1e-5" (no dot) as a string; learning rates are written that way.
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def load_recipe(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """The recipe as a dict with ``key=value`` overrides applied. Pure: ``env:`` stays in the dict.

    An override's key is checked here, so a typo is reported as given on the command line.
    """
    path = Path(path)
    if not path.is_file():
        raise RecipeError(
            f"recipe {path} not found; pass --config recipes/<name>.yaml (see the recipes/ folder)"
        )
    recipe = yaml.load(path.read_text(), Loader=_Loader) or {}  # noqa: S506 - a SafeLoader subclass
    if not isinstance(recipe, dict):
        raise RecipeError(
            f"{path}: a recipe must be a YAML mapping of keys to values, got {type(recipe).__name__}"
        )
    env = recipe.get(ENV_KEY)
    if env is not None and not isinstance(env, dict):
        raise RecipeError(f"{path}: {ENV_KEY}: must map variable names to values, got {env!r}")
    _flatten_eval(recipe, path)
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise RecipeError(f"override {item!r} must look like key=value or fre.key=value")
        stage, dot, sub = key.partition(".")
        given = f"in {item!r}, given on the command line"
        if dot:
            if stage not in STAGES:
                raise RecipeError(f"override {item!r}: {stage!r} is not a stage; use one of {STAGES}")
            if sub not in KNOWN_KEYS:
                raise _unknown_key_error(sub, given, str(path))
            section = recipe.setdefault(stage, {}) or {}
            recipe[stage] = section
            section[sub] = _parse_value(text)
        else:  # for every stage: it also replaces the key in the stage sections
            if key not in KNOWN_KEYS:
                raise _unknown_key_error(key, given, str(path))
            recipe[key] = _parse_value(text)
            for stage_name in STAGES:
                if isinstance(recipe.get(stage_name), dict):
                    recipe[stage_name].pop(key, None)
    return recipe


EVAL_KEYS = {"benchmarks": "eval_benchmarks", "limit": "eval_limit", "eval_steps": "eval_steps_between",
             "eval_before_train": "eval_before_train", "data_dir": "eval_data_dir"}


def _flatten_eval(recipe: dict[str, Any], path: Path) -> None:
    """The ``eval:`` section as ``eval_*`` script keys (it applies to both stages)."""
    section = recipe.pop("eval", None) or {}
    if not isinstance(section, dict):
        raise RecipeError(f"{path}: section 'eval' must be a mapping (benchmarks, limit, eval_steps, eval_before_train)")
    for key, value in section.items():
        if key not in EVAL_KEYS:
            raise RecipeError(f"{path}: unknown key {key!r} in section 'eval'; use {', '.join(EVAL_KEYS)}")
        recipe[EVAL_KEYS[key]] = value


def _check_keys(recipe: dict[str, Any], name: str) -> None:
    for key, value in recipe.items():
        if key == ENV_KEY:
            continue
        if key in STAGES:
            if value is None:
                continue
            if not isinstance(value, dict):
                raise RecipeError(f"{name}: section {key!r} must be a mapping of settings, got {value!r}")
            for sub in value:
                if sub in MODEL_KEYS:
                    raise RecipeError(
                        f"{name}: {key}.{sub} sets a model option per stage; model options are shared "
                        f"(stage mgt starts from stage fre's checkpoint). Move {sub!r} to the top level."
                    )
                if sub not in KNOWN_KEYS:
                    raise _unknown_key_error(sub, f"in section {key!r}", name)
        elif key not in KNOWN_KEYS:
            raise _unknown_key_error(key, "at the top level", name)


class _Parser(TrlParser):
    """``TrlParser`` whose argparse errors (a bad value or flag) raise instead of printing usage and exiting."""

    def error(self, message: str):
        raise RecipeError(message)


def recipe_help() -> str:
    """TRL's help for every recipe key: TwoStageArguments, GRPOConfig and ModelConfig."""
    return TrlParser((TwoStageArguments, GRPOConfig, ModelConfig)).format_help()


def plan_stages(
    recipe: dict[str, Any], stages: list[str], name: str = "recipe", cli_args: list[str] | None = None
) -> list[StagePlan]:
    """Parse ``recipe`` once per stage with ``TrlParser``: shared keys, then the stage's own keys.

    ``cli_args`` are extra ``--flag value`` arguments in TRL's syntax; they win over the recipe.
    """
    _check_keys(recipe, name)
    for stage in stages:
        if stage not in STAGES:
            raise RecipeError(
                f"unknown stage {stage!r}; stages are {', '.join(STAGES)} (e.g. --stages fre,mgt)"
            )
    shared = {k: v for k, v in recipe.items() if k not in STAGES and k != ENV_KEY}
    env = tuple((str(k), str(v)) for k, v in (recipe.get(ENV_KEY) or {}).items())
    plans = []
    for stage in stages:
        merged = {**shared, **(recipe.get(stage) or {})}
        parser = _Parser((TwoStageArguments, GRPOConfig, ModelConfig))
        unused = parser.set_defaults_with_config(**merged)
        if unused:  # _check_keys already caught these; kept as a guard against parser changes
            raise _unknown_key_error(str(unused[0]), f"in stage {stage!r}", name)
        try:
            script, training, model = parser.parse_args_into_dataclasses(args=list(cli_args or []))
        except RecipeError as exc:  # from argparse: a value of the recipe, an override or a --flag
            raise RecipeError(f"{name}, stage {stage}: {exc} (see `train-two-stage --help`)") from None
        except (TypeError, ValueError) as exc:  # TRL's own checks of a config's values
            raise RecipeError(f"{name}, stage {stage}: {exc}") from exc
        if training.model_init_kwargs is None:  # how GRPOTrainer loads the model, from the model options
            training.model_init_kwargs = {
                "dtype": model.dtype or "float32",
                "attn_implementation": model.attn_implementation,
                "revision": model.model_revision,
            }
        plans.append(StagePlan(stage, script, training, model, env))
    return plans
