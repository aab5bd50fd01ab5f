"""MLflow: ``MlflowCallback`` logs every trial of a search to MLflow, nested under one run.

Install with ``pip install "symsearch[mlflow]"``. Pass it to ``ss.search`` or ``ss.sample``::

    from symsearch.integrations.mlflow import MlflowCallback

    ss.search(space, evaluate, objective="max:accuracy", algorithm="tpe", num_trials=50,
              callbacks=[MlflowCallback(experiment_name="mlp")])

The search gets a parent run (its algorithm, objective and budget as parameters; the best
trial's metrics as ``best.<name>`` at the end) and each finished trial a child run tagged
``mlflow.parentRunId``, holding the trial's decisions as parameters named by key path
(``model.lr``; ``[``, ``]`` and ``=``, which MLflow does not allow in names, become
dots: ``model[=1].C`` is logged as ``model.1.C``, the choice itself as ``model``), its
numeric final metrics, its intermediate reports as metric histories (step = the report's step), and its status (done, cached,
pruned: MLflow FINISHED / KILLED; failed: FAILED, with the error as a tag). When an MLflow
run is active where the search starts, the trial runs nest under it instead and it is left
open.

The callback talks to MLflow through an explicit ``MlflowClient``, so it works beside the
user's own ``mlflow.start_run()`` and never changes the active run.
"""
from __future__ import annotations

import math
import re
import time
from typing import Any, Optional

from symsearch.integrations._ask_tell import key_path_params
from symsearch.integrations._require import require

_MAX_PARAM_LENGTH = 6000
_MAX_TAG_LENGTH = 5000
_RUN_STATUS = {"done": "FINISHED", "cached": "FINISHED", "pruned": "KILLED", "failed": "FAILED"}


def mlflow_name(key_path: str) -> str:
    """A key path as an MLflow parameter or metric name.

    >>> mlflow_name("model[=1].C"), mlflow_name("ops[0]"), mlflow_name("lr")
    ('model.1.C', 'ops.0', 'lr')

    Not "/": the file store keeps each parameter in a file, and ``model/1.C`` beside
    ``model`` would need ``model`` to be a folder.
    """
    name = key_path.replace("[=", ".").replace("[", ".").replace("]", "")
    return re.sub(r"[^\w\-. /]", "_", name)


