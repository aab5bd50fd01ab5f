"""MemoryStore: an experiment store that lives in the process and persists nothing.

Used when a search is given ``store=None``: same behaviour as ``SqliteStore`` minus durability.
Trial fields are kept as given (no JSON round trip on the hot path); the algorithm state and
meta values, written rarely, do go through JSON so they behave as they would in SQLite.

>>> store = MemoryStore()
>>> first = store.start_trial([0], None)
>>> store.discard_trial(first)
>>> store.start_trial([1], None)    # ids are never reused
1
"""
from __future__ import annotations

import json
import time
from typing import Any, Iterable, Optional, Union

from symsearch.store.base import Store, dump_json
from symsearch.store.records import (FINISHED_STATUSES, RUNNING, STATUSES, TrialRecord,
                                     check_status)


#: The reports of a trial that made none, shared by all such records (most trials make
#: none: no empty list per trial for the garbage collector to walk). Records leave the store
#: as copies (``TrialRecord.copy``), whose reports are a new list.
_NO_REPORTS = ()


class MemoryStore(Store):
    """An in-process store; everything is lost when the process ends."""

    def __init__(self) -> None:
        super().__init__()
        self._experiment: Optional[tuple] = None    # (config json, space json, fingerprint)
        self._records: dict = {}                    # id -> TrialRecord, in id order
        self._next_id = 0
        self._algorithm_state: Optional[str] = None
        self._cache: dict = {}
        self._meta: dict = {}

    # -- experiment ------------------------------------------------------------------------------
    def initialize(self, config: dict, space_json: Optional[str], spec_fingerprint: str) -> None:
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, got {type(config).__name__}")
        config_text = dump_json(config, "config")
        with self._lock:
            if self._experiment is not None:
                raise RuntimeError("the store is already initialized; compare config() and "
                                   "spec_fingerprint() to resume instead")
            self._experiment = (config_text, space_json, str(spec_fingerprint), time.time())

    def is_initialized(self) -> bool:
        return self._experiment is not None

    def _require_experiment(self) -> tuple:
        if self._experiment is None:
            raise RuntimeError("the store is not initialized; call initialize() first")
        return self._experiment

    # -- trials ----------------------------------------------------------------------------------
    def start_trial(self, dna: list, candidate_json: Optional[str],
                    structural_hash: Optional[str] = None, functional_hash: Optional[str] = None,
                    worker: Optional[str] = None, status: str = RUNNING,
                    proposal_seq: Optional[int] = None) -> int:
        if status not in STATUSES:
            check_status(status)
        with self._lock:
            trial_id = self._next_id
            self._next_id = trial_id + 1
            self._records[trial_id] = TrialRecord(
                trial_id, list(dna), candidate_json, structural_hash, functional_hash, status,
                None, None, _NO_REPORTS, time.time(), None, worker, None,
                1 if status == RUNNING else 0, proposal_seq, None)
        return trial_id

    def _record(self, trial_id: int) -> TrialRecord:
        try:
            return self._records[trial_id]
        except KeyError:
            raise KeyError(f"no trial with id {trial_id!r} in the store") from None

    def finish_trial(self, trial_id: int, status: str, metrics: Optional[dict] = None,
                     error: Optional[str] = None, cached_from: Optional[int] = None,
                     functional_hash: Optional[str] = None,
                     worker: Optional[str] = None, feedback_seq: Optional[int] = None) -> None:
        if status not in FINISHED_STATUSES:
            check_status(status, FINISHED_STATUSES)
        with self._lock:
            record = self._record(self._check_trial_id(trial_id))
            record.status = status
            record.metrics = None if metrics is None else dict(metrics)
            record.error = error
            record.cached_from = cached_from
            if functional_hash is not None:
                record.functional_hash = functional_hash
            if worker is not None:
                record.worker = worker
            record.feedback_seq = feedback_seq
            record.finished_at = time.time()

    def restart_trial(self, trial_id: int) -> None:
        with self._lock:
            record = self._record(self._check_trial_id(trial_id))
            record.status, record.metrics, record.error = RUNNING, None, None
            record.finished_at, record.cached_from, record.reports = None, None, _NO_REPORTS
            record.started_at = time.time()
            record.attempts += 1

    def add_report(self, trial_id: int, step: Optional[int], metrics: dict) -> None:
        with self._lock:
            record = self._record(self._check_trial_id(trial_id))
            if record.reports is _NO_REPORTS:
                record.reports = []
            record.reports.append({"step": step, "metrics": dict(metrics), "time": time.time()})

    def trials(self, status: Union[str, Iterable[str], None] = None) -> list:
        statuses = self._status_filter(status)
        with self._lock:
            return [r.copy() for r in self._records.values()
                    if statuses is None or r.status in statuses]

    def trial(self, trial_id: int) -> TrialRecord:
        with self._lock:
            return self._record(self._check_trial_id(trial_id)).copy()

    def num_trials(self, status: Union[str, Iterable[str], None] = None) -> int:
        statuses = self._status_filter(status)
        with self._lock:
            if statuses is None:
                return len(self._records)
            return sum(1 for r in self._records.values() if r.status in statuses)

    def discard_trial(self, trial_id: int) -> None:
        with self._lock:
            trial_id = self._check_trial_id(trial_id)
            self._record(trial_id)
            del self._records[trial_id]

    # -- algorithm state -------------------------------------------------------------------------
    def save_algorithm_state(self, state: dict) -> None:
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict, got {type(state).__name__}")
        text = dump_json(state, "algorithm state")
        with self._lock:
            self._algorithm_state = text

    def load_algorithm_state(self) -> Optional[dict]:
        text = self._algorithm_state
        return None if text is None else json.loads(text)

    # -- evaluation cache ------------------------------------------------------------------------
    def cache_put(self, key: str, metrics: dict, eval_time: float, count: int = 1,
                  trial_id: Optional[int] = None) -> None:
        with self._lock:
            self._cache[key] = {"metrics": dict(metrics), "count": int(count),
                                "eval_time": float(eval_time), "trial_id": trial_id}

    def cache_get(self, key: str) -> Optional[dict]:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            return {**entry, "metrics": dict(entry["metrics"])}

    def cache_entries(self) -> dict:
        with self._lock:
            return {k: {**e, "metrics": dict(e["metrics"])} for k, e in self._cache.items()}

    # -- metadata --------------------------------------------------------------------------------
    def set_meta(self, key: str, value: Any) -> None:
        self._check_meta_key(key)
        text = dump_json(value, f"meta value for {key!r}")
        with self._lock:
            self._meta[key] = text

    def get_meta(self, key: str, default: Any = None) -> Any:
        text = self._meta.get(key)
        return default if text is None else json.loads(text)

    def __repr__(self) -> str:
        return f"MemoryStore(trials={len(self._records)})"
