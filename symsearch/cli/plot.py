"""``symsearch plot STORE [--kind KIND] -o FILE.png``: a view of an experiment as an image.

Kinds (``symsearch.viz.static``): ``history`` (each objective per trial with the running
best; pruned trials as crosses at their last report), ``pareto`` (several objectives: the
trials and their front), ``importance`` (Optuna's fANOVA or PED-ANOVA over the named decision
points), ``parallel`` (parallel coordinates), ``slice`` (objective against each decision,
where active) and ``intermediate`` (learning curves, pruned ones dashed). Without ``--kind``:
``pareto`` for several objectives, else ``history``.
"""
from __future__ import annotations

import argparse
import os
from typing import Any

from symsearch.cli.errors import UserError


def add_parser(subparsers: Any) -> None:
    from symsearch.viz.importance import METHODS
    from symsearch.viz.static import KINDS
    parser = subparsers.add_parser(
        "plot", help="plot a view of an experiment to an image",
        description="Plots a view of an experiment store: the objective history with the "
                    "running best (default for one objective), the Pareto front (default for "
                    "several), decision importance, parallel coordinates, slices or "
                    "intermediate values.")
    parser.add_argument("store", help="the experiment store (e.g. runs/quickstart.db)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the image to write (.png, .svg, .pdf)")
    parser.add_argument("--kind", choices=KINDS, default=None,
                        help="what to draw (default: pareto with several objectives, else "
                             "history)")
    parser.add_argument("--objective", type=int, default=0, metavar="I",
                        help="which objective (0-based) importance, slice, parallel and "
                             "intermediate use (default 0)")
    parser.add_argument("--log", action="store_true", help="history: log-scale values")
    parser.add_argument("--method", choices=METHODS, default="fanova",
                        help="importance: Optuna's evaluator (default fanova)")
    parser.set_defaults(handler=plot_command)


def plot_command(args: argparse.Namespace) -> int:
    import sqlite3

    from symsearch.store import StoreDamagedError
    from symsearch.viz.static import PlotError, save_plot
    if not os.path.exists(args.store):
        raise UserError(f"no experiment store at {args.store!r}")
    if os.path.isdir(args.store):
        raise UserError(f"{args.store!r} is a folder, not an experiment store")
    try:
        save_plot(args.store, args.kind, args.output, objective=args.objective, log=args.log,
                  method=args.method)
    except ImportError as e:
        raise UserError(str(e)) from None
    except (PlotError, StoreDamagedError) as e:
        raise UserError(str(e)) from None
    except (ValueError, OSError) as e:
        raise UserError(f"cannot plot {args.store!r} to {args.output!r}: {e}") from None
    except sqlite3.Error as e:
        raise UserError(f"cannot read the store {args.store!r}: {e}") from None
    print(f"Wrote {args.output}")
    return 0
