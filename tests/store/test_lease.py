"""The store lease: one live owner per store file, takeover of dead ones, lost leases write
nothing, readers need none."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from symsearch.store import MemoryStore, SqliteStore, StoreLockedError, load_experiment
from symsearch.store.lease import LEASE_KEY, process_start_token

# A child that takes the lease, says so, and then waits (heartbeating) until killed.
HOLDER = textwrap.dedent("""
    import sys, time
    from symsearch.store import SqliteStore
    store = SqliteStore(sys.argv[1])
    store.acquire_lease(heartbeat_s=0.1, stale_after_s=float(sys.argv[2]))
    store.start_trial([1], None)
    store.flush()
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
    if sys.argv[4] == "release":
        store.close()
        print("released", flush=True)
        time.sleep(60)
""")

# A child that tries to take the lease and prints what happened as JSON.
TAKER = textwrap.dedent("""
    import json, sys
    from symsearch.store import SqliteStore, StoreLockedError
    store = SqliteStore(sys.argv[1])
    try:
        previous = store.acquire_lease(heartbeat_s=0.1, stale_after_s=float(sys.argv[2]))
        print(json.dumps({"taken": True, "previous": previous}))
    except StoreLockedError as e:
        print(json.dumps({"taken": False, "message": str(e), "owner": e.owner,
                          "age_s": e.age_s}))
    store.close()
""")


# A child that tries to take the lease at a given moment and keeps it until told to end.
RACER = textwrap.dedent("""
    import os, sys, time
    from symsearch.store import SqliteStore, StoreLockedError
    store = SqliteStore(sys.argv[1])
    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
    try:
        store.acquire_lease(heartbeat_s=0.1, stale_after_s=30.0)
        print("won", flush=True)
    except StoreLockedError:
        print("refused", flush=True)
    sys.stdin.read()                        # keeps it until every racer has answered
    os._exit(0)
