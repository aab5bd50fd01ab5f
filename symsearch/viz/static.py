"""Static images of a store's views with matplotlib: history, Pareto front, decision
importance, parallel coordinates, slices and intermediate values (learning curves).

These draw what the dashboard shows, from the same ``LiveStore`` data, for reports and for
machines without a browser. Each ``draw_*`` function draws on a matplotlib Figure;
``save_plot`` opens a store, draws one kind and writes the file.

>>> import os, tempfile
>>> import symsearch as ss
>>> folder = tempfile.mkdtemp()
>>> store = os.path.join(folder, "x.db")
>>> _ = ss.search(ss.Dict(x=ss.floatv(0.0, 1.0)), lambda c: {"loss": c["x"]},
...               objective="min:loss", algorithm="random", num_trials=8, seed=0, store=store)
>>> save_plot(store, "slice", os.path.join(folder, "slice.png")).endswith("slice.png")
True
"""
from __future__ import annotations

import inspect
import math
import os
from typing import Any, Optional

from symsearch.viz.live import SCORED, LiveStore

KINDS = ("history", "pareto", "importance", "parallel", "slice", "intermediate")


class PlotError(ValueError):
    """The store holds nothing this kind of plot can draw (the message says why)."""


def _pyplot() -> Any:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError('plots need matplotlib: pip install "symsearch[plot]"') from None
    return plt


def _objectives(live: LiveStore) -> Any:
    if live.objectives is None:
        raise PlotError(f"{str(live.path)!r} records no objective, so there is nothing to plot")
    return live.objectives


def draw_history(fig: Any, live: LiveStore, log: bool = False) -> None:
    """Each objective against trial id: done and cached trials, pruned ones as crosses at
    their last report, and the running best (a step line) of scored trials."""
    objectives = _objectives(live)
    values = live.objective_values()
    table = live.table
    if not any(v is not None for v in values):
        raise PlotError(f"{str(live.path)!r} has no successful trial to plot")
    axes = fig.subplots(len(objectives.names), 1, squeeze=False, sharex=True)[:, 0]
    for k, ax in enumerate(axes):
        name, direction = objectives.names[k], objectives.directions[k]
        pruned = [(i, v[k]) for i, s, v in zip(table.ids, table.statuses, values)
                  if s == "pruned" and v is not None]
        if pruned:      # not in the running best: a pruned trial's value is from an early step
            ax.scatter([p[0] for p in pruned], [p[1] for p in pruned], s=14, marker="x",
                       color="tab:orange", alpha=0.6,
                       label=f"pruned ({len(pruned)}, last report)")
        for status, style in (("done", dict(color="tab:blue", alpha=0.7)),
                              ("cached", dict(facecolors="none", edgecolors="tab:gray"))):
            points = [(i, v[k]) for i, s, v in zip(table.ids, table.statuses, values)
                      if s == status and v is not None]
            if points:
                ax.scatter([p[0] for p in points], [p[1] for p in points], s=18, label=status,
                           **style)
        ids, best, running = [], [], None
        for i, s, v in zip(table.ids, table.statuses, values):
            if v is None or s not in SCORED:
                continue
            if running is None or (v[k] - running) * objectives.signs[k] > 0:
                running = v[k]
            ids.append(i)
            best.append(running)
        if ids:
            ax.step(ids, best, where="post", color="tab:red", label=f"best ({direction})")
        if log and all(p > 0 for _, p in pruned) and all(b > 0 for b in best):
            ax.set_yscale("log")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize="small")
    axes[-1].set_xlabel("trial id")


def draw_pareto(fig: Any, live: LiveStore) -> None:
    """The first two objectives of every scored trial, the Pareto front as a line, pruned
    trials as crosses."""
    objectives = _objectives(live)
    if not objectives.is_multi:
        raise PlotError(f"{str(live.path)!r} has one objective ({objectives.to_list()[0]}); a "
                        f"Pareto front needs two or more: use --kind history")
    values = live.objective_values()
    table = live.table
    front_ids = live.pareto_ids()
    ax = fig.subplots()
    pruned = [v for s, v in zip(table.statuses, values) if s == "pruned" and v is not None]
    if pruned:
        ax.scatter([v[0] for v in pruned], [v[1] for v in pruned], s=14, marker="x",
                   color="tab:orange", alpha=0.6, label=f"pruned ({len(pruned)}, last report)")
    scored = [(i, v) for i, s, v in zip(table.ids, table.statuses, values)
              if s in SCORED and v is not None]
    if not scored and not pruned:
        raise PlotError(f"{str(live.path)!r} has no successful trial to plot")
    rest = [v for i, v in scored if i not in front_ids]
    front = sorted(v for i, v in scored if i in front_ids)
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
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")


