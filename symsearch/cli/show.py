"""``symsearch show STORE``: the best trials of an experiment as a table, and its counts.

Pruned trials (stopped early) follow the ranked ones, marked ``pruned @STEP`` with the last
value they reported. Stored strings are shown as text, never read as rich markup.
"""
from __future__ import annotations

import argparse
from typing import Any

from symsearch.cli.display import (format_candidate_json, format_value, program_source,
                                   shorten)
from symsearch.cli.pruned import pruned_trials
from symsearch.cli.stored import (experiment_name, objectives_of, open_experiment, pareto_ids,
                                  ranked_trials, scored_trials, status_counts)

_MAX_OTHER_METRICS = 4


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "show", help="show the best trials of an experiment store",
        description="Shows the best trials of an experiment store, with counts by status.")
    parser.add_argument("store", help="the experiment store (e.g. runs/quickstart.db)")
    parser.add_argument("--top", type=int, default=10, metavar="K",
                        help="how many trials to show (default 10)")
    parser.add_argument("--distinct", action="store_true",
                        help="show each candidate once: leave out cached trials that repeat a "
                        "shown trial's answer, and trials whose candidate was already shown")
    parser.set_defaults(handler=show_command)


def show_command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from symsearch.cli.errors import UserError
    if args.top < 1:
        raise UserError(f"--top: expected a positive int, got {args.top}")
    experiment = open_experiment(args.store)
    objectives = objectives_of(experiment)
    # Every stored string (names, metrics, candidates, errors) is printed as Text or with
    # markup=False: a candidate "[/mnt/a]" is data, not rich markup.
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = max(console.width, 160)  # a file or pipe: don't wrap at 80
    counts = status_counts(experiment)
    name = experiment_name(experiment, args.store)
    algorithm = (experiment.config or {}).get("algorithm", "?")
    console.print(Text.assemble((name, "bold"), f"  ({args.store})"))
    console.print(f"objective: {', '.join(objectives.to_list()) if objectives else '-'}   "
                  f"algorithm: {algorithm}", markup=False)
    console.print(f"trials: {len(experiment.trials)} (" + ", ".join(
        f"{counts[s]} {s}" for s in counts if counts[s] or s in ("done", "failed", "cached")) +
        f")   cache hits: {counts['cached']}{_saved_text(experiment, counts)}", markup=False)
    pruned: list = []
    if objectives is None:
        rows = [r for r in experiment.trials if r.status in ("done", "cached")][:args.top]
        front: set = set()
    else:
        rows = ranked_trials(experiment, objectives)
        rows = (_distinct(rows) if args.distinct else rows)[:args.top]
        front = pareto_ids(scored_trials(experiment, objectives), objectives) \
            if objectives.is_multi else set()
        pruned = pruned_trials(experiment, objectives)
    if not rows and not pruned:
        console.print("No successful trial yet.")
        _print_failures(console, experiment)
        return 0
    objective_names = list(objectives.names) if objectives else []
    shown_pruned = pruned[:args.top]
    other = []
    for metrics in [r.metrics or {} for r in rows] + [p.metrics for p in shown_pruned]:
        for key in metrics:
            if key not in objective_names and key not in other:
                other.append(key)
    other = other[:_MAX_OTHER_METRICS]
    title = f"Top {len(rows)} trials" + (" (Pareto front first, *)" if front else "")
    if pruned:
        title += (f", then {len(shown_pruned)} of {len(pruned)} pruned (stopped early; their "
                  f"last reported value)")
    table = Table(title=Text(title))
    table.add_column("id", justify="right")
    table.add_column("status")
    for objective in (objectives.objectives if objectives else ()):
        table.add_column(Text(str(objective)), justify="right", style="green")
    for key in other:
        table.add_column(Text(str(key)), justify="right")
    table.add_column("candidate", overflow="fold")

    def add_row(record: Any, status: str, metrics: dict, mark: str = "") -> None:
        cells = [f"{record.id}{mark}", status]
        cells += [format_value(metrics.get(n)) for n in objective_names]
        cells += [format_value(metrics[k]) if k in metrics else "" for k in other]
        cells.append(candidate_text(record.candidate_json))
        table.add_row(*(Text(c) for c in cells))

    for r in rows:
        add_row(r, r.status, r.metrics or {}, "*" if r.id in front else "")
    if rows and shown_pruned:
        table.add_section()
    for p in shown_pruned:
        add_row(p.record, "pruned" if p.step is None else f"pruned @{p.step}", p.metrics)
    console.print(table)
    _print_failures(console, experiment)
    return 0


def _distinct(rows: list) -> list:
    """The rows without repeats: a cached trial whose source trial is shown, or a trial whose
    stored candidate (or functional hash) was already shown."""
    seen_ids, seen_keys, out = set(), set(), []
    for r in rows:
        key = r.functional_hash or r.candidate_json
        if (r.cached_from is not None and r.cached_from in seen_ids) or \
                (key is not None and key in seen_keys):
            continue
        seen_ids.add(r.id)
        if r.cached_from is not None:
            seen_ids.add(r.cached_from)
        if key is not None:
            seen_keys.add(key)
        out.append(r)
    return out


def candidate_text(candidate_json: Any, max_length: int = 100) -> str:
    """A stored candidate in one line: programs and expression trees (also inside a symbolic
    object, e.g. a pruning metric) as source, ``"a = op(b); ...; return x"``; anything else
    as its compact symbolic form."""
    if candidate_json and "symsearch.programs." in candidate_json:
        try:
            import symsearch as ss
            import symsearch.programs  # noqa: F401  (registers Program, Statement, Call, ...)
            source = program_source(ss.from_json_str(candidate_json))
        except Exception:       # not loadable here: fall back to the compact form
            source = None
        if source is not None:
            lines = [line.strip() for line in source.splitlines()]
            if lines[0].startswith("def "):
                lines = lines[1:]
            return shorten("; ".join(lines), 4 * max_length)
    return format_candidate_json(candidate_json, max_length=max_length)


def _saved_text(experiment: Any, counts: dict) -> str:
    """Hashing time and evaluation time the cache saved (from the store's counters)."""
    stats = experiment.cache_stats() or {}
    saved, hashing = stats.get("saved_time") or 0.0, stats.get("hash_time") or 0.0
    if not counts["cached"] and not hashing:
        return ""
    return f" (hashing {hashing:.2f}s, ~{saved:.1f}s of evaluation saved)"


def _print_failures(console: Any, experiment: Any) -> None:
    failed = [r for r in experiment.trials if r.status == "failed"]
    if not failed:
        return
    last = failed[-1]
    error = (last.error or "").strip().splitlines()
    console.print(f"{len(failed)} failed; last (trial {last.id}): "
                  f"{error[-1] if error else 'no error recorded'}", markup=False)

