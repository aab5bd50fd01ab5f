"""Hugging Face Transformers: hyper-parameter search of a ``Trainer`` with symsearch.

Install with ``pip install "symsearch[transformers]"``. Three pieces, usable together or alone:

- ``SymsearchTrainerCallback(trial)``: a ``TrainerCallback`` that reports each evaluation's
  metric to a symsearch trial and stops training (``control.should_training_stop``) when the
  search's early-stopping policy prunes it (Optuna's ``trial.report``/``should_prune`` job).
- ``training_args_overrides(candidate)``: the ``TrainingArguments`` fields a candidate sets
  (``{"learning_rate": 3e-4, "per_device_train_batch_size": 16, ...}``), checked against the
  dataclass (a key that is no field is an error naming it, with the nearest field names).
- ``symsearch_hyperparameter_search(trainer, space, ...)``: what
  ``Trainer.hyperparameter_search`` does for Optuna or Ray, for any symsearch algorithm
  (``Trainer``'s backends are a closed enum, so this is a function beside it)::

      space = ss.Dict(learning_rate=ss.floatv(1e-5, 1e-3, scale="log"),
                      weight_decay=ss.floatv(0.0, 0.1),
                      hidden_size=ss.oneof([32, 64]))         # not a TrainingArguments field:
      def model_init(params):                                   # goes to model_init
          params = params or {"hidden_size": 32}                # Trainer() calls it with None
          return BertForSequenceClassification(BertConfig(hidden_size=params["hidden_size"], ...))
      trainer = Trainer(model_init=model_init, args=TrainingArguments(..., eval_strategy="epoch"),
                        train_dataset=..., eval_dataset=...)
      best = symsearch_hyperparameter_search(trainer, space, objective="min:eval_loss",
                                             algorithm="tpe", n_trials=20, early_stopping="asha")
      best.hyperparameters, best.objective

  Each trial's candidate (a dict) is split: its ``TrainingArguments`` fields replace those
  of ``trainer.args`` for that trial, and the whole candidate is passed to
  ``model_init(params)`` when it takes an argument (it must then use the other keys; with a
  ``model_init()`` of no argument, keys that are no fields are an error). The trainer trains a
  fresh model, evaluates, and the evaluation metrics are the trial's result; ``trainer.args``
  is restored afterwards. The return value is Transformers' ``BestRun`` (``run_id`` is the
  symsearch trial id, ``hyperparameters`` the key-path parameters, ``run_summary`` the
  ``ss.Result`` of every trial).
"""
from __future__ import annotations

import dataclasses
import difflib
import inspect
import math
from typing import Any, Callable, Optional

from symsearch.integrations._ask_tell import key_path_params
from symsearch.integrations._require import check_trial, require

_transformers = require("transformers", "transformers",
                        feature="symsearch.integrations.transformers")
TrainerCallback = _transformers.TrainerCallback
TrainingArguments = _transformers.TrainingArguments


class SymsearchTrainerCallback(TrainerCallback):
    """Reports ``metric`` after every evaluation; stops training when the trial is pruned.

    Args:
      trial: an ``ss.sample`` ``Trial`` or the ``trial`` an ``ss.search`` evaluator receives.
      metric: a key of the evaluation metrics (``"eval_loss"``, ``"eval_accuracy"``...).
      report_as: the name it is reported under (default ``metric``): the metric the
        early-stopping policy judges.
      step: ``"global_step"`` (optimizer steps, the default) or ``"epoch"`` (rounded up):
        the unit of the policy's ``min_resource``/``max_resource``.
    """

    def __init__(self, trial: Any, metric: str = "eval_loss", report_as: Optional[str] = None,
                 step: str = "global_step"):
        check_trial(trial, "SymsearchTrainerCallback")
        if step not in ("global_step", "epoch"):
            raise ValueError(f"SymsearchTrainerCallback: step must be 'global_step' or 'epoch', "
                             f"got {step!r}")
        self.trial = trial
        self.metric = metric
        self.report_as = report_as or metric
        self.step = step
        self.pruned = False

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: Optional[dict] = None,
                    **kwargs: Any) -> None:
        metrics = metrics or {}
        if self.metric not in metrics:
            raise KeyError(f"SymsearchTrainerCallback: the evaluation metrics have no "
                           f"{self.metric!r} (they have {sorted(metrics)}); pass metric=...")
        value = float(metrics[self.metric])
        if not math.isfinite(value):
            return
        step = state.global_step if self.step == "global_step" else \
            int(math.ceil(state.epoch or 0))
        self.trial.report(step, **{self.report_as: value})
        if self.trial.should_stop():
            self.pruned = True
            control.should_training_stop = True


def training_args_overrides(candidate: Any, *, strict: bool = True) -> dict:
    """The ``TrainingArguments`` fields set by ``candidate`` (a dict), as plain values.

    ``strict``: a key that is no ``TrainingArguments`` field raises ValueError naming it;
    otherwise such keys are left out (they are for ``model_init``).

    >>> training_args_overrides({"learning_rate": 1e-4, "num_train_epochs": 2})
    {'learning_rate': 0.0001, 'num_train_epochs': 2}
    """
    if not isinstance(candidate, dict):
        raise TypeError(f"training_args_overrides: the candidate must be a dict of "
                        f"TrainingArguments fields, got {type(candidate).__name__}")
    fields = {f.name: f for f in dataclasses.fields(TrainingArguments) if f.init}
    out = {}
    for key, value in candidate.items():
        if key not in fields:
            if strict:
                near = difflib.get_close_matches(str(key), list(fields), n=3)
                raise ValueError(f"Candidate key {key!r} (value {value!r}) is not a "
                                 f"TrainingArguments field" +
                                 (f"; did you mean {near}?" if near else ""))
            continue
        out[key] = value
    return out


