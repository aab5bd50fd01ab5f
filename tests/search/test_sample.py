"""The user-driven loop: ss.sample."""
import math

import pytest

import symsearch as ss
from symsearch.algorithms import Random
from symsearch.search.sample import NO_REPORT


class SpyRandom(Random):
    def __init__(self, seed=None):
        super().__init__(seed)
        self.feedbacks = []

    def feedback(self, dna, feedback):
        self.feedbacks.append((dna, feedback))


def space():
    return ss.Dict(x=ss.floatv(0.0, 1.0), act=ss.oneof(["relu", "gelu"]))


def test_sample_yields_materialized_trials_and_feeds_back_final_reports():
    algo = SpyRandom(seed=1)
    seen = []
    for trial in ss.sample(space(), algo, num_trials=5, objective="max:acc", seed=1):
        assert set(trial.value) == {"x", "act"}
        assert ss.materialize(space(), trial.dna) == trial.value
        trial.report(acc=trial.value["x"])
        seen.append(trial)
    assert len(seen) == 5
    assert [t.status for t in seen] == ["done"] * 5
    assert [fb.score for _, fb in algo.feedbacks] == [t.value["x"] for t in seen]
    assert [fb.trial_id for _, fb in algo.feedbacks] == [t.id for t in seen]


def test_min_objective_score_is_negated():
    algo = SpyRandom(seed=0)
    for trial in ss.sample(space(), algo, num_trials=2, objective="min:loss"):
        trial.report(loss=0.25)
    assert [fb.score for _, fb in algo.feedbacks] == [-0.25, -0.25]


def test_trial_left_without_report_is_failed_not_repeated():
    store = ss.store.MemoryStore()
    ids = []
    for trial in ss.sample(space(), "random", num_trials=4, objective="max:acc", store=store):
        ids.append(trial.id)
        if trial.id % 2 == 0:
            trial.report(acc=1.0)
    records = {r.id: r for r in store.trials()}
    assert len(records) == 4 and ids == sorted(ids)
    assert [records[i].status for i in ids] == ["done", "failed", "done", "failed"]
    assert records[ids[1]].error == NO_REPORT


def test_break_records_the_current_trial_as_failed():
    store = ss.store.MemoryStore()
    for trial in ss.sample(space(), "random", num_trials=10, objective="max:acc", store=store):
        if trial.id == 2:
            break
        trial.report(acc=0.5)
    statuses = [r.status for r in sorted(store.trials(), key=lambda r: r.id)]
    assert statuses == ["done", "done", "failed"]


def test_nan_objective_fails_with_reason():
    store = ss.store.MemoryStore()
    for trial in ss.sample(space(), "random", num_trials=1, objective="max:acc", store=store):
        trial.report(acc=math.nan)
        assert trial.status == "failed"
        assert "nan" in trial.error
    (record,) = store.trials()
    assert record.status == "failed" and "acc" in record.error and "nan" in record.error


def test_fail_and_reports_are_recorded():
    store = ss.store.MemoryStore()
    for trial in ss.sample(space(), "random", num_trials=1, objective="max:acc", store=store):
        trial.report(step=0, acc=0.1)
        trial.report(step=1, acc=0.2)
        trial.fail("diverged")
        with pytest.raises(RuntimeError):
            trial.report(acc=1.0)
    (record,) = store.trials()
    assert record.status == "failed" and record.error == "diverged"
    assert [r["step"] for r in record.reports] == [0, 1]
    assert record.reports[1]["metrics"] == {"acc": 0.2}


class StopAtStep:
    def report(self, trial_id, step, metrics):
        return step >= 2


def test_should_stop_then_leaving_records_pruned():
    store = ss.store.MemoryStore()
    steps = []
    for trial in ss.sample(space(), "random", num_trials=1, objective="max:acc", store=store,
                           early_stopping=StopAtStep()):
        for step in range(10):
            trial.report(step=step, acc=step / 10)
            steps.append(step)
            if trial.should_stop():
                break
    assert steps == [0, 1, 2]
    assert store.trials()[0].status == "pruned"


def test_structural_cache_skips_repeated_candidates():
    small = ss.Dict(act=ss.oneof(["relu", "gelu"]))
    store = ss.store.MemoryStore()
    evaluated = []
    for trial in ss.sample(small, "random", num_trials=12, objective="max:acc", store=store,
                           cache=True, seed=3):
        evaluated.append(trial.value["act"])
        trial.report(acc=1.0 if trial.value["act"] == "relu" else 0.0)
    records = store.trials()
    assert len(records) == 12
    assert sorted(evaluated) == ["gelu", "relu"]
    cached = [r for r in records if r.status == "cached"]
    assert len(cached) == 10
    assert all(r.cached_from is not None and r.metrics is not None for r in cached)


def test_grid_ends_the_loop_when_exhausted():
    small = ss.Dict(a=ss.oneof([1, 2, 3]), b=ss.oneof(["x", "y"]))
    values = []
    for trial in ss.sample(small, "grid", num_trials=100, objective="max:acc"):
        values.append((trial.value["a"], trial.value["b"]))
        trial.report(acc=0.0)
    assert len(values) == 6 and len(set(values)) == 6
