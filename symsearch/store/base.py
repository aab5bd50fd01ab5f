"""Store: the abstract experiment store — trials, algorithm state, evaluation cache, metadata.

The driver process owns the store and is its only writer: it takes the store's lease
(``acquire_lease``, see ``symsearch.store.lease``) before anything else, so a second driver on
the same file is refused. Writes on the hot path
(``start_trial``, ``add_report``, ``cache_put``) are cheap and may be batched; ``finish_trial``
makes everything written so far durable, so a finished trial survives the process being killed
right after it returns. Trials still ``running`` when a process died show up in
``interrupted_trials()`` on reopening; resume evaluates them again (``restart_trial``) under
their own ids.

>>> from symsearch.store import MemoryStore
>>> store = MemoryStore()
>>> store.initialize({"num_trials": 10}, space_json=None, spec_fingerprint="abc")
>>> trial_id = store.start_trial([0, 1.5], candidate_json=None)
>>> store.finish_trial(trial_id, "done", metrics={"accuracy": 0.75})
>>> store.trial(trial_id).metrics
{'accuracy': 0.75}
"""
from __future__ import annotations

import abc
import json
import threading
import time
from typing import Any, Iterable, Optional, Union

from symsearch.store.lease import LEASE_KEY, this_process_owner, with_age
from symsearch.store.records import RUNNING, STATUSES, TrialRecord, check_status

# Keys of the cache statistics counters, persisted with the store.
CACHE_STAT_KEYS = ("hits", "misses", "hash_time", "saved_time")
# Meta keys the stores use themselves; set_meta refuses them.
RESERVED_META_KEYS = frozenset(("format", "schema_version", "next_trial_id", LEASE_KEY))


def _json_default(value: Any) -> Any:
    # numpy / torch scalars and arrays appear in metrics often enough to convert them here
    # rather than make every evaluator do it; only reached for values json cannot encode.
    if hasattr(value, "tolist") and callable(value.tolist):
        return value.tolist()
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON serializable")


def dump_json(value: Any, what: str) -> str:
    """JSON text for ``value``; TypeError naming ``what`` when it cannot be encoded."""
    try:
        return json.dumps(value, default=_json_default, separators=(",", ":"))
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what} must be JSON-serializable: {e}") from None


