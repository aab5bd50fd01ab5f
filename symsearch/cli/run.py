"""``symsearch run FILE.yaml``: runs the search an experiment file describes.

    symsearch run experiments/quickstart.yaml                 # store: runs/quickstart.db
    symsearch run experiments/quickstart.yaml --resume        # continue (or top up) it
    symsearch run experiments/quickstart.yaml --trials 100 --workers 4     # Ray, 4 at once
    symsearch run experiments/quickstart.yaml --fresh         # start over, old store kept
    symsearch run experiments/quickstart.yaml --resume --retry-failed

Run again with the same file, a finished experiment is shown, not re-run (see
:mod:`symsearch.cli.existing`). Exit codes: 0, 1 when no trial succeeded, 2 for a mistake
the user can fix (a missing package among them: one line naming the extra to install), 130
on Ctrl-C and 143 on SIGTERM, each after printing the trials so far and the command that
resumes.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from typing import Any, Iterator, Optional

from symsearch.cli.display import program_source
from symsearch.cli.errors import UserError


TRUST_NOTE = ("An experiment file is code: symsearch imports and calls what its references name "
              "(evaluator: os:system would run a shell command), so run only files you "
              "trust. Loading stores, JSON and YAML candidates builds only registered types.")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run the search an experiment file describes",
        description="Runs the search an experiment file (YAML) describes and records every "
                    "trial in its store (default runs/<name>.db in the current folder). "
                    "Running a finished experiment again shows its result; a store made with "
                    "other settings is refused unless --resume or --fresh says what to do.",
        epilog=TRUST_NOTE)
    parser.add_argument("file", help="the experiment file (YAML)")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="continue the experiment already in the store (or top it up "
                            "with --trials N)")
    again.add_argument("--fresh", action="store_true",
                       help="start over: move the existing store aside (to "
                            "runs/<name>.<timestamp>.db; nothing is deleted)")
    parser.add_argument("--retry-failed", action="store_true",
                        help="with --resume: evaluate the failed trials again (they stop "
                             "counting toward the budget)")
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


EXIT_NO_SUCCESS = 1
EXIT_INTERRUPTED = 130


def run_command(args: argparse.Namespace) -> int:
    from symsearch.cli.progress import SearchProgress
    from symsearch.cli.schema import load_experiment_file, parse_duration

    if args.retry_failed and not args.resume:
        raise UserError("--retry-failed applies to a resumed run: pass --resume --retry-failed")
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
    if os.path.isdir(store_path):
        raise UserError(f"the store path {store_path!r} is a folder, not a file")

    built = _build(config, args)
    if num_trials is None and time_budget is None and type(built["algorithm"]).__name__ != "Grid":
        raise UserError(f"{config.file}: no budget: add 'budget: {{trials: N}}' (or time) to "
                        f"the file, or pass --trials N")
    settings = dict(config.summary(), num_trials=num_trials, time_budget=time_budget, seed=seed,
                    store=os.path.abspath(store_path), algorithm_spec=_plain_value(config))
    if os.path.exists(store_path):
        shown = _handle_existing_store(store_path, built["space"], settings, args, config.file)
        if shown is not None:
            return shown
    runner = _build_runner(config, args)
    progress = SearchProgress(enabled=False if args.no_progress else
                              (True if args.progress else None))
    return _search(args, config, built, runner, progress, settings, store_path)


def _build(config: Any, args: argparse.Namespace) -> dict:
    """Space, evaluator, cache, algorithm and early stopping, after checking that what they
    need is installed (one line naming the extra when it is not)."""
    from symsearch.cli.build import (build_algorithm, build_cache, build_early_stopping,
                                     build_evaluator, build_space, prepare_imports)
    from symsearch.cli.requirements import check_requirements
    prepare_imports(config)
    uses_ray = args.workers is not None or args.address is not None or \
        config.runner.value.get("type") == "ray"
    check_requirements(config, uses_ray)
    with _missing_packages_named(config.file):
        space = build_space(config)
        evaluator = build_evaluator(config)
        check_requirements(config, uses_ray)      # modules may declare __requires__
        cache = build_cache(config)
        algorithm = build_algorithm(config)
        early_stopping = build_early_stopping(config, evaluator)
    return dict(space=space, evaluator=evaluator, cache=cache, algorithm=algorithm,
                early_stopping=early_stopping)


def _build_runner(config: Any, args: argparse.Namespace) -> Any:
    from symsearch.cli.build import build_runner
    with _missing_packages_named(config.file):
        return build_runner(config, workers=args.workers, address=args.address)


@contextlib.contextmanager
def _missing_packages_named(file: str) -> Iterator[None]:
    """Turns an import failure of a package symsearch has an extra for into one line."""
    from symsearch.cli.requirements import (MissingDependencyError, missing_from_import_error,
                                            missing_message)
    try:
        yield
    except MissingDependencyError:
        raise
    except (ImportError, UserError) as error:
        package = missing_from_import_error(error)
        if package is None:
            raise
        raise MissingDependencyError(f"{file}: "
                                     f"{missing_message(package, 'this experiment')}") from None


def _plain_value(config: Any) -> Any:
    from symsearch.cli.existing import plain
    return plain(config.algorithm.value)


def _search(args: argparse.Namespace, config: Any, built: dict, runner: Any, progress: Any,
            settings: dict, store_path: str) -> int:
    import symsearch as ss
    from symsearch.search.errors import AllTrialsFailedError, ExperimentExistsError
    try:
        result = ss.search(built["space"], built["evaluator"], objective=config.objective,
                           algorithm=built["algorithm"], num_trials=settings["num_trials"],
                           time_budget=settings["time_budget"], runner=runner,
                           cache=built["cache"], store=store_path, seed=settings["seed"],
                           resume=args.resume, early_stopping=built["early_stopping"],
                           callbacks=[progress], config=settings,
                           retry_failed=args.retry_failed)
    except ExperimentExistsError:
        raise UserError(_refusal(store_path, None, "another run created it meanwhile")) \
            from None
    except AllTrialsFailedError as e:
        print(f"symsearch: error: {e}", file=sys.stderr)
        print(f"The failed trials are in the store; see them with: symsearch show "
              f"{shlex.quote(store_path)}", file=sys.stderr)
        return EXIT_NO_SUCCESS
    except KeyboardInterrupt as e:          # Ctrl-C, or SearchTerminated (SIGTERM)
        code = getattr(e, "exit_code", EXIT_INTERRUPTED)
        _print_interrupted(args, built["space"], store_path, code)
        return code
    return print_result(result, store_path)


def _handle_existing_store(path: str, space: Any, settings: dict, args: argparse.Namespace,
                           file: str) -> Optional[int]:
    """Checks the store already at ``path`` against the file. Returns an exit code when the
    experiment is complete and was shown, None when the search should go on (resume, or
    --fresh moved the store aside); raises UserError to refuse."""
    import symsearch as ss
    from symsearch.cli.existing import differences, finished_count, is_complete, move_aside
    from symsearch.cli.stored import open_experiment
    stored = open_experiment(path)          # UserError when the file is not a store
    fingerprint = ss.dna_spec(space).fingerprint
    space_differs = bool(stored.spec_fingerprint and fingerprint and
                         stored.spec_fingerprint != fingerprint)
    if args.fresh:
        _check_not_in_use(path)
        moved = move_aside(path)
        print(f"Moved the old store {path} to {moved}; starting over.", file=sys.stderr)
        return None
    if args.resume:
        if space_differs:
            raise UserError(f"cannot resume {path!r}: its search space differs from the one "
                            f"in {file}; pass --fresh to start over (the old store is moved "
                            f"aside), use another store (--store PATH) or restore the space")
        return None
    if not stored.config and not stored.trials:
        return None                         # created but never initialized: nothing to keep
    changed = (["the search space"] if space_differs else []) + \
        differences(stored.config or {}, settings)
    if changed:
        raise UserError(_refusal(path, stored, "it was made with different settings: " +
                                 "; ".join(changed)))
    if not is_complete(stored, settings["num_trials"]):
        done = finished_count(stored)
        of = f" of {settings['num_trials']}" if settings["num_trials"] else ""
        raise UserError(_refusal(path, stored, f"its run is unfinished ({done}{of} trials)"))
    failed = sum(1 for r in stored.trials if r.status == "failed")
    print(f"The experiment in {path} is complete ({finished_count(stored)} trials); its "
          f"result is below. More trials: --resume --trials N; start over: --fresh"
          + (f"; evaluate its {failed} failed trials again: --resume --retry-failed"
             if failed else "") + ".")
    return print_result(_stored_result(stored, space), path)


def _check_not_in_use(path: str) -> None:
    """StoreLockedError when a live search owns the store (it must not be moved under it)."""
    from symsearch.store import SqliteStore
    store = SqliteStore(path)
    try:
        acquire = getattr(store, "acquire_lease", None)
        if acquire is not None:
            acquire()
    finally:
        store.close()


def _refusal(path: str, stored: Any, why: str) -> str:
    count = f" with {len(stored.trials)} trials" if stored is not None else ""
    return (f"The store {path} already holds an experiment{count}, and {why}. Pass --resume "
            f"to continue it (--resume --retry-failed also evaluates its failed trials again), "
            f"--fresh to start over (the old store is moved aside), or --store PATH to use "
            f"another store.")


def _stored_result(experiment: Any, space: Any) -> Any:
    """A Result over the trials of a store, materializing candidates from ``space``."""
    from symsearch.cli.stored import objectives_of
    from symsearch.geno.codec import dna_from_json
    from symsearch.hyper.space import compiled
    from symsearch.search.result import Result
    build = compiled(space).build
    return Result(experiment.trials, objectives_of(experiment),
                  lambda record: build(dna_from_json(record.dna)))


def _print_interrupted(args: argparse.Namespace, space: Any, store_path: str,
                       code: int) -> None:
    """What finished before Ctrl-C or SIGTERM, and the command that continues it."""
    from symsearch.cli.stored import open_experiment, status_counts
    why = "interrupted" if code == EXIT_INTERRUPTED else f"terminated (exit {code})"
    try:
        experiment = open_experiment(store_path)
    except UserError:
        experiment = None
    if experiment is not None and experiment.trials:
        counts = status_counts(experiment)
        finished = sum(n for s, n in counts.items() if s != "running")
        print(f"symsearch: {why} after {finished} finished trials (" + ", ".join(
            f"{n} {s}" for s, n in counts.items() if n and s != "running") + ")")
        try:
            print_result(_stored_result(experiment, space), store_path)
        except Exception:                   # the summary is best effort; the hint is not
            pass
    else:
        print(f"symsearch: {why} before any trial finished")
    print(f"symsearch: {why}; finished trials are kept in the store. Resume with: "
          f"{resume_command(args)}", file=sys.stderr)


def resume_command(args: argparse.Namespace) -> str:
    """The command line that continues this run: the same file and overrides, --resume."""
    words = ["symsearch", "run", args.file, "--resume"]
    for flag, value in (("--store", args.store), ("--trials", args.trials),
                        ("--time", args.time), ("--seed", args.seed),
                        ("--workers", args.workers), ("--address", args.address)):
        if value is not None:
            words += [flag, str(value)]
    return " ".join(shlex.quote(w) for w in words)


def print_result(result: Any, store_path: str) -> int:
    """Prints the best trial (or Pareto front) and the store; returns the exit code: 0, or
    1 when no trial succeeded."""
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
        print("No trial succeeded; see the errors with: symsearch show " +
              shlex.quote(store_path))
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
    return 0 if best is not None else EXIT_NO_SUCCESS
