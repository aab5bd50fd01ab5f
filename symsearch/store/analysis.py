"""load_experiment: a read-only snapshot of an experiment store, for analysis.

>>> import os, tempfile
>>> from symsearch.store import SqliteStore
>>> path = os.path.join(tempfile.mkdtemp(), "exp.db")
>>> with SqliteStore(path) as store:
...     store.initialize({"algorithm": "random"}, None, "fp")
...     for i, loss in enumerate([0.5, 0.2, 0.9]):
...         store.finish_trial(store.start_trial([i], None), "done", metrics={"loss": loss})
>>> experiment = load_experiment(path)
>>> experiment.best("min:loss").dna
[1]
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional, Union

from symsearch.store.base import Store
from symsearch.store.records import SCORED_STATUSES, TrialRecord


class Experiment:
    """What an experiment store held when it was loaded: config, trials, cache counters.

    Attributes:
      path: the store file (None for a store given as an object).
      config: the experiment configuration ({} when the store was never initialized).
      space_json, spec_fingerprint: as given to ``Store.initialize`` (None when not).
      trials: every trial, ordered by id, as TrialRecords.
      algorithm_state: the last saved algorithm state, or None.
      owner: the lease owner when it was loaded (host, pid, acquired_at, heartbeat_at, age_s),
        None when no search held it: a search still running shows here.
    """

    def __init__(self, trials: list, config: dict, space_json: Optional[str],
                 spec_fingerprint: Optional[str], algorithm_state: Optional[dict],
                 cache_stats: dict, cache_entries: dict, path: Optional[Path] = None,
                 owner: Optional[dict] = None) -> None:
        self.path = path
        self.owner = owner
        self.config = config
        self.space_json = space_json
        self.spec_fingerprint = spec_fingerprint
        self.trials = trials
        self.algorithm_state = algorithm_state
        self._cache_stats = cache_stats
        self._cache_entries = cache_entries

    @classmethod
    def from_store(cls, store: Store, path: Optional[Path] = None) -> "Experiment":
        """A snapshot of an open store."""
        initialized = store.is_initialized()
        return cls(
            trials=store.trials(),
            config=store.config() if initialized else {},
            space_json=store.space_json() if initialized else None,
            spec_fingerprint=store.spec_fingerprint() if initialized else None,
            algorithm_state=store.load_algorithm_state(),
            cache_stats=store.cache_stats(),
            cache_entries=store.cache_entries(),
            path=path,
            owner=store.lease_owner())

    def __len__(self) -> int:
        return len(self.trials)

    def __iter__(self):
        return iter(self.trials)

    def trial(self, trial_id: int) -> TrialRecord:
        """The trial with id ``trial_id``; KeyError when there is none."""
        for record in self.trials:
            if record.id == trial_id:
                return record
        raise KeyError(f"no trial with id {trial_id!r} in this experiment")

    def trials_with(self, status: str) -> list:
        """The trials whose status is ``status``."""
        return [t for t in self.trials if t.status == status]

    def _scored(self, objectives) -> list:
        from symsearch.search.objectives import ObjectiveError
        scored = []
        for record in self.trials:
            if record.status not in SCORED_STATUSES or not record.metrics:
                continue
            try:
                scored.append((objectives.values(record.metrics), record))
            except ObjectiveError:   # failed to produce the metric, or NaN: not a candidate
                continue
        return scored

    def best(self, objective: Any) -> Optional[TrialRecord]:
        """The finished trial with the best value of ``objective`` ("max:accuracy",
        "min:loss"); the earliest one on ties, None when no trial has that metric. Failed and
        pruned trials are not considered; cached ones are."""
        from symsearch.search.objectives import Objectives
        objectives = Objectives.parse(objective)
        if objectives is None:
            raise ValueError("objective is required, e.g. 'max:accuracy' or 'min:loss'")
        if objectives.is_multi:
            raise ValueError(f"best() takes one objective, got {objectives.to_list()}; use "
                             f"pareto_front() for several")
        best_value, best_record = None, None
        for (value,), record in self._scored(objectives):
            if best_record is None or objectives.better(value, best_value):
                best_value, best_record = value, record
        return best_record

    def pareto_front(self, objectives: Any) -> list:
        """The finished trials no other trial dominates on ``objectives`` (a list such as
        ``["max:accuracy", "min:latency"]``), ordered by id."""
        from symsearch.search.objectives import Objectives
        objectives = Objectives.parse(objectives)
        if objectives is None:
            raise ValueError("objectives are required, e.g. ['max:accuracy', 'min:latency']")
        scored = self._scored(objectives)
        return [record for values, record in scored
                if not any(objectives.dominates(other, values) for other, _ in scored)]

    def to_dataframe(self):
        """The trials as a pandas DataFrame: one row per trial, one ``metrics.NAME`` column per
        final metric, plus ``duration`` and ``num_reports``."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe() needs pandas: pip install pandas") from None
        rows = []
        for t in self.trials:
            row = {"id": t.id, "status": t.status, "dna": t.dna, "started_at": t.started_at,
                   "finished_at": t.finished_at, "duration": t.duration, "worker": t.worker,
                   "structural_hash": t.structural_hash, "functional_hash": t.functional_hash,
                   "cached_from": t.cached_from, "error": t.error,
                   "num_reports": len(t.reports)}
            for name, value in (t.metrics or {}).items():
                row[f"metrics.{name}"] = value
            rows.append(row)
        columns = ["id", "status", "dna", "started_at", "finished_at", "duration", "worker",
                   "structural_hash", "functional_hash", "cached_from", "error", "num_reports"]
        metric_columns = sorted({k for row in rows for k in row if k.startswith("metrics.")})
        return pd.DataFrame(rows, columns=columns + metric_columns)

    def cache_stats(self) -> dict:
        """The cache counters (hits, misses, hash_time, saved_time) with ``entries`` (distinct
        cached keys) and ``hit_rate`` (hits / lookups, None before any lookup)."""
        stats = dict(self._cache_stats)
        lookups = stats["hits"] + stats["misses"]
        stats["entries"] = len(self._cache_entries)
        stats["hit_rate"] = stats["hits"] / lookups if lookups else None
        return stats

    def cache_entries(self) -> dict:
        """The cache entries: key -> {"metrics", "count", "eval_time", "trial_id"}."""
        return self._cache_entries

    def __repr__(self) -> str:
        counts: dict = {}
        for t in self.trials:
            counts[t.status] = counts.get(t.status, 0) + 1
        where = f"{str(self.path)!r}, " if self.path is not None else ""
        return f"Experiment({where}trials={len(self.trials)}, by_status={counts})"


def load_experiment(path: Union[str, os.PathLike, Store]) -> Experiment:
    """Loads an experiment store (a file written by a search, or an open Store) for analysis.

    The file is opened read-only and closed again; the Experiment is a snapshot, safe to take
    while a search is still writing (readers need no lease). Raises FileNotFoundError, ValueError
    for a file that is no store, and StoreDamagedError for a damaged one.
    """
    if isinstance(path, Store):
        return Experiment.from_store(path)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path or a Store, got {type(path).__name__}")
    from symsearch.store.sqlite import SqliteStore
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"no experiment store at {str(file)!r}")
    store = SqliteStore(file, read_only=True)
    try:
        return Experiment.from_store(store, path=file)
    finally:
        store.close()