class Store(abc.ABC):
    """An experiment store: one experiment's trials, algorithm state and evaluation cache.

    Implementations: ``MemoryStore`` (nothing persisted) and ``SqliteStore`` (one SQLite file per
    experiment). Every method is safe to call from several threads.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._cache_counters = dict.fromkeys(CACHE_STAT_KEYS, 0)
        self._cache_counters["hash_time"] = 0.0
        self._cache_counters["saved_time"] = 0.0
        self._cache_counters_dirty = False
        self._memory_owner: Optional[dict] = None    # the default lease: held in the process

    # -- experiment ------------------------------------------------------------------------------
    @abc.abstractmethod
    def initialize(self, config: dict, space_json: Optional[str], spec_fingerprint: str) -> None:
        """First-time set-up: records the experiment's configuration, space and DNASpec
        fingerprint. Raises RuntimeError when the store is already initialized."""

    @abc.abstractmethod
    def is_initialized(self) -> bool:
        """Whether ``initialize`` has been called on this experiment (in any process)."""

    @abc.abstractmethod
    def _require_experiment(self) -> tuple:
        """``(config_json, space_json, fingerprint, ...)``; RuntimeError before initialize."""

    def config(self) -> dict:
        """The configuration given to ``initialize``."""
        return json.loads(self._require_experiment()[0])

    def space_json(self) -> Optional[str]:
        """The search space JSON given to ``initialize``."""
        return self._require_experiment()[1]

    def spec_fingerprint(self) -> str:
        """The DNASpec fingerprint given to ``initialize``: resume checks it is unchanged."""
        return self._require_experiment()[2]

    # -- trials ----------------------------------------------------------------------------------
    @abc.abstractmethod
    def start_trial(self, dna: list, candidate_json: Optional[str],
                    structural_hash: Optional[str] = None, functional_hash: Optional[str] = None,
                    worker: Optional[str] = None, status: str = RUNNING,
                    proposal_seq: Optional[int] = None) -> int:
        """Records a new trial and returns its id. Cheap: does not force a commit. A running
        trial starts with ``attempts`` 1, any other with 0."""

    @abc.abstractmethod
    def finish_trial(self, trial_id: int, status: str, metrics: Optional[dict] = None,
                     error: Optional[str] = None, cached_from: Optional[int] = None,
                     functional_hash: Optional[str] = None,
                     worker: Optional[str] = None, feedback_seq: Optional[int] = None) -> None:
        """Sets a trial's final status, metrics and finish time, and commits everything written
        so far. ``status`` is one of "done", "failed", "cached", "pruned"; ``worker`` names
        where it ran (kept from start_trial when None)."""

    @abc.abstractmethod
    def restart_trial(self, trial_id: int) -> None:
        """Starts a trial's evaluation again (after a crash, or to retry a failure): status
        "running", result, error, finish time and reports cleared, ``attempts`` + 1. Commits."""

    @abc.abstractmethod
    def add_report(self, trial_id: int, step: Optional[int], metrics: dict) -> None:
        """Appends an intermediate report to a trial (batched, not forced to commit)."""

    @abc.abstractmethod
    def trials(self, status: Union[str, Iterable[str], None] = None) -> list:
        """The trials, ordered by id, as TrialRecords; only those with ``status`` (a status or
        several) when given."""

    @abc.abstractmethod
    def trial(self, trial_id: int) -> TrialRecord:
        """One trial; KeyError when there is none with that id."""

    @abc.abstractmethod
    def num_trials(self, status: Union[str, Iterable[str], None] = None) -> int:
        """How many trials there are (with ``status`` when given)."""

    def interrupted_trials(self) -> list:
        """Trials still running: after a crash, those that were in flight."""
        return self.trials(RUNNING)

    @abc.abstractmethod
    def discard_trial(self, trial_id: int) -> None:
        """Deletes a trial and its reports. Its id is not reused: later trials get new ids."""

    # -- algorithm state -------------------------------------------------------------------------
    @abc.abstractmethod
    def save_algorithm_state(self, state: dict) -> None:
        """Saves the search algorithm's state (JSON-able dict), replacing the previous one."""

    @abc.abstractmethod
    def load_algorithm_state(self) -> Optional[dict]:
        """The last saved algorithm state, or None."""

    # -- evaluation cache ------------------------------------------------------------------------
    @abc.abstractmethod
    def cache_put(self, key: str, metrics: dict, eval_time: float, count: int = 1,
                  trial_id: Optional[int] = None) -> None:
        """Sets the cache entry for ``key`` (a functional or structural hash)."""

    @abc.abstractmethod
    def cache_get(self, key: str) -> Optional[dict]:
        """``{"metrics", "count", "eval_time", "trial_id"}`` for ``key``, or None."""

    @abc.abstractmethod
    def cache_entries(self) -> dict:
        """Every cache entry: key -> ``{"metrics", "count", "eval_time", "trial_id"}``."""

    def cache_stats(self) -> dict:
        """The cache counters: ``{"hits", "misses", "hash_time", "saved_time"}``."""
        with self._lock:
            return dict(self._cache_counters)

    def cache_stat_update(self, hits: int = 0, misses: int = 0, hash_time: float = 0.0,
                          saved_time: float = 0.0) -> None:
        """Adds to the cache counters (persisted with the next commit)."""
        with self._lock:
            counters = self._cache_counters
            counters["hits"] += hits
            counters["misses"] += misses
            counters["hash_time"] += hash_time
            counters["saved_time"] += saved_time
            self._cache_counters_dirty = True

    # -- metadata --------------------------------------------------------------------------------
    @abc.abstractmethod
    def set_meta(self, key: str, value: Any) -> None:
        """Stores a small JSON value under ``key``."""

    @abc.abstractmethod
    def get_meta(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default``."""

    # -- ownership -------------------------------------------------------------------------------
    def acquire_lease(self, *, heartbeat_s: float = 2.0,
                      stale_after_s: float = 60.0) -> Optional[dict]:
        """Takes ownership of the store for this process, so that no second search writes it
        at the same time; the driver calls it before ``is_initialized()``. Returns None when
        the store had no owner, or the dead previous owner's dict when its lease was taken over;
        raises ``StoreLockedError`` when a live process owns it. A store in memory belongs to
        its process: this always succeeds. See ``symsearch.store.lease``.

        >>> from symsearch.store import MemoryStore
        >>> store = MemoryStore()
        >>> store.acquire_lease() is None
        True
        """
        with self._lock:
            if self._memory_owner is None:
                self._memory_owner = this_process_owner(time.time())
        return None

    def release_lease(self) -> None:
        """Gives ownership up (``close()`` does it too)."""
        self._memory_owner = None

    def lease_owner(self) -> Optional[dict]:
        """The owner's dict (host, pid, started, acquired_at, heartbeat_at) plus ``age_s``,
        or None when nobody holds the lease. Needs no lease."""
        owner = self._memory_owner
        if owner is None:
            return None
        return with_age({**owner, "heartbeat_at": time.time()}, time.time())

    # -- lifetime --------------------------------------------------------------------------------
    def flush(self) -> None:
        """Commits pending writes."""

    def close(self) -> None:
        """Flushes and releases the store (and its lease)."""
        self.release_lease()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- helpers for implementations -------------------------------------------------------------
    @staticmethod
    def _check_meta_key(key: str) -> None:
        if not isinstance(key, str) or not key:
            raise ValueError(f"meta key must be a non-empty string, got {key!r}")
        if key in RESERVED_META_KEYS:
            raise ValueError(f"meta key {key!r} is reserved for the store; reserved keys are "
                             f"{sorted(RESERVED_META_KEYS)}")

    @staticmethod
    def _status_filter(status: Union[str, Iterable[str], None]) -> Optional[tuple]:
        """None, or the validated statuses to select."""
        if status is None:
            return None
        statuses = (status,) if isinstance(status, str) else tuple(status)
        for s in statuses:
            check_status(s, STATUSES)
        return statuses

    @staticmethod
    def _check_trial_id(trial_id: Any) -> int:
        if isinstance(trial_id, bool) or not isinstance(trial_id, int):
            # numpy integers are fine; anything else is a caller bug worth naming.
            if hasattr(trial_id, "__index__") and not isinstance(trial_id, bool):
                return int(trial_id)
            raise TypeError(f"trial_id must be an int, got {type(trial_id).__name__} "
                            f"{trial_id!r}")
        return trial_id
