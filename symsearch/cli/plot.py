"""``symsearch plot STORE -o FILE.png``: the objective per trial with the running best, or,
with two objectives, every trial with the Pareto front highlighted. Pruned trials are drawn
as crosses at the last value they reported, outside the running best and the front."""
from __future__ import annotations

import argparse
import os
from typing import Any

from symsearch.cli.errors import UserError
from symsearch.cli.pruned import pruned_trials
from symsearch.cli.stored import (experiment_name, objectives_of, open_experiment, pareto_ids,
                                  scored_trials)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plot", help="plot an experiment's objective(s) to an image",
        description="Plots the objective of each trial with the running best (one objective) "
                    "or the trials and their Pareto front (two objectives).")
    parser.add_argument("store", help="the experiment store (e.g. runs/quickstart.db)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the image to write (.png, .svg, .pdf)")
    parser.set_defaults(handler=plot_command)


def plot_command(args: argparse.Namespace) -> int:
    experiment = open_experiment(args.store)
    objectives = objectives_of(experiment)
    if objectives is None:
        raise UserError(f"{args.store!r} records no objective, so there is nothing to plot")
    scored = scored_trials(experiment, objectives)
    pruned = pruned_trials(experiment, objectives)
    if not scored and not pruned:
        raise UserError(f"{args.store!r} has no successful trial to plot")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError('plot needs matplotlib: pip install "symsearch[plot]"') from None
    title = experiment_name(experiment, args.store)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    try:
        if objectives.is_multi:
            _pareto_plot(ax, scored, objectives, pruned)
        else:
            _progress_plot(ax, scored, objectives, pruned)
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize="small")
        fig.tight_layout()
        folder = os.path.dirname(os.path.abspath(args.output))
        os.makedirs(folder, exist_ok=True)
        try:
            fig.savefig(args.output)
        except (ValueError, OSError) as e:
            raise UserError(f"cannot write {args.output!r}: {e}") from None
    finally:
        plt.close(fig)
    print(f"Wrote {args.output}")
    return 0


def _progress_plot(ax: Any, scored: list, objectives: Any, pruned: list) -> None:
    name, direction = objectives.names[0], objectives.directions[0]
    if pruned:      # not in the running best: a pruned trial's value is from an early step
        ax.scatter([p.record.id for p in pruned], [p.values[0] for p in pruned], s=14,
                   marker="x", color="tab:orange", alpha=0.6,
                   label=f"pruned ({len(pruned)}, last report)")
    for status, style in (("done", dict(color="tab:blue", alpha=0.7)),
                          ("cached", dict(facecolors="none", edgecolors="tab:gray"))):
        points = [(r.id, v[0]) for v, r in scored if r.status == status]
        if points:
            ax.scatter(*zip(*points), s=18, label=status, **style)
    ids, best, running = [], [], None
    for values, record in scored:
        if running is None or objectives.better(values[0], running):
            running = values[0]
        ids.append(record.id)
        best.append(running)
    if ids:
        ax.step(ids, best, where="post", color="tab:red", label=f"best ({direction})")
    ax.set_xlabel("trial id")
    ax.set_ylabel(name)


def _pareto_plot(ax: Any, scored: list, objectives: Any, pruned: list) -> None:
    if pruned:
        ax.scatter([p.values[0] for p in pruned], [p.values[1] for p in pruned], s=14,
                   marker="x", color="tab:orange", alpha=0.6,
                   label=f"pruned ({len(pruned)}, last report)")
    front_ids = pareto_ids(scored, objectives)
    rest = [v for v, r in scored if r.id not in front_ids]
    front = sorted(v for v, r in scored if r.id in front_ids)
    if rest:
        ax.scatter([v[0] for v in rest], [v[1] for v in rest], s=16, color="tab:gray",
                   alpha=0.6, label="trials")
    ax.plot([v[0] for v in front], [v[1] for v in front], "o-", color="tab:red", markersize=5,
            label="Pareto front")
    ax.set_xlabel(str(objectives.objectives[0]))
    ax.set_ylabel(str(objectives.objectives[1]))
    if len(objectives.names) > 2:
        ax.text(0.01, 0.01, f"front over all {len(objectives.names)} objectives; showing the "
                f"first two", transform=ax.transAxes, fontsize="small")
