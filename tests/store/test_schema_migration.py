"""A store of schema version 1 (before attempts and event numbers) opens, migrates and keeps
every trial; read-only it is read as it is."""
import json
import sqlite3

from symsearch.store import RUNNING, SqliteStore
from symsearch.store.sqlite_schema import SCHEMA_VERSION


def make_v1_store(path):
    with SqliteStore(path) as store:
        store.initialize({"objective": "min:loss"}, None, "fp")
        store.finish_trial(store.start_trial([0.5], None), "done", metrics={"loss": 1.0})
        store.start_trial([0.25], None)
    conn = sqlite3.connect(path)
    for column in ("attempts", "proposal_seq", "feedback_seq"):
        conn.execute(f"ALTER TABLE trials DROP COLUMN {column}")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def test_a_v1_store_is_read_as_it_is_when_opened_read_only(tmp_path):
    path = str(tmp_path / "v1.db")
    make_v1_store(path)
    with SqliteStore(path, read_only=True) as store:
        records = store.trials()
        assert [r.dna for r in records] == [[0.5], [0.25]]
        assert [r.attempts for r in records] == [0, 0]
        assert store.get_meta("schema_version") == 1


def test_a_v1_store_migrates_on_a_writable_open_and_keeps_its_trials(tmp_path):
    path = str(tmp_path / "v1.db")
    make_v1_store(path)
    with SqliteStore(path) as store:
        records = store.trials()
        assert [(r.status, r.metrics) for r in records] == [("done", {"loss": 1.0}),
                                                             (RUNNING, None)]
        # each trial had been evaluated once (the running one was cut short)
        assert [r.attempts for r in records] == [1, 1]
        assert store.get_meta("schema_version") == SCHEMA_VERSION
        store.restart_trial(1)
        assert store.trial(1).attempts == 2
    conn = sqlite3.connect(path)
    assert json.loads(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'")
                      .fetchone()[0]) == SCHEMA_VERSION
    conn.close()
