"""The SQLite file format of SqliteStore: the schema, and opening a file as a store.

``open_connection`` creates the schema in a new (or empty) file and checks an existing one, so a
text file, another application's database or a store from a newer symsearch fails at once with
a ValueError naming the path instead of at the first query.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

FORMAT = "symsearch-store"
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE experiment (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    config TEXT NOT NULL,
    space TEXT,
    fingerprint TEXT NOT NULL,
    created REAL NOT NULL);
CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    dna TEXT NOT NULL,
    candidate_json TEXT,
    structural_hash TEXT,
    functional_hash TEXT,
    status TEXT NOT NULL,
    metrics TEXT,
    error TEXT,
    started_at REAL NOT NULL,
    finished_at REAL,
    worker TEXT,
    cached_from INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    proposal_seq INTEGER,
    feedback_seq INTEGER);
CREATE INDEX trials_by_status ON trials (status);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL,
    step INTEGER,
    metrics TEXT NOT NULL,
    time REAL NOT NULL);
CREATE INDEX reports_by_trial ON reports (trial_id);
CREATE TABLE algorithm_state (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    state TEXT NOT NULL,
    updated REAL NOT NULL);
CREATE TABLE cache (
    key TEXT PRIMARY KEY,
    metrics TEXT NOT NULL,
    count INTEGER NOT NULL,
    eval_time REAL NOT NULL,
    trial_id INTEGER);
CREATE TABLE cache_stats (name TEXT PRIMARY KEY, value REAL NOT NULL);
"""
TABLES = ("meta", "experiment", "trials", "reports", "algorithm_state", "cache", "cache_stats")


def open_connection(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """A connection to the store at ``path``: schema created when the file is new or empty,
    checked otherwise, WAL journal with synchronous=NORMAL. ValueError naming the path when the
    file is not a symsearch store."""
    try:
        if read_only:
            conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True,
                                   check_same_thread=False)
        else:
            conn = sqlite3.connect(str(path), check_same_thread=False)
    except sqlite3.Error as e:
        raise ValueError(f"cannot open {str(path)!r} as a symsearch store: {e}") from e
    try:
        try:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as e:    # e.g. "file is not a database"
            raise _not_a_store(path, str(e)) from e
        if not tables:
            if read_only:
                raise _not_a_store(path, "the database is empty")
            _create_schema(conn)
        else:
            _check_schema(conn, path, tables, read_only)
        if not read_only:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def _not_a_store(path: Path, why: str) -> ValueError:
    return ValueError(f"{str(path)!r} is not a symsearch experiment store ({why})")


def _create_schema(conn: sqlite3.Connection) -> None:
    # WAL first: switching journal mode needs no open transaction.
    conn.execute("PRAGMA journal_mode=WAL")
    # One explicit transaction, so that a crash never leaves half a schema behind.
    conn.execute("BEGIN")
    try:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                         [("format", json.dumps(FORMAT)),
                          ("schema_version", json.dumps(SCHEMA_VERSION)),
                          ("next_trial_id", "0")])
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def _check_schema(conn: sqlite3.Connection, path: Path, tables: set,
                  read_only: bool = False) -> None:
    if "meta" not in tables:
        raise _not_a_store(path, f"it has tables {sorted(tables)} but no symsearch 'meta'")
    try:
        meta = {key: json.loads(value) for key, value in conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('format', 'schema_version')")}
    except (sqlite3.Error, ValueError) as e:
        raise _not_a_store(path, f"unreadable meta table: {e}") from e
    fmt, version = meta.get("format"), meta.get("schema_version")
    if fmt != FORMAT or not isinstance(version, int):
        raise _not_a_store(path, f"meta has format={fmt!r}, schema_version={version!r}")
    if version > SCHEMA_VERSION:
        raise ValueError(f"{str(path)!r} has store schema version {version}, newer than this "
                         f"symsearch supports ({SCHEMA_VERSION}); upgrade symsearch")
    missing = [t for t in TABLES if t not in tables]
    if missing:
        raise _not_a_store(path, f"missing tables {missing}")
    if version < SCHEMA_VERSION and not read_only:
        _migrate(conn, version)


# Columns each schema version added to ``trials``, with their SQL type.
TRIAL_COLUMNS_ADDED = {2: (("attempts", "INTEGER NOT NULL DEFAULT 0"),
                           ("proposal_seq", "INTEGER"), ("feedback_seq", "INTEGER"))}


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    """Brings a store of an older schema up to SCHEMA_VERSION, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for v in range(version + 1, SCHEMA_VERSION + 1):
            for name, sql_type in TRIAL_COLUMNS_ADDED.get(v, ()):
                conn.execute(f"ALTER TABLE trials ADD COLUMN {name} {sql_type}")
            if v == 2:   # an older store's running trials were started once
                conn.execute("UPDATE trials SET attempts = 1 WHERE status = 'running'")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                     (json.dumps(SCHEMA_VERSION),))
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def trial_columns(conn: sqlite3.Connection) -> str:
    """The SELECT list of a trial row; columns an old (read-only) store lacks read as NULL."""
    present = {row[1] for row in conn.execute("PRAGMA table_info(trials)")}
    parts = ["id", "dna", "candidate_json", "structural_hash", "functional_hash", "status",
             "metrics", "error", "started_at", "finished_at", "worker", "cached_from"]
    for name, default in (("attempts", "0"), ("proposal_seq", "NULL"),
                          ("feedback_seq", "NULL")):
        parts.append(name if name in present else f"{default} AS {name}")
    return ", ".join(parts)
