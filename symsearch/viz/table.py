"""TrialTable: the columns of a store's trials that the plots and the dashboard draw, kept up to
date while a search writes the store.

Reading every TrialRecord of a 50,000-trial store (DNA and candidate JSON included) costs
seconds; the history, the counts and the trial list need only each trial's id, status, times,
cache link and the values of a few metrics (the objectives). So this reads those columns with
one query on a read-only connection (SQLite's ``json_extract`` picks the metrics out of the
stored JSON without parsing it in Python), and
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
>>> table = TrialTable(path, metrics=["loss"])
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
from typing import Any, Optional, Sequence, Union

_FINISHED = ("done", "failed", "cached", "pruned")
_COLUMNS = "id, status, started_at, finished_at, cached_from, attempts, error IS NOT NULL"


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


def _metric_sql(name: str) -> Optional[str]:
    """SQL for a finite number stored under ``name`` in the metrics JSON (NULL otherwise), or
    None when the name cannot be written as a JSON path (then Python reads it)."""
    if '"' in name or "\\" in name:
        return None
    path = '$."' + name.replace("'", "''") + '"'
    # json_valid first: metrics holding NaN (Python writes it, JSON has no such token) are
    # no valid JSON for SQLite, and such a trial has no usable value anyway.
    return (f"CASE WHEN json_valid(metrics) AND json_type(metrics, '{path}') IN "
            f"('integer', 'real') THEN json_extract(metrics, '{path}') END")


class TrialTable:
    """Column lists (one entry per trial, in id order) of a store's trials.

    Attributes: ``ids``, ``statuses``, ``started`` / ``finished`` (``time.time()`` values,
    finished None while running), ``cached_from``, ``attempts``, ``has_error``,
    ``num_reports``, and ``values(name)`` for each metric named in ``metrics``; ``version``
    grows by one whenever a refresh changed anything (the dashboard's clients poll it).
    """

    def __init__(self, path: Union[str, os.PathLike], metrics: Sequence[str] = ()) -> None:
        self.path = Path(path)
        self.metric_names = list(dict.fromkeys(metrics))
        sql = [_metric_sql(name) for name in self.metric_names]
        self._python_metrics = any(s is None for s in sql)
        extra = ", metrics" if self._python_metrics else "".join(f", {s}" for s in sql)
        self._select = f"SELECT {_COLUMNS}{extra} FROM trials"
        self._conn = connect_read_only(self.path)
        self._lock = threading.RLock()
        self.version = 0
        self._data_version: Optional[int] = None
        self._clear()
        self.refresh()

    def _clear(self) -> None:
        self.ids: list = []
        self.statuses: list = []
        self.started: list = []
        self.finished: list = []
        self.cached_from: list = []
        self.attempts: list = []
        self.has_error: list = []
        self.num_reports: list = []
        self._values: dict = {name: [] for name in self.metric_names}
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

    def _metric_values(self, row: tuple) -> tuple:
        extra = row[7:]
        if not self._python_metrics:
            return extra
        try:
            metrics = json.loads(extra[0]) if extra[0] is not None else None
        except ValueError:
            metrics = None
        if not isinstance(metrics, dict):
            return (None,) * len(self.metric_names)
        return tuple(_number(metrics.get(name)) for name in self.metric_names)

    def _read_changes(self) -> bool:
        conn = self._conn
        count = conn.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
        if count < len(self.ids):                 # a trial was discarded: read all again
            self._clear()
        if not self.ids:
            return self._read_all()
        watched = sorted(self._unfinished)
        rows = conn.execute(f"{self._select} WHERE id > ? OR status = 'running' ORDER BY id",
                            (self._max_id,)).fetchall()
        if watched:
            if len(watched) < 900:
                marks = ",".join("?" * len(watched))
                rows += conn.execute(f"{self._select} WHERE id IN ({marks})",
                                     watched).fetchall()
            else:
                rows += [r for r in conn.execute(f"{self._select} WHERE status != 'running' "
                                                 f"AND id >= ?", (watched[0],))
                         if r[0] in self._unfinished]
        changed = False
        restarted: list = []
        for row in rows:
            changed |= self._apply(row, restarted)
        changed |= self._read_reports(restarted)
        return changed

    def _read_all(self) -> bool:
        """The first read: whole columns at once (a store of 50,000 trials in a blink)."""
        rows = self._conn.execute(f"{self._select} ORDER BY id").fetchall()
        if rows:
            columns = list(zip(*rows))
            self.ids = list(columns[0])
            self.statuses = list(columns[1])
            self.started, self.finished = list(columns[2]), list(columns[3])
            self.cached_from, self.attempts = list(columns[4]), list(columns[5])
            self.has_error = [bool(e) for e in columns[6]]
            if self._python_metrics:
                values = list(zip(*[self._metric_values(r) for r in rows]))
            else:
                values = columns[7:]
            self._values = {name: list(v) for name, v in zip(self.metric_names, values)}
            self.num_reports = [0] * len(rows)
            self._position = {trial_id: i for i, trial_id in enumerate(self.ids)}
            self._unfinished = {i for i, s in zip(self.ids, self.statuses)
                                if s not in _FINISHED}
            self._max_id = self.ids[-1]
        self._read_reports([])
        return bool(rows)

    def _apply(self, row: tuple, restarted: list) -> bool:
        trial_id, status, started, finished, cached_from, attempts, has_error = row[:7]
        values = self._metric_values(row)
        at = self._position.get(trial_id)
        if at is None:
            at = self._position[trial_id] = len(self.ids)
            self.ids.append(trial_id)
            for column in (self.statuses, self.started, self.finished, self.cached_from,
                           self.attempts, self.has_error, *self._values.values()):
                column.append(None)
            self.num_reports.append(0)
            self._max_id = max(self._max_id, trial_id)
        elif (self.statuses[at], self.finished[at], self.attempts[at]) == \
                (status, finished, attempts) and \
                all(self._values[n][at] == v for n, v in zip(self.metric_names, values)):
            return False
        if attempts is not None and self.attempts[at] is not None and \
                attempts > self.attempts[at]:
            restarted.append(trial_id)           # restart_trial deleted its reports
        self.statuses[at] = status
        self.started[at], self.finished[at] = started, finished
        self.cached_from[at], self.attempts[at] = cached_from, attempts
        self.has_error[at] = bool(has_error)
        for name, value in zip(self.metric_names, values):
            self._values[name][at] = value
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
        """The metric's finite value per trial (None where it has none); ``metric`` must be
        one of those the table was opened with."""
        with self._lock:
            if metric not in self._values:
                raise KeyError(f"metric {metric!r} is not read by this table; it reads "
                               f"{self.metric_names}")
            return list(self._values[metric])

    def status_counts(self) -> dict:
        counts = {s: 0 for s in ("running",) + _FINISHED}
        with self._lock:
            for status in self.statuses:
                counts[status] = counts.get(status, 0) + 1
        return counts

    def index_of(self, trial_id: int) -> Optional[int]:
        return self._position.get(trial_id)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "TrialTable":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
