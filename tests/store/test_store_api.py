"""The Store API, run against MemoryStore and SqliteStore alike (fixture ``store``)."""
import threading
import time

import numpy as np
import pytest

from symsearch.store import CACHED, DONE, FAILED, PRUNED, RUNNING, TrialRecord


def test_initialize_round_trips_config_space_and_fingerprint(store):
    assert not store.is_initialized()
    store.initialize({"algorithm": "random", "num_trials": 5, "nested": {"a": [1, 2]}},
                     '{"_type": "Dict"}', "fp-123")
    assert store.is_initialized()
    assert store.config() == {"algorithm": "random", "num_trials": 5, "nested": {"a": [1, 2]}}
    assert store.space_json() == '{"_type": "Dict"}'
    assert store.spec_fingerprint() == "fp-123"


def test_initialize_twice_is_refused(store):
    store.initialize({}, None, "fp")
    with pytest.raises(RuntimeError, match="already initialized"):
        store.initialize({}, None, "fp")


def test_config_before_initialize_says_so(store):
    with pytest.raises(RuntimeError, match="not initialized"):
        store.config()


def test_start_trial_assigns_increasing_ids_from_zero(store):
    ids = [store.start_trial([i], None) for i in range(4)]
    assert ids == [0, 1, 2, 3]
    assert store.num_trials() == 4


def test_started_trial_round_trips_every_field(store):
    before = time.time()
    trial_id = store.start_trial([2, 0.5, "relu", [0, 1]], '{"lr": 0.5}', structural_hash="s1",
                                 functional_hash="f1", worker="w0")
    record = store.trial(trial_id)
    assert isinstance(record, TrialRecord)
    assert record.id == trial_id
    assert record.dna == [2, 0.5, "relu", [0, 1]]
    assert record.candidate_json == '{"lr": 0.5}'
    assert (record.structural_hash, record.functional_hash) == ("s1", "f1")
    assert record.status == RUNNING
    assert record.metrics is None and record.error is None and record.cached_from is None
    assert record.reports == []
    assert before <= record.started_at <= time.time()
    assert record.finished_at is None and record.duration is None
    assert record.worker == "w0"


def test_finish_trial_sets_status_metrics_and_finish_time(store):
    trial_id = store.start_trial([1], None, functional_hash="old")
    store.finish_trial(trial_id, DONE, metrics={"accuracy": 0.9, "loss": 0.1},
                       functional_hash="new")
    record = store.trial(trial_id)
    assert record.status == DONE
    assert record.metrics == {"accuracy": 0.9, "loss": 0.1}
    assert record.functional_hash == "new"
    assert record.finished_at >= record.started_at
    assert record.is_finished


def test_finish_trial_keeps_functional_hash_when_none_given(store):
    trial_id = store.start_trial([1], None, functional_hash="f")
    store.finish_trial(trial_id, DONE, metrics={"x": 1})
    assert store.trial(trial_id).functional_hash == "f"


def test_failed_and_cached_trials_keep_error_and_source(store):
    source = store.start_trial([1], None)
    store.finish_trial(source, DONE, metrics={"x": 1.0})
    failed = store.start_trial([2], None)
    store.finish_trial(failed, FAILED, error="ZeroDivisionError: division by zero")
    cached = store.start_trial([1], None, status=CACHED)
    store.finish_trial(cached, CACHED, metrics={"x": 1.0}, cached_from=source)
    assert store.trial(failed).error == "ZeroDivisionError: division by zero"
    assert store.trial(failed).metrics is None
    assert store.trial(cached).cached_from == source
    assert store.trial(cached).status == CACHED


def test_finish_trial_rejects_running_and_unknown_statuses(store):
    trial_id = store.start_trial([1], None)
    with pytest.raises(ValueError, match="status='running'"):
        store.finish_trial(trial_id, RUNNING)
    with pytest.raises(ValueError, match="'done'"):
        store.finish_trial(trial_id, "finished")
    with pytest.raises(ValueError, match="status='bogus'"):
        store.start_trial([1], None, status="bogus")


def test_unknown_trial_id_raises_key_error(store):
    with pytest.raises(KeyError, match="no trial with id 7"):
        store.trial(7)
    with pytest.raises(KeyError):
        store.finish_trial(7, DONE)
    with pytest.raises(KeyError):
        store.add_report(7, 0, {"x": 1})
    with pytest.raises(KeyError):
        store.discard_trial(7)


def test_trials_filter_by_status_and_count(store):
    statuses = [DONE, FAILED, None, DONE, PRUNED, None]
    for i, status in enumerate(statuses):
        trial_id = store.start_trial([i], None)
        if status is not None:
            store.finish_trial(trial_id, status, metrics={"i": i})
    assert [t.id for t in store.trials()] == [0, 1, 2, 3, 4, 5]
    assert [t.id for t in store.trials(DONE)] == [0, 3]
    assert [t.id for t in store.trials([FAILED, PRUNED])] == [1, 4]
    assert store.num_trials() == 6
    assert store.num_trials(DONE) == 2
    assert store.num_trials(RUNNING) == 2
    assert [t.id for t in store.interrupted_trials()] == [2, 5]
    with pytest.raises(ValueError, match="status='ok'"):
        store.trials("ok")


def test_discard_trial_does_not_reuse_ids(store):
    for i in range(3):
        store.start_trial([i], None)
    store.add_report(2, 0, {"loss": 1.0})
    store.discard_trial(2)
    store.discard_trial(1)
    assert [t.id for t in store.trials()] == [0]
    assert store.start_trial([9], None) == 3
    assert store.trial(3).reports == []
    assert store.num_trials() == 2


