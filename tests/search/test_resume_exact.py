"""Resume is exact under any crash pattern: the finished store equals an uninterrupted run's,
and only a trial in flight at a crash is evaluated again."""
import collections
import datetime
import os
import signal
import subprocess
import sys
import textwrap

import pytest

import symsearch as ss
from symsearch.search.driver import SearchDriver
from symsearch.search.errors import AllTrialsFailedError
from tests.search import _evaluators as ev

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# A search of 12 trials whose evaluator SIGKILLs its own process on its n-th call (of this run).
KILLING_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    import symsearch as ss
    from tests.search import _evaluators as ev
    store, log, kill_at, algorithm = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    calls = [0]
    def evaluator(candidate):
        calls[0] += 1
        with open(log, "a") as f:
            f.write(repr(sorted(candidate.items())) + "\\n")
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return ev.quadratic(candidate)
    if algorithm == "evolution":
        algorithm = ss.algorithms.RegularizedEvolution(population_size=4, tournament_size=2)
    ss.search(ev.quadratic_space(), evaluator, objective="min:loss", algorithm=algorithm,
              num_trials=12, store=store, seed=0, resume=True)
""")


def run_killing(store, log, kill_at, algorithm="random"):
    return subprocess.run([sys.executable, "-c", KILLING_SCRIPT, str(store), str(log),
                           str(kill_at), algorithm], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def trial_rows(store):
    return [(r.id, r.dna, r.candidate_json, r.status, r.metrics)
            for r in ss.load_experiment(str(store)).trials]


@pytest.mark.parametrize("algorithm", ["random", "evolution"])
def test_two_kills_within_one_snapshot_interval_repeat_nothing(tmp_path, algorithm):
    # The reproduction: kill at call 5, then at call 3 of the resumed run, then finish.
    reference = tmp_path / "ref.db"
    assert run_killing(reference, tmp_path / "ref.log", 0, algorithm).returncode == 0
    store, log = tmp_path / "exp.db", tmp_path / "exp.log"
    assert run_killing(store, log, 5, algorithm).returncode == -signal.SIGKILL
    assert run_killing(store, log, 3, algorithm).returncode == -signal.SIGKILL
    last = run_killing(store, log, 0, algorithm)
    assert last.returncode == 0, last.stderr
    rows = trial_rows(store)
    assert rows == trial_rows(reference)
    assert len(rows) == 12
    if algorithm == "random":
        assert len({repr(r[1]) for r in rows}) == 12
    with open(log) as f:
        evaluated = collections.Counter(line.strip() for line in f)
    with open(tmp_path / "ref.log") as f:
        expected = collections.Counter(line.strip() for line in f)
    # The reference's 12 evaluations plus one for each kill (the trial in flight), no other.
    assert sum(evaluated.values()) == 14
    assert sum((evaluated - expected).values()) == 2 and not expected - evaluated


@pytest.mark.timeout(240)
@pytest.mark.parametrize("algorithm", ["random", "evolution"])
def test_crash_loop_soak_matches_the_uninterrupted_run(tmp_path, algorithm):
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import crash_soak
    finally:
        sys.path.pop(0)
    figures = crash_soak.soak(algorithm, trials=120, kills=12, seed=3, folder=str(tmp_path),
                              rng_seed=1)
    assert figures["kills"] >= 1 and figures["trials"] == 120
    assert figures["equal"], figures
    assert figures["duplicates"] == 0
    assert figures["extra_evaluations"] <= figures["kills"]


def test_out_of_order_completions_replay_in_their_order(tmp_path):
    """Ray finishes trials out of order; a resume replays proposals and feedback as they came,
    so an evolution search continues with exactly the proposals the uninterrupted one makes."""
    def drive(driver, steps):
        pending = []
        for step in steps:
            if step == "p":
                pending.append(driver.propose())
            else:                  # complete the trial proposed `step` proposals ago
                p = pending.pop(-1 - int(step))
                driver.complete(p.trial_id, ev.quadratic(p.candidate))
        return pending

    steps = "ppp0p1pp20p0p1p0p"
    algorithm = lambda: ss.algorithms.RegularizedEvolution(population_size=3, tournament_size=2)
    for snapshot_every_s in (0.0, 1e9):
        whole = SearchDriver(ev.quadratic_space(), algorithm(), "min:loss", seed=4,
                             store=str(tmp_path / f"whole{snapshot_every_s}.db"))
        drive(whole, steps)
        expected = [whole.propose().dna for _ in range(5)]
        whole.close()

        path = str(tmp_path / f"crashed{snapshot_every_s}.db")
        crashed = SearchDriver(ev.quadratic_space(), algorithm(), "min:loss", seed=4,
                               store=path, snapshot_every_s=snapshot_every_s)
        in_flight = drive(crashed, steps)
        crashed.store.flush()
        crashed._release_lease()    # dies here: no close(), no final snapshot
        resumed = SearchDriver(ev.quadratic_space(), algorithm(), "min:loss", seed=4,
                               store=path, resume=True, snapshot_every_s=snapshot_every_s)
        reruns = [resumed.propose() for _ in in_flight]
        assert sorted(p.trial_id for p in reruns) == sorted(p.trial_id for p in in_flight)
        assert [resumed.propose().dna for _ in range(5)] == expected
        resumed.close()


POISON_SCRIPT = textwrap.dedent("""
    import os, sys
    import symsearch as ss
    from tests.search import _evaluators as ev
    def evaluator(candidate):
        if candidate["y"] == 1.0:
            os._exit(3)              # as a segfault or the OOM killer would
        return ev.quadratic(candidate)
    result = ss.search(ev.quadratic_space(), evaluator, objective="min:loss", num_trials=10,
                       store=sys.argv[1], seed=5, resume=True)
    print("FINISHED", result.count("done"), result.count("failed"))
