"""Reading an experiment store for ``show``, ``plot`` and ``export``: opening it with clear
errors, its objectives, and its trials ranked by them."""
from __future__ import annotations

import os
from typing import Any, Optional

from symsearch.cli.errors import UserError

SCORED = ("done", "cached")


def open_experiment(path: str) -> Any:
    """``symsearch.store.analysis.load_experiment(path)``; UserError with the store's own
    message when it is not there, not a store, damaged (StoreDamagedError, which says how to
    recover it) or unreadable. A store being written by a running search reads fine: readers
    need no lease."""
    import sqlite3

    from symsearch.store import StoreDamagedError, StoreReadOnlyError
    from symsearch.store.analysis import load_experiment
    if not os.path.exists(path):
        raise UserError(f"no experiment store at {path!r}")
    if os.path.isdir(path):
        raise UserError(f"{path!r} is a folder, not an experiment store")
    try:
        return load_experiment(path)
    except (StoreDamagedError, StoreReadOnlyError, ValueError, OSError) as e:
        raise UserError(str(e)) from None
    except sqlite3.Error as e:      # e.g. a disk I/O error: name the file at least
        raise UserError(f"cannot read the store {path!r}: {e}") from None


def objectives_of(experiment: Any) -> Optional[Any]:
    """The experiment's objectives (from its stored config), or None when it has none."""
    from symsearch.search.objectives import Objectives
    spec = (experiment.config or {}).get("objective")
    if not spec:
        return None
    try:
        return Objectives.parse(spec)
    except ValueError:
        return None


def scored_trials(experiment: Any, objectives: Any) -> list:
    """``(values, record)`` of trials with every objective, in id order."""
    from symsearch.search.objectives import ObjectiveError
    out = []
    for record in experiment.trials:
        if record.status not in SCORED or not record.metrics:
            continue
        try:
            out.append((objectives.values(record.metrics), record))
        except ObjectiveError:
            continue
    return out


def pareto_ids(scored: list, objectives: Any) -> set:
    return {r.id for v, r in scored if not any(objectives.dominates(w, v) for w, _ in scored)}


def ranked_trials(experiment: Any, objectives: Any) -> list:
    """Scored trials best first by the first objective (earliest first on ties); with
    several objectives, the Pareto front comes first."""
    scored = scored_trials(experiment, objectives)
    front = pareto_ids(scored, objectives) if objectives.is_multi else set()
    sign = objectives.signs[0]
    scored.sort(key=lambda vr: (vr[1].id not in front, -vr[0][0] * sign, vr[1].id))
    return [r for _, r in scored]


def best_trial(experiment: Any, objectives: Any) -> Optional[Any]:
    """The best trial by the first objective, None when no trial succeeded."""
    scored = scored_trials(experiment, objectives)
    if not scored:
        return None
    sign = objectives.signs[0]
    return max(scored, key=lambda vr: (vr[0][0] * sign, -vr[1].id))[1]


def status_counts(experiment: Any) -> dict:
    counts = {s: 0 for s in ("done", "failed", "cached", "pruned", "running")}
    for record in experiment.trials:
        counts[record.status] = counts.get(record.status, 0) + 1
    return counts


def experiment_name(experiment: Any, path: str) -> str:
    name = (experiment.config or {}).get("name")
    return name or os.path.splitext(os.path.basename(path))[0]
