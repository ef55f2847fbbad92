"""Whether a finished stage may be reused: the settings it was trained with against this run's.

A stage that finishes records, in ``final/lmmr1_settings.json``, every setting that changes what it
trains (the fields of ``TwoStageArguments``, ``GRPOConfig`` and ``ModelConfig``, less those about
output, logging, saving, evaluation and speed: ``IGNORED``), the checkpoint it started from, and a
``run_id``. A rerun with the same settings skips the stage. With other settings it is refused, each
change named, unless ``--restart``: then the stage trains again from its start, and so does every
later stage of the run, since each starts from the one before. A later stage is stale too when the
checkpoint it started from was trained again since (its ``run_id`` changed), or will be in this run.
A stage that was stopped (killed) records the same in its own folder when it starts, so resuming it
with other settings is refused the same way.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lmmr1.train.config import StagePlan

logger = logging.getLogger(__name__)

SETTINGS = "lmmr1_settings.json"
# Where and how often a run writes, logs, saves and evaluates, and how fast it runs: not what it trains.
IGNORED = frozenset(
    {
        "output_dir", "run_name", "project", "report_to", "disable_tqdm", "print_logs", "plot_rewards",
        "num_completions_to_print", "skip_memory_metrics", "include_num_input_tokens_seen",
        "resume_from_checkpoint", "restore_callback_states_from_checkpoint", "push_to_hub",
        "per_device_eval_batch_size", "do_eval", "do_predict", "do_train", "bf16_full_eval",
        "fp16_full_eval", "batch_eval_metrics", "prediction_loss_only", "num_generations_eval",
        "include_for_metrics", "metric_for_best_model", "greater_is_better", "load_best_model_at_end",
        "dataloader_num_workers", "dataloader_persistent_workers", "dataloader_pin_memory",
        "dataloader_prefetch_factor", "dataloader_multiprocessing_context", "torch_num_threads",
        "torch_empty_cache_steps", "ddp_timeout", "ddp_find_unused_parameters", "ddp_bucket_cap_mb",
        "local_rank", "debug", "use_cpu", "vllm_group_port",
        "vllm_server_base_url", "vllm_server_host", "vllm_server_port", "vllm_server_timeout",
    }
)
IGNORED_PREFIXES = ("logging_", "log_", "save_", "hub_", "eval_", "trackio_")

Action = Literal["train", "skip", "restart", "refuse"]


@dataclass(frozen=True)
class Decision:
    """What this run does with one stage, and why: ``changes`` are lines such as ``learning_rate: 0.0005 -> 1e-05``."""

    stage: str
    action: Action
    final_dir: Path
    changes: tuple[str, ...] = ()
    finished: bool = True  # False: stopped before the end, and would resume from a checkpoint


def _kept(key: str) -> bool:
    return key not in IGNORED and not key.startswith(IGNORED_PREFIXES)


def _jsonable(value: Any) -> Any:
    """``value`` as it reads back from JSON, so recorded and current settings compare equal."""
    return json.loads(json.dumps(value, default=_plain))


def _plain(value: Any) -> Any:
    """A config object as its fields, never as a repr with a memory address (which differs every run)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    text = str(value)
    if " at 0x" in text:
        return {k: v for k, v in vars(value).items() if not k.startswith("_")} if hasattr(value, "__dict__") else type(value).__name__
    return text


def stage_settings(plan: StagePlan) -> dict[str, Any]:
    """The settings of ``plan`` that change what its stage trains, JSON-ready, by recipe key."""
    values = {**dataclasses.asdict(plan.script), **plan.training.to_dict(), **dataclasses.asdict(plan.model)}
    return {k: _jsonable(v) for k, v in sorted(values.items()) if _kept(k)}


def read_record(folder: str | Path) -> dict[str, Any] | None:
    """The settings record of a finished stage's ``final/`` folder (None: none was written)."""
    path = Path(folder) / SETTINGS
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def run_id(folder: str | Path) -> str | None:
    """The ``run_id`` of the stage that wrote checkpoint ``folder`` (None: not a stage's final checkpoint)."""
    record = read_record(folder) if Path(folder).is_dir() else None
    return record.get("run_id") if record else None