def _decisions(live: LiveStore) -> Any:
    table = live.decisions()
    if not table.columns:
        raise PlotError(f"{str(live.path)!r}: its space has no numeric or choice decision to "
                        f"plot")
    if not table.ids:
        raise PlotError(f"{str(live.path)!r} has no successful trial to plot")
    return table


def draw_importance(fig: Any, live: LiveStore, objective: int = 0,
                    method: str = "fanova") -> None:
    """Horizontal bars of each decision's importance (Optuna's evaluator), one group per
    scope (all trials, then each conditional branch)."""
    from symsearch.viz.importance import decision_importance
    objectives = _objectives(live)
    rows = decision_importance(_decisions(live), objective, objectives.directions[objective],
                               method=method)
    if not rows:
        raise PlotError(f"{str(live.path)!r}: too few scored trials (or no varying decision) "
                        f"to compute importances")
    ax = fig.subplots()
    labels = [r["name"] if r["scope"] == "all trials" else f"{r['name']}  [{r['scope']}]"
              for r in rows]
    ax.barh(range(len(rows)), [r["importance"] for r in rows], color="tab:blue")
    ax.set_yticks(range(len(rows)), labels, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel(f"importance for {objectives.objectives[objective]} ({method})")
    ax.grid(axis="x", alpha=0.3)


def _objective_column(live: LiveStore, table: Any, objective: int) -> list:
    return [v[objective] for v in table.objective_values]


def draw_slice(fig: Any, live: LiveStore, objective: int = 0) -> None:
    """One panel per decision: the objective against the decision's value, over the trials
    where the decision is active (choices as their candidate labels)."""
    objectives = _objectives(live)
    table = _decisions(live)
    y = _objective_column(live, table, objective)
    n = len(table.columns)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    for k, column in enumerate(table.columns):
        ax = axes[k // cols][k % cols]
        points = [(row[k], v) for row, v in zip(table.values, y) if row[k] is not None]
        if points:
            ax.scatter([p[0] for p in points], [p[1] for p in points], s=10, alpha=0.6,
                       c=range(len(points)), cmap="viridis")
        if column.kind == "choice" and column.choices:
            ax.set_xticks(range(len(column.choices)), column.choices, rotation=30,
                          fontsize="x-small")
        elif column.log:
            ax.set_xscale("log")
        title = column.name + (f"\n(when {column.condition})" if column.condition else "")
        ax.set_title(title, fontsize="small")
        if k % cols == 0:
            ax.set_ylabel(str(objectives.objectives[objective]))
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].set_visible(False)


def draw_parallel(fig: Any, live: LiveStore, objective: int = 0) -> None:
    """Parallel coordinates: one axis per decision (scaled to its range) and the objective
    last; each trial a line coloured by its objective. Inactive decisions break the line."""
    objectives = _objectives(live)
    table = _decisions(live)
    y = _objective_column(live, table, objective)
    ax = fig.subplots()
    columns = table.columns
    lo_y, hi_y = min(y), max(y)

    def scaled(column: Any, value: Any) -> Optional[float]:
        if value is None:
            return None
        if column.kind == "choice":
            span = max(1, len(column.choices) - 1)
            return value / span
        lo, hi = column.lo, column.hi
        if column.log and lo > 0 and value > 0:
            lo, hi, value = math.log(lo), math.log(hi), math.log(value)
        return (value - lo) / (hi - lo) if hi > lo else 0.5

    import matplotlib
    colours = matplotlib.colormaps["viridis"]     # yellow: best
    order = sorted(range(len(y)), key=lambda i: y[i] * objectives.signs[objective])
    for i in order:                     # best drawn last, on top
        points = [scaled(c, table.values[i][k]) for k, c in enumerate(columns)]
        points.append((y[i] - lo_y) / (hi_y - lo_y) if hi_y > lo_y else 0.5)
        shade = points[-1] if objectives.directions[objective] == "max" else 1 - points[-1]
        xs = [x for x, p in enumerate(points) if p is not None]
        ax.plot(xs, [p for p in points if p is not None], color=colours(shade),
                alpha=0.5, linewidth=0.8)
    names = [c.name for c in columns] + [str(objectives.objectives[objective])]
    ax.set_xticks(range(len(names)), names, rotation=20, fontsize="small")
    ax.set_yticks([0, 1], ["low", "high"])
    ax.set_xlim(-0.2, len(names) - 0.8)
    for x in range(len(names)):
        ax.axvline(x, color="black", linewidth=0.6)


def draw_intermediate(fig: Any, live: LiveStore, objective: int = 0,
                      max_trials: int = 200) -> None:
    """The learning curve (reported value per step) of each trial with reports; pruned
    trials dashed and ending in a cross."""
    objectives = _objectives(live)
    name = objectives.names[objective]
    table = live.table
    with_reports = [i for i, n in zip(table.ids, table.num_reports) if n][-max_trials:]
    if not with_reports:
        raise PlotError(f"{str(live.path)!r} has no trial with intermediate reports")
    ax = fig.subplots()
    drawn = 0
    for trial_id in with_reports:
        record = live.trial(trial_id)
        steps, values = [], []
        for k, report in enumerate(record.reports):
            value = report.get("metrics", {}).get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                    math.isfinite(value):
                steps.append(report.get("step") if report.get("step") is not None else k)
                values.append(value)
        if not values:
            continue
        pruned = record.status == "pruned"
        ax.plot(steps, values, linestyle="--" if pruned else "-", alpha=0.6, linewidth=1,
                color="tab:orange" if pruned else "tab:blue")
        if pruned:
            ax.scatter([steps[-1]], [values[-1]], marker="x", color="tab:orange", s=16)
        drawn += 1
    if not drawn:
        raise PlotError(f"{str(live.path)!r}: no report holds the objective {name!r}")
    ax.plot([], [], color="tab:blue", label="finished")
    ax.plot([], [], color="tab:orange", linestyle="--", label="pruned")
    ax.set_xlabel("step")
    ax.set_ylabel(name)
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)


