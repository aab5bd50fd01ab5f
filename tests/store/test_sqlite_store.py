"""SqliteStore: persistence across reopening, the file it writes, and its errors."""
import json
import sqlite3
import time

import pytest

from symsearch.store import DONE, FAILED, RUNNING, SqliteStore, open_store
from symsearch.store.sqlite_schema import SCHEMA_VERSION


def fill(store):
    store.initialize({"objective": "max:acc"}, '{"space": 1}', "fp")
    first = store.start_trial([0, "a"], '{"c": 0}', structural_hash="s0", worker="w1")
    store.add_report(first, 0, {"acc": 0.25})
    store.finish_trial(first, DONE, metrics={"acc": 0.5}, functional_hash="f0")
    second = store.start_trial([1, "b"], None)
    store.finish_trial(second, FAILED, error="boom")
    store.start_trial([2, "c"], None)
    store.save_algorithm_state({"generation": 2})
    store.cache_put("f0", {"acc": 0.5}, eval_time=0.75, trial_id=first)
    store.cache_stat_update(hits=1, misses=2, hash_time=0.5, saved_time=0.75)
    store.set_meta("reruns", [4])


def test_everything_survives_reopening(tmp_path):
    path = tmp_path / "exp.db"
    with SqliteStore(path) as store:
        fill(store)
        expected = [r.to_dict() for r in store.trials()]
    with SqliteStore(path) as store:
        assert store.is_initialized()
        assert store.config() == {"objective": "max:acc"}
        assert store.space_json() == '{"space": 1}'
        assert store.spec_fingerprint() == "fp"
        assert [r.to_dict() for r in store.trials()] == expected
        assert [r.status for r in store.trials()] == [DONE, FAILED, RUNNING]
        assert store.trial(0).reports[0]["metrics"] == {"acc": 0.25}
        assert store.load_algorithm_state() == {"generation": 2}
        assert store.cache_get("f0") == {"metrics": {"acc": 0.5}, "count": 1,
                                         "eval_time": 0.75, "trial_id": 0}
        assert store.cache_stats() == {"hits": 1, "misses": 2, "hash_time": 0.5,
                                       "saved_time": 0.75}
        assert store.get_meta("reruns") == [4]
        assert store.get_meta("schema_version") == SCHEMA_VERSION
        assert store.start_trial([3], None) == 3


def test_id_sequence_continues_after_discarding_the_last_trial_and_reopening(tmp_path):
    path = tmp_path / "exp.db"
    with SqliteStore(path) as store:
        for i in range(3):
            store.start_trial([i], None)
        store.discard_trial(2)
        store.discard_trial(1)
    with SqliteStore(path) as store:
        assert [t.id for t in store.trials()] == [0]
        assert store.start_trial([5], None) == 3


def test_creates_parent_folders_and_uses_wal(tmp_path):
    path = tmp_path / "runs" / "deep" / "exp.db"
    with SqliteStore(path) as store:
        store.start_trial([1], None)
    assert path.is_file()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"experiment", "trials", "reports", "algorithm_state", "cache", "meta"} <= tables
    assert json.loads(conn.execute("SELECT dna FROM trials").fetchone()[0]) == [1]
    conn.close()


def test_finish_trial_is_visible_to_another_connection_at_once(tmp_path):
    path = tmp_path / "exp.db"
    store = SqliteStore(path, commit_interval=3600)
    trial_id = store.start_trial([1], None)
    reader = sqlite3.connect(path)
    assert reader.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 0   # batched
    store.finish_trial(trial_id, DONE, metrics={"x": 1})
    assert reader.execute("SELECT status FROM trials").fetchone()[0] == DONE
    reader.close()
    store.close()


def test_batched_writes_commit_within_commit_interval_without_further_calls(tmp_path):
    path = tmp_path / "exp.db"
    store = SqliteStore(path, commit_interval=0.05)
    store.start_trial([1], None)
    store.add_report(0, 0, {"loss": 1.0})
    reader = sqlite3.connect(path)
    deadline = time.monotonic() + 5
    while reader.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 0:
        assert time.monotonic() < deadline, "batched writes never committed"
        time.sleep(0.02)
    assert reader.execute("SELECT status FROM trials").fetchone()[0] == RUNNING
    reader.close()
    store.close()


def test_commit_interval_zero_commits_every_write(tmp_path):
    path = tmp_path / "exp.db"
    store = SqliteStore(path, commit_interval=0)
    store.start_trial([1], None)
    reader = sqlite3.connect(path)
    assert reader.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 1
    reader.close()
    store.close()


def test_a_text_file_is_not_a_store(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a database\n" * 10)
    with pytest.raises(ValueError, match="notes.txt.*not a symsearch experiment store"):
        SqliteStore(path)
    assert path.read_text().startswith("hello")


def test_an_sqlite_database_without_our_tables_is_not_a_store(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(ValueError, match="other.db.*not a symsearch experiment store"):
        SqliteStore(path)


def test_a_store_from_a_newer_symsearch_is_refused(tmp_path):
    path = tmp_path / "exp.db"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(ValueError, match="schema version 99"):
        SqliteStore(path)


def test_a_folder_or_missing_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        SqliteStore(tmp_path)
    with pytest.raises(FileNotFoundError, match="missing.db"):
        SqliteStore(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_an_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with SqliteStore(path) as store:
        assert store.start_trial([1], None) == 0


def test_a_closed_store_says_so(tmp_path):
    store = SqliteStore(tmp_path / "exp.db")
    store.close()
    store.close()   # closing twice is harmless
    with pytest.raises(RuntimeError, match="closed"):
        store.start_trial([1], None)


def test_read_only_store_reads_but_does_not_write(tmp_path):
    path = tmp_path / "exp.db"
    with SqliteStore(path) as store:
        fill(store)
    with SqliteStore(path, read_only=True) as reader:
        assert reader.num_trials() == 3
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.start_trial([9], None)


def test_open_store_picks_the_implementation(tmp_path):
    from symsearch.store import MemoryStore
    assert isinstance(open_store(None), MemoryStore)
    assert isinstance(open_store(":memory:"), MemoryStore)
    with open_store(str(tmp_path / "a.db")) as store:
        assert isinstance(store, SqliteStore)
    with open_store(tmp_path / "b.db") as store:
        assert isinstance(store, SqliteStore)
        assert open_store(store) is store
    with pytest.raises(TypeError, match="store must be"):
        open_store(42)


def test_a_dropped_store_commits_its_batched_writes(tmp_path):
    path = tmp_path / "exp.db"
    store = SqliteStore(path, commit_interval=3600)
    store.start_trial([1], None)
    del store
    with SqliteStore(path) as reopened:
        assert reopened.num_trials(RUNNING) == 1