def write_record(
    final_dir: Path, plan: StagePlan, init_from: str, settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Record ``plan``'s settings and start in ``final_dir``; written before the stage is marked complete
    (and, as it starts, in the stage's own folder, for resuming).

    ``settings``: ``stage_settings(plan)`` taken before training, since the Trainer changes a few of
    its arguments in place (e.g. ``ddp_find_unused_parameters``); default: taken now.
    """
    record = {
        "stage": plan.name,
        "run_id": uuid.uuid4().hex,
        "init_from": str(init_from),
        "init_run_id": run_id(init_from),
        "settings": stage_settings(plan) if settings is None else settings,
    }
    (final_dir / SETTINGS).write_text(json.dumps(record, indent=2) + "\n")
    return record


def _show(value: Any) -> str:
    return "<unset>" if value is _MISSING else json.dumps(value)


_MISSING = object()


def changed_settings(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """``key: old -> new`` for each setting that differs (a key only one side has reads ``<unset>``)."""
    keys = sorted(k for k in set(old) | set(new) if _kept(k))
    return [
        f"{k}: {_show(old.get(k, _MISSING))} -> {_show(new.get(k, _MISSING))}"
        for k in keys
        if old.get(k, _MISSING) != new.get(k, _MISSING)
    ]


def decide(
    plans: list[StagePlan], starts: dict[str, str], final_dirs: dict[str, Path], restart: bool
) -> list[Decision]:
    """One ``Decision`` per stage, in running order, made before anything trains.

    ``starts``: the checkpoint each stage starts from (``pipeline.init_for``); ``final_dirs``: where
    each stage's finished checkpoint is. A stage that has not finished trains (resuming where it can).
    """
    decisions = []
    retrained: str | None = None  # the earliest stage of this run that trains: later ones start anew
    for p in plans:
        final = final_dirs[p.name]
        if not is_finished(final):
            decisions.append(_stopped(p, starts[p.name], final, retrained, restart))
            retrained = retrained or p.name
            continue
        changes = _changes(p, starts[p.name], read_record(final), retrained)
        if changes is None:
            logger.warning(
                "stage %s finished in %s before lmmr1 recorded settings; reusing it unchecked "
                "(pass --restart to train it again)",
                p.name,
                final,
            )
            changes = ["<no settings recorded>"] if restart else []
        if not changes:
            decisions.append(Decision(p.name, "skip", final))
        elif restart:
            decisions.append(Decision(p.name, "restart", final, tuple(changes)))
            retrained = retrained or p.name
        else:
            decisions.append(Decision(p.name, "refuse", final, tuple(changes)))
    return decisions


def _stopped(plan: StagePlan, start: str, final: Path, retrained: str | None, restart: bool) -> Decision:
    """An unfinished stage trains; if it would resume from a checkpoint, only with the same settings."""
    from lmmr1.train.stage import last_complete_checkpoint

    record = read_record(final.parent)
    if record is None or plan.training.resume_from_checkpoint or last_complete_checkpoint(final.parent) is None:
        return Decision(plan.name, "train", final, finished=False)
    changes = _changes(plan, start, record, retrained) or []
    if not changes:
        return Decision(plan.name, "train", final, finished=False)
    return Decision(plan.name, "restart" if restart else "refuse", final, tuple(changes), finished=False)


def is_finished(final_dir: Path) -> bool:
    from lmmr1.train.stage import MARKER

    return (final_dir / MARKER).is_file()


def _changes(plan: StagePlan, start: str, record: dict[str, Any] | None, retrained: str | None) -> list[str] | None:
    if record is None:
        return None if retrained is None else [f"init_from: stage {retrained} trains again in this run"]
    changes = changed_settings(record.get("settings", {}), stage_settings(plan))
    if record.get("init_from") != str(start):
        changes.append(f"init_from: {_show(record.get('init_from'))} -> {_show(str(start))}")
    elif retrained is not None:
        changes.append(f"init_from: {start} is trained again in this run (stage {retrained})")
    elif record.get("init_run_id") != run_id(start):
        changes.append(f"init_from: {start} was trained again since this stage trained from it")
    return changes


def refusal(decisions: list[Decision]) -> str | None:
    """The error for the stages that finished with other settings (None: nothing is refused)."""
    refused = [d for d in decisions if d.action == "refuse"]
    if not refused:
        return None
    parts = [f"stage {d.stage} {_state(d)} with other settings ({'; '.join(d.changes)})" for d in refused]
    first = refused[0].stage
    return (
        "; ".join(parts)
        + f". Pass --restart to train stage {first} again from its start (and every later stage, since "
        "each starts from the one before; unchanged earlier stages are reused), or give a new --output-dir."
    )


def _state(d: Decision) -> str:
    if d.finished:
        return f"already finished in {d.final_dir}"
    return f"was stopped in {d.final_dir.parent} and would resume from its last checkpoint"


def describe(decision: Decision) -> str:
    """One phrase for the dry run's stage line."""
    was = "finished before" if decision.finished else "stopped before"
    if decision.action == "skip":
        return f"{was} with the same settings: skipped"
    if decision.action == "restart":
        return f"{was} with other settings ({'; '.join(decision.changes)}): trained again (--restart)"
    if decision.action == "refuse":
        return f"{was} with other settings ({'; '.join(decision.changes)}): refused without --restart"
    return "trains"
