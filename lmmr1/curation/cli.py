"""``curate``: filter a dataset with reasons, write its card, show its stats, export it for TRL."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from lmmr1.curation.card import CardMeta, file_revision, meta_from_stats, render, write_card
from lmmr1.curation.config import ConfigError, load_config
from lmmr1.curation.pipeline import curate
from lmmr1.curation.sources import SourceError, detect_schema, load_source
from lmmr1.curation.writers import write_dataset, write_json, write_text


def _source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", required=True, help="jsonl/json/parquet/csv file(s), a save_to_disk folder, or a Hub id")
    p.add_argument("--split", default="train", help="split of a Hub dataset or a DatasetDict folder")
    for col in ("question", "answer", "image", "options"):
        p.add_argument(f"--{col}-col", default=None, help=f"column holding the {col} (overrides detection)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curate", description=(__doc__ or "").replace("``", ""))
    parser.add_argument("-v", "--verbose", action="store_true", help="log each filter's progress")
    sub = parser.add_subparsers(dest="command", required=True)

    f = sub.add_parser("filter", help="keep rows a rule can check; drop the rest with reasons")
    _source_args(f)
    f.add_argument("--output", help="kept rows: .jsonl/.json/.parquet/.csv file, or a folder for save_to_disk")
    f.add_argument("--rejected-out", help="dropped rows with lmmr1_reason, lmmr1_reasons and lmmr1_detail")
    f.add_argument("--mark", action="store_true", help="keep every row; add lmmr1_keep and lmmr1_reasons columns")
    f.add_argument("--decontaminate", nargs="+", default=[], metavar="BENCH", help="benchmark files to decontaminate against")
    f.add_argument("--config", help="curation YAML (default: the one shipped in lmmr1/curation/curation.yaml)")
    f.add_argument("--enable", nargs="+", default=[], metavar="FILTER", help="switch on filters the config has off")
    f.add_argument("--disable", nargs="+", default=[], metavar="FILTER", help="switch off filters, e.g. image")
    f.add_argument("--num-proc", type=int, default=None, help="worker processes for the row filters")
    f.add_argument("--card", help="write a dataset card here (NAME.md) and the stats JSON beside it")
    f.add_argument("--stats-out", help="write the stats JSON here (default: beside --card or --output)")
    f.add_argument("--name", help="dataset name for the card (default: the file name)")
    f.add_argument("--license", default="unknown", help="licence for the card, e.g. mit")
    f.add_argument("--source-name", default="", help="upstream for the card, e.g. 'mathllm/MATH-V @ a1f5cc3'")
    f.add_argument("--note", action="append", default=[], help="a dataset-specific limitation for the card (repeatable)")

    c = sub.add_parser("card", help="re-render a dataset card from a stats JSON")
    c.add_argument("--stats", required=True, help="a stats JSON written by `curate filter`")
    c.add_argument("--out", help="card path (default: the stats path with .md)")
    c.add_argument("--name")
    c.add_argument("--license")

    s = sub.add_parser("stats", help="schema, size and answer types of a dataset (no filtering)")
    _source_args(s)
    s.add_argument("--json", dest="json_out", help="also write the numbers to this JSON file")

    e = sub.add_parser("export", help="write the trainer's input format")
    _source_args(e)
    e.add_argument("--to", required=True, choices=["trl"], help="target format")
    e.add_argument("--output", required=True, help=".jsonl (image paths), .parquet or a folder (embedded images)")
    e.add_argument("--system-prompt", default=None, help="system prompt (default: LMM-R1's think/answer prompt)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return {"filter": _filter, "card": _card, "stats": _stats, "export": _export}[args.command](args)
    except (SourceError, ConfigError, ValueError, FileNotFoundError) as exc:
        print(f"curate {args.command}: error: {exc}", file=sys.stderr)
        return 2


def _load(args):
    ds, info = load_source(args.dataset, args.split)
    overrides = {f"{c}_col": getattr(args, f"{c}_col") for c in ("question", "answer", "image", "options")}
    return ds, info, detect_schema(ds.column_names, overrides)


def _filter(args) -> int:
    config = load_config(args.config)
    config = config.toggled(tuple(args.enable), tuple(args.disable))
    if args.decontaminate:
        for path in args.decontaminate:
            if not Path(path).exists():
                raise FileNotFoundError(f"benchmark {path} does not exist; give paths to jsonl/json/parquet files")
        config = config.with_params("contaminated", benchmarks=tuple(args.decontaminate))
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
            license=args.license,
            source=args.source_name,
            revision=data["source"].get("revision") or "",
            data_files=Path(args.output).name if args.output else "",
            notes=tuple(args.note),
        )
        stats_path = write_card(args.card, data, meta)
        if args.stats_out:
            write_json(args.stats_out, json.loads(Path(stats_path).read_text()))
    elif args.stats_out or args.output:
        write_json(args.stats_out or f"{args.output}.stats.json", data)
    _print_summary(data)
    return 0


def _print_summary(stats: dict) -> None:
    print(f"{'filter':32} {'reason':32} {'sequential':>10} {'stand-alone':>11}")
    for f in stats["filters"]:
        for r in sorted(set(f["sequential"]) | set(f["standalone"])) or ["-"]:
            print(f"{f['name']:32} {r:32} {f['sequential'].get(r, 0):>10} {f['standalone'].get(r, 0):>11}")
    dropped = sum(stats["dropped"].values())
    print(f"input {stats['input_rows']} = kept {stats['kept_rows']} + dropped {dropped}  ({stats['seconds']} s)")


def _card(args) -> int:
    path = Path(args.stats)
    if not path.is_file():
        raise FileNotFoundError(f"stats file {path} does not exist; write one with `curate filter --card`")
    stats = json.loads(path.read_text(encoding="utf-8"))
    meta = meta_from_stats(stats, name=args.name, license=args.license)
    out = Path(args.out) if args.out else path.with_name(path.name.replace(".stats.json", ".md"))
    write_text(out, str(render(stats, meta)))
    print(f"wrote {out}")
    return 0


def _stats(args) -> int:
    from collections import Counter

    from lmmr1.curation.answer_types import classify
    from lmmr1.curation.sources import canonical

    ds, info, schema = _load(args)
    types, tasks, errors = Counter(), Counter(), 0
    cols = [c for c in (schema.question_col, schema.answer_col, schema.options_col) if c]
    for i, row in enumerate(ds.select_columns(cols)):
        ex = canonical(row, i, schema, info.base_dir)
        errors += ex.error is not None
        types[classify(ex.gold, ex.options) if not ex.error else "malformed"] += 1
        tasks[ex.task] += 1
    data = {"source": info.source, "rows": len(ds), "columns": ds.column_names, "schema": schema.__dict__,
            "answer_types": dict(types.most_common()), "tasks": dict(tasks.most_common()), "malformed_rows": errors}
    print(json.dumps(data, indent=2))
    if args.json_out:
        write_json(args.json_out, data)
    return 0


def _export(args) -> int:
    from lmmr1.curation.export import to_trl
    from lmmr1.prompts import SYSTEM_PROMPT

    ds, info, schema = _load(args)
    as_files = Path(args.output).suffix.lower() in (".jsonl", ".json", ".csv")
    out = to_trl(ds, schema=schema, source=info, system_prompt=args.system_prompt or SYSTEM_PROMPT,
                 image_feature=not as_files)
    write_dataset(out, args.output)
    print(f"wrote {len(out)} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
