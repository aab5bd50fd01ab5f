"""The SQLite file format of SqliteStore: the schema, and opening a file as a store.

``open_connection`` creates the schema in a new (or empty) file and checks an existing one, so a
text file, another application's database or a store from a newer symsearch fails at once with
a ValueError naming the path instead of at the first query. The file header decides between
"not a store" (no ``SQLite format 3`` header and none of our meta) and ``StoreDamagedError`` (a
SQLite file that SQLite reports corrupt). A read-write open of a file that cannot be written
fails here with ``StoreReadOnlyError``; a read-only open of a store in a read-only folder falls
back to SQLite's ``immutable`` mode (see ``_connect_read_only``).
"""
from __future__ import annotations

import json
import os
import sqlite3
import warnings
from pathlib import Path

from symsearch.store.errors import StoreReadOnlyError, damaged_error, is_damage, not_a_store

FORMAT = "symsearch-store"
SCHEMA_VERSION = 2
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000     # sqlite3.connect's default timeout, restored after probing

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
    checked otherwise, WAL journal with synchronous=NORMAL.

    Raises ValueError naming the path when the file is not a symsearch store, StoreDamagedError
    when it is one SQLite reports corrupt, and (read-write) StoreReadOnlyError when it cannot be
    written.
    """
    if not read_only:
        _check_writable(path)
    _check_header(path)
    conn = _connect_read_only(path) if read_only else _connect(path, "")
    try:
        try:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                if read_only:
                    raise not_a_store(path, "the database is empty")
                _create_schema(conn)
            else:
                _check_schema(conn, path, tables, read_only)
            if not read_only:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                _probe_write(conn, path)
        except sqlite3.DatabaseError as e:
            if is_damage(e):
                raise damaged_error(path, e) from e
            if _is_read_only_failure(e) and not read_only:
                raise StoreReadOnlyError(path, f"SQLite: {e}") from e
            raise
    except BaseException:
        conn.close()
        raise
    return conn


def _connect(path: Path, query: str) -> sqlite3.Connection:
    try:
        if query:
            return sqlite3.connect(path.resolve().as_uri() + query, uri=True,
                                   check_same_thread=False)
        return sqlite3.connect(str(path), check_same_thread=False)
    except sqlite3.Error as e:
        raise ValueError(f"cannot open {str(path)!r} as a symsearch store: {e}") from e


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection; ``immutable=1`` where a plain one cannot read the file.

    SQLite reads a WAL database through its ``-shm`` index, which a reader must be able to
    create or open. In a read-only folder with no ``-shm`` that fails. No ``-shm`` means no
    connection has the file open in WAL mode, so nobody is writing it and it can be read as
    ``immutable`` (no locks, no WAL); a ``-wal`` left there by a crashed writer is then not
    read, which costs at most the last seconds before its last checkpoint.
    """
    conn = _connect(path, "?mode=ro")
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError as e:
        conn.close()
        if not _is_read_only_failure(e):
            if is_damage(e):
                raise damaged_error(path, e) from e
            raise ValueError(f"cannot read {str(path)!r} as a symsearch store: {e}") from e
        if os.path.exists(f"{path}-shm"):
            raise ValueError(
                f"cannot read {str(path)!r}: its {path.name}-shm file cannot be opened "
                f"({e}) and may belong to a search writing it now; read it when that search "
                f"ended, or copy the store with its -wal and -shm files elsewhere") from e
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        warnings.warn(f"{str(path)!r} is read without its write-ahead log {wal.name} (the "
                      f"folder is read-only): trials written since its last checkpoint are "
                      f"not shown", RuntimeWarning, stacklevel=4)
    return _connect(path, "?mode=ro&immutable=1")


def _is_read_only_failure(error: sqlite3.DatabaseError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (8, 14)        # SQLITE_READONLY, SQLITE_CANTOPEN
    text = str(error).lower()
    return "readonly" in text or "unable to open" in text


def _check_writable(path: Path) -> None:
    """StoreReadOnlyError when the file, or the folder its -wal/-shm go in, is not writable."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreReadOnlyError(path, "the file is not writable")
    needs_folder = not all(os.path.exists(f"{path}{s}") for s in ("-wal", "-shm"))
    if needs_folder and folder.exists() and not os.access(folder, os.W_OK):
        raise StoreReadOnlyError(path, f"its folder {str(folder)!r} is not writable, and SQLite "
                                       f"writes the -wal and -shm files beside the store")


def _probe_write(conn: sqlite3.Connection, path: Path) -> None:
    """Fails at once, not at the first trial, when SQLite cannot write the file (a read-only
    mount, a file whose permissions os.access misjudges). A write that is rolled back costs
    nothing in the file; a store busy with another writer is writable and is left alone."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE meta SET value = value WHERE key = 'format'")
    except sqlite3.OperationalError as e:
        if _is_read_only_failure(e):
            raise StoreReadOnlyError(path, f"SQLite: {e}") from e
        if "locked" not in str(e) and "busy" not in str(e):
            raise
    finally:
        if conn.in_transaction:
            conn.rollback()
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _check_header(path: Path) -> None:
    """Not-a-store for a file without the SQLite header, unless it holds our meta (a store
    whose first page is damaged)."""
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as e:
        raise ValueError(f"cannot read {str(path)!r}: {e}") from e
    if not header or header == SQLITE_HEADER:
        return
    # A SQLite file is whole pages (of 512 bytes or a larger power of two).
    if os.path.getsize(path) % 512 == 0 and _mentions_our_format(path):
        raise damaged_error(path, "its SQLite header is overwritten")
    raise not_a_store(path, "it is not an SQLite database: it lacks the SQLite file header")


def _mentions_our_format(path: Path, limit: int = 1 << 28) -> bool:
    needle = json.dumps(FORMAT).encode()
    tail = b""
    with open(path, "rb") as f:
        while f.tell() < limit:
            chunk = f.read(1 << 20)
            if not chunk:
                return False
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle):]
    return False


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
        raise not_a_store(path, f"it has tables {sorted(tables)} but no symsearch 'meta'")
    try:
        meta = {key: json.loads(value) for key, value in conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('format', 'schema_version')")}
    except sqlite3.DatabaseError as e:
        if is_damage(e):
            raise damaged_error(path, e) from e
        raise not_a_store(path, f"unreadable meta table: {e}") from e
    except ValueError as e:     # the meta rows are not JSON: its 'meta' is not ours
        raise not_a_store(path, f"unreadable meta table: {e}") from e
    fmt, version = meta.get("format"), meta.get("schema_version")
    if fmt != FORMAT or not isinstance(version, int):
        raise not_a_store(path, f"meta has format={fmt!r}, schema_version={version!r}")
    if version > SCHEMA_VERSION:
        raise ValueError(f"{str(path)!r} has store schema version {version}, newer than this "
                         f"symsearch supports ({SCHEMA_VERSION}); upgrade symsearch")
    missing = [t for t in TABLES if t not in tables]
    if missing:
        raise not_a_store(path, f"missing tables {missing}")
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
            if v == 2:   # an older store's trials were each evaluated once, unless cached
                conn.execute("UPDATE trials SET attempts = 1 WHERE status != 'cached'")
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