class MlflowCallback:
    """A search callback logging each trial to a nested MLflow run; see the module docstring.

    Args:
      tracking_uri: where MLflow stores runs (``file:///...``, ``http://...``); None uses
        MLflow's own setting (``MLFLOW_TRACKING_URI`` or ``mlflow.set_tracking_uri``).
      experiment_name: the MLflow experiment (created when missing); None uses MLflow's
        active experiment.
      run_name: the parent run's name (default ``symsearch-<algorithm>``).
      tags: extra tags for the parent run.
      log_reports: log intermediate reports as metric histories.
    """

    def __init__(self, tracking_uri: Optional[str] = None,
                 experiment_name: Optional[str] = "symsearch", run_name: Optional[str] = None,
                 tags: Optional[dict] = None, log_reports: bool = True):
        if experiment_name is not None and (not isinstance(experiment_name, str)
                                            or not experiment_name.strip()):
            raise ValueError(f"MlflowCallback: experiment_name must be a non-empty str or None, "
                             f"got {experiment_name!r}")
        self._mlflow = require("mlflow", "mlflow", feature="MlflowCallback")
        self.tracking_uri = tracking_uri
        self.experiment_name = experiment_name
        self.run_name = run_name
        self.tags = dict(tags or {})
        self.log_reports = log_reports
        self.client = self._mlflow.MlflowClient(tracking_uri=tracking_uri)
        self.parent_run_id: Optional[str] = None
        self.experiment_id: Optional[str] = None
        self._owns_parent = False
        self.trial_runs: dict = {}          # symsearch trial id -> MLflow run id

    # ---- the search callback interface ----------------------------------------------------
    def on_search_start(self, driver: Any, num_trials: Optional[int] = None,
                        time_budget: Optional[float] = None) -> None:
        self._start_parent(driver, {"num_trials": num_trials, "time_budget_s": time_budget})

    def on_trial_end(self, driver: Any, trial_id: int, status: str, metrics: Optional[dict],
                     error: Optional[str]) -> None:
        from symsearch.geno.codec import dna_from_json
        self._start_parent(driver, {})
        record = driver.store.trial(trial_id)
        Metric, Param = _entities()
        tags = {"mlflow.parentRunId": self.parent_run_id, "symsearch.trial_id": str(trial_id),
                "symsearch.status": status}
        if error:
            tags["symsearch.error"] = error[:_MAX_TAG_LENGTH]
        if record.cached_from is not None:
            tags["symsearch.cached_from"] = str(record.cached_from)
        started = int((record.started_at or time.time()) * 1000)
        finished = int((record.finished_at or time.time()) * 1000)
        run = self.client.create_run(self.experiment_id, start_time=started, tags=tags,
                                     run_name=f"trial-{trial_id}")
        run_id = run.info.run_id
        params = key_path_params(dna_from_json(record.dna), driver.spec)
        logged_metrics, last_step, last_time = [], 0, 0
        if self.log_reports:
            for report in record.reports or []:
                step = int(report.get("step") or 0)
                at = min(int(report.get("time", time.time()) * 1000), finished)
                last_step, last_time = max(last_step, step), max(last_time, at)
                logged_metrics += [Metric(mlflow_name(k), v, at, step)
                                   for k, v in _numeric(report.get("metrics")).items()]
        # At the last report's step and strictly after it in time: MLflow takes the latest
        # (step, time) as the run's metric, so it shows the final value.
        logged_metrics += [Metric(mlflow_name(k), v, max(finished, last_time + 1), last_step)
                           for k, v in _numeric(metrics).items()]
        self.client.log_batch(run_id, metrics=logged_metrics,
                              params=[Param(mlflow_name(k), str(v)[:_MAX_PARAM_LENGTH])
                                      for k, v in params.items()])
        self.client.set_terminated(run_id, status=_RUN_STATUS.get(status, "FINISHED"),
                                   end_time=finished)
        self.trial_runs[trial_id] = run_id

    def on_search_end(self, driver: Any) -> None:
        if self.parent_run_id is None:
            return
        Metric, _ = _entities()
        now = int(time.time() * 1000)
        best = _numeric(driver.best_metrics)
        self.client.log_batch(self.parent_run_id,
                              metrics=[Metric(f"best.{mlflow_name(k)}", v, now, 0)
                                       for k, v in best.items()])
        if driver.best_trial_id is not None:
            self.client.set_tag(self.parent_run_id, "symsearch.best_trial_id",
                                str(driver.best_trial_id))
        for status, count in driver.counts.items():
            self.client.set_tag(self.parent_run_id, f"symsearch.trials_{status}", str(count))
        if self._owns_parent:
            self.client.set_terminated(self.parent_run_id, status="FINISHED")

    # ---- helpers --------------------------------------------------------------------------
    def _start_parent(self, driver: Any, budget: dict) -> None:
        if self.parent_run_id is not None:
            return
        active = self._mlflow.active_run()
        if active is not None and self.tracking_uri is None:
            self.parent_run_id = active.info.run_id
            self.experiment_id = active.info.experiment_id
            return
        self.experiment_id = self._experiment_id()
        algorithm = type(driver.algorithm).__name__
        tags = {"symsearch.algorithm": algorithm, **{k: str(v) for k, v in self.tags.items()}}
        run = self.client.create_run(self.experiment_id, tags=tags,
                                     run_name=self.run_name or f"symsearch-{algorithm}")
        self.parent_run_id = run.info.run_id
        self._owns_parent = True
        _, Param = _entities()
        params = {"algorithm": repr(driver.algorithm),
                  "objective": ",".join(str(o) for o in driver.objectives.objectives)
                  if driver.objectives is not None else "none",
                  "num_decisions": len(driver.spec.decisions),
                  **{k: v for k, v in budget.items() if v is not None}}
        self.client.log_batch(self.parent_run_id,
                              params=[Param(k, str(v)[:_MAX_PARAM_LENGTH])
                                      for k, v in params.items()])

    def _experiment_id(self) -> str:
        if self.experiment_name is None:
            return self._mlflow.tracking.fluent._get_experiment_id()
        found = self.client.get_experiment_by_name(self.experiment_name)
        if found is not None:
            return found.experiment_id
        return self.client.create_experiment(self.experiment_name)


def _numeric(metrics: Optional[dict]) -> dict:
    """The finite numeric entries of a metrics dict (what MLflow can chart)."""
    out = {}
    for k, v in (metrics or {}).items():
        if isinstance(v, bool):
            v = float(v)
        if isinstance(v, (int, float)) and math.isfinite(v):
            out[str(k)] = float(v)
    return out


def _entities() -> tuple:
    from mlflow.entities import Metric, Param
    return Metric, Param
