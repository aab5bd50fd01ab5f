"""``symsearch dashboard STORE... [--host H] [--port P]``: the live web dashboard.

Serves the stores (files, or folders of ``.db`` files) read-only while searches write them;
the page polls for new trials. Needs ``pip install "symsearch[dashboard]"``.
"""
from __future__ import annotations

import argparse
import os
from typing import Any

from symsearch.cli.errors import UserError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dashboard", help="serve a live web dashboard of experiment stores",
        description="Serves a web dashboard of one or more experiment stores (or folders of "
                    ".db files), read-only, updating while searches write them.")
    parser.add_argument("stores", nargs="+", metavar="STORE",
                        help="experiment stores or folders of them (e.g. runs/x.db, runs/)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8080,
                        help="the port to listen on (default 8080; 0 picks a free one)")
    parser.set_defaults(handler=dashboard_command)


def check_stores(paths: list) -> None:
    """UserError naming the first path that is neither a store file nor a folder, or a file
    that is not a store."""
    from symsearch.viz.table import connect_read_only
    for path in paths:
        if not os.path.exists(path):
            raise UserError(f"no experiment store or folder at {path!r}")
        if os.path.isfile(path):
            try:
                connect_read_only(path).close()
            except ValueError as e:
                raise UserError(str(e)) from None


def dashboard_command(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port: expected 0..65535, got {args.port}")
    check_stores(args.stores)
    try:
        from symsearch.dashboard import serve
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
        import plotly  # noqa: F401
    except ImportError:
        raise UserError('the dashboard needs starlette, uvicorn and plotly: '
                        'pip install "symsearch[dashboard]"') from None

    def ready(port: int) -> None:
        print(f"symsearch dashboard: http://{args.host}:{port}/  (Ctrl-C stops it)",
              flush=True)
    try:
        serve(args.stores, host=args.host, port=args.port, on_ready=ready)
    except OSError as e:
        raise UserError(str(e)) from None
    return 0
