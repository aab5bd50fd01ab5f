"""SqliteLeaseMixin: the lease methods of SqliteStore (``acquire_lease``, ``release_lease``,
``lease_owner``) and the checks its writes and commits make. The lease itself (its row, who is
dead, the heartbeat thread) is ``symsearch.store.lease``.

>>> import os, tempfile
>>> from symsearch.store import SqliteStore
>>> store = SqliteStore(os.path.join(tempfile.mkdtemp(), "x.db"))
>>> store.acquire_lease(heartbeat_s=1.0) is None
True
>>> store.release_lease()
>>> store.lease_owner() is None
True
"""
from __future__ import annotations

import math
import sqlite3
import time
import warnings
from typing import Optional

from symsearch.store import lease
from symsearch.store.errors import StoreReadOnlyError
from symsearch.store.lease import StoreLockedError


class _HeldLease:
    """This store's hold on the lease: the owner dict, the row text written, the heartbeat."""

    __slots__ = ("owner", "text", "heartbeat")

    def __init__(self, owner: dict, text: str) -> None:
        self.owner = owner
        self.text = text
        self.heartbeat: Optional[lease.Heartbeat] = None


class SqliteLeaseMixin:
    """Lease methods for SqliteStore, which provides ``path``, ``read_only``, ``_lock``,
    ``_conn``, ``_db()``, ``_commit()`` and ``_pending``."""

    _lease: Optional[_HeldLease] = None
    _lease_lost: Optional[tuple] = None      # (new owner, its heartbeat age) once taken over

    def acquire_lease(self, *, heartbeat_s: float = 2.0,
                      stale_after_s: float = 60.0) -> Optional[dict]:
        """Takes ownership of the store for this process (see ``symsearch.store.lease``).

        Returns None when the store had no owner (or this process owned it already), or the
        dead previous owner's dict when its lease was taken over. Raises StoreLockedError when
        a live process owns it. A daemon thread refreshes the lease every ``heartbeat_s``
        seconds; an owner whose heartbeat is older than ``stale_after_s`` counts as dead.
        """
        if not (isinstance(heartbeat_s, (int, float)) and math.isfinite(heartbeat_s)
                and heartbeat_s > 0):
            raise ValueError(f"heartbeat_s must be a positive number of seconds, got "
                             f"{heartbeat_s!r}")
        if not (isinstance(stale_after_s, (int, float)) and stale_after_s > heartbeat_s):
            raise ValueError(f"stale_after_s must be longer than heartbeat_s={heartbeat_s!r} "
                             f"(else a live owner looks dead), got {stale_after_s!r}")
        if self.read_only:
            raise StoreReadOnlyError(self.path, "it was opened with read_only=True; readers "
                                                "need no lease")
        self._check_lease_kept()
        with self._lock:
            conn = self._db()
            if self._lease is not None:
                return None
            if conn.in_transaction:         # BEGIN IMMEDIATE needs no open transaction
                self._commit()
            owner, text, previous = lease.acquire(conn, self.path, float(stale_after_s))
            held = _HeldLease(owner, text)
            self._lease = held
            held.heartbeat = lease.Heartbeat(self, lambda store: store._heartbeat(held),
                                             float(heartbeat_s))
        return previous

    def release_lease(self) -> None:
        """Commits, stops the heartbeat and deletes the lease row if it is still this
        process's. Harmless when no lease is held. ``close()`` calls it."""
        with self._lock:
            held = self._lease
            if held is None or self._conn is None:
                self._lease = None
                return
            try:
                self._commit()      # StoreLockedError when it was taken over meanwhile
            finally:
                if held.heartbeat is not None:
                    held.heartbeat.stop()
            self._lease = None
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self._is_own_lease(lease.read_lease_text(conn), held):
                    conn.execute("DELETE FROM meta WHERE key = ?", (lease.LEASE_KEY,))
                conn.commit()
            except BaseException:
                conn.rollback()
                raise

    def lease_owner(self) -> Optional[dict]:
        """The current owner's dict plus ``"age_s"`` (seconds since its heartbeat), or None
        when nobody holds the lease. Needs no lease; works on read-only stores."""
        with self._lock:
            text = lease.read_lease_text(self._db())
        return lease.with_age(lease.parse_owner(text), time.time())

    # -- checks made by writes and commits -------------------------------------------------------
    def _check_lease_kept(self) -> None:
        """Called first by every write: a process whose lease was taken over writes nothing."""
        if self._lease_lost is not None:
            raise self._locked_error()

    def _locked_error(self) -> StoreLockedError:
        owner, age = self._lease_lost
        return StoreLockedError(self.path, owner, age, lost=True)

    @staticmethod
    def _is_own_lease(text: Optional[str], held: _HeldLease) -> bool:
        if text == held.text:
            return True
        owner = lease.parse_owner(text)
        if owner is not None and lease.same_process(owner, held.owner):
            held.text = text        # another store object of this process refreshed it
            return True
        return False

    def _verify_lease(self, conn: sqlite3.Connection) -> None:
        """Inside the commit's own write transaction (so nobody can take the lease between
        this check and the commit): rolls back and raises StoreLockedError when it was."""
        text = lease.read_lease_text(conn)
        if not self._is_own_lease(text, self._lease):
            conn.rollback()
            self._pending = False
            self._mark_lease_lost(text)
            raise self._locked_error()

    def _mark_lease_lost(self, text: Optional[str]) -> None:
        owner = lease.parse_owner(text)
        self._lease_lost = (owner, lease.with_age(owner, time.time())["age_s"] if owner else None)
        held, self._lease = self._lease, None
        if held is not None and held.heartbeat is not None:
            held.heartbeat.stop()

    def _heartbeat(self, held: _HeldLease) -> bool:
        """One beat: refreshes ``heartbeat_at`` and commits (the driver's batched writes too).
        False, ending the thread, once the lease is released or lost."""
        with self._lock:
            conn = self._conn
            if self._lease is not held or conn is None:
                return False
            try:
                if not conn.in_transaction:
                    conn.execute("BEGIN IMMEDIATE")
                # _commit checks the row is still ours before anything is committed.
                self._verify_lease(conn)
                owner = {**held.owner, "heartbeat_at": time.time()}
                held.text = lease.write_lease(conn, owner)
                held.owner = owner
                self._commit()
            except StoreLockedError:
                return False
            except sqlite3.Error as e:
                # Busy or failing disk: the next beat (or the driver's next commit) retries.
                warnings.warn(f"lease heartbeat of {str(self.path)!r} failed: {e}",
                              RuntimeWarning, stacklevel=1)
            return True
