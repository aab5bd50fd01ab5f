"""Trials an early-stopping policy stopped, as ``show`` and ``plot`` present them.

A pruned trial stopped before its last epoch, so its value is not comparable with finished
trials' and it is never ranked among them; but it is part of the experiment (in an ASHA run
most trials are pruned), so both commands show it, marked, with the last value it reported:
its recorded metrics (what it returned, or its latest report) or else its latest report.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Optional


class PrunedTrial(NamedTuple):
    """A pruned trial's objective values, its metrics, and the step of its last report."""

    values: tuple
    record: Any
    metrics: dict
    step: Optional[int]


def last_metrics(record: Any) -> tuple:
    """``(metrics, step)``: what a pruned trial last reported (step None when unknown)."""
    reports = [r for r in (record.reports or ()) if isinstance(r, dict)]
    step = reports[-1].get("step") if reports else None
    if record.metrics:
        return dict(record.metrics), step
    if reports and isinstance(reports[-1].get("metrics"), dict):
        return dict(reports[-1]["metrics"]), step
    return {}, step


def pruned_trials(experiment: Any, objectives: Any) -> list:
    """Pruned trials that reported every objective, best last value first (id on ties)."""
    from symsearch.search.objectives import ObjectiveError
    out = []
    for record in experiment.trials:
        if record.status != "pruned":
            continue
        metrics, step = last_metrics(record)
        try:
            values = tuple(objectives.values(metrics))
        except (ObjectiveError, TypeError, ValueError):
            continue
        out.append(PrunedTrial(values, record, metrics, step))
    sign = objectives.signs[0]
    out.sort(key=lambda p: (-p.values[0] * sign, p.record.id))
    return out
