"""One driver per store: a second search is refused while the first runs, and a resume takes
over a store whose owner died (SIGKILL here, a stale heartbeat from another host)."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

import symsearch as ss
from symsearch.store import SqliteStore
from symsearch.store.lease import StoreLockedError
from tests.search import _evaluators as ev

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SLOW_SCRIPT = textwrap.dedent("""
    import sys, time
    import symsearch as ss
    from tests.search import _evaluators as ev
    def evaluator(candidate):
        with open(sys.argv[2], "a") as f:
            f.write(repr(candidate["x"]) + "\\n")
        print("EVAL", flush=True)
        time.sleep(0.3)
        return ev.quadratic(candidate)
    ss.search(ev.quadratic_space(), evaluator, objective="min:loss", num_trials=10,
              store=sys.argv[1], seed=11, resume=True)
""")


def start_slow_search(store, log):
    proc = subprocess.Popen([sys.executable, "-c", SLOW_SCRIPT, store, log], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("EVAL"), proc.stderr.read()
    return proc


def test_a_second_driver_is_refused_while_the_first_runs_then_takes_over_after_sigkill(tmp_path):
    store, log = str(tmp_path / "owned.db"), str(tmp_path / "evals.log")
    proc = start_slow_search(store, log)
    try:
        for resume in (True, False):
            with pytest.raises(StoreLockedError) as info:
                ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss",
                          num_trials=10, store=store, seed=11, resume=resume)
            text = str(info.value)
            assert f"pid {proc.pid}" in text and "heartbeat" in text
        assert proc.poll() is None          # the owner was not disturbed
        proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    before = [r for r in ss.load_experiment(store).trials if r.status == "done"]
    result = ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss",
                       num_trials=10, store=store, seed=11, resume=True)
    assert len(result.trials) == 10 and result.count("done") == 10
    with open(log) as f:
        evaluated_by_owner = [float(line) for line in f]
    # the owner's finished trials were kept, not evaluated again
    assert [r.id for r in before] == list(range(len(before)))
    assert len(evaluated_by_owner) == len(before) + 1


def test_a_stale_lease_from_another_host_is_taken_over_by_resume(tmp_path):
    store = str(tmp_path / "stale.db")
    ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=3,
              store=store, seed=12)
    conn = sqlite3.connect(store)
    owner = {"host": "another-host", "pid": 4242, "started": "1", "pid_namespace": None,
             "acquired_at": time.time() - 600, "heartbeat_at": time.time() - 300}
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('lease', ?)",
                 (json.dumps(owner),))
    conn.commit()
    conn.close()
    result = ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=6,
                       store=store, seed=12, resume=True)
    assert len(result.trials) == 6
    # a fresh heartbeat from another host is a live owner
    owner["heartbeat_at"] = time.time()
    conn = sqlite3.connect(store)
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('lease', ?)",
                 (json.dumps(owner),))
    conn.commit()
    conn.close()
    with pytest.raises(StoreLockedError, match="another-host"):
        ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=8,
                  store=store, seed=12, resume=True)
    assert len(ss.load_experiment(store).trials) == 6     # readers need no lease


def test_a_finished_search_releases_its_lease(tmp_path):
    store = str(tmp_path / "released.db")
    ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=2,
              store=store, seed=13)
    with SqliteStore(store, read_only=True) as reader:
        assert reader.lease_owner() is None
