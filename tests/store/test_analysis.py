"""load_experiment: reading a finished (or running) experiment back for analysis."""
import math

import pytest

from symsearch.store import (CACHED, DONE, FAILED, PRUNED, MemoryStore, SqliteStore,
                             load_experiment)


def write_experiment(store):
    store.initialize({"algorithm": "evolution"}, '{"s": 1}', "fp")
    rows = [  # (status, metrics)
        (DONE, {"acc": 0.5, "latency": 3.0}),
        (FAILED, None),
        (DONE, {"acc": 0.8, "latency": 5.0}),
        (PRUNED, {"acc": 0.99, "latency": 1.0}),   # partial metrics: never the best
        (CACHED, {"acc": 0.8, "latency": 5.0}),
        (DONE, {"acc": math.nan, "latency": 0.5}),
        (DONE, {"latency": 2.0}),
        (DONE, {"acc": 0.6, "latency": 1.0}),
    ]
    for i, (status, metrics) in enumerate(rows):
        trial_id = store.start_trial([i], None)
        store.add_report(trial_id, 0, {"acc": 0.1})
        store.finish_trial(trial_id, status, metrics=metrics,
                           error="boom" if status == FAILED else None,
                           cached_from=2 if status == CACHED else None)
    store.start_trial([99], None)   # still running
    store.cache_put("k", {"acc": 0.8}, eval_time=2.0, trial_id=2)
    store.cache_stat_update(hits=1, misses=3, hash_time=0.1, saved_time=2.0)
    store.save_algorithm_state({"generation": 1})


@pytest.fixture
def experiment_path(tmp_path):
    path = tmp_path / "exp.db"
    with SqliteStore(path) as store:
        write_experiment(store)
    return path


def test_load_experiment_reads_config_trials_and_state(experiment_path):
    experiment = load_experiment(experiment_path)
    assert experiment.config == {"algorithm": "evolution"}
    assert experiment.space_json == '{"s": 1}'
    assert experiment.spec_fingerprint == "fp"
    assert len(experiment) == 9
    assert [t.id for t in experiment.trials] == list(range(9))
    assert experiment.trials[1].error == "boom"
    assert experiment.trials[8].status == "running"
    assert experiment.trial(2).reports[0]["metrics"] == {"acc": 0.1}
    assert experiment.algorithm_state == {"generation": 1}
    assert "trials=9" in repr(experiment)


def test_best_ignores_failed_pruned_and_missing_or_nan_metrics(experiment_path):
    experiment = load_experiment(experiment_path)
    assert experiment.best("max:acc").id == 2          # earliest of the tie with cached #4
    assert experiment.best("min:acc").id == 0
    assert experiment.best("min:latency").id == 5
    assert experiment.best("max:unknown") is None
    with pytest.raises(ValueError, match="pareto_front"):
        experiment.best(["max:acc", "min:latency"])
    with pytest.raises(ValueError, match="max:accuracy"):
        experiment.best("acc")


def test_pareto_front(experiment_path):
    experiment = load_experiment(experiment_path)
    front = experiment.pareto_front(["max:acc", "min:latency"])
    assert [t.id for t in front] == [2, 4, 7]


def test_cache_stats_include_entries_and_hit_rate(experiment_path):
    stats = load_experiment(experiment_path).cache_stats()
    assert stats == {"hits": 1, "misses": 3, "hash_time": 0.1, "saved_time": 2.0,
                     "entries": 1, "hit_rate": 0.25}


def test_to_dataframe_has_a_row_per_trial_and_a_column_per_metric(experiment_path):
    pd = pytest.importorskip("pandas")
    frame = load_experiment(experiment_path).to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 9
    assert list(frame["id"]) == list(range(9))
    assert {"status", "dna", "duration", "metrics.acc", "metrics.latency"} <= set(frame.columns)
    assert frame.loc[2, "metrics.acc"] == 0.8
    assert frame.loc[4, "cached_from"] == 2
    assert math.isnan(frame.loc[1, "metrics.acc"])
    assert frame.loc[0, "num_reports"] == 1


def test_load_experiment_while_a_search_is_still_writing(tmp_path):
    path = tmp_path / "live.db"
    store = SqliteStore(path, commit_interval=3600)
    store.initialize({}, None, "fp")
    store.finish_trial(store.start_trial([0], None), DONE, metrics={"acc": 1.0})
    store.start_trial([1], None)
    experiment = load_experiment(path)
    assert [t.status for t in experiment.trials] == [DONE]   # the running one is not committed
    store.finish_trial(1, DONE, metrics={"acc": 2.0})         # the writer is not blocked
    assert len(load_experiment(path)) == 2
    store.close()


def test_load_experiment_from_an_open_store():
    store = MemoryStore()
    write_experiment(store)
    experiment = load_experiment(store)
    assert len(experiment) == 9
    assert experiment.best("max:acc").id == 2


def test_an_uninitialized_store_loads_with_empty_config(tmp_path):
    path = tmp_path / "bare.db"
    with SqliteStore(path) as store:
        store.start_trial([1], None)
    experiment = load_experiment(path)
    assert experiment.config == {}
    assert experiment.spec_fingerprint is None
    assert len(experiment) == 1


def test_load_experiment_errors_name_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.db"):
        load_experiment(tmp_path / "nothing.db")
    assert not (tmp_path / "nothing.db").exists()
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite at all, just some text")
    with pytest.raises(ValueError, match="bad.db"):
        load_experiment(bad)
    with pytest.raises(TypeError, match="path must be"):
        load_experiment(3)