""")


def start_holder(path, stale_after_s=30.0, hold_s=60.0, then="stay"):
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(stale_after_s),
                              str(hold_s), then], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def take(path, stale_after_s=30.0):
    out = subprocess.run([sys.executable, "-c", TAKER, str(path), str(stale_after_s)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def write_lease_row(path, owner):
    conn = sqlite3.connect(path)
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                 (LEASE_KEY, json.dumps(owner)))
    conn.commit()
    conn.close()


def other_host_owner(heartbeat_age_s):
    now = time.time()
    return {"host": "elsewhere.example", "pid": 4242, "started": "boot:1",
            "acquired_at": now - 3600, "heartbeat_at": now - heartbeat_age_s}


def test_a_second_process_is_refused_while_the_owner_lives_and_takes_over_once_killed(tmp_path):
    path = tmp_path / "exp.db"
    holder = start_holder(path)
    try:
        refused = take(path)
        assert refused["taken"] is False
        assert refused["owner"]["pid"] == holder.pid
        assert refused["owner"]["host"] == socket.gethostname()
        assert f"pid {holder.pid} on host {socket.gethostname()!r}" in refused["message"]
        assert "in use by another search" in refused["message"]
        assert "--resume" in refused["message"]
        assert 0 <= refused["age_s"] < 5
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # Same host, pid gone: dead at once, long before its heartbeat goes stale.
    taken = take(path)
    assert taken["taken"] is True
    assert taken["previous"]["pid"] == holder.pid
    with SqliteStore(path, read_only=True) as reader:   # the taker released it on close
        assert reader.lease_owner() is None
        assert reader.num_trials() == 1


def test_of_processes_acquiring_at_the_same_moment_exactly_one_wins(tmp_path):
    path = tmp_path / "exp.db"
    SqliteStore(path).close()
    at = time.time() + 1.5                   # after every child has imported and opened
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(path), str(at)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
              for _ in range(4)]
    try:
        results = [r.stdout.readline().strip() for r in racers]
    finally:
        for r in racers:
            r.stdin.close()
            r.wait(timeout=60)
    assert sorted(results) == ["refused"] * 3 + ["won"]


def test_release_lets_another_process_acquire(tmp_path):
    path = tmp_path / "exp.db"
    holder = start_holder(path, hold_s=0.2, then="release")
    try:
        assert holder.stdout.readline().strip() == "released"
        taken = take(path)
        assert taken == {"taken": True, "previous": None}
    finally:
        holder.kill()
        holder.wait()


def test_an_owner_on_another_host_is_taken_over_only_once_its_heartbeat_is_stale(tmp_path):
    path = tmp_path / "exp.db"
    SqliteStore(path).close()
    write_lease_row(path, other_host_owner(heartbeat_age_s=1.0))
    refused = take(path, stale_after_s=30.0)
    assert refused["taken"] is False
    assert "host 'elsewhere.example'" in refused["message"]
    assert refused["owner"]["pid"] == 4242

    write_lease_row(path, other_host_owner(heartbeat_age_s=120.0))
    with SqliteStore(path) as store:
        previous = store.acquire_lease(heartbeat_s=0.1, stale_after_s=30.0)
        assert previous["host"] == "elsewhere.example"
        assert store.lease_owner()["pid"] == os.getpid()


def test_a_live_pid_that_is_another_process_is_dead(tmp_path):
    path = tmp_path / "exp.db"
    SqliteStore(path).close()
    owner = {"host": socket.gethostname(), "pid": os.getppid(), "started": "not-its-token",
             "acquired_at": time.time(), "heartbeat_at": time.time()}
    if process_start_token(os.getppid()) is None:
        pytest.skip("no process start token on this platform")
    write_lease_row(path, owner)
    with SqliteStore(path) as store:
        assert store.acquire_lease(heartbeat_s=0.1)["started"] == "not-its-token"


def test_acquiring_twice_in_one_process_is_fine(tmp_path):
    path = tmp_path / "exp.db"
    with SqliteStore(path) as store, SqliteStore(path) as again:
        assert store.acquire_lease(heartbeat_s=0.1) is None
        assert store.acquire_lease(heartbeat_s=0.1) is None
        assert again.acquire_lease(heartbeat_s=0.1) is None      # same process
        store.start_trial([1], None)
        store.flush()


def test_heartbeat_refreshes_the_lease(tmp_path):
    path = tmp_path / "exp.db"
    with SqliteStore(path) as store:
        store.acquire_lease(heartbeat_s=0.05, stale_after_s=5.0)
        first = store.lease_owner()["heartbeat_at"]
        deadline = time.monotonic() + 5
        while store.lease_owner()["heartbeat_at"] == first:
            assert time.monotonic() < deadline, "no heartbeat"
            time.sleep(0.02)
        with SqliteStore(path, read_only=True) as reader:    # readers see it committed
            assert reader.lease_owner()["heartbeat_at"] > first


def test_a_lost_lease_rolls_back_and_refuses_every_write(tmp_path):
    path = tmp_path / "exp.db"
    store = SqliteStore(path, commit_interval=3600)
    store.acquire_lease(heartbeat_s=30.0, stale_after_s=60.0)
    store.finish_trial(store.start_trial([0], None), "done", metrics={"x": 1})
    store.start_trial([1], None)
    store.flush()
    # Another search (on another host, say) decided we were dead and took the lease.
    write_lease_row(path, other_host_owner(0.0))
    store.start_trial([2], None)           # batched: not committed yet
    with pytest.raises(StoreLockedError, match="taken over by another search.*elsewhere"):
        store.flush()                      # the commit finds the lease gone and rolls back
    for write in (lambda: store.start_trial([4], None), lambda: store.set_meta("k", 1),
                  lambda: store.finish_trial(0, "done", metrics={"x": 2}),
                  lambda: store.cache_put("k", {"x": 1}, 0.1), store.flush,
                  lambda: store.save_algorithm_state({"a": 1}), lambda: store.discard_trial(0)):
        with pytest.raises(StoreLockedError) as info:
            write()
        assert info.value.lost and info.value.owner["host"] == "elsewhere.example"
    store.cache_stat_update(hits=1)
    with pytest.raises(StoreLockedError):
        store.close()                      # says so, and still closes
    with SqliteStore(path, read_only=True) as reader:
        assert [t.id for t in reader.trials()] == [0, 1]        # nothing after the takeover
        assert reader.trial(0).metrics == {"x": 1}
        assert reader.cache_stats()["hits"] == 0
        assert reader.lease_owner()["host"] == "elsewhere.example"


def test_a_takeover_waits_for_the_owners_open_batch(tmp_path):
    path = tmp_path / "exp.db"
    store = SqliteStore(path, commit_interval=3600)
    store.acquire_lease(heartbeat_s=30.0)
    store.start_trial([1], None)           # batched: the owner holds SQLite's write lock
    other = sqlite3.connect(path, timeout=0.1)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    other.close()
    store.close()


def test_the_heartbeat_notices_a_takeover(tmp_path):
    path = tmp_path / "exp.db"
    store = SqliteStore(path)
    store.acquire_lease(heartbeat_s=0.05, stale_after_s=5.0)
    write_lease_row(path, other_host_owner(0.0))
    deadline = time.monotonic() + 5
    while store._lease_lost is None:
        assert time.monotonic() < deadline, "the heartbeat never saw the takeover"
        time.sleep(0.02)
    with pytest.raises(StoreLockedError, match="elsewhere.example"):
        store.start_trial([1], None)
    with pytest.raises(StoreLockedError):
        store.close()
    with SqliteStore(path, read_only=True) as reader:
        assert reader.lease_owner()["host"] == "elsewhere.example"   # not deleted by us


def test_readers_need_no_lease_and_do_not_block_the_owner(tmp_path):
    path = tmp_path / "exp.db"
    writer = SqliteStore(path, commit_interval=0)
    writer.acquire_lease(heartbeat_s=0.05)
    writer.initialize({"name": "x"}, None, "fp")
    reader = SqliteStore(path, read_only=True)      # opened while the owner writes
    with pytest.raises(Exception):
        reader.acquire_lease()
    assert reader.lease_owner()["pid"] == os.getpid()
    for i in range(5):
        writer.finish_trial(writer.start_trial([i], None), "done", metrics={"x": i})
        assert reader.num_trials() == i + 1
    assert len(load_experiment(path).trials) == 5
    time.sleep(0.2)                                  # heartbeats go on while the reader is open
    assert writer._lease is not None and writer._lease_lost is None
    reader.close()
    writer.close()
    assert SqliteStore(path, read_only=True).lease_owner() is None


def test_bad_lease_arguments_are_named(tmp_path):
    with SqliteStore(tmp_path / "exp.db") as store:
        with pytest.raises(ValueError, match="heartbeat_s"):
            store.acquire_lease(heartbeat_s=0)
        with pytest.raises(ValueError, match="stale_after_s"):
            store.acquire_lease(heartbeat_s=2.0, stale_after_s=1.0)
        with pytest.raises(ValueError, match="lease.*reserved"):
            store.set_meta(LEASE_KEY, 1)


def test_a_memory_store_always_gets_the_lease():
    store = MemoryStore()
    assert store.lease_owner() is None
    assert store.acquire_lease() is None
    assert store.acquire_lease() is None
    assert store.lease_owner()["pid"] == os.getpid()
    store.close()
    assert store.lease_owner() is None