_DRAW = {"history": draw_history, "pareto": draw_pareto, "importance": draw_importance,
         "parallel": draw_parallel, "slice": draw_slice, "intermediate": draw_intermediate}


def default_kind(live: LiveStore) -> str:
    """What ``symsearch plot`` draws without ``--kind``: the Pareto front for several
    objectives, else the history."""
    return "pareto" if live.objectives is not None and live.objectives.is_multi else "history"


def save_plot(store: Any, kind: Optional[str], output: str, **options: Any) -> str:
    """Draws ``kind`` (one of KINDS; None: ``default_kind``) of the store at ``store`` (a path
    or a LiveStore) to the image ``output`` (.png, .svg, .pdf); returns ``output``.

    Options: ``log`` (history), ``objective`` (index; importance, slice, parallel,
    intermediate), ``method`` ("fanova" or "ped-anova"; importance). Raises PlotError when the
    store holds nothing to draw, ValueError for an unknown kind."""
    if kind is not None and kind not in _DRAW:
        raise ValueError(f"kind={kind!r} is not a plot kind; expected one of "
                         f"{', '.join(KINDS)}")
    live = store if isinstance(store, LiveStore) else LiveStore(store)
    plt = _pyplot()
    try:
        kind = kind or default_kind(live)
        objective = options.get("objective", 0)
        if live.objectives is not None and not 0 <= objective < len(live.objectives.names):
            raise PlotError(f"objective={objective} is out of range: the store has "
                            f"{len(live.objectives.names)} objective(s) "
                            f"{live.objectives.to_list()}")
        size = (9, 6) if kind in ("slice", "parallel") else (7, 4.5)
        fig = plt.figure(figsize=size, dpi=120)
        try:
            draw = _DRAW[kind]
            accepted = inspect.signature(draw).parameters
            draw(fig, live, **{k: v for k, v in options.items()
                               if v is not None and k in accepted})
            fig.suptitle(f"{live.name}: {kind}")
            fig.tight_layout()
            folder = os.path.dirname(os.path.abspath(output))
            os.makedirs(folder, exist_ok=True)
            fig.savefig(output)
        finally:
            plt.close(fig)
    finally:
        if live is not store:
            live.close()
    return output
