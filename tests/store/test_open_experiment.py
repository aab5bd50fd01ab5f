"""symsearch.cli.stored.open_experiment: every fault of a store file is a UserError that says
what it is, and a store that is written or read-only can still be shown."""
import os
import sqlite3

import pytest

from symsearch.cli.errors import UserError
from symsearch.cli.stored import open_experiment
from symsearch.store import SqliteStore
from tests.store.conftest import make_foreign_files


def small_store(path, n=3):
    with SqliteStore(path) as store:
        store.initialize({"name": "cli"}, None, "fp")
        for i in range(n):
            store.finish_trial(store.start_trial([i], '{"c": "%s"}' % ("y" * 600)), "done",
                               metrics={"x": i})


def test_a_damaged_store_is_a_user_error_with_the_recovery(tmp_path):
    path = tmp_path / "big.db"
    small_store(path, n=400)
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(os.urandom(50_000))
    with pytest.raises(UserError) as info:
        open_experiment(str(path))
    assert "is damaged" in str(info.value) and ".recover" in str(info.value)
    assert "not a symsearch experiment store" not in str(info.value)


def test_files_that_are_no_store_are_user_errors(tmp_path):
    text, other = make_foreign_files(tmp_path)
    for path in (text, other):
        with pytest.raises(UserError, match="not a symsearch experiment store"):
            open_experiment(str(path))
    with pytest.raises(UserError, match="no experiment store"):
        open_experiment(str(tmp_path / "missing.db"))


def test_a_store_owned_by_a_running_search_shows_with_its_owner(tmp_path):
    path = tmp_path / "exp.db"
    small_store(path)
    writer = SqliteStore(path)
    writer.acquire_lease(heartbeat_s=0.1)
    experiment = open_experiment(str(path))
    assert len(experiment.trials) == 3
    assert experiment.owner["pid"] == os.getpid() and experiment.owner["age_s"] < 5
    writer.close()
    assert open_experiment(str(path)).owner is None


def test_a_store_in_a_read_only_folder_shows(tmp_path, monkeypatch):
    path = tmp_path / "exp.db"
    small_store(path)
    from symsearch.store import sqlite_schema
    real_connect = sqlite_schema._connect

    class ReadOnlyFolder:        # what "?mode=ro" gives in a read-only folder without a -shm
        def execute(self, *args):
            raise sqlite3.OperationalError("attempt to write a readonly database")

        def close(self):
            pass
    monkeypatch.setattr(sqlite_schema, "_connect", lambda p, query: (
        ReadOnlyFolder() if query == "?mode=ro" else real_connect(p, query)))
    assert [t.id for t in open_experiment(str(path)).trials] == [0, 1, 2]