def symsearch_hyperparameter_search(trainer: Any, space: Any, *,
                                    objective: str = "min:eval_loss", algorithm: Any = "tpe",
                                    n_trials: int = 20, early_stopping: Any = None,
                                    seed: Optional[int] = None, store: Any = None,
                                    callbacks: Optional[list] = None,
                                    report_metric: Optional[str] = None,
                                    step: str = "global_step") -> Any:
    """Searches ``trainer``'s hyper-parameters (see the module docstring); returns a BestRun.

    Args:
      trainer: a ``transformers.Trainer`` built with ``model_init`` (each trial trains a
        fresh model) and an ``eval_dataset``.
      space: a symsearch space whose candidates are dicts (``ss.Dict(...)``).
      objective: ``"min:eval_loss"``, ``"max:eval_accuracy"``... over the evaluation metrics.
      algorithm, n_trials, early_stopping, seed, store, callbacks: as for ``ss.sample``.
      report_metric: the evaluation metric reported for early stopping (default: the
        objective's metric).
      step: the unit of reports, ``"global_step"`` or ``"epoch"``.
    """
    from symsearch.integrations._ask_tell import AskTell
    from symsearch.search.objectives import Objectives

    if getattr(trainer, "model_init", None) is None:
        raise ValueError("symsearch_hyperparameter_search needs a Trainer built with "
                         "model_init=... (every trial trains a fresh model)")
    objectives = Objectives.parse(objective)
    if objectives is None or objectives.is_multi:
        raise ValueError(f"symsearch_hyperparameter_search: objective must be one metric such "
                         f"as 'min:eval_loss', got {objective!r}")
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise ValueError(f"symsearch_hyperparameter_search: n_trials must be an int >= 1, got "
                         f"{n_trials!r}")
    takes_params = _takes_argument(trainer.model_init)
    search = AskTell(space, algorithm, objective, seed=seed, store=store,
                     early_stopping=early_stopping, callbacks=callbacks)
    try:
        for key in range(n_trials):
            suggestion = search.ask(key)
            if suggestion is None:
                break
            overrides = _overrides(suggestion.candidate, takes_params)
            _run_trial(trainer, search, key, suggestion.candidate, overrides, takes_params,
                       report_metric or objectives.names[0], step)
        result = search.result()
    finally:
        search.close()
    metric, sign = objectives.names[0], objectives.signs[0]
    # Like Trainer's own search, a pruned trial counts with the value it reached, when no
    # trial ran to the end.
    best = result.best or max((r for r in result.trials if r.status == "pruned"
                               and isinstance((r.metrics or {}).get(metric), float)),
                              key=lambda r: r.metrics[metric] * sign, default=None)
    if best is None:
        errors = [r.error for r in result.trials if r.error]
        raise RuntimeError(f"symsearch_hyperparameter_search: no trial succeeded; the first "
                           f"error was: {errors[0] if errors else 'no trial ran'}")
    from symsearch.geno.codec import dna_from_json
    return _transformers.trainer_utils.BestRun(
        str(best.id), best.metrics[metric],
        key_path_params(dna_from_json(best.dna), search.spec), result)


class _Reporter:
    """The trial verbs SymsearchTrainerCallback needs, over one AskTell suggestion."""

    def __init__(self, search: Any, key: int):
        self.search, self.key = search, key

    def report(self, step: int, **metrics: Any) -> None:
        self.search.report(self.key, step, metrics)

    def should_stop(self) -> bool:
        return self.search.should_stop(self.key)


def _overrides(candidate: Any, takes_params: bool) -> dict:
    """The TrainingArguments overrides of a candidate; a mistake in the space is raised."""
    if not isinstance(candidate, dict):
        raise TypeError(f"symsearch_hyperparameter_search needs a space whose candidates are "
                        f"dicts (ss.Dict), got {type(candidate).__name__}")
    try:
        return training_args_overrides(candidate, strict=not takes_params)
    except ValueError as e:
        raise ValueError(f"{e} (model_init takes no argument, so every key of the space must "
                         f"be a TrainingArguments field)") from None


def _run_trial(trainer: Any, search: Any, key: int, candidate: dict, overrides: dict,
               takes_params: bool, metric: str, step: str) -> None:
    original = trainer.args
    callback = SymsearchTrainerCallback(_Reporter(search, key), metric=metric, step=step)
    try:
        trainer.args = dataclasses.replace(original, **overrides)
        _args_changed(trainer)
        trainer.add_callback(callback)
        trainer.train(trial=dict(candidate) if takes_params else None)
        # The final evaluation is the trial's result, not one more report.
        _detach(trainer, callback)
        metrics = trainer.evaluate()
    except Exception as e:  # noqa: BLE001 - a trial that fails is recorded, the search goes on
        search.tell(key, error=f"{type(e).__name__}: {e}")
        return
    finally:
        _detach(trainer, callback)
        trainer.args = original
        _args_changed(trainer)
    final = {k: float(v) for k, v in metrics.items()
             if isinstance(v, (int, float)) and not isinstance(v, bool)}
    search.tell(key, final, status="pruned" if callback.pruned else None)


def _detach(trainer: Any, callback: Any) -> None:
    if callback in trainer.callback_handler.callbacks:
        trainer.remove_callback(callback)


def _args_changed(trainer: Any) -> None:
    """What ``Trainer`` itself redoes when a search trial changes its arguments."""
    trainer._train_batch_size = trainer.args.train_batch_size
    rebuild = getattr(trainer, "create_accelerator_and_postprocess", None)
    if rebuild is not None:
        rebuild()


def _takes_argument(model_init: Callable) -> bool:
    try:
        return len(inspect.signature(model_init).parameters) >= 1
    except (TypeError, ValueError):
        return False

