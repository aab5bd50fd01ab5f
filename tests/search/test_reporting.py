"""Evaluators with a ``trial`` parameter: intermediate reports, early stopping, pruned trials."""
import pytest

import symsearch as ss
from symsearch.runners.base import Runner
from symsearch.search.reporting import wants_trial
from tests.search import _evaluators as ev


def test_an_evaluator_is_given_a_reporter_only_when_it_takes_trial():
    assert wants_trial(ev.reporting) and wants_trial(ev.reporting_returns_nothing_when_stopped)
    assert not wants_trial(ev.quadratic)
    assert not wants_trial(lambda c, **kwargs: 0)
    assert not wants_trial(len)


def test_reports_are_recorded_and_without_a_policy_trials_run_to_the_end():
    store = ss.store.MemoryStore()
    result = ss.search(ev.quadratic_space(), ev.reporting, objective="min:loss", num_trials=5,
                       seed=0, store=store)
    assert result.count("done") == 5
    for r in store.trials():
        assert [rep["step"] for rep in r.reports] == [1, 2, 3, 4, 5]
        assert r.reports[-1]["metrics"]["loss"] == r.metrics["loss"] and r.metrics["steps"] == 5


def test_a_trial_asked_to_stop_is_recorded_pruned_with_what_it_returned():
    policy = ev.StopAtStep(3)
    store = ss.store.MemoryStore()
    result = ss.search(ev.quadratic_space(), ev.reporting, objective="min:loss", num_trials=4,
                       seed=0, store=store, early_stopping=policy)
    assert result.count("pruned") == 4 and result.best is None
    for r in store.trials():
        assert len(r.reports) == 3 and r.metrics["steps"] == 3
    assert sorted(policy.completed) == [r.id for r in store.trials()]


def test_a_stopped_evaluator_returning_nothing_keeps_its_last_report():
    result = ss.search(ev.quadratic_space(), ev.reporting_returns_nothing_when_stopped,
                       objective="min:loss", num_trials=2, seed=0,
                       early_stopping=ev.StopAtStep(2))
    assert [(r.status, r.metrics) for r in result.trials] == [("pruned", {"loss": 2.0})] * 2


def test_a_report_without_step_fails_the_trial_with_a_clear_error():
    def no_step(candidate, trial):
        trial.report(None, loss=1.0)
        return 0.0
    result = ss.search(ev.quadratic_space(), no_step, objective="min:loss", num_trials=1)
    (record,) = result.trials
    assert record.status == "failed" and "needs a step" in record.error


def test_a_final_report_after_a_stop_request_in_the_user_loop_is_pruned():
    store = ss.store.MemoryStore()
    for trial in ss.sample(ev.quadratic_space(), "random", num_trials=1, objective="min:loss",
                           store=store, early_stopping=ev.StopAtStep(2)):
        for step in range(1, 6):
            trial.report(step=step, loss=1.0 / step)
            if trial.should_stop():
                break
        trial.report(loss=0.5)
        assert trial.status == "pruned"
    (record,) = store.trials()
    assert record.status == "pruned" and record.metrics == {"loss": 0.5}


class QueueRunner(Runner):
    """A runner with no report channel."""
    max_concurrent = 1
    num_in_flight = 0

    def submit(self, trial_id, evaluator, candidate):
        raise AssertionError("not reached")

    def poll(self, timeout=None):
        return []

    def cancel(self, trial_id):
        return False


def test_a_runner_without_a_report_channel_is_refused_at_the_start():
    with pytest.raises(ValueError, match="cannot carry them"):
        ss.search(ev.quadratic_space(), ev.reporting, objective="min:loss", num_trials=1,
                  runner=QueueRunner())


@pytest.mark.timeout(180)
def test_reports_from_ray_workers_reach_the_policy_and_stop_trials():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        store = ss.store.MemoryStore()
        result = ss.search(ev.quadratic_space(), ev.reporting, objective="min:loss",
                           num_trials=6, seed=0, store=store, early_stopping=ev.StopAtStep(3),
                           runner=ss.runners.Ray(workers=2, cpus_per_trial=1))
    finally:
        ray.shutdown()
    assert result.count("pruned") == 6
    # report() waits for the driver's judgment, so each trial stops right at step 3
    assert all(len(r.reports) == 3 and r.metrics["steps"] == 3 for r in store.trials())
