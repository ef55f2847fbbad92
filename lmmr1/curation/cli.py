"""``curate``: filter a dataset with reasons, write its card, show its stats, measure the policy's pass rates, export it."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from lmmr1.curation.card import CardMeta, file_revision, meta_from_stats, render, write_card
from lmmr1.curation.config import load_config
from lmmr1.curation.files import holds_image_paths, refuse_collisions
from lmmr1.curation.filters.base import FILTER_ERROR
from lmmr1.curation.pipeline import CurationStats, curate
from lmmr1.curation.sources import detect_schema, load_source
from lmmr1.curation.writers import write_dataset, write_json, write_text
from lmmr1.errors import UserError


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """--help shows each default (flags without a meaningful default show none)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default in (None, False, [], argparse.SUPPRESS) or "%(default)" in (action.help or ""):
            return action.help or ""
        return super()._get_help_string(action)


class CliError(UserError):
    """A flag's value cannot be used; the message says which and what to give instead."""


def _source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", required=True, help="jsonl/json/parquet/csv file(s), a save_to_disk folder, or a Hub id")
    p.add_argument("--split", default="train", help="split of a Hub dataset or a DatasetDict folder")
    for col in ("question", "answer", "image", "options"):
        p.add_argument(f"--{col}-col", default=None, help=f"column holding the {col} (overrides detection)")
    p.add_argument("--image-root", default=None, metavar="DIR",
                   help="folder relative image paths resolve against (default: the data file's folder)")
    p.add_argument("--skip-bad-lines", action="store_true",
                   help="skip malformed JSON lines (each is named and counted) instead of refusing the file")


