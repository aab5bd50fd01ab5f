"""``Result``: what a finished (or resumed) search returns.

>>> import symsearch as ss
>>> result = ss.search(ss.Dict(x=ss.floatv(0, 1)), lambda c: {"acc": c["x"]},
...                    objective="max:acc", num_trials=5, seed=0)
>>> result.best.metrics["acc"] == max(r.metrics["acc"] for r in result.trials)
True
>>> len(result.pareto) >= 1      # multi-objective searches: the non-dominated trials
True

``result.to_dataframe()`` gives one row per trial (needs pandas).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from symsearch.search.objectives import ObjectiveError, Objectives

FINISHED_OK = ("done", "cached")


@dataclass
class TrialView:
    """A finished trial with its materialized candidate."""

    id: int
    dna: Any
    value: Any
    metrics: Optional[dict]
    status: str
    error: Optional[str] = None

    def __repr__(self) -> str:
        return (f"TrialView(id={self.id}, status={self.status!r}, metrics={self.metrics}, "
                f"value={self.value!r})")


class Result:
    """Trials of a search with the best one(s) by the objectives."""

    def __init__(self, records: list, objectives: Optional[Objectives],
                 materialize: Callable[[Any], Any], stats: Optional[dict] = None):
        self.records = sorted(records, key=lambda r: r.id)
        self.objectives = objectives
        self._materialize = materialize
        self.stats = dict(stats or {})

    def _view(self, record) -> TrialView:
        return TrialView(record.id, record.dna, self._materialize(record), record.metrics,
                         record.status, record.error)

    def _scored(self) -> list:
        out = []
        for r in self.records:
            if r.status not in FINISHED_OK or not r.metrics or self.objectives is None:
                continue
            try:
                out.append((self.objectives.values(r.metrics), r))
            except ObjectiveError:
                continue
        return out

    @property
    def trials(self) -> list:
        """Every trial record (done, failed, cached, pruned), in id order."""
        return list(self.records)

    def count(self, status: str) -> int:
        return sum(1 for r in self.records if r.status == status)

    @property
    def best(self) -> Optional[TrialView]:
        """The best trial by the first objective (None when nothing succeeded)."""
        scored = self._scored()
        if not scored:
            return None
        sign = self.objectives.signs[0]
        values, record = max(scored, key=lambda vr: (vr[0][0] * sign, -vr[1].id))
        return self._view(record)

    def top(self, k: int = 10) -> list:
        scored = self._scored()
        if not scored:
            return []
        sign = self.objectives.signs[0]
        scored.sort(key=lambda vr: (-vr[0][0] * sign, vr[1].id))
        return [self._view(r) for _, r in scored[:k]]

    @property
    def pareto(self) -> list:
        """Non-dominated trials over all objectives (the best trial when there is one)."""
        scored = self._scored()
        front = [r for v, r in scored
                 if not any(self.objectives.dominates(w, v) for w, _ in scored)]
        return [self._view(r) for r in front]

    def to_dataframe(self):
        """One row per trial: id, status, metrics columns, decisions; needs pandas."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Result.to_dataframe() needs pandas: pip install pandas") from None
        rows = []
        for r in self.records:
            row = {"id": r.id, "status": r.status, "error": r.error,
                   "elapsed": (r.finished_at - r.started_at) if r.finished_at else None}
            row.update(r.metrics or {})
            rows.append(row)
        return pd.DataFrame(rows)

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        counts = {s: self.count(s) for s in ("done", "failed", "cached", "pruned")}
        best = self.best
        return f"Result({len(self)} trials {counts}, best={best.metrics if best else None})"
