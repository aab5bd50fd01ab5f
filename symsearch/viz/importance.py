"""How much each decision matters, by Optuna's importance evaluators (fANOVA, PED-ANOVA).

The stored trials are turned into an in-memory Optuna study (``optuna.trial.create_trial``
with distributions from the DNASpec's decisions), and Optuna's evaluator does the analysis:
no hand-written fANOVA here. A conditional decision is a parameter only of the trials where
it is active, so importances are computed per *scope*: the decisions active in every trial
over all scored trials, and each conditional branch's decisions over the trials that took
that branch (weighed against the decisions active in every trial).

>>> from symsearch.viz.decisions import DecisionColumn, DecisionTable
>>> table = DecisionTable([DecisionColumn(0, "x", "float", 0.0, 1.0),
...                        DecisionColumn(1, "y", "float", 0.0, 1.0)])
>>> for i in range(40):
...     x, y = (i % 10) / 10, (i * 7 % 11) / 11
...     table.ids.append(i); table.values.append([x, y]); table.objective_values.append((x,))
>>> rows = decision_importance(table, 0, "min", method="ped-anova")
>>> rows[0]["name"], rows[0]["scope"]
('x', 'all trials')
"""
from __future__ import annotations

import random
import warnings
from typing import Any, Optional

from symsearch.viz.decisions import CHOICE, FLOAT, DecisionTable

METHODS = ("fanova", "ped-anova")
# Trials each method looks at, at most (a seeded sample beyond): Optuna's fANOVA costs seconds
# of CPU per few hundred trials and grows faster than linearly (measured: 5 s for 250, 33 s
# for 1,000, with the ranking already stable at 250); PED-ANOVA is much cheaper.
MAX_TRIALS = {"fanova": 300, "ped-anova": 2000}


def _distribution(column: Any) -> Any:
    from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                      IntDistribution)
    if column.kind == CHOICE:
        return CategoricalDistribution(list(range(max(1, len(column.choices) or 1))))
    if column.kind == FLOAT:
        lo, hi = column.lo, column.hi
        return FloatDistribution(lo, hi if hi > lo else lo + 1e-12, log=column.log and lo > 0)
    lo, hi = int(column.lo), int(column.hi)
    step = max(1, column.step)
    hi = max(lo, lo + (hi - lo) // step * step)
    return IntDistribution(lo, hi, log=column.log and lo > 0 and step == 1,
                           step=1 if column.log else step)


def _evaluator(method: str, seed: int) -> Any:
    from optuna.importance import FanovaImportanceEvaluator, PedAnovaImportanceEvaluator
    if method == "fanova":
        return FanovaImportanceEvaluator(seed=seed)
    if method == "ped-anova":
        return PedAnovaImportanceEvaluator()
    raise ValueError(f"method={method!r} is not an importance method; expected one of "
                     f"{', '.join(METHODS)}")


def _scopes(table: DecisionTable) -> list:
    """``(label, parent)`` for all trials (parent None) and each conditional branch."""
    scopes = [("all trials", None)]
    for c in table.columns:
        if c.parent is not None and (c.condition, c.parent) not in \
                [(label, parent) for label, parent in scopes]:
            scopes.append((c.condition, c.parent))
    return scopes


def decision_importance(table: DecisionTable, objective_index: int, direction: str,
                        method: str = "fanova", seed: int = 0,
                        max_trials: Optional[int] = None) -> list:
    """Rows ``{"name", "importance", "scope", "trials"}``, most important first within each
    scope (importances over all trials sum to 1; a branch's rows are its decisions' shares
    among all decisions active in that branch). Scopes with fewer than 4 trials or no varying
    decision are left out; beyond ``max_trials`` (default ``MAX_TRIALS[method]``) a seeded
    sample is used. Raises ImportError naming the extra when Optuna is missing."""
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not an importance method; expected one of "
                         f"{', '.join(METHODS)}")
    try:
        import optuna
    except ImportError:
        raise ImportError('decision importance needs Optuna: pip install "symsearch[optuna]"')\
            from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    max_trials = MAX_TRIALS[method] if max_trials is None else max_trials
    position = {c.index: i for i, c in enumerate(table.columns)}
    out = []
    for label, parent in _scopes(table):
        # A branch's decisions are weighed against everything active with them, so that a
        # lone conditional decision does not get importance 1 by default.
        columns = [c for c in table.columns if c.parent is None or c.parent == parent]
        rows = []
        for row, values in zip(table.values, table.objective_values):
            value = values[objective_index] if objective_index < len(values) else None
            if value is None:
                continue
            if parent is not None and row[position[parent[0]]] != parent[1]:
                continue
            params = {c.name: row[position[c.index]] for c in columns}
            if any(v is None for v in params.values()):
                continue
            rows.append((params, value))
        varying = [c for c in columns if len({p[c.name] for p, _ in rows}) > 1]
        if len(rows) < 4 or not varying:
            continue
        if len(rows) > max_trials:
            rows = random.Random(seed).sample(rows, max_trials)
        importances = _optuna_importance(optuna, varying, rows, direction, method, seed)
        shown = {c.name for c in varying if c.parent == parent}
        for name, importance in importances.items():
            if name not in shown:
                continue
            out.append({"name": name, "importance": float(importance), "scope": label,
                        "trials": len(rows)})
    return out


def _optuna_importance(optuna: Any, columns: list, rows: list, direction: str, method: str,
                       seed: int) -> dict:
    distributions = {c.name: _distribution(c) for c in columns}
    study = optuna.create_study(direction="maximize" if direction == "max" else "minimize")
    trials = []
    for params, value in rows:
        clipped = {}
        for c in columns:
            v = params[c.name]
            d = distributions[c.name]
            if c.kind != CHOICE:
                v = min(max(v, d.low), d.high)
                v = int(v) if c.kind != FLOAT else float(v)
            clipped[c.name] = v
        trials.append(optuna.trial.create_trial(params=clipped, distributions=distributions,
                                                value=float(value)))
    study.add_trials(trials)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # ExperimentalWarning of PED-ANOVA
        return optuna.importance.get_param_importances(
            study, evaluator=_evaluator(method, seed), params=[c.name for c in columns],
            normalize=True)


def best_importance(rows: list) -> Optional[str]:
    """The most important decision over all trials, None when none was computed."""
    overall = [r for r in rows if r["scope"] == "all trials"]
    return max(overall, key=lambda r: r["importance"])["name"] if overall else None