""")


def test_a_poison_trial_is_failed_after_two_deaths_and_the_search_goes_on(tmp_path):
    store = str(tmp_path / "poison.db")
    run = lambda: subprocess.run([sys.executable, "-c", POISON_SCRIPT, store], cwd=ROOT,
                                 capture_output=True, text=True, timeout=120)
    outcomes = [run() for _ in range(8)]
    finished = [o for o in outcomes if o.returncode == 0]
    assert finished, [o.stderr for o in outcomes]
    failed = [r for r in ss.load_experiment(store).trials if r.status == "failed"]
    assert failed and all(r.attempts == 2 for r in failed)
    assert all("the process died while evaluating it (2 times)" in r.error for r in failed)
    # Every death was a poison trial's: two deaths each, then the search went on past it.
    deaths = sum(1 for o in outcomes[:outcomes.index(finished[0])] if o.returncode == 3)
    assert deaths == 2 * len(failed)


def test_a_metric_that_cannot_be_stored_fails_its_trial_not_the_search(tmp_path):
    def evaluator(candidate):
        metrics = ev.quadratic(candidate)
        if candidate["y"] == 1.0:
            metrics["when"] = datetime.datetime(2026, 1, 1)
        return metrics
    store = str(tmp_path / "metrics.db")
    result = ss.search(ev.quadratic_space(), evaluator, objective="min:loss", num_trials=15,
                       store=store, seed=6)
    failed = [r for r in result.trials if r.status == "failed"]
    assert failed and len(result.trials) == 15
    assert all("the metrics cannot be stored" in r.error and "datetime" in r.error
               for r in failed)
    assert all(r.status != "running" for r in ss.load_experiment(store).trials)


def test_first_trials_failing_alike_stop_the_search_with_the_fix():
    with pytest.raises(AllTrialsFailedError) as info:
        ss.search(ev.quadratic_space(), ev.quadratic, objective="max:acc", num_trials=30,
                  seed=0)
    assert info.value.count == 3
    assert "metrics have no objective 'acc' (got ['extra', 'loss'])" in str(info.value)
    assert "rename the objective" in str(info.value)
    result = ss.search(ev.quadratic_space(), ev.quadratic, objective="max:acc",
                       num_trials=5, seed=0, fail_fast=False)
    assert result.count("failed") == 5


def test_retry_failed_reruns_failed_trials_under_their_ids(tmp_path):
    store = str(tmp_path / "retry.db")
    first = ss.search(ev.quadratic_space(), ev.raising, objective="min:loss", num_trials=12,
                      store=store, seed=8, fail_fast=False)
    failed_ids = sorted(r.id for r in first.trials if r.status == "failed")
    assert failed_ids
    again = ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=12,
                      store=store, seed=8, resume=True, retry_failed=True)
    assert len(again.trials) == 12 and again.count("done") == 12
    assert all(r.attempts == 2 for r in again.trials if r.id in failed_ids)


SIGTERM_SCRIPT = textwrap.dedent("""
    import sys, time
    import symsearch as ss
    from symsearch.search.errors import SearchTerminated
    from tests.search import _evaluators as ev
    def evaluator(candidate):
        print("EVAL", flush=True)
        time.sleep(0.2)
        return ev.quadratic(candidate)
    try:
        ss.search(ev.quadratic_space(), evaluator, objective="min:loss", num_trials=int(sys.argv[2]),
                  store=sys.argv[1], seed=9, resume=True)
    except SearchTerminated as e:
        print("TERMINATED", e.exit_code, flush=True)
        sys.exit(e.exit_code)
    print("FINISHED", flush=True)
