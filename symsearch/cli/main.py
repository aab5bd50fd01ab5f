"""The ``symsearch`` command.

    symsearch run experiments/quickstart.yaml [--resume] [--trials N] [--workers N] ...
    symsearch show runs/quickstart.db [--top K]
    symsearch plot runs/quickstart.db [--kind history|pareto|importance|...] -o quickstart.png
    symsearch dashboard runs/quickstart.db [--port 8080] [--host 127.0.0.1]
    symsearch export runs/quickstart.db --best [--format yaml|json] [-o FILE]

Mistakes the user can fix (a bad experiment file, a reference that does not import, a missing
optional package, a store that holds another experiment or that another search is using) are
printed as ``symsearch: error: <message>`` with exit code 2 and no traceback. Exit code 1: no
trial succeeded; 130: Ctrl-C; 143: SIGTERM; 141: stdout was closed (``| head``).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from symsearch.cli.errors import UserError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141          # 128 + SIGPIPE, what a shell reports for `cmd | head`


def make_parser() -> argparse.ArgumentParser:
    from symsearch import __version__
    from symsearch.cli import dashboard, export, plot, run, show
    parser = argparse.ArgumentParser(
        prog="symsearch", description="AutoML and program search built on symbolic "
                                      "programming.")
    parser.add_argument("--version", action="version", version=f"symsearch {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in (run, show, plot, export, dashboard):
        module.add_parser(subparsers)
    return parser


def user_error_types() -> tuple:
    """Exceptions printed as ``symsearch: error: ...`` with exit code 2: the CLI's own, a store
    that already holds an experiment, a store another live search owns (its lease), and a
    store file that is damaged or read-only (their messages say what to do)."""
    from symsearch.search.errors import ExperimentExistsError
    types = [UserError, ExperimentExistsError]
    try:
        from symsearch import store
    except ImportError:                 # pragma: no cover - the store always imports
        store = None
    for name in ("StoreLockedError", "StoreDamagedError", "StoreReadOnlyError"):
        error = getattr(store, name, None)
        if isinstance(error, type) and issubclass(error, BaseException):
            types.append(error)
    return tuple(types)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command; returns the exit code (the console script exits with it)."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error argparse has printed
        return e.code if isinstance(e.code, int) else EXIT_USER_ERROR
    try:
        code = args.handler(args)
        sys.stdout.flush()              # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except SystemExit as e:             # rich handles a closed pipe itself with SystemExit(1)
        if isinstance(e.__context__, BrokenPipeError):
            return _quiet_broken_pipe()
        raise
    except user_error_types() as e:
        print(f"symsearch: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt as e:
        code = getattr(e, "exit_code", EXIT_INTERRUPTED)
        print("symsearch: interrupted; finished trials are kept in the store (continue with "
              "symsearch run FILE --resume)", file=sys.stderr)
        return code


def _quiet_broken_pipe() -> int:
    """``symsearch show ... | head`` closed stdout early: stop quietly, as Unix tools do.

    stdout is pointed at /dev/null so that Python's final flush does not raise again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):       # stdout without a file descriptor (tests)
        pass
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
