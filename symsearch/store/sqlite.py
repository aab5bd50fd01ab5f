"""SqliteStore: the experiment store in one SQLite file per experiment.

The file is opened in WAL mode with ``synchronous=NORMAL``: a commit is a write to the WAL, not
an fsync, so it survives the process being killed (not a power cut) and costs a few tens of
microseconds. ``start_trial``, ``add_report``, ``cache_put`` and ``set_meta`` only add to the
open transaction; ``finish_trial``, ``initialize``, ``discard_trial``, ``save_algorithm_state``
and ``flush`` commit it. So that a long trial's start and reports are not held back while the
driver waits on an evaluation, a timer thread commits batched writes at most ``commit_interval``
seconds after the first of them (``symsearch.store.sqlite_timers``).

Faults of the file itself are reported, not passed on as raw ``sqlite3`` errors: every method
turns SQLite's "malformed"/"not a database" into ``StoreDamagedError`` (with the recovery
command), a read-write open of a file that cannot be written fails with ``StoreReadOnlyError``,
and a timer checkpoints the WAL into the main file at most ``checkpoint_interval`` seconds after
a commit (and ``TRUNCATE``s it on close), so losing the ``-wal`` file costs at most those seconds.
A writer that should be the only one takes the store's lease (``acquire_lease``, see
``symsearch.store.lease``); readers never need it.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "runs", "demo.db")
>>> with SqliteStore(path) as store:
...     trial_id = store.start_trial([3, "relu"], candidate_json=None)
...     store.finish_trial(trial_id, "done", metrics={"loss": 0.1})
>>> SqliteStore(path).trial(0).metrics
{'loss': 0.1}
"""
from __future__ import annotations

import atexit
import json
import math
import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from typing import Any, Iterable, Optional, Union

from symsearch.store.base import CACHE_STAT_KEYS, Store, dump_json
from symsearch.store.errors import damaged_error, reports_damage as _reports_damage
from symsearch.store.records import FINISHED_STATUSES, RUNNING, STATUSES, TrialRecord, check_status
from symsearch.store.sqlite_lease import SqliteLeaseMixin
from symsearch.store.sqlite_schema import open_connection, trial_columns
from symsearch.store.sqlite_text import pack, unpack
from symsearch.store.sqlite_timers import SqliteTimersMixin


# Open stores, closed (and so committed) at interpreter exit if the program did not close them.
_OPEN_STORES: "weakref.WeakSet" = weakref.WeakSet()


@atexit.register
def _close_open_stores() -> None:
    for store in list(_OPEN_STORES):
        try:
            store.close()
        except Exception:
            pass


