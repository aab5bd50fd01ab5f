"""TrialTable: the columns of a store's trials that the plots and the dashboard draw, kept up to
date while a search writes the store.

Reading every TrialRecord of a 50,000-trial store (DNA and candidate JSON included) costs
seconds; the history, the counts and the trial list need only each trial's id, status, metrics,
times and cache link. So this reads those columns with one query on a read-only connection, and
on ``refresh()`` reads again only what can have changed: trials with a new id, and trials that
were not finished (or were restarted) at the last read. SQLite's ``PRAGMA data_version`` says
whether another connection committed anything since, so an idle poll costs one tiny query. The
driver stays the single writer: this never writes.

>>> import os, tempfile
>>> from symsearch.store import SqliteStore
>>> path = os.path.join(tempfile.mkdtemp(), "t.db")
>>> with SqliteStore(path) as store:
...     store.initialize({"objective": ["min:loss"]}, None, "fp")
...     store.finish_trial(store.start_trial([0], None), "done", metrics={"loss": 0.5})
>>> table = TrialTable(path)
>>> table.ids, table.statuses, table.values("loss")
([0], ['done'], [0.5])
>>> table.close()
"""
from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Optional, Union

_FINISHED = ("done", "failed", "cached", "pruned")
_COLUMNS = ("id, status, metrics, started_at, finished_at, cached_from, attempts, "
            "error IS NOT NULL")


def connect_read_only(path: Union[str, os.PathLike]) -> sqlite3.Connection:
    """A read-only SQLite connection to a store file (never creates or writes it).

    Raises FileNotFoundError when there is no file, ValueError when it is not a symsearch store.
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no experiment store at {str(file)!r}")
    try:
        conn = sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True,
                               check_same_thread=False)
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as e:
        raise ValueError(f"{str(file)!r} is not a symsearch experiment store ({e})") from None
    if not {"trials", "reports", "meta"} <= tables:
        conn.close()
        raise ValueError(f"{str(file)!r} is not a symsearch experiment store (no trials table)")
    return conn


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


class TrialTable:
    """Column lists (one entry per trial, in id order) of a store's trials.

    Attributes: ``ids``, ``statuses``, ``metrics`` (dict or None), ``started`` / ``finished``
    (``time.time()`` values, finished None while running), ``cached_from``, ``attempts``,
    ``has_error``, ``num_reports``; ``version`` grows by one whenever a refresh changed
    anything (the dashboard's clients poll it).
    """

    def __init__(self, path: Union[str, os.PathLike]) -> None:
        self.path = Path(path)
        self._conn = connect_read_only(self.path)
        self._lock = threading.RLock()
        self.version = 0
        self._data_version: Optional[int] = None
        self._clear()
        self.refresh()

    def _clear(self) -> None:
        self.ids: list = []
        self.statuses: list = []
        self.metrics: list = []
        self.started: list = []
        self.finished: list = []
        self.cached_from: list = []
        self.attempts: list = []
        self.has_error: list = []
        self.num_reports: list = []
        self._position: dict = {}          # trial id -> index in the lists
        self._unfinished: set = set()      # ids of trials not finished at the last read
        self._max_id = -1
        self._last_report_id = 0

    def __len__(self) -> int:
        return len(self.ids)

    def refresh(self) -> bool:
        """Reads what changed since the last call; True when anything did."""
        with self._lock:
            data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if data_version == self._data_version:
                return False
            self._data_version = data_version
            changed = self._read_changes()
            if changed:
                self.version += 1
            return changed

    def _read_changes(self) -> bool:
        conn = self._conn
        count = conn.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
        if count < len(self.ids):                 # a trial was discarded: read all again
            self._clear()
        watched = sorted(self._unfinished)
        rows = conn.execute(f"SELECT {_COLUMNS} FROM trials WHERE id > ? OR status = 'running'"
                            f" ORDER BY id", (self._max_id,)).fetchall()
        if watched:
            marks = ",".join("?" * len(watched)) if len(watched) < 900 else None
            if marks is not None:
                rows += conn.execute(f"SELECT {_COLUMNS} FROM trials WHERE id IN ({marks})",
                                     watched).fetchall()
            else:
                rows += [r for r in conn.execute(f"SELECT {_COLUMNS} FROM trials WHERE "
                                                 f"status != 'running' AND id >= ?",
                                                 (watched[0],)) if r[0] in self._unfinished]
        changed = False
        restarted = []
        for row in rows:
            changed |= self._apply(row, restarted)
        changed |= self._read_reports(restarted)
        return changed

    def _apply(self, row: tuple, restarted: list) -> bool:
        (trial_id, status, metrics_text, started, finished, cached_from, attempts,
         has_error) = row
        try:
            metrics = None if metrics_text is None else json.loads(metrics_text)
        except ValueError:
            metrics = None
        if not isinstance(metrics, dict):
            metrics = None
        at = self._position.get(trial_id)
        if at is None:
            at = self._position[trial_id] = len(self.ids)
            self.ids.append(trial_id)
            for column in (self.statuses, self.metrics, self.started, self.finished,
                           self.cached_from, self.attempts, self.has_error):
                column.append(None)
            self.num_reports.append(0)
            self._max_id = max(self._max_id, trial_id)
        elif (self.statuses[at], self.metrics[at], self.finished[at], self.attempts[at]) == \
                (status, metrics, finished, attempts):
            return False
        if attempts is not None and self.attempts[at] is not None and \
                attempts > self.attempts[at]:
            restarted.append(trial_id)           # restart_trial deleted its reports
        self.statuses[at], self.metrics[at] = status, metrics
        self.started[at], self.finished[at] = started, finished
        self.cached_from[at], self.attempts[at] = cached_from, attempts
        self.has_error[at] = bool(has_error)
        if status in _FINISHED:
            self._unfinished.discard(trial_id)
        else:
            self._unfinished.add(trial_id)
        return True

    def _read_reports(self, restarted: list) -> bool:
        conn = self._conn
        for trial_id in restarted:
            self.num_reports[self._position[trial_id]] = conn.execute(
                "SELECT COUNT(*) FROM reports WHERE trial_id = ?", (trial_id,)).fetchone()[0]
        rows = conn.execute("SELECT trial_id, COUNT(*), MAX(id) FROM reports WHERE id > ? "
                            "GROUP BY trial_id", (self._last_report_id,)).fetchall()
        for trial_id, n, last in rows:
            at = self._position.get(trial_id)
            if at is not None and trial_id not in restarted:
                self.num_reports[at] += n
            self._last_report_id = max(self._last_report_id, last)
        return bool(rows or restarted)

    # -- derived columns -------------------------------------------------------------------------
    def values(self, metric: str) -> list:
        """``metrics[metric]`` of each trial as a finite float, None where it has none."""
        with self._lock:
            return [None if m is None else _number(m.get(metric)) for m in self.metrics]

    def status_counts(self) -> dict:
        counts = {s: 0 for s in ("running",) + _FINISHED}
        with self._lock:
            for status in self.statuses:
                counts[status] = counts.get(status, 0) + 1
        return counts

    def metric_names(self) -> list:
        """Every final metric name, in order of first appearance."""
        names: dict = {}
        with self._lock:
            for m in self.metrics:
                if m:
                    for key in m:
                        names.setdefault(key, None)
        return list(names)

    def index_of(self, trial_id: int) -> Optional[int]:
        return self._position.get(trial_id)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "TrialTable":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