def test_reports_are_kept_in_order_with_step_and_time(store):
    trial_id = store.start_trial([1], None)
    other = store.start_trial([2], None)
    before = time.time()
    store.add_report(trial_id, 0, {"loss": 1.0})
    store.add_report(other, None, {"loss": 5.0})
    store.add_report(trial_id, 1, {"loss": 0.5, "acc": 0.7})
    store.finish_trial(trial_id, PRUNED, metrics={"loss": 0.5})
    reports = store.trial(trial_id).reports
    assert [(r["step"], r["metrics"]) for r in reports] == [
        (0, {"loss": 1.0}), (1, {"loss": 0.5, "acc": 0.7})]
    assert all(before <= r["time"] <= time.time() for r in reports)
    by_id = {t.id: t for t in store.trials()}
    assert len(by_id[trial_id].reports) == 2
    assert by_id[other].reports == [{"step": None, "metrics": {"loss": 5.0},
                                     "time": by_id[other].reports[0]["time"]}]


def test_returned_records_are_copies(store):
    trial_id = store.start_trial([1, 2], None)
    store.finish_trial(trial_id, DONE, metrics={"x": 1})
    record = store.trial(trial_id)
    record.dna.append(3)
    record.metrics["x"] = 99
    assert store.trial(trial_id).dna == [1, 2]
    assert store.trial(trial_id).metrics == {"x": 1}


def test_algorithm_state_round_trips_and_is_replaced(store):
    assert store.load_algorithm_state() is None
    store.save_algorithm_state({"population": [[0, 1], [1, 0]], "step": 3, "rng": None})
    assert store.load_algorithm_state() == {"population": [[0, 1], [1, 0]], "step": 3,
                                            "rng": None}
    store.save_algorithm_state({"step": 4})
    assert store.load_algorithm_state() == {"step": 4}
    with pytest.raises(TypeError, match="JSON-serializable"):
        store.save_algorithm_state({"bad": object()})
    with pytest.raises(TypeError, match="must be a dict"):
        store.save_algorithm_state([1, 2])


def test_cache_put_get_and_entries(store):
    assert store.cache_get("k1") is None
    store.cache_put("k1", {"acc": 0.5}, eval_time=1.25, trial_id=0)
    store.cache_put("k2", {"acc": 0.7}, eval_time=2.0, count=3)
    assert store.cache_get("k1") == {"metrics": {"acc": 0.5}, "count": 1, "eval_time": 1.25,
                                     "trial_id": 0}
    store.cache_put("k1", {"acc": 0.5}, eval_time=1.25, count=2, trial_id=0)
    assert store.cache_get("k1")["count"] == 2
    assert store.cache_entries() == {
        "k1": {"metrics": {"acc": 0.5}, "count": 2, "eval_time": 1.25, "trial_id": 0},
        "k2": {"metrics": {"acc": 0.7}, "count": 3, "eval_time": 2.0, "trial_id": None},
    }


def test_cache_stats_accumulate(store):
    assert store.cache_stats() == {"hits": 0, "misses": 0, "hash_time": 0.0, "saved_time": 0.0}
    store.cache_stat_update(hits=2, misses=1, hash_time=0.25, saved_time=3.0)
    store.cache_stat_update(hits=1, hash_time=0.25)
    assert store.cache_stats() == {"hits": 3, "misses": 1, "hash_time": 0.5, "saved_time": 3.0}


def test_meta_round_trips_json_values(store):
    assert store.get_meta("missing") is None
    assert store.get_meta("missing", default=[]) == []
    store.set_meta("reruns", [1, 2])
    store.set_meta("note", {"by": "me", "n": 1.5})
    store.set_meta("reruns", [1, 2, 3])
    assert store.get_meta("reruns") == [1, 2, 3]
    assert store.get_meta("note") == {"by": "me", "n": 1.5}


def test_meta_refuses_reserved_keys(store):
    with pytest.raises(ValueError, match="reserved"):
        store.set_meta("schema_version", 99)


def test_numpy_values_in_metrics_are_stored_as_numbers(store):
    trial_id = store.start_trial([1], None)
    store.finish_trial(trial_id, DONE, metrics={"acc": np.float32(0.5), "n": np.int64(3)})
    metrics = store.trial(trial_id).metrics
    assert metrics == {"acc": 0.5, "n": 3}
    assert float(metrics["acc"]) == 0.5


def test_flush_and_context_manager(store):
    with store as s:
        s.start_trial([1], None)
        s.flush()
        assert s.num_trials() == 1


def test_writes_from_another_thread(store):
    ids = [store.start_trial([i], None) for i in range(200)]
    errors = []

    def finish_half():
        try:
            for trial_id in ids[::2]:
                store.finish_trial(trial_id, DONE, metrics={"i": trial_id})
        except Exception as e:   # pragma: no cover - reported by the assertion below
            errors.append(e)

    thread = threading.Thread(target=finish_half)
    thread.start()
    for trial_id in ids[1::2]:
        store.add_report(trial_id, 0, {"i": trial_id})
        store.finish_trial(trial_id, FAILED, error="x")
    thread.join()
    assert errors == []
    assert store.num_trials(DONE) == 100 and store.num_trials(FAILED) == 100
    assert store.start_trial([0], None) == 200