def _pass_rate_args(sub) -> None:
    p = sub.add_parser("pass-rate", help="sample the policy N times per row; write the pass rate `filter` reads",
                       formatter_class=_Formatter)
    _source_args(p)
    p.add_argument("--model", required=True, help="the policy: a checkpoint directory or Hub id")
    p.add_argument("--output", required=True, help="every row with lmmr1_pass_rate and its counts (.jsonl/.parquet/...)")
    p.add_argument("--summary-out", help="the summary JSON (default: beside --output, OUTPUT.pass_rate.json)")
    p.add_argument("--n", type=int, default=8, help="samples per row")
    p.add_argument("--backend", choices=["transformers", "vllm"], default="transformers")
    p.add_argument("--temperature", type=float, default=1.0, help="the trainer's sampling temperature")
    p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0, help="sample k of every row is drawn with seed + k")
    p.add_argument("--max-new-tokens", type=int, default=1024, help="give the stage's max_completion_length")
    p.add_argument("--max-pixels", type=int, default=1024 * 1024, help="images are scaled down to at most this many pixels")
    p.add_argument("--limit", type=int, help="measure and write only the first N rows (a trial run)")
    p.add_argument("--recipe", help="training recipe whose verifier: and system_prompt: to use (as the trainer does)")
    p.add_argument("--config", help="curation YAML for verifier: (unless --recipe) and task: (default: the shipped one)")
    p.add_argument("--system-prompt", default=None,
                   help="system prompt (default: the --recipe's, else LMM-R1's think/answer prompt); '' for none")
    p.add_argument("--batch-size", type=int, default=16, help="prompts per generate call (transformers)")
    p.add_argument("--dtype", choices=["auto", "bfloat16", "float16", "float32"], default="auto")
    p.add_argument("--tensor-parallel-size", type=int, default=1, help="vLLM")
    p.add_argument("--workers", type=int, help="verifier processes (default: one per CPU)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curate", description=(__doc__ or "").replace("``", ""),
                                     formatter_class=_Formatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="log each filter's progress")
    sub = parser.add_subparsers(dest="command", required=True)

    f = sub.add_parser("filter", help="keep rows a rule can check; drop the rest with reasons", formatter_class=_Formatter)
    _source_args(f)
    f.add_argument("--output", help="kept rows: .jsonl/.json/.parquet/.csv file, or a folder for save_to_disk")
    f.add_argument("--rejected-out", help="dropped rows with lmmr1_reason, lmmr1_reasons and lmmr1_detail")
    f.add_argument("--mark", action="store_true", help="keep every row; add lmmr1_keep and lmmr1_reasons columns")
    f.add_argument("--decontaminate", nargs="+", default=[], metavar="BENCH", help="benchmark files to decontaminate against")
    f.add_argument("--config", help="curation YAML (default: the one shipped in lmmr1/curation/curation.yaml)")
    f.add_argument("--enable", nargs="+", default=[], metavar="FILTER", help="switch on filters the config has off")
    f.add_argument("--disable", nargs="+", default=[], metavar="FILTER", help="switch off filters, e.g. image")
    f.add_argument("--num-proc", type=int, default=None, help="worker processes for the row filters (default: one)")
    f.add_argument("--card", help="write a dataset card here (NAME.md) and the stats JSON beside it")
    f.add_argument("--stats-out", help="write the stats JSON here (default: beside --card or --output)")
    f.add_argument("--name", help="dataset name for the card (default: the file name)")
    f.add_argument("--license", default=None,
                   help="licence for the card, e.g. mit (default: what the source states, else 'unknown')")
    f.add_argument("--source-name", default="", help="upstream for the card, e.g. 'mathllm/MATH-V @ a1f5cc3'")
    f.add_argument("--note", action="append", default=[], help="a dataset-specific limitation for the card (repeatable)")

    c = sub.add_parser("card", help="re-render a dataset card from a stats JSON", formatter_class=_Formatter)
    c.add_argument("--stats", required=True, help="a stats JSON written by `curate filter`")
    c.add_argument("--out", help="card path (default: the stats path with .md)")
    c.add_argument("--name", help="dataset name shown on the card (default: the one stored in the stats JSON)")
    c.add_argument("--license", help="SPDX licence id for the card, e.g. mit (default: the one in the stats JSON)")

    s = sub.add_parser("stats", help="schema, size and answer types of a dataset (no filtering)", formatter_class=_Formatter)
    _source_args(s)
    s.add_argument("--json", action="store_true", help="print the numbers as JSON instead of a table")
    s.add_argument("--json-out", metavar="FILE", help="also write the numbers to this JSON file")

    e = sub.add_parser("export", help="write the trainer's input format", formatter_class=_Formatter)
    _source_args(e)
    e.add_argument("--to", required=True, choices=["trl", "verl", "easyr1", "openrlhf"],
                   help="trl: TRL's GRPO columns; verl: RLHFDataset parquet (embedded images); "
                   "easyr1: EasyR1's problem/answer/images parquet (embedded images) and its format prompt; "
                   "openrlhf: LMM-R1's message JSONL")
    e.add_argument("--output", required=True, help=".jsonl (image paths), .parquet or a folder (embedded images); "
                   "verl and easyr1 need .parquet, openrlhf .jsonl")
    e.add_argument("--system-prompt", default=None, help="system prompt (default: LMM-R1's think/answer prompt)")
    _pass_rate_args(sub)
    r = sub.add_parser("prepare", help="download, curate and export a paper's datasets from a manifest",
                       formatter_class=_Formatter)
    r.add_argument("--manifest", required=True, help="datasets and their sources, e.g. recipes/lmm-r1/data.yaml")
    r.add_argument("--output-dir", required=True, help="one folder per dataset: train.jsonl, README.md, images/")
    r.add_argument("--local-dir", default=None, metavar="DIR",
                   help="read each dataset's files from DIR/<name>/ instead of the Hub")
    r.add_argument("--only", nargs="+", default=[], metavar="NAME", help="prepare only these datasets")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``curate`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code: 2 for a user error."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return {"filter": _filter, "card": _card, "stats": _stats, "export": _export,
                "pass-rate": _pass_rate, "prepare": _prepare}[args.command](args)
    except UserError as exc:  # bugs are not UserErrors: their tracebacks go through
        print(f"curate {args.command}: error: {exc}", file=sys.stderr)
        return 2


def _load(args):
    text_cols = tuple(c for c in (args.answer_col, args.options_col) if c)
    ds, info = load_source(args.dataset, args.split, skip_bad_lines=args.skip_bad_lines, text_columns=text_cols)
    if args.image_root:
        root = Path(args.image_root)
        if not root.is_dir():
            raise CliError(f"--image-root {root} is not a folder; give the folder the rows' image paths are relative to")
        info = replace(info, base_dir=str(root.resolve()))
    overrides = {f"{c}_col": getattr(args, f"{c}_col") for c in ("question", "answer", "image", "options")}
    return ds, info, detect_schema(ds.column_names, overrides)


def _inputs(args) -> list[tuple[str, str | None]]:
    return [("--dataset", args.dataset), *(("--decontaminate", b) for b in getattr(args, "decontaminate", []))]


def _filter(args) -> int:
    stats_path = Path(args.card).with_suffix(".stats.json") if args.card else None
    default_stats = None if (args.card or args.stats_out or not args.output) else f"{args.output}.stats.json"
    refuse_collisions(
        [*_inputs(args), ("--config", args.config)],
        [("--output", args.output), ("--rejected-out", args.rejected_out), ("--card", args.card),
         ("the stats beside --card", stats_path), ("--stats-out", args.stats_out),
         ("the stats beside --output", default_stats)],
    )
    config = load_config(args.config)
    config = config.toggled(tuple(args.enable), tuple(args.disable))
    if args.decontaminate:
        for path in args.decontaminate:
            if not Path(path).exists():
                raise CliError(f"benchmark {path} does not exist; give paths to jsonl/json/parquet files")
        config = config.with_corpus(tuple(args.decontaminate))
    ds, info, schema = _load(args)
    kept, rejected, stats = curate(ds, config, schema=schema, source=info, num_proc=args.num_proc, mark=args.mark)
    data = stats.to_dict()
    if info.files:
        data["source"]["revision"] = info.revision or file_revision(info.files)
    if args.output:
        write_dataset(kept, args.output)
    if args.rejected_out:
        write_dataset(rejected, args.rejected_out)
    if args.card:
        meta = CardMeta(
            name=args.name or Path(info.source).stem,
            license=args.license or info.license or "unknown",
            source=args.source_name,
            revision=data["source"].get("revision") or "",
            # the card's folder is the dataset repository's root: data_files are relative to it
            data_files=os.path.relpath(Path(args.output).resolve(), Path(args.card).resolve().parent) if args.output else "",
            notes=tuple(args.note),
        )
        write_card(args.card, data, meta)
        if args.stats_out:
            write_json(args.stats_out, json.loads(Path(stats_path).read_text()))
    elif args.stats_out or default_stats:
        write_json(args.stats_out or default_stats, data)
    _print_summary(data)
    if stats.kept_rows == 0 and stats.input_rows and not args.mark:
        raise NothingKept(_nothing_kept(stats))
    return 0


IMAGE_REASONS = ("missing_image", "image_is_directory", "unreadable_image")


class NothingKept(UserError):
    """Every row was dropped: almost always a setup problem (images not found, wrong columns)."""


def _nothing_kept(stats: CurationStats) -> str:
    n = stats.input_rows
    alone = Counter()
    for f in stats.filters:
        alone.update({r: c for r, c in f["standalone"].items() if r in IMAGE_REASONS})
    lost = alone["missing_image"] + alone["image_is_directory"]
    if lost == n:
        return (f"every one of the {n} rows lost its image (missing_image): the image paths do not point at files. "
                "Pass --image-root DIR with the folder the paths are relative to, or --disable image to curate "
                "the text alone (text-only use)")
    if sum(alone.values()) * 2 > n:
        return (f"all {n} rows were dropped, and {sum(alone.values())} have no usable image ({dict(+alone)}): check "
                "the images (--image-root DIR), or --disable image for text-only use; --rejected-out says why each went")
    return (f"all {n} rows were dropped ({', '.join(f'{r}: {c}' for r, c in stats.dropped.items())}); "
            "see --rejected-out for each row's reason, and --disable a filter that does not fit this data")


def _print_summary(stats: dict) -> None:
    print(f"{'filter':32} {'reason':32} {'sequential':>10} {'stand-alone':>11}")
    for f in stats["filters"]:
        for r in f["reasons"]:
            if r == FILTER_ERROR and not f["standalone"].get(r):
                continue  # every filter has it; shown only where it happened
            print(f"{f['name']:32} {r:32} {f['sequential'].get(r, 0):>10} {f['standalone'].get(r, 0):>11}")
    dropped = sum(stats["dropped"].values())
    if stats.get("skipped_lines"):
        print(f"skipped {len(stats['skipped_lines'])} malformed line(s) before filtering (--skip-bad-lines)")
    print(f"input {stats['input_rows']} = kept {stats['kept_rows']} + dropped {dropped}  ({stats['seconds']} s)")


def _card(args) -> int:
    path = Path(args.stats)
    if not path.is_file():
        raise CliError(f"stats file {path} does not exist; write one with `curate filter --card`")
    out = Path(args.out) if args.out else path.with_name(path.name.replace(".stats.json", ".md"))
    refuse_collisions([("--stats", path)], [("--out", out)])
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))
        CurationStats.from_dict(stats)
    except json.JSONDecodeError as exc:
        raise CliError(f"{path} is not JSON ({exc}); give a stats JSON written by `curate filter`") from exc
    meta = meta_from_stats(stats, name=args.name, license=args.license)
    write_text(out, str(render(stats, meta)))
    print(f"wrote {out}")
    return 0


def _stats(args) -> int:
    from lmmr1.curation.answer_types import classify
    from lmmr1.curation.sources import canonical

    if args.json_out:
        refuse_collisions(_inputs(args), [("--json-out", args.json_out)])
    ds, info, schema = _load(args)
    types, tasks, errors = Counter(), Counter(), 0
    cols = [c for c in (schema.question_col, schema.answer_col, schema.options_col) if c]
    for i, row in enumerate(ds.select_columns(cols)):
        ex = canonical(row, i, schema, info.base_dir)
        errors += ex.error is not None
        types[classify(ex.gold, ex.options) if not ex.error else "malformed"] += 1
        tasks[ex.task] += 1
    data = {"source": info.source, "rows": len(ds), "columns": ds.column_names, "schema": schema.__dict__,
            "answer_types": dict(types.most_common()), "tasks": dict(tasks.most_common()), "malformed_rows": errors,
            "license": info.license, "skipped_lines": list(info.bad_lines)}
    print(json.dumps(data, indent=2) if args.json else _stats_table(data))
    if args.json_out:
        write_json(args.json_out, data)
    return 0


def _stats_table(data: dict) -> str:
    schema = data["schema"]
    lines = [f"{data['source']}: {data['rows']} rows, schema {schema['name']} (licence {data['license'] or 'not stated'})",
             f"  columns: question {schema['question_col']}, answer {schema['answer_col']}, "
             f"image {schema['image_col']}, options {schema['options_col']}",
             f"  malformed rows: {data['malformed_rows']}"]
    if data["skipped_lines"]:
        lines.append(f"  malformed lines skipped: {len(data['skipped_lines'])}")
    for title, counts in (("answer type", data["answer_types"]), ("verifier task", data["tasks"])):
        lines.append(f"\n{title:20} {'rows':>8} {'share':>7}")
        for name, n in counts.items():
            lines.append(f"{name:20} {n:>8} {n / max(data['rows'], 1):>7.1%}")
    return "\n".join(lines)


def _export(args) -> int:
    from lmmr1.curation.export import to_trl
    from lmmr1.prompts import SYSTEM_PROMPT

    refuse_collisions(_inputs(args), [("--output", args.output)])
    if args.to != "trl":
        return _export_rl(args)
    ds, info, schema = _load(args)
    out = to_trl(ds, schema=schema, source=info, system_prompt=args.system_prompt or SYSTEM_PROMPT,
                 image_feature=not holds_image_paths(args.output))
    write_dataset(out, args.output)
    print(f"wrote {len(out)} rows to {args.output}")
    return 0


def _export_rl(args) -> int:
    from lmmr1.curation.export_rl import (
        easyr1_format_prompt,
        format_prompt_path,
        to_easyr1,
        to_openrlhf,
        to_verl,
    )
    from lmmr1.prompts import SYSTEM_PROMPT

    suffix = {"verl": ".parquet", "easyr1": ".parquet", "openrlhf": ".jsonl"}[args.to]
    if Path(args.output).suffix != suffix:
        raise CliError(f"--to {args.to} writes {suffix}; give --output NAME{suffix}")
    system_prompt = args.system_prompt or SYSTEM_PROMPT
    template = format_prompt_path(args.output) if args.to == "easyr1" else None
    if template:
        refuse_collisions(_inputs(args), [("--output", args.output), ("the format prompt beside --output", template)])
    ds, info, schema = _load(args)
    if args.to == "easyr1":  # EasyR1 has no system turn: the prompt goes in its format prompt
        out = to_easyr1(ds, schema=schema, source=info)
    else:
        convert = to_verl if args.to == "verl" else to_openrlhf
        out = convert(ds, schema=schema, source=info, system_prompt=system_prompt)
    write_dataset(out, args.output)
    print(f"wrote {len(out)} rows to {args.output}")
    if template:
        write_text(template, easyr1_format_prompt(system_prompt))
        print(f"wrote {template}: pass data.format_prompt={template} to EasyR1 (the system prompt it has no column for)")
    return 0


def _pass_rate(args) -> int:
    from lmmr1.curation.pass_rate import PassRateSettings, check_sampling, measure
    from lmmr1.evaluate.backends import GenerationSettings, make_backend
    from lmmr1.prompts import SYSTEM_PROMPT

    summary_path = args.summary_out or f"{args.output}.pass_rate.json"
    refuse_collisions([*_inputs(args), ("--config", args.config), ("--recipe", args.recipe)],
                      [("--output", args.output), ("the summary", summary_path)])
    config = load_config(args.config)
    verifier, system_prompt = config.verifier, SYSTEM_PROMPT
    if args.recipe:
        verifier, recipe_prompt = _recipe_settings(Path(args.recipe))
        system_prompt = recipe_prompt if recipe_prompt is not None else system_prompt
    if args.system_prompt is not None:
        system_prompt = args.system_prompt
    try:
        generation = GenerationSettings(temperature=args.temperature, top_p=args.top_p, seed=args.seed,
                                        batch_size=args.batch_size, dtype=args.dtype,
                                        tensor_parallel_size=args.tensor_parallel_size)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    check_sampling(generation, args.n)
    _check_model(args.model)
    settings = PassRateSettings(n=args.n, max_new_tokens=args.max_new_tokens, max_pixels=args.max_pixels,
                                system_prompt=system_prompt, verifier=verifier, task=config.task, limit=args.limit,
                                workers=args.workers)
    ds, info, schema = _load(args)
    if "pass_rate" in ds.column_names and config.pass_rate_col == "auto":
        logging.getLogger(__name__).warning(
            "the input has a pass_rate column, which `curate filter` (pass_rate_col: auto) reads before "
            "lmmr1_pass_rate; set pass_rate_col: lmmr1_pass_rate in its --config to filter on the new rates")
    backend = make_backend(args.backend, args.model, generation)
    out, summary = measure(ds, backend, settings, schema=schema, source=info)
    summary = {"model": args.model, "backend": args.backend, "dataset": args.dataset,
               "generation": {"temperature": args.temperature, "top_p": args.top_p, "seed": args.seed}, **summary}
    write_dataset(out, args.output)
    write_json(summary_path, summary)
    print(f"{'correct/decided':24} {'rows':>6}")
    for key, count in summary["histogram"].items():
        print(f"{key:24} {count:>6}")
    for reason, count in summary["no_pass_rate"].items():
        print(f"{'no rate: ' + reason:24} {count:>6}")
    print(f"wrote {len(out)} rows to {args.output} ({summary['measured']} measured: {summary['all_wrong']} at "
          f"0/{args.n}, {summary['all_right']} at {args.n}/{args.n}; {summary['seconds']} s); summary {summary_path}")
    return 0


def _check_model(model: str) -> None:
    """Before anything loads: a checkpoint folder with its config.json, or something shaped like a Hub id."""
    path = Path(model)
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise CliError(f"--model {model} is a folder without config.json; give a checkpoint folder "
                           "(e.g. a stage's output_dir/checkpoint-N) or a Hub id")
    elif not re.fullmatch(r"[\w.-]+(/[\w.-]+)?", model):
        raise CliError(f"--model {model} does not exist; give a checkpoint folder or a Hub id such as "
                       "Qwen/Qwen2.5-VL-3B-Instruct")


def _recipe_settings(recipe: Path):
    """A training recipe's ``verifier:`` (as the trainer reads it) and top-level ``system_prompt:``."""
    import yaml

    from lmmr1.curation.prepare import recipe_verifier

    if not recipe.is_file():
        raise CliError(f"--recipe {recipe} does not exist; give a training recipe such as recipes/lmm-r1/fre-multi.yaml")
    raw = yaml.safe_load(recipe.read_text(encoding="utf-8")) or {}
    prompt = raw.get("system_prompt") if isinstance(raw, dict) else None
    return recipe_verifier(recipe), prompt


def _prepare(args) -> int:
    from lmmr1.curation.prepare import load_manifest, prepare

    manifest = load_manifest(args.manifest)
    out = Path(args.output_dir)
    results = prepare(manifest, out, local_dir=Path(args.local_dir) if args.local_dir else None,
                      only=tuple(args.only))
    for name, stats in results.items():
        print(f"{name}: kept {stats['kept_rows']} of {stats['input_rows']} rows -> {out / name / 'train.jsonl'} "
              f"(card {out / name / 'README.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
