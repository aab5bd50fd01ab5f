"""``symsearch run FILE.yaml``: runs the search an experiment file describes.

    symsearch run experiments/quickstart.yaml                 # store: runs/quickstart.db
    symsearch run experiments/quickstart.yaml --resume        # continue (or top up) it
    symsearch run experiments/quickstart.yaml --trials 100 --workers 4     # Ray, 4 at once
"""
from __future__ import annotations

import argparse
import os
from typing import Any

from symsearch.cli.display import program_source
from symsearch.cli.errors import UserError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run the search an experiment file describes",
        description="Runs the search an experiment file (YAML) describes and records every "
                    "trial in its store (default runs/<name>.db in the current folder).")
    parser.add_argument("file", help="the experiment file (YAML)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the experiment already in the store")
    parser.add_argument("--trials", type=_positive_int, metavar="N",
                        help="total number of trials (overrides budget.trials)")
    parser.add_argument("--time", metavar="DURATION",
                        help="time budget, e.g. 90, 90s, 10m, 1h (overrides budget.time)")
    parser.add_argument("--workers", type=_positive_int, metavar="N",
                        help="evaluate N trials at once on Ray (implies the Ray runner)")
    parser.add_argument("--address", metavar="A",
                        help="Ray cluster address: auto, host:port or ray://host:port "
                             "(implies the Ray runner)")
    parser.add_argument("--store", metavar="PATH", help="the experiment store file")
    parser.add_argument("--seed", type=int, metavar="S", help="random seed (overrides seed)")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--no-progress", action="store_true", help="no progress bar")
    progress.add_argument("--progress", action="store_true",
                          help="draw the progress bar even when stdout is not a terminal")
    parser.set_defaults(handler=run_command)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive int, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive int, got {text!r}")
    return value


def default_store_path(name: str) -> str:
    return os.path.join("runs", f"{name}.db")


def run_command(args: argparse.Namespace) -> int:
    import symsearch as ss
    from symsearch.cli.build import (build_algorithm, build_cache, build_early_stopping,
                                     build_evaluator, build_runner, build_space,
                                     prepare_imports)
    from symsearch.cli.progress import SearchProgress
    from symsearch.cli.schema import load_experiment_file, parse_duration
    from symsearch.search.driver import ExperimentExistsError

    config = load_experiment_file(args.file)
    num_trials = args.trials if args.trials is not None else config.num_trials
    time_budget = config.time_budget
    if args.time is not None:
        time_budget = parse_duration(args.time)
        if time_budget is None:
            raise UserError(f"--time: expected a positive number of seconds or a duration such "
                            f"as '90s', '10m', '1h', got {args.time!r}")
    seed = args.seed if args.seed is not None else config.seed
    store_path = args.store or config.store or default_store_path(config.name)

    prepare_imports(config)
    space = build_space(config)
    evaluator = build_evaluator(config)
    cache = build_cache(config)
    algorithm = build_algorithm(config)
    early_stopping = build_early_stopping(config, evaluator)
    if num_trials is None and time_budget is None and type(algorithm).__name__ != "Grid":
        raise UserError(f"{config.file}: no budget: add 'budget: {{trials: N}}' (or time) to "
                        f"the file, or pass --trials N")
    _check_store(store_path, space, args.resume, config.file)
    runner = build_runner(config, workers=args.workers, address=args.address)

    progress = SearchProgress(enabled=False if args.no_progress else
                              (True if args.progress else None))
    settings = dict(config.summary(), num_trials=num_trials, time_budget=time_budget, seed=seed,
                    store=os.path.abspath(store_path))
    try:
        result = ss.search(space, evaluator, objective=config.objective, algorithm=algorithm,
                           num_trials=num_trials, time_budget=time_budget, runner=runner,
                           cache=cache, store=store_path, seed=seed, resume=args.resume,
                           early_stopping=early_stopping, callbacks=[progress],
                           config=settings)
    except ExperimentExistsError as e:
        raise UserError(f"{e} (experiment file: {config.file})") from None
    print_result(result, store_path)
    return 0


def _check_store(path: str, space: Any, resume: bool, file: str) -> None:
    """Refuses a store path that is a folder or not a store, or a resume onto a different
    space."""
    if os.path.isdir(path):
        raise UserError(f"the store path {path!r} is a folder, not a file")
    if not os.path.exists(path):
        return
    import symsearch as ss
    from symsearch.cli.stored import open_experiment
    stored = open_experiment(path)          # UserError when the file is not a store
    if not resume:
        return                              # the search refuses an existing experiment
    fingerprint = ss.dna_spec(space).fingerprint
    if stored.spec_fingerprint and fingerprint and stored.spec_fingerprint != fingerprint:
        raise UserError(f"cannot resume {path!r}: its search space differs from the one in "
                        f"{file}; use another store (--store PATH) or restore the space")


def print_result(result: Any, store_path: str) -> None:
    import symsearch as ss
    from symsearch.cli.display import format_metrics
    objectives = result.objectives
    if objectives is not None and objectives.is_multi:
        front = result.pareto
        print(f"Pareto front: {len(front)} trial(s) on {', '.join(objectives.to_list())}")
        for view in front[:10]:
            print(f"  trial {view.id}: {format_metrics(view.metrics, list(objectives.names))}")
    best = result.best
    if best is None:
        print("No trial succeeded; see the errors with: symsearch show " + store_path)
    else:
        names = list(objectives.names) if objectives is not None else None
        others = [k for k in best.metrics if names is None or k not in names]
        print(f"Best trial: #{best.id} ({best.status}) {format_metrics(best.metrics, names)}"
              + (f" [{format_metrics(best.metrics, others)}]" if others and names else ""))
        print(ss.format(best.value))
        source = program_source(best.value)
        if source is not None:
            print("As source (dead statements removed):" if "\n" in source else "As a formula:")
            print(source)
    print(f"Store: {store_path}")
