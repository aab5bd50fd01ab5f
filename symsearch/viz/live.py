"""LiveStore: one experiment store opened for viewing, read-only, while a search may write it.

It joins what the views need: the experiment's config and objectives (through the store's
read API), a ``TrialTable`` of the cheap columns (refreshed on demand), each trial's full
record (``SqliteStore.trial``) and the decision table behind importance, slice and
parallel-coordinate views (DNA read through the store's own functions, only for trials not
read before).

>>> import os, tempfile
>>> import symsearch as ss
>>> path = os.path.join(tempfile.mkdtemp(), "x.db")
>>> _ = ss.search(ss.Dict(x=ss.floatv(0.0, 1.0)), lambda c: {"loss": c["x"]}, objective="min:loss",
...               algorithm="random", num_trials=5, seed=0, store=path)
>>> live = LiveStore(path)
>>> live.overview()["trials"], live.best()[0] is not None
(5, True)
>>> live.close()
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Optional, Union

from symsearch.viz.decisions import DecisionTable, decision_columns, stored_spec, value_of
from symsearch.viz.table import TrialTable

SCORED = ("done", "cached")
STALE_LEASE_S = 60.0       # a lease whose heartbeat is older is a dead search's (lease.py)


class LiveStore:
    """A store opened for the plots and the dashboard; see the module docstring."""

    def __init__(self, path: Union[str, os.PathLike]) -> None:
        from symsearch.search.objectives import Objectives
        from symsearch.store import SqliteStore
        self.path = Path(path)
        self.store = SqliteStore(self.path, read_only=True)
        self._lock = threading.RLock()
        initialized = self.store.is_initialized()
        self.config = self.store.config() if initialized else {}
        self.created_at = self.store.created_at() if initialized else None
        self._space_json = self.store.space_json() if initialized else None
        spec = self.config.get("objective")
        try:
            self.objectives = Objectives.parse(spec) if spec else None
        except ValueError:
            self.objectives = None
        self.table = TrialTable(self.path, self.objectives.names if self.objectives else ())
        self.name = str(self.config.get("name") or self.path.stem)
        self._objective_values: tuple = (-1, [])   # (table version, values) of the last call
        self._spec: Any = False                  # not derived yet
        self._decisions: Optional[DecisionTable] = None
        self._decision_ids: set = set()

    # -- reading ---------------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Reads what the search wrote since the last call; True when anything changed."""
        return self.table.refresh()

    @property
    def version(self) -> int:
        return self.table.version

    def objective_values(self) -> list:
        """Per trial (table order): a tuple of objective values for scored trials and pruned
        ones that recorded every objective, None for the rest."""
        if self.objectives is None:
            return [None] * len(self.table)
        with self.table._lock:
            version, cached = self._objective_values
            if version == self.table.version:
                return cached
            columns = [self.table.values(name) for name in self.objectives.names]
            with_values = ("done", "cached", "pruned")
            out = [None if status not in with_values or None in values else values
                   for status, values in zip(self.table.statuses, zip(*columns))]
            self._objective_values = (self.table.version, out)
            return out

    def best(self) -> tuple:
        """``(trial id, objective values)`` of the best scored trial by the first objective
        (earliest on ties), ``(None, None)`` when there is none."""
        if self.objectives is None:
            return None, None
        sign = self.objectives.signs[0]
        best_id, best_values = None, None
        for trial_id, status, values in zip(self.table.ids, self.table.statuses,
                                            self.objective_values()):
            if values is None or status not in SCORED:
                continue
            if best_values is None or values[0] * sign > best_values[0] * sign:
                best_id, best_values = trial_id, values
        return best_id, best_values

    def pareto_ids(self) -> set:
        """Ids of scored trials no other scored trial dominates (several objectives)."""
        if self.objectives is None:
            return set()
        points = [(v, i) for i, s, v in zip(self.table.ids, self.table.statuses,
                                            self.objective_values())
                  if v is not None and s in SCORED]
        signs = self.objectives.signs
        # Sort by the first objective (best first), then keep points that beat every kept
        # point on some objective: O(n * front) instead of comparing all pairs.
        points.sort(key=lambda p: tuple(-v * s for v, s in zip(p[0], signs)))
        front: list = []
        for values, trial_id in points:
            if not any(self.objectives.dominates(kept, values) for kept, _ in front):
                front.append((values, trial_id))
        return {trial_id for _, trial_id in front}

    def overview(self) -> dict:
        """Counts, best so far, throughput, cache statistics, elapsed and remaining budget."""
        table = self.table
        counts = table.status_counts()
        total = len(table)
        finished_times = [f for f in table.finished if f is not None]
        start = self.created_at or (min(table.started) if table.started else None)
        owner = self._owner()
        end = time.time() if owner is not None else (max(finished_times)
                                                     if finished_times else start)
        elapsed = None if start is None or end is None else max(0.0, end - start)
        finished = total - counts.get("running", 0)
        rate = finished / elapsed if elapsed else None
        stats = self._cache_stats()
        lookups = stats.get("hits", 0) + stats.get("misses", 0)
        num_trials = self.config.get("num_trials")
        time_budget = self.config.get("time_budget")
        best_id, best_values = self.best()
        return {
            "name": self.name, "path": str(self.path), "trials": total, "counts": counts,
            "objectives": self.objectives.to_list() if self.objectives else [],
            "algorithm": self.config.get("algorithm"),
            "best": None if best_id is None else {"id": best_id, "values": list(best_values)},
            "trials_per_s": rate, "elapsed_s": elapsed,
            "running": owner is not None,
            "cache": {"hits": stats.get("hits", 0), "misses": stats.get("misses", 0),
                      "hit_rate": stats.get("hits", 0) / lookups if lookups else None,
                      "evaluations_saved": counts.get("cached", 0),
                      "saved_s": stats.get("saved_time", 0.0)},
            "budget": {"trials": num_trials,
                       "trials_left": None if not isinstance(num_trials, int)
                       else max(0, num_trials - finished),
                       "time_s": time_budget,
                       "time_left_s": None if not isinstance(time_budget, (int, float))
                       or elapsed is None else max(0.0, time_budget - elapsed)},
            "version": self.version,
        }

    def _owner(self) -> Optional[dict]:
        """The lease of a search that is alive (heartbeat within a minute), else None."""
        try:
            owner = self.store.lease_owner()
        except Exception:          # an unreadable lease is no live search worth naming
            return None
        if owner is None or not isinstance(owner.get("age_s"), (int, float)) or \
                owner["age_s"] > STALE_LEASE_S:
            return None
        return owner

    def _cache_stats(self) -> dict:
        # The store reads its counters once when opened; a live view reads the table again.
        with self.table._lock:
            rows = self.table._conn.execute("SELECT name, value FROM cache_stats").fetchall()
        return {name: value for name, value in rows}

    def trial(self, trial_id: int) -> Any:
        """The full TrialRecord (KeyError when there is none)."""
        return self.store.trial(trial_id)

    # -- decisions -------------------------------------------------------------------------------
    def decisions(self) -> DecisionTable:
        """The decision table of every scored trial, extended with trials finished since the
        last call (their DNA read through the store)."""
        with self._lock:
            if self._spec is False:
                self._spec = stored_spec(self._space_json)
            objective_values = dict(zip(self.table.ids, self.objective_values()))
            scored = [i for i, s in zip(self.table.ids, self.table.statuses) if s in SCORED]
            new_ids = [i for i in scored if i not in self._decision_ids]
            if not new_ids:
                return self._decisions or DecisionTable(decision_columns(self._spec, []))
            if len(new_ids) > 200:
                wanted = set(new_ids)
                records = [r for r in self.store.trials(SCORED) if r.id in wanted]
            else:
                records = [self.store.trial(i) for i in new_ids]
            if self._decisions is None:
                self._decisions = DecisionTable(
                    decision_columns(self._spec, [r.dna for r in records]))
            table = self._decisions
            for record in records:
                values = objective_values.get(record.id)
                if values is None:
                    continue
                table.ids.append(record.id)
                table.objective_values.append(values)
                table.values.append([value_of(c, record.dna) for c in table.columns])
                self._decision_ids.add(record.id)
            return table

    def close(self) -> None:
        self.table.close()
        self.store.close()

    def __enter__(self) -> "LiveStore":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
