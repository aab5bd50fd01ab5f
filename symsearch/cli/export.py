"""``symsearch export STORE --best``: a stored candidate as YAML or JSON.

The output is symbolic JSON/YAML that names the modules defining the candidate's types::

    _modules: [symsearch.spaces.sklearn_digits]
    _value: {_type: symsearch.spaces.sklearn_digits.DigitsPipeline, ...}

``ss.load(FILE, import_modules=True)`` imports those modules and rebuilds the candidate in a
new process; ``ss.load(FILE)`` imports nothing and needs them imported first. Loading builds
only registered types either way.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from symsearch.cli.errors import UserError
from symsearch.cli.stored import best_trial, objectives_of, open_experiment


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="write a stored candidate (the best one) as YAML or JSON",
        description="Writes a candidate from an experiment store as symbolic YAML or JSON. "
                    "The file names the modules that define the candidate's types "
                    "(_modules), so ss.load(FILE, import_modules=True) rebuilds it in a new "
                    "process; ss.load(FILE) imports nothing and needs those modules "
                    "imported first.",
        epilog="import_modules=True imports the modules the file names (running their "
               "code), so use it only on files you trust; without it, loading builds only "
               "types already registered and runs nothing.")
    parser.add_argument("store", help="the experiment store (e.g. runs/quickstart.db)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--best", action="store_true",
                       help="the best trial (by the first objective)")
    which.add_argument("--trial", type=int, metavar="ID", help="the trial with this id")
    parser.add_argument("--format", choices=("yaml", "json"), default=None,
                        help="output format (default: from -o's extension, else yaml)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    parser.set_defaults(handler=export_command)


def export_command(args: argparse.Namespace) -> int:
    experiment = open_experiment(args.store)
    if args.best:
        objectives = objectives_of(experiment)
        if objectives is None:
            raise UserError(f"{args.store!r} records no objective, so it has no best trial; "
                            f"use --trial ID")
        record = best_trial(experiment, objectives)
        if record is None:
            raise UserError(f"{args.store!r} has no successful trial to export")
        if objectives.is_multi:
            print(f"symsearch: note: best by the first objective ({objectives.objectives[0]}) "
                  f"of {', '.join(objectives.to_list())}", file=sys.stderr)
    else:
        try:
            record = experiment.trial(args.trial)
        except KeyError:
            raise UserError(f"{args.store!r} has no trial {args.trial}") from None
    if record.candidate_json is None:
        raise UserError(f"trial {record.id}'s candidate was not stored as JSON (it was not "
                        f"serializable); its DNA is {record.dna}")
    from symsearch.symbolic.serialization import with_modules
    data = json.loads(record.candidate_json)
    data = with_modules(data) if with_modules(data)["_modules"] else data
    fmt = args.format or _format_from_extension(args.output)
    text = _render(data, fmt)
    if args.output:
        folder = os.path.dirname(os.path.abspath(args.output))
        try:
            os.makedirs(folder, exist_ok=True)
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            raise UserError(f"cannot write {args.output!r}: {e}") from None
        print(f"Wrote trial {record.id} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _format_from_extension(path: Any) -> str:
    if path and os.path.splitext(path)[1].lower() == ".json":
        return "json"
    return "yaml"


def _render(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    import yaml
    return yaml.safe_dump(data, sort_keys=False)