""")


def test_sigterm_records_snapshots_and_resumes_exactly(tmp_path):
    store, reference = str(tmp_path / "term.db"), str(tmp_path / "ref.db")
    proc = subprocess.Popen([sys.executable, "-c", SIGTERM_SCRIPT, store, "8"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    evals = 0
    while evals < 3:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        evals += line.startswith("EVAL")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "TERMINATED 143" in out
    experiment = ss.load_experiment(store)
    assert [r.status for r in experiment.trials] == ["done", "done", "running"]
    # the lease was released: a plain resume (same host, new process) finishes the search
    finish = subprocess.run([sys.executable, "-c", SIGTERM_SCRIPT, store, "8"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert finish.returncode == 0 and "FINISHED" in finish.stdout, finish.stderr
    subprocess.run([sys.executable, "-c", SIGTERM_SCRIPT, reference, "8"], cwd=ROOT,
                   capture_output=True, text=True, timeout=60, check=True)
    assert trial_rows(store) == trial_rows(reference)


def test_a_report_that_cannot_be_stored_fails_its_trial(tmp_path):
    def evaluator(candidate, trial):
        trial.report(1, loss=1.0, when=datetime.date(2026, 1, 1))
        return ev.quadratic(candidate)
    result = ss.search(ev.quadratic_space(), evaluator, objective="min:loss", num_trials=4,
                       store=str(tmp_path / "reports.db"), seed=14, fail_fast=False)
    assert [r.status for r in result.trials] == ["failed"] * 4
    assert "the metrics cannot be stored" in result.trials[0].error


def test_a_store_written_before_event_numbers_resumes_in_id_order(tmp_path):
    """Stores of the previous format have no event numbers and an older snapshot: they replay
    from the seed in id order, which is exact for the in-process runner."""
    import sqlite3
    reference = ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss",
                          num_trials=10, seed=15)
    store = str(tmp_path / "legacy.db")
    ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=6,
              store=store, seed=15)
    conn = sqlite3.connect(store)
    conn.execute("UPDATE trials SET proposal_seq = NULL, feedback_seq = NULL")
    conn.execute("UPDATE trials SET status = 'running', metrics = NULL, finished_at = NULL "
                 "WHERE id = 5")
    conn.execute("UPDATE algorithm_state SET state = ?",
                 ('{"state": {"rng": null}, "next_id": 6, "pending": [5]}',))
    conn.commit()
    conn.close()
    resumed = ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss",
                        num_trials=10, store=store, seed=15, resume=True)
    assert [(r.id, r.dna, r.metrics) for r in resumed.trials] == \
        [(r.id, r.dna, r.metrics) for r in reference.trials]
