"""MlflowCallback: every trial of ss.search / ss.sample in a nested run of an MLflow file store."""
import pytest

import symsearch as ss

mlflow = pytest.importorskip("mlflow")
from symsearch.integrations.mlflow import MlflowCallback, mlflow_name  # noqa: E402

SPACE = ss.Dict(x=ss.floatv(-2.0, 2.0),
                model=ss.oneof([ss.Dict(kind="svm", C=ss.floatv(0.1, 10.0)),
                                ss.Dict(kind="tree", depth=ss.intv(1, 4))]))


def evaluate(candidate, trial):
    loss = candidate["x"] ** 2
    if candidate["x"] > 1.5:
        raise RuntimeError("too far out")
    for step in (1, 2):
        trial.report(step, loss=loss + 1.0 / step)
    return {"loss": loss, "label": "not a number"}


@pytest.fixture(autouse=True)
def file_store_allowed(monkeypatch):
    # MLflow 3 keeps the file store behind this switch; it is what the tests want to read.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")


def runs_of(client, experiment_name):
    experiment = client.get_experiment_by_name(experiment_name)
    return client.search_runs([experiment.experiment_id], max_results=100)


def test_search_logs_each_trial_nested_under_a_parent_run(tmp_path):
    client = mlflow.MlflowClient(tracking_uri=tmp_path.as_uri())
    callback = MlflowCallback(tracking_uri=tmp_path.as_uri(), experiment_name="quad")
    result = ss.search(SPACE, evaluate, objective="min:loss", algorithm="random",
                       num_trials=8, seed=3, callbacks=[callback], fail_fast=False)
    runs = runs_of(client, "quad")
    parent = [r for r in runs if r.info.run_id == callback.parent_run_id]
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == callback.parent_run_id]
    assert len(parent) == 1 and len(children) == 8
    parent = parent[0]
    assert parent.info.status == "FINISHED"
    assert parent.data.params["objective"] == "min:loss"
    assert parent.data.params["num_trials"] == "8"
    assert parent.data.metrics["best.loss"] == pytest.approx(result.best.metrics["loss"])
    by_trial = {int(r.data.tags["symsearch.trial_id"]): r for r in children}
    for record in result.trials:
        run = by_trial[record.id]
        assert run.data.tags["symsearch.status"] == record.status
        params = ss.DNA(record.dna).to_dict(ss.dna_spec(SPACE), value="literal")
        assert {mlflow_name(k): str(v) for k, v in params.items()} == run.data.params
        if record.status == "done":
            assert run.info.status == "FINISHED"
            assert run.data.metrics["loss"] == pytest.approx(record.metrics["loss"])
            assert "label" not in run.data.metrics               # only numbers are logged
            history = client.get_metric_history(run.info.run_id, "loss")
            assert sorted(m.step for m in history) == [1, 2, 2]   # reports, then final
        else:
            assert run.info.status == "FAILED"
            assert "too far out" in run.data.tags["symsearch.error"]
    assert {"x", "model"} <= set().union(*(r.data.params for r in children))
    assert any(k.startswith("model.") for r in children for k in r.data.params)


def test_sample_nests_under_the_users_active_run(tmp_path):
    mlflow.set_tracking_uri(tmp_path.as_uri())
    mlflow.set_experiment("mine")
    with mlflow.start_run() as active:
        callback = MlflowCallback(experiment_name=None)
        for trial in ss.sample(SPACE, "random", num_trials=3, objective="min:loss", seed=0,
                               callbacks=[callback]):
            trial.report(loss=trial.value["x"] ** 2)
        assert mlflow.active_run().info.run_id == active.info.run_id
    client = mlflow.MlflowClient(tracking_uri=tmp_path.as_uri())
    runs = runs_of(client, "mine")
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == active.info.run_id]
    assert len(children) == 3
    assert client.get_run(active.info.run_id).data.metrics["best.loss"] == \
        pytest.approx(min(r.data.metrics["loss"] for r in children))


def test_bad_experiment_name():
    with pytest.raises(ValueError, match="experiment_name must be a non-empty str"):
        MlflowCallback(experiment_name=" ")
