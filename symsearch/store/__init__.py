"""The experiment store: trials, algorithm state, evaluation cache and resume.

>>> store = open_store(None)          # in memory; a path gives an SQLite file
>>> trial_id = store.start_trial([0, 2], candidate_json=None)
>>> store.finish_trial(trial_id, DONE, metrics={"reward": 1.0})
>>> [t.status for t in store.trials()]
['done']

A search that writes a store file first takes its lease (``store.acquire_lease()``), so a second
search on the same file fails with ``StoreLockedError`` instead of interleaving with it; a store
file that is damaged or read-only fails with ``StoreDamagedError`` / ``StoreReadOnlyError``
naming the file and what to do.
"""
from __future__ import annotations

import os
from typing import Union

from symsearch.store.analysis import Experiment, load_experiment
from symsearch.store.base import Store
from symsearch.store.errors import StoreDamagedError, StoreReadOnlyError
from symsearch.store.lease import StoreLockedError
from symsearch.store.memory import MemoryStore
from symsearch.store.records import (CACHED, DONE, FAILED, FINISHED_STATUSES, PRUNED, RUNNING,
                                     SCORED_STATUSES, STATUSES, TrialRecord)
from symsearch.store.sqlite import SqliteStore


def open_store(store: Union[Store, str, os.PathLike, None]) -> Store:
    """The store a search writes to.

    ``None`` or ``":memory:"`` gives a new MemoryStore, a path gives a SqliteStore on that file
    (created with its folders when missing), and a Store is returned as it is.
    """
    if store is None or (isinstance(store, str) and store == ":memory:"):
        return MemoryStore()
    if isinstance(store, Store):
        return store
    if isinstance(store, (str, os.PathLike)):
        if isinstance(store, str) and not store.strip():
            raise ValueError("store='' is not a path; give a file path, ':memory:' or None")
        return SqliteStore(store)
    raise TypeError(f"store must be None, ':memory:', a file path or a Store, got "
                    f"{type(store).__name__} {store!r}")


__all__ = ["Store", "MemoryStore", "SqliteStore", "TrialRecord", "open_store",
           "StoreLockedError", "StoreDamagedError", "StoreReadOnlyError",
           "load_experiment", "Experiment", "RUNNING", "DONE", "FAILED", "CACHED", "PRUNED",
           "STATUSES", "FINISHED_STATUSES", "SCORED_STATUSES"]
