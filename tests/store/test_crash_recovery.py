"""A process killed with SIGKILL keeps every finished trial; in-flight ones read as interrupted."""
import signal
import subprocess
import sys
import textwrap

import pytest

from symsearch.store import DONE, RUNNING, SqliteStore, load_experiment
from tests.store.conftest import run_until_killed

CHILD = textwrap.dedent("""
    import os, signal, sys
    from symsearch.store import SqliteStore

    # A long commit interval: only finish_trial's own commits may make trials durable.
    store = SqliteStore(sys.argv[1], commit_interval=3600)
    store.initialize({"name": "crash"}, None, "fp")
    ids = [store.start_trial([i, i * 0.5], None, worker="w") for i in range(6)]
    store.add_report(ids[1], 0, {"loss": 2.0})
    store.add_report(ids[3], 0, {"loss": 1.5})
    store.save_algorithm_state({"seen": 2})
    for i in (0, 2):
        store.finish_trial(ids[i], "done", metrics={"loss": float(i)})
    store.cache_put("f4", {"loss": 4.0}, eval_time=0.5, trial_id=ids[4])
    store.cache_stat_update(misses=3)
    store.finish_trial(ids[4], "done", metrics={"loss": 4.0})
    os.kill(os.getpid(), signal.SIGKILL)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_keeps_finished_trials_and_leaves_the_rest_interrupted(tmp_path):
    path = tmp_path / "crash.db"
    run_until_killed(CHILD, path)

    with SqliteStore(path) as store:
        assert store.config() == {"name": "crash"}
        by_id = {t.id: t for t in store.trials()}
        assert sorted(by_id) == [0, 1, 2, 3, 4, 5]
        assert [t.id for t in store.trials(DONE)] == [0, 2, 4]
        assert [t.id for t in store.interrupted_trials()] == [1, 3, 5]
        assert all(by_id[i].status == RUNNING and by_id[i].finished_at is None
                   for i in (1, 3, 5))
        assert by_id[4].metrics == {"loss": 4.0}
        assert by_id[3].reports[0]["metrics"] == {"loss": 1.5}
        assert store.load_algorithm_state() == {"seen": 2}
        assert store.cache_get("f4")["metrics"] == {"loss": 4.0}
        assert store.cache_stats()["misses"] == 3

        # Resume: discard what was in flight and evaluate it again under new ids.
        for record in store.interrupted_trials():
            store.discard_trial(record.id)
        assert store.start_trial([1, 0.5], None) == 6

    experiment = load_experiment(path)
    assert [t.id for t in experiment.trials] == [0, 2, 4, 6]
    assert experiment.best("min:loss").id == 0


def test_a_process_that_exits_without_closing_keeps_its_batched_writes(tmp_path):
    path = tmp_path / "exit.db"
    script = textwrap.dedent("""
        import sys
        from symsearch.store import SqliteStore
        store = SqliteStore(sys.argv[1], commit_interval=3600)
        store.start_trial([1], None)
        store.set_meta("note", "kept")
    """)
    child = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                           text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    with SqliteStore(path) as store:
        assert [t.status for t in store.trials()] == [RUNNING]
        assert store.get_meta("note") == "kept"
