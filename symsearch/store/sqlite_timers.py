"""SqliteTimersMixin: the two timers of SqliteStore, batched commits and WAL checkpoints.

- Batched writes (``start_trial``, ``add_report``, ...) are committed at most
  ``commit_interval`` seconds after the first of them, so a long trial's start and reports are
  not held back while the driver waits on an evaluation.
- A commit is checkpointed from the WAL into the main file at most ``checkpoint_interval``
  seconds later (``PASSIVE``: never waits on readers or writers), and ``close`` checkpoints with
  ``TRUNCATE``; so losing the ``-wal`` file (a careless copy, a crash that takes it) costs at
  most those seconds. A timer rather than a check on every commit keeps the hot path to one
  attribute test and also covers the last commit before the writer goes quiet.

Both timers hold the store weakly: a dropped store is collected, and its ``__del__`` commits.

>>> import os, tempfile
>>> from symsearch.store import SqliteStore
>>> store = SqliteStore(os.path.join(tempfile.mkdtemp(), "x.db"), checkpoint_interval=0.01)
>>> store.finish_trial(store.start_trial([1], None), "done", metrics={"x": 1})
>>> store.close()
"""
from __future__ import annotations

import sqlite3
import threading
import time
import warnings
import weakref

from symsearch.store.lease import StoreLockedError


def _commit_from_timer(store_ref: weakref.ref) -> None:
    # A weak reference: a pending timer must not keep a dropped store (and the commit its
    # __del__ makes) alive.
    store = store_ref()
    if store is not None:
        store._commit_from_timer()


def _checkpoint_from_timer(store_ref: weakref.ref) -> None:
    store = store_ref()
    if store is not None:
        store._checkpoint_from_timer()


class SqliteTimersMixin:
    """Timers for SqliteStore, which provides ``_lock``, ``_conn``, ``_commit()``, ``_pending``,
    ``_timer``, ``_checkpoint_timer``, ``_last_checkpoint``, ``commit_interval`` and
    ``checkpoint_interval``."""

    def _schedule_checkpoint(self) -> None:
        """Called after a commit that wrote, with the lock held."""
        if self._checkpoint_timer is None and self.checkpoint_interval > 0:
            delay = self._last_checkpoint + self.checkpoint_interval - time.monotonic()
            self._checkpoint_timer = threading.Timer(max(delay, 0.0), _checkpoint_from_timer,
                                                     (weakref.ref(self),))
            self._checkpoint_timer.daemon = True
            self._checkpoint_timer.start()

    def _checkpoint_from_timer(self) -> None:
        with self._lock:
            try:
                if self._conn is None or self.read_only:
                    return
                if self._conn.in_transaction:     # a checkpoint cannot run inside one
                    self._commit()
                # PASSIVE: copies what it can without waiting on readers or writers.
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self._last_checkpoint = time.monotonic()
            except (sqlite3.Error, StoreLockedError) as e:
                # Raised again, where it is seen, by the driver's next write or commit.
                warnings.warn(f"background checkpoint of {str(self.path)!r} failed: {e}",
                              RuntimeWarning, stacklevel=1)
            finally:
                self._checkpoint_timer = None

    def _commit_if_due(self) -> None:
        """Called after a batched write, with the lock held."""
        if self.commit_interval == 0:
            self._commit()
            return
        self._pending = True
        if self._timer is None:     # else one is already on its way
            self._timer = threading.Timer(self.commit_interval, _commit_from_timer,
                                          (weakref.ref(self),))
            self._timer.daemon = True
            self._timer.start()

    def _commit_from_timer(self) -> None:
        with self._lock:
            self._timer = None
            if self._conn is None or not self._pending:
                return
            try:
                self._commit()
            except StoreLockedError:
                return      # the driver's next write raises it
            except sqlite3.Error as e:
                # The next commit on the driver's thread retries and raises where it is seen.
                warnings.warn(f"background commit of {str(self.path)!r} failed: {e}",
                              RuntimeWarning, stacklevel=1)

    def _checkpoint_on_close(self) -> None:
        # TRUNCATE leaves an empty -wal; a reader still open makes it wait, so it waits at most
        # briefly and then does what PASSIVE would.
        conn = self._conn
        try:
            conn.execute("PRAGMA busy_timeout = 100")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error as e:
            warnings.warn(f"checkpoint of {str(self.path)!r} on close failed: {e}",
                          RuntimeWarning, stacklevel=3)
