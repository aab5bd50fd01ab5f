"""The executor-driven loop: ss.search with the in-process runner."""
import math
import time

import pytest

import symsearch as ss
from tests.search import _evaluators as ev


def test_search_finds_the_best_and_counts_trials():
    result = ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss",
                       num_trials=40, seed=0)
    assert len(result.trials) == 40 and result.count("done") == 40
    best = result.best
    losses = [r.metrics["loss"] for r in result.trials]
    assert best.metrics["loss"] == min(losses)
    assert best.value["y"] == 0.0
    assert ss.materialize(ev.quadratic_space(), ss.DNA(best.dna)) == best.value
    assert [t.metrics["loss"] for t in result.top(3)] == sorted(losses)[:3]


def test_evaluator_errors_become_failed_trials_with_traceback():
    result = ss.search(ev.quadratic_space(), ev.raising, objective="min:loss",
                       num_trials=20, seed=1)
    failed = [r for r in result.trials if r.status == "failed"]
    assert failed and result.count("done") == 20 - len(failed)
    assert all("boom from the evaluator" in r.error and "Traceback" in r.error for r in failed)


def test_nan_objective_fails_the_trial_and_search_goes_on():
    result = ss.search(ev.quadratic_space(), ev.nan_for_y2, objective="min:loss",
                       num_trials=20, seed=2)
    failed = [r for r in result.trials if r.status == "failed"]
    assert failed and all("nan" in r.error for r in failed)
    assert result.count("done") + len(failed) == 20


def test_in_process_timeout_is_recorded():
    def slow(candidate):
        time.sleep(5 if candidate["y"] == 1.0 else 0)
        return {"loss": 1.0}
    t0 = time.monotonic()
    result = ss.search(ev.quadratic_space(), slow, objective="min:loss", num_trials=6, seed=3,
                       runner=ss.runners.InProcess(timeout_s=0.3))
    assert time.monotonic() - t0 < 4
    timeouts = [r for r in result.trials if r.status == "failed"]
    assert timeouts and all("timeout" in r.error for r in timeouts)


def test_functor_space_without_evaluator_calls_the_candidate():
    @ss.symbolize
    def train(lr, layers=1):
        return {"acc": 1.0 - abs(math.log10(lr) + 2) / 10 + layers * 0.01}
    space = train.partial(lr=ss.floatv(1e-4, 1.0, scale="log"), layers=ss.intv(1, 3))
    result = ss.search(space, objective="max:acc", num_trials=15, seed=0)
    assert result.count("done") == 15
    assert isinstance(result.best.value, train)


def test_multi_objective_pareto_front():
    def two(c):
        return {"a": c["x"], "b": -c["x"] + c["y"]}
    result = ss.search(ev.quadratic_space(), two, objective=["max:a", "max:b"],
                       num_trials=30, seed=4)
    front = result.pareto
    assert front
    values = [(t.metrics["a"], t.metrics["b"]) for t in front]
    every = [(r.metrics["a"], r.metrics["b"]) for r in result.trials]
    for a, b in values:
        assert not any(x >= a and y >= b and (x > a or y > b) for x, y in every)


def test_existing_store_requires_resume(tmp_path):
    path = tmp_path / "exp.db"
    ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=5,
              store=str(path), seed=0)
    with pytest.raises(ss.ExperimentExistsError, match="resume"):
        ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=5,
                  store=str(path), seed=0)
    result = ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss",
                       num_trials=12, store=str(path), seed=0, resume=True)
    assert len(result.trials) == 12
    assert len({tuple(map(str, r.dna)) for r in result.trials}) == 12


def test_resume_with_a_different_space_is_refused(tmp_path):
    path = str(tmp_path / "exp.db")
    ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=3,
              store=path)
    other = ss.Dict(x=ss.floatv(-3.0, 3.0), y=ss.oneof([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="differs"):
        ss.search(other, ev.quadratic, objective="min:loss", num_trials=5, store=path,
                  resume=True)


def test_time_budget_stops_proposing():
    def slowish(c):
        time.sleep(0.05)
        return {"loss": 0.0}
    t0 = time.monotonic()
    result = ss.search(ev.quadratic_space(), slowish, objective="min:loss", time_budget=0.5)
    assert 0.4 < time.monotonic() - t0 < 2.0
    assert 3 <= len(result.trials) <= 12


def test_grid_search_ends_when_exhausted():
    space = ss.Dict(a=ss.oneof([1, 2]), b=ss.intv(0, 2))
    result = ss.search(space, lambda c: {"s": c["a"] * c["b"]}, objective="max:s",
                       algorithm="grid", num_trials=100)
    assert len(result.trials) == 6 and result.best.metrics["s"] == 4


def test_bad_arguments_are_clear():
    with pytest.raises(ValueError, match="objective"):
        ss.search(ev.quadratic_space(), ev.quadratic, num_trials=1)
    with pytest.raises(ValueError, match="max:accuracy"):
        ss.search(ev.quadratic_space(), ev.quadratic, objective="accuracy", num_trials=1)
    with pytest.raises(ValueError, match="Unknown algorithm"):
        ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss",
                  algorithm="nope", num_trials=1)


def test_to_dataframe_has_metrics_columns():
    pd = pytest.importorskip("pandas")
    result = ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss", num_trials=4)
    df = result.to_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert list(df["id"]) == [0, 1, 2, 3] and "loss" in df.columns


def test_unbounded_search_is_refused_up_front():
    with pytest.raises(ValueError, match="num_trials or time_budget"):
        ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss")
    space = ss.Dict(a=ss.oneof([1, 2]))
    result = ss.search(space, lambda c: {"s": c["a"]}, objective="max:s", algorithm="grid")
    assert len(result.trials) == 2
