"""The ``symsearch`` command.

    symsearch run experiments/quickstart.yaml [--resume] [--trials N] [--workers N] ...
    symsearch show runs/quickstart.db [--top K]
    symsearch plot runs/quickstart.db -o quickstart.png
    symsearch export runs/quickstart.db --best [--format yaml|json] [-o FILE]

Mistakes the user can fix (a bad experiment file, a reference that does not import, a store
that already holds an experiment) are printed as ``symsearch: error: <message>`` with exit
code 2 and no traceback.
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from symsearch.cli.errors import UserError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def make_parser() -> argparse.ArgumentParser:
    from symsearch import __version__
    from symsearch.cli import export, plot, run, show
    parser = argparse.ArgumentParser(
        prog="symsearch", description="AutoML and program search built on symbolic "
                                      "programming.")
    parser.add_argument("--version", action="version", version=f"symsearch {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in (run, show, plot, export):
        module.add_parser(subparsers)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command; returns the exit code (the console script exits with it)."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error argparse has printed
        return e.code if isinstance(e.code, int) else EXIT_USER_ERROR
    from symsearch.search.driver import ExperimentExistsError
    try:
        return args.handler(args)
    except (UserError, ExperimentExistsError) as e:
        print(f"symsearch: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("symsearch: interrupted; finished trials are kept in the store (continue with "
              "--resume)", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