class SqliteStore(SqliteLeaseMixin, SqliteTimersMixin, Store):
    """An experiment store in one SQLite file, created (with its folders) on first use.

    Args:
      path: the database file.
      create: create the file when it does not exist (else FileNotFoundError).
      read_only: open for reading only (analysis of a finished or running experiment).
      commit_interval: longest time, in seconds, a batched write waits for a commit (0: every
        write commits at once).
      checkpoint_interval: longest time, in seconds, a commit stays in the WAL only before it
        is checkpointed into the main file (0: only on close).

    Raises ValueError when the file is not a store, StoreDamagedError when it is a damaged one,
    StoreReadOnlyError when it cannot be written (and ``read_only`` is False).
    """

    @_reports_damage
    def __init__(self, path: Union[str, os.PathLike], create: bool = True,
                 read_only: bool = False, commit_interval: float = 1.0,
                 checkpoint_interval: float = 5.0) -> None:
        super().__init__()
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        if not commit_interval >= 0:
            raise ValueError(f"commit_interval must be >= 0 seconds, got {commit_interval!r}")
        if not checkpoint_interval >= 0:
            raise ValueError(f"checkpoint_interval must be >= 0 seconds, got "
                             f"{checkpoint_interval!r}")
        self.path = Path(path)
        self.read_only = bool(read_only)
        self.commit_interval = float(commit_interval)
        self.checkpoint_interval = float(checkpoint_interval)
        self._lease = None                          # SqliteLeaseMixin's, while held
        self._lease_lost = None
        self._checkpoint_timer: Optional[threading.Timer] = None
        self._last_checkpoint = time.monotonic()
        if self.path.is_dir():
            raise ValueError(f"{str(self.path)!r} is a folder, not a symsearch store file")
        exists = self.path.exists()
        if not exists and (read_only or not create):
            raise FileNotFoundError(f"no symsearch store at {str(self.path)!r}")
        if not exists:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._pending = False                      # uncommitted batched writes
        self._timer: Optional[threading.Timer] = None
        self._conn: Optional[sqlite3.Connection] = None
        conn = open_connection(self.path, self.read_only)
        try:
            self._conn = conn
            self._trial_columns = trial_columns(conn)
            next_id = self._get_meta_raw("next_trial_id", 0)
            if isinstance(next_id, bool) or not isinstance(next_id, int) or next_id < 0:
                raise damaged_error(self.path, f"its meta 'next_trial_id' is {next_id!r:.60}, "
                                               f"not a trial id")
            self._next_id = max(next_id, self._max_trial_id() + 1)
            for name, value in conn.execute("SELECT name, value FROM cache_stats"):
                if name in self._cache_counters and isinstance(value, (int, float)) \
                        and math.isfinite(value):
                    self._cache_counters[name] = (int(value) if name in ("hits", "misses")
                                                  else value)
        except BaseException:
            conn.close()
            self._conn = None
            raise
        _OPEN_STORES.add(self)

    def _max_trial_id(self) -> int:
        max_id = self._conn.execute("SELECT MAX(id) FROM trials").fetchone()[0]
        return -1 if max_id is None else max_id

    def _get_meta_raw(self, key: str, default: Any) -> Any:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except (ValueError, RecursionError) as e:
            raise damaged_error(self.path, f"its meta {key!r} cannot be decoded: "
                                           f"{str(e)[:200]}") from e

    def _db(self) -> sqlite3.Connection:
        conn = self._conn
        if conn is None:
            raise RuntimeError(f"the store {str(self.path)!r} is closed")
        return conn

    def _commit(self) -> None:
        conn = self._db()
        if self._lease_lost is not None:     # nothing more of this process may be committed
            if conn.in_transaction:
                conn.rollback()
            self._pending = self._cache_counters_dirty = False
            raise self._locked_error()
        if self._cache_counters_dirty:
            conn.executemany("INSERT OR REPLACE INTO cache_stats (name, value) VALUES (?, ?)",
                             [(k, self._cache_counters[k]) for k in CACHE_STAT_KEYS])
            self._cache_counters_dirty = False
        wrote = conn.in_transaction
        if self._lease is not None and wrote:
            self._verify_lease(conn)     # a process that lost its lease commits nothing
        conn.commit()
        self._pending = False
        if wrote:
            self._schedule_checkpoint()

    # -- experiment ------------------------------------------------------------------------------
    @_reports_damage
    def initialize(self, config: dict, space_json: Optional[str], spec_fingerprint: str) -> None:
        self._check_lease_kept()
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, got {type(config).__name__}")
        config_text = dump_json(config, "config")
        with self._lock:
            conn = self._db()
            if self._experiment_row() is not None:
                raise RuntimeError(f"the store {str(self.path)!r} is already initialized; "
                                   f"compare config() and spec_fingerprint() to resume instead")
            conn.execute("INSERT INTO experiment (id, config, space, fingerprint, created) "
                         "VALUES (0, ?, ?, ?, ?)",
                         (config_text, space_json, str(spec_fingerprint), time.time()))
            self._commit()

    def _experiment_row(self) -> Optional[tuple]:
        return self._db().execute(
            "SELECT config, space, fingerprint, created FROM experiment WHERE id = 0").fetchone()

    @_reports_damage
    def _require_experiment(self) -> tuple:
        with self._lock:
            row = self._experiment_row()
        if row is None:
            raise RuntimeError(f"the store {str(self.path)!r} is not initialized; call "
                               f"initialize() first")
        return row

    @_reports_damage
    def is_initialized(self) -> bool:
        with self._lock:
            return self._experiment_row() is not None

    def created_at(self) -> float:
        """When the experiment was initialized (``time.time()``)."""
        return self._require_experiment()[3]

    # -- trials ----------------------------------------------------------------------------------
    @_reports_damage
    def start_trial(self, dna: list, candidate_json: Optional[str],
                    structural_hash: Optional[str] = None, functional_hash: Optional[str] = None,
                    worker: Optional[str] = None, status: str = RUNNING,
                    proposal_seq: Optional[int] = None) -> int:
        self._check_lease_kept()
        if status not in STATUSES:
            check_status(status)
        dna_text = dump_json(list(dna), "dna")
        with self._lock:
            conn = self._db()
            trial_id = self._next_id
            conn.execute(
                "INSERT INTO trials (id, dna, candidate_json, structural_hash, functional_hash, "
                "status, started_at, worker, attempts, proposal_seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (trial_id, pack(dna_text), pack(candidate_json), structural_hash,
                 functional_hash, status,
                 time.time(), worker, 1 if status == RUNNING else 0, proposal_seq))
            self._next_id = trial_id + 1
            self._commit_if_due()
        return trial_id

    @_reports_damage
    def finish_trial(self, trial_id: int, status: str, metrics: Optional[dict] = None,
                     error: Optional[str] = None, cached_from: Optional[int] = None,
                     functional_hash: Optional[str] = None,
                     worker: Optional[str] = None, feedback_seq: Optional[int] = None) -> None:
        self._check_lease_kept()
        if status not in FINISHED_STATUSES:
            check_status(status, FINISHED_STATUSES)
        trial_id = self._check_trial_id(trial_id)
        metrics_text = None if metrics is None else dump_json(metrics, "metrics")
        with self._lock:
            cursor = self._db().execute(
                "UPDATE trials SET status = ?, metrics = ?, error = ?, cached_from = ?, "
                "functional_hash = COALESCE(?, functional_hash), "
                "worker = COALESCE(?, worker), finished_at = ?, feedback_seq = ? WHERE id = ?",
                (status, metrics_text, error, cached_from, functional_hash, worker, time.time(),
                 feedback_seq, trial_id))
            if cursor.rowcount == 0:
                raise KeyError(f"no trial with id {trial_id!r} in {str(self.path)!r}")
            self._commit()

    @_reports_damage
    def restart_trial(self, trial_id: int) -> None:
        self._check_lease_kept()
        trial_id = self._check_trial_id(trial_id)
        with self._lock:
            conn = self._db()
            cursor = conn.execute(
                "UPDATE trials SET status = ?, metrics = NULL, error = NULL, finished_at = NULL, "
                "cached_from = NULL, started_at = ?, attempts = attempts + 1 WHERE id = ?",
                (RUNNING, time.time(), trial_id))
            if cursor.rowcount == 0:
                raise KeyError(f"no trial with id {trial_id!r} in {str(self.path)!r}")
            conn.execute("DELETE FROM reports WHERE trial_id = ?", (trial_id,))
            self._commit()

    @_reports_damage
    def add_report(self, trial_id: int, step: Optional[int], metrics: dict) -> None:
        self._check_lease_kept()
        trial_id = self._check_trial_id(trial_id)
        metrics_text = dump_json(metrics, "report metrics")
        with self._lock:
            conn = self._db()
            if conn.execute("SELECT 1 FROM trials WHERE id = ?", (trial_id,)).fetchone() is None:
                raise KeyError(f"no trial with id {trial_id!r} in {str(self.path)!r}")
            conn.execute("INSERT INTO reports (trial_id, step, metrics, time) VALUES (?, ?, ?, ?)",
                         (trial_id, step, metrics_text, time.time()))
            self._commit_if_due()

    @staticmethod
    def _to_record(row: tuple, reports: list) -> TrialRecord:
        (trial_id, dna, candidate_json, structural_hash, functional_hash, status, metrics,
         error, started_at, finished_at, worker, cached_from, attempts, proposal_seq,
         feedback_seq) = row
        return TrialRecord(trial_id, json.loads(unpack(dna)), unpack(candidate_json),
                           structural_hash,
                           functional_hash, status,
                           None if metrics is None else json.loads(metrics), error, reports,
                           started_at, finished_at, worker, cached_from, attempts or 0,
                           proposal_seq, feedback_seq)

    @staticmethod
    def _status_clause(statuses: Optional[tuple]) -> tuple:
        if statuses is None:
            return "", ()
        return f" WHERE status IN ({', '.join('?' * len(statuses))})", statuses

    @_reports_damage
    def trials(self, status: Union[str, Iterable[str], None] = None) -> list:
        where, args = self._status_clause(self._status_filter(status))
        with self._lock:
            conn = self._db()
            rows = conn.execute(f"SELECT {self._trial_columns} FROM trials{where} ORDER BY id",
                                args).fetchall()
            reports: dict = {}
            if rows:
                report_rows = conn.execute(
                    "SELECT trial_id, step, metrics, time FROM reports ORDER BY id").fetchall()
                for trial_id, step, metrics, at in report_rows:
                    reports.setdefault(trial_id, []).append(
                        {"step": step, "metrics": json.loads(metrics), "time": at})
        return [self._to_record(row, reports.get(row[0], [])) for row in rows]

    @_reports_damage
    def trial(self, trial_id: int) -> TrialRecord:
        trial_id = self._check_trial_id(trial_id)
        with self._lock:
            conn = self._db()
            row = conn.execute(f"SELECT {self._trial_columns} FROM trials WHERE id = ?",
                               (trial_id,)).fetchone()
            if row is None:
                raise KeyError(f"no trial with id {trial_id!r} in {str(self.path)!r}")
            report_rows = conn.execute(
                "SELECT step, metrics, time FROM reports WHERE trial_id = ? ORDER BY id",
                (trial_id,)).fetchall()
        reports = [{"step": step, "metrics": json.loads(metrics), "time": at}
                   for step, metrics, at in report_rows]
        return self._to_record(row, reports)

    @_reports_damage
    def num_trials(self, status: Union[str, Iterable[str], None] = None) -> int:
        where, args = self._status_clause(self._status_filter(status))
        with self._lock:
            return self._db().execute(f"SELECT COUNT(*) FROM trials{where}", args).fetchone()[0]

    @_reports_damage
    def discard_trial(self, trial_id: int) -> None:
        self._check_lease_kept()
        trial_id = self._check_trial_id(trial_id)
        with self._lock:
            conn = self._db()
            if conn.execute("DELETE FROM trials WHERE id = ?", (trial_id,)).rowcount == 0:
                raise KeyError(f"no trial with id {trial_id!r} in {str(self.path)!r}")
            conn.execute("DELETE FROM reports WHERE trial_id = ?", (trial_id,))
            # Keeps the id sequence going when the discarded trial was the last one.
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_trial_id', ?)",
                         (json.dumps(self._next_id),))
            self._commit()

    # -- algorithm state -------------------------------------------------------------------------
    @_reports_damage
    def save_algorithm_state(self, state: dict) -> None:
        self._check_lease_kept()
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict, got {type(state).__name__}")
        text = dump_json(state, "algorithm state")
        with self._lock:
            self._db().execute("INSERT OR REPLACE INTO algorithm_state (id, state, updated) "
                               "VALUES (0, ?, ?)", (text, time.time()))
            self._commit()

    @_reports_damage
    def load_algorithm_state(self) -> Optional[dict]:
        with self._lock:
            row = self._db().execute("SELECT state FROM algorithm_state WHERE id = 0").fetchone()
        return None if row is None else json.loads(row[0])

    # -- evaluation cache ------------------------------------------------------------------------
    @_reports_damage
    def cache_put(self, key: str, metrics: dict, eval_time: float, count: int = 1,
                  trial_id: Optional[int] = None) -> None:
        self._check_lease_kept()
        metrics_text = dump_json(metrics, "cached metrics")
        with self._lock:
            self._db().execute(
                "INSERT OR REPLACE INTO cache (key, metrics, count, eval_time, trial_id) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, metrics_text, int(count), float(eval_time), trial_id))
            self._commit_if_due()

    @_reports_damage
    def cache_get(self, key: str) -> Optional[dict]:
        with self._lock:
            row = self._db().execute(
                "SELECT metrics, count, eval_time, trial_id FROM cache WHERE key = ?",
                (key,)).fetchone()
        if row is None:
            return None
        return {"metrics": json.loads(row[0]), "count": row[1], "eval_time": row[2],
                "trial_id": row[3]}

    @_reports_damage
    def cache_entries(self) -> dict:
        with self._lock:
            rows = self._db().execute(
                "SELECT key, metrics, count, eval_time, trial_id FROM cache").fetchall()
        return {key: {"metrics": json.loads(metrics), "count": count, "eval_time": eval_time,
                      "trial_id": trial_id}
                for key, metrics, count, eval_time, trial_id in rows}

    # -- metadata --------------------------------------------------------------------------------
    @_reports_damage
    def set_meta(self, key: str, value: Any) -> None:
        self._check_lease_kept()
        self._check_meta_key(key)
        text = dump_json(value, f"meta value for {key!r}")
        with self._lock:
            self._db().execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                               (key, text))
            self._commit_if_due()

    @_reports_damage
    def get_meta(self, key: str, default: Any = None) -> Any:
        with self._lock:
            self._db()
            return self._get_meta_raw(key, default)

    # -- lifetime --------------------------------------------------------------------------------
    @_reports_damage
    def flush(self) -> None:
        self._check_lease_kept()
        with self._lock:
            if not self.read_only:
                self._commit()

    def close(self) -> None:
        """Commits, releases the lease, checkpoints the WAL into the file and closes. Raises
        StoreLockedError (after closing) when the lease was taken over, since the writes
        batched since then were not committed."""
        with self._lock:
            if self._conn is None:
                return
            for timer in (self._timer, self._checkpoint_timer):
                if timer is not None:
                    timer.cancel()
            self._timer = self._checkpoint_timer = None
            try:
                if not self.read_only:
                    self.release_lease()
                    self._commit()
                    self._checkpoint_on_close()
            finally:
                self._conn.close()
                self._conn = None
            if self._lease_lost is not None:
                raise self._locked_error()

    def __del__(self) -> None:
        # A store dropped without close() still writes what it batched.
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"SqliteStore({str(self.path)!r}, {state})"
