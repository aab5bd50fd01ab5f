"""Faults of the store file: a lost -wal, damaged pages, files that are not stores, read-only
files and folders."""
import os
import random
import shutil
import signal
import sqlite3
import string
import subprocess
import sys
import textwrap
import time

import pytest

from symsearch.store import (SqliteStore, StoreDamagedError, StoreReadOnlyError,
                             load_experiment)
from tests.store.conftest import make_foreign_files, run_until_killed

# Writes trials, waits for a checkpoint, writes more, and is killed before closing.
WRITER = textwrap.dedent("""
    import os, signal, sys, time
    from symsearch.store import SqliteStore
    store = SqliteStore(sys.argv[1], checkpoint_interval=0.2)
    store.initialize({"name": "wal"}, None, "fp")
    for i in range(20):
        store.finish_trial(store.start_trial([i], None), "done", metrics={"x": i})
    time.sleep(1.0)                      # a checkpoint happens meanwhile
    print("checkpointed", flush=True)
    store.checkpoint_interval = 3600.0   # what follows stays in the WAL only
    for i in range(20, 25):
        store.finish_trial(store.start_trial([i], None), "done", metrics={"x": i})
    os.kill(os.getpid(), signal.SIGKILL)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_losing_the_wal_after_a_kill_costs_only_what_followed_the_last_checkpoint(tmp_path):
    path = tmp_path / "wal.db"
    child = run_until_killed(WRITER, path)
    assert "checkpointed" in child.stdout
    assert os.path.getsize(f"{path}-wal") > 0
    os.remove(f"{path}-wal")
    os.remove(f"{path}-shm")
    with SqliteStore(path) as store:
        assert store.config() == {"name": "wal"}
        ids = [t.id for t in store.trials()]
    assert ids[:20] == list(range(20))
    assert ids == list(range(20)) or ids == list(range(25))   # a late checkpoint may keep all


def test_close_checkpoints_and_empties_the_wal(tmp_path):
    path = tmp_path / "exp.db"
    store = SqliteStore(path, checkpoint_interval=3600)
    for i in range(50):
        store.finish_trial(store.start_trial([i], None), "done", metrics={"x": i})
    assert os.path.getsize(f"{path}-wal") > 0
    store.close()
    assert not os.path.exists(f"{path}-wal") or os.path.getsize(f"{path}-wal") == 0
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)   # main file alone
    assert conn.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 50
    conn.close()


def test_a_periodic_checkpoint_moves_commits_into_the_main_file(tmp_path):
    path = tmp_path / "exp.db"
    store = SqliteStore(path, checkpoint_interval=0.05)
    reader = sqlite3.connect(path)         # keeps the -wal from being removed
    for i in range(10):
        store.finish_trial(store.start_trial([i], None), "done", metrics={"x": i})
    time.sleep(0.3)
    copy = tmp_path / "copy.db"            # the main file alone, as if the -wal were lost
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 10
    conn.close()
    reader.close()
    store.close()


# -- damaged files and files that are no store ---------------------------------------------------
def big_store(path, n=400):
    rng = random.Random(0)     # text that does not compress, so the file is big
    with SqliteStore(path) as store:
        store.initialize({"name": "big"}, None, "fp")
        for i in range(n):
            noise = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(600))
            trial_id = store.start_trial([i, 0.5], '{"layers": "%s"}' % noise)
            store.add_report(trial_id, 0, {"loss": 1.0 / (i + 1)})
            store.finish_trial(trial_id, "done", metrics={"loss": 1.0 / (i + 1)})
    assert n < 400 or os.path.getsize(path) > 200_000


def overwrite(path, at_fraction, nbytes=20_000):
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.seek(int(size * at_fraction))
        f.write(os.urandom(nbytes))


def read_everything(path):
    with SqliteStore(path, read_only=True) as store:
        store.trials()
        store.cache_entries()
        store.load_algorithm_state()


def test_garbage_in_the_middle_of_a_store_is_reported_as_damage_with_the_recovery(tmp_path):
    path = tmp_path / "big.db"
    big_store(path)
    overwrite(path, 0.5)
    with pytest.raises(StoreDamagedError) as info:
        read_everything(path)
    message = str(info.value)
    assert str(path) in message and "is damaged" in message
    assert f'sqlite3 {path} ".recover" | sqlite3 {path}.recovered.db' in message
    assert "package `sqlite3`" in message
    assert "not a symsearch experiment store" not in message
    assert isinstance(info.value, ValueError) and info.value.path == str(path)
    with pytest.raises(StoreDamagedError):
        load_experiment(path)


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command line")
def test_the_recovery_command_in_the_message_gives_a_readable_store(tmp_path):
    path = tmp_path / "big.db"
    big_store(path)
    overwrite(path, 0.5)
    recovered = tmp_path / "big.db.recovered.db"
    with pytest.raises(StoreDamagedError) as info:
        read_everything(path)
    recover, dump = [line.split("`")[1] for line in str(info.value).split("run ")[1:3]]
    result = subprocess.run(recover, shell=True, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or "error" in result.stderr.lower():
        # A sqlite3 built without .recover (Debian's 3.40 is one): the message's second way.
        recovered.unlink(missing_ok=True)
        subprocess.run(dump, shell=True, check=True, capture_output=True, timeout=120)
    experiment = load_experiment(recovered)
    assert experiment.config == {"name": "big"}
    assert 0 < len(experiment.trials) <= 400


def test_an_overwritten_header_of_a_store_is_damage_not_a_foreign_file(tmp_path):
    path = tmp_path / "big.db"
    big_store(path, n=20)
    with open(path, "r+b") as f:
        f.write(b"\0" * 100)
    with pytest.raises(StoreDamagedError, match="header is overwritten"):
        SqliteStore(path, read_only=True)


def test_damage_found_by_a_writer_is_reported_too(tmp_path):
    path = tmp_path / "big.db"
    big_store(path)
    overwrite(path, 0.3, nbytes=200_000)
    with pytest.raises(StoreDamagedError, match="is damaged"):
        with SqliteStore(path) as store:
            store.trials()


def test_stored_json_that_does_not_decode_is_damage(tmp_path):
    path = tmp_path / "exp.db"
    with SqliteStore(path) as store:
        store.finish_trial(store.start_trial([1], None), "done", metrics={"x": 1})
    conn = sqlite3.connect(path)
    conn.execute("UPDATE trials SET metrics = ?", ("[" * 100_000,))
    conn.commit()
    conn.close()
    with SqliteStore(path, read_only=True) as store:
        with pytest.raises(StoreDamagedError, match="nested too deeply|not valid JSON"):
            store.trials()


def test_foreign_files_are_not_stores(tmp_path):
    text, other = make_foreign_files(tmp_path)
    empty = tmp_path / "empty.db"
    empty.touch()
    for path, why in ((text, "lacks the SQLite file header"), (other, "no symsearch 'meta'"),
                      (empty, "empty")):
        with pytest.raises(ValueError, match="not a symsearch experiment store") as info:
            SqliteStore(path, read_only=True)
        assert why in str(info.value) and not isinstance(info.value, StoreDamagedError)
    assert text.read_text().startswith("not a database")


@pytest.mark.parametrize("value", ["1e308", '"7"', "-1", "1" * 5000],
                         ids=["float", "string", "negative", "5000-digits"])
def test_a_next_trial_id_that_is_no_trial_id_is_damage(tmp_path, value):
    # None of these may become an id (a float id, a string) or a huge allocation.
    path = tmp_path / "exp.db"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'next_trial_id'", (value,))
    conn.commit()
    conn.close()
    with pytest.raises(StoreDamagedError, match="meta 'next_trial_id'"):
        SqliteStore(path, read_only=True)


def test_a_nan_or_infinite_cache_counter_does_not_stop_opening(tmp_path):
    path = tmp_path / "exp.db"
    with SqliteStore(path) as store:
        store.cache_stat_update(hits=2)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cache_stats SET value = 9e999 WHERE name = 'hits'")
    conn.commit()
    conn.close()
    with SqliteStore(path) as store:
        assert store.cache_stats()["hits"] == 0


# -- read-only files and folders -----------------------------------------------------------------
def filled_store(path):
    with SqliteStore(path) as store:
        store.initialize({"name": "ro"}, None, "fp")
        for i in range(3):
            store.finish_trial(store.start_trial([i], None), "done", metrics={"x": i})


def test_a_read_write_open_of_an_unwritable_file_fails_at_once(tmp_path, monkeypatch):
    path = tmp_path / "exp.db"
    filled_store(path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode == os.W_OK
                        and os.fspath(p) == os.fspath(path) else real_access(p, mode, **kw))
    with pytest.raises(StoreReadOnlyError) as info:
        SqliteStore(path)
    message = str(info.value)
    assert message.startswith(f"the store {str(path)!r} is read-only (the file is not writable)")
    assert "symsearch show/plot/export" in message and f"cp {path}" in message
    assert isinstance(info.value, PermissionError)
    assert load_experiment(path).config == {"name": "ro"}     # reading still works


def test_a_read_write_open_of_a_store_in_an_unwritable_folder_fails_at_once(tmp_path,
                                                                             monkeypatch):
    path = tmp_path / "exp.db"
    filled_store(path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode == os.W_OK
                        and os.fspath(p) == os.fspath(tmp_path) else real_access(p, mode, **kw))
    with pytest.raises(StoreReadOnlyError, match="folder .* is not writable"):
        SqliteStore(path)


def test_sqlites_own_read_only_refusal_is_a_store_read_only_error(tmp_path, monkeypatch):
    # A file os.access misjudges (e.g. a read-only mount seen through a network filesystem):
    # the write SQLite refuses at open is reported the same way.
    path = tmp_path / "exp.db"
    filled_store(path)
    from symsearch.store import sqlite_schema
    real_connect = sqlite_schema._connect
    monkeypatch.setattr(sqlite_schema, "_connect",
                        lambda p, query: real_connect(p, query or "?mode=ro"))
    with pytest.raises(StoreReadOnlyError, match="attempt to write a readonly database"):
        SqliteStore(path)


class _ReadonlyDirectoryConnection:
    """What ``?mode=ro`` gives in a read-only folder without a -shm: every read fails."""

    def execute(self, *args):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    def close(self):
        pass


def refuse_plain_read_only_opens(monkeypatch):
    from symsearch.store import sqlite_schema
    real_connect = sqlite_schema._connect
    monkeypatch.setattr(sqlite_schema, "_connect", lambda p, query: (
        _ReadonlyDirectoryConnection() if query == "?mode=ro" else real_connect(p, query)))


def test_a_read_only_open_falls_back_to_immutable_when_sqlite_cannot_make_its_shm(tmp_path,
                                                                                  monkeypatch):
    # SQLite's answer in a read-only folder (SQLITE_READONLY_DIRECTORY at the first read),
    # simulated so that it runs as root too; the real thing runs below as user nobody.
    path = tmp_path / "exp.db"
    filled_store(path)
    refuse_plain_read_only_opens(monkeypatch)
    with SqliteStore(path, read_only=True) as store:
        assert [t.id for t in store.trials()] == [0, 1, 2]
    assert load_experiment(path).config == {"name": "ro"}
    assert not os.path.exists(f"{path}-shm")


def test_an_unreadable_wal_is_named_when_reading_immutable(tmp_path, monkeypatch):
    path = tmp_path / "exp.db"
    filled_store(path)
    with open(f"{path}-wal", "wb") as f:      # as a crashed writer in that folder left it
        f.write(b"x" * 100)
    refuse_plain_read_only_opens(monkeypatch)
    with pytest.warns(RuntimeWarning, match="without its write-ahead log"):
        SqliteStore(path, read_only=True).close()


def test_a_read_only_open_does_not_use_immutable_while_a_writer_may_be_active(tmp_path,
                                                                              monkeypatch):
    path = tmp_path / "exp.db"
    filled_store(path)
    writer = SqliteStore(path)                # its -shm exists
    refuse_plain_read_only_opens(monkeypatch)
    with pytest.raises(ValueError, match="-shm file cannot be opened"):
        SqliteStore(path, read_only=True)
    writer.close()


# The real permissions: a child process as user nobody (root ignores file modes).
NOBODY_READER = textwrap.dedent("""
    import json, sys, types
    pkg = types.ModuleType("symsearch")      # the store alone: no numpy needed
    pkg.__path__ = [sys.argv[1]]
    sys.modules["symsearch"] = pkg
    from symsearch.store import SqliteStore, StoreReadOnlyError, load_experiment
    out = {}
    try:
        SqliteStore(sys.argv[2])
        out["write_open"] = "opened"
    except StoreReadOnlyError as e:
        out["write_open"] = str(e)
    store = SqliteStore(sys.argv[2], read_only=True)
    out["trials"] = [t.id for t in store.trials()]
    store.close()
    out["loaded"] = len(load_experiment(sys.argv[2]).trials)
    print(json.dumps(out))
""")


def run_as_nobody(*args):
    import json
    if os.geteuid() != 0:
        command = [sys.executable]
    elif shutil.which("setpriv") and os.path.exists("/usr/bin/python3"):
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                   "/usr/bin/python3"]
    else:
        pytest.skip("needs setpriv and /usr/bin/python3 to drop root")
    package = os.path.dirname(os.path.dirname(os.path.abspath(
        sys.modules["symsearch.store"].__file__)))
    result = subprocess.run(command + ["-c", NOBODY_READER, package, *args],
                            capture_output=True, text=True, timeout=60, cwd="/")
    if result.returncode != 0 and ("Permission denied" in result.stderr
                                   or "No module named" in result.stderr):
        pytest.skip(f"the unprivileged child cannot run: {result.stderr.strip()[-200:]}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def shared_folder():
    import tempfile
    top = tempfile.mkdtemp(prefix="symsearch-ro-")
    os.chmod(top, 0o755)
    yield top
    for root, dirs, _ in os.walk(top):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    shutil.rmtree(top)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_read_only_file_in_a_read_only_folder_can_be_shown(shared_folder):
    folder = os.path.join(shared_folder, "runs")
    os.mkdir(folder)
    path = os.path.join(folder, "exp.db")
    filled_store(path)
    os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    out = run_as_nobody(path)
    assert out["trials"] == [0, 1, 2] and out["loaded"] == 3
    assert out["write_open"].startswith(f"the store {path!r} is read-only")
    assert not os.path.exists(f"{path}-shm")


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_read_only_file_in_a_writable_folder_can_be_shown(shared_folder):
    folder = os.path.join(shared_folder, "runs")
    os.mkdir(folder)
    os.chmod(folder, 0o777)
    path = os.path.join(folder, "exp.db")
    filled_store(path)
    os.chmod(path, 0o444)
    out = run_as_nobody(path)
    assert out["trials"] == [0, 1, 2] and out["loaded"] == 3
    assert "the file is not writable" in out["write_open"]
