"""scikit-learn: ``SymsearchCV``, a ``BaseSearchCV`` run by any symsearch algorithm.

Install with ``pip install "symsearch[sklearn]"``. ``SymsearchCV`` is to symsearch what
``RandomizedSearchCV`` is to random sampling: the same ``fit``/``predict``/``score``,
``cv_results_``, ``best_params_``, ``best_estimator_``, ``refit`` and ``n_jobs``, with the
parameters proposed by a symsearch algorithm (``"tpe"``, ``"evolution"``, ``"bandit"``...)
over a symbolic space::

    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    import symsearch as ss
    from symsearch.integrations.sklearn import SymsearchCV

    search = SymsearchCV(
        Pipeline([("scale", StandardScaler()), ("model", SVC())]),
        {"model__C": ss.floatv(1e-1, 1e2, scale="log"),
         "model__gamma": ss.floatv(1e-4, 1e-1, scale="log")},
        algorithm="tpe", n_iter=30, cv=3, random_state=0)
    search.fit(X, y).best_params_

``param_space`` maps ``set_params`` names to values or hyper-values. A value may be an
estimator, so a ``oneof`` can pick whole pipeline steps, each with its own hyper-parameters
(CASH). Plain scikit-learn objects cannot hold hyper-values, so such choices are written
with symbolic estimators: classes made symbolic with ``ss.symbolize`` (``ss.symbolize(SVC)(
C=ss.floatv(0.1, 100, scale="log"))``, turned into the plain ``SVC`` for fitting) or symbolic
descriptions whose ``build()`` returns the estimator (``symsearch.spaces.sklearn_digits``'s
``SVM``, ``RandomForest``...)::

    {"scale": ss.oneof([StandardScaler(), MinMaxScaler()]),
     "model": ss.oneof([ss.symbolize(SVC)(C=ss.floatv(0.1, 100, scale="log")),
                        sklearn_digits.RandomForest(n_estimators=ss.intv(10, 100))])}

``best_params_`` holds the built estimators; ``best_candidate_`` the symbolic candidate
(``ss.to_yaml`` it to keep it) and ``cv_results_["symsearch_params"]`` every candidate's
key-path parameters.

The algorithm is asked for ``batch_size`` candidates at a time (default: one per ``n_jobs``
worker), which are cross-validated in parallel, and the mean test score of each is fed back.
"""
from __future__ import annotations

import numbers
from typing import Any, Optional

from symsearch.integrations._ask_tell import AskTell
from symsearch.integrations._require import require

_require = require("sklearn", "sklearn", feature="symsearch.integrations.sklearn")
from sklearn.model_selection._search import BaseSearchCV  # noqa: E402
from joblib import effective_n_jobs  # noqa: E402

import numpy as np  # noqa: E402


def to_estimator(value: Any) -> Any:
    """A plain scikit-learn value for ``set_params`` from a materialized candidate value.

    Objects with a ``build()`` method are built; instances of classes made symbolic with
    ``ss.symbolize`` become instances of the original class (their arguments converted
    too); lists, tuples and dicts are converted item by item; anything else is kept.
    """
    from symsearch.symbolic.base import Symbolic
    if isinstance(value, Symbolic) and callable(getattr(value, "build", None)):
        return value.build()
    original = _unwrapped_class(value)
    if original is not None:
        args = {k: to_estimator(v) for k, v in value.sym_init_args.items()}
        return original(**args)
    if isinstance(value, dict):
        return {k: to_estimator(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_estimator(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(to_estimator(v) for v in value)
    return value


def _unwrapped_class(value: Any) -> Optional[type]:
    """The third-party class behind an ``ss.symbolize``-d class instance, if it is one."""
    from symsearch.symbolic.wrapper import ClassWrapper
    if not isinstance(value, ClassWrapper):
        return None
    return type(value)._sym_user_cls


class SymsearchCV(BaseSearchCV):
    """Cross-validated search over a symsearch space; see the module docstring.

    Args:
      estimator: the scikit-learn estimator (or pipeline) whose parameters are searched.
      param_space: ``{set_params name: value or hyper-value}`` (a dict or ``ss.Dict``).
      algorithm: a symsearch algorithm name, ``{"type": ..., **kwargs}`` or instance.
      n_iter: how many candidates to evaluate.
      scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score:
        as for ``RandomizedSearchCV``. With several scorers, the one named by ``refit``
        guides the algorithm.
      random_state: the algorithm's seed (an int or None).
      batch_size: candidates proposed before their results are fed back; None means one
        per ``n_jobs`` worker. Smaller batches let model-based algorithms learn sooner.
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_space": [dict],
        "algorithm": "no_validation",
        "n_iter": [numbers.Integral],
        "random_state": [numbers.Integral, None],
        "batch_size": [numbers.Integral, None],
    }

    def __init__(self, estimator: Any, param_space: Any, *, algorithm: Any = "random",
                 n_iter: int = 10, scoring: Any = None, n_jobs: Optional[int] = None,
                 refit: Any = True, cv: Any = None, verbose: int = 0,
                 pre_dispatch: Any = "2*n_jobs", random_state: Optional[int] = None,
                 error_score: Any = np.nan, return_train_score: bool = False,
                 batch_size: Optional[int] = None):
        super().__init__(estimator=estimator, scoring=scoring, n_jobs=n_jobs, refit=refit,
                         cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
                         error_score=error_score, return_train_score=return_train_score)
        self.param_space = param_space
        self.algorithm = algorithm
        self.n_iter = n_iter
        self.random_state = random_state
        self.batch_size = batch_size

    def _check_settings(self) -> None:
        if isinstance(self.n_iter, bool) or not isinstance(self.n_iter, numbers.Integral) \
                or self.n_iter < 1:
            raise ValueError(f"The 'n_iter' parameter of SymsearchCV must be an int >= 1. "
                             f"Got {self.n_iter!r} instead.")
        if self.batch_size is not None and (isinstance(self.batch_size, bool)
                                            or self.batch_size < 1):
            raise ValueError(f"The 'batch_size' parameter of SymsearchCV must be an int >= 1 "
                             f"or None. Got {self.batch_size!r} instead.")
        if self.random_state is not None and not isinstance(self.random_state,
                                                            numbers.Integral):
            raise ValueError(f"The 'random_state' parameter of SymsearchCV must be an int or "
                             f"None (the algorithm's seed). Got {self.random_state!r} instead.")
        valid = self.estimator.get_params(deep=True)
        unknown = [k for k in self.param_space if k not in valid]
        if unknown:
            raise ValueError(f"param_space key {unknown[0]!r} is not a parameter of "
                             f"{type(self.estimator).__name__}; valid parameters: "
                             f"{sorted(valid)[:20]}")

    def _space(self) -> Any:
        import copy

        import symsearch as ss
        # A copy: a symbolic Dict adopts its values (sets their parent), and fit must leave
        # the caller's param_space exactly as it was.
        return ss.Dict(copy.deepcopy(dict(self.param_space)))

    def _objective_metric(self) -> str:
        if callable(self.refit) or self.refit is True or self.refit is False:
            scoring = self.scoring
            if isinstance(scoring, (list, tuple, set, dict)) and len(scoring) > 1:
                raise ValueError("SymsearchCV with several scorers needs refit=<scorer name> "
                                 "to say which score guides the algorithm")
            if isinstance(scoring, (list, tuple, set)):
                return f"mean_test_{next(iter(scoring))}" if scoring else "mean_test_score"
            if isinstance(scoring, dict):
                return f"mean_test_{next(iter(scoring))}"
            return "mean_test_score"
        return f"mean_test_{self.refit}"

    def _run_search(self, evaluate_candidates) -> None:
        """Asks the algorithm for batches of candidates, cross-validates them, tells it."""
        self._check_settings()
        search = AskTell(self._space(), self.algorithm, "max:score", seed=self.random_state)
        batch = self.batch_size or max(1, effective_n_jobs(self.n_jobs))
        candidates = []
        done = 0
        try:
            while done < self.n_iter:
                asked = []
                for _ in range(min(batch, self.n_iter - done)):
                    suggestion = search.ask(done + len(asked))
                    if suggestion is None:
                        break
                    asked.append(suggestion)
                if not asked:
                    break
                results = evaluate_candidates(
                    [{k: to_estimator(v) for k, v in s.candidate.items()} for s in asked],
                    more_results={"symsearch_params": [s.params for s in asked]})
                column = self._result_column(results)
                scores = results[column][-len(asked):]
                for s, score in zip(asked, scores):
                    if np.isfinite(score):
                        search.tell(s.key, {"score": float(score)})
                    else:
                        search.tell(s.key, error=f"{column} is {score} (the fits failed)")
                    candidates.append(s.candidate)
                done += len(asked)
        finally:
            search.close()
        self._symsearch_candidates = candidates

    def _result_column(self, results: dict) -> str:
        column = self._objective_metric()
        if column not in results:
            # A callable scorer's name is only known once it has run.
            names = [k for k in results if k.startswith("mean_test_")]
            if len(names) != 1:
                raise ValueError(f"SymsearchCV cannot tell which score to feed the algorithm "
                                 f"among {names}; pass refit=<scorer name>")
            column = names[0]
        return column

    def fit(self, X: Any, y: Any = None, **params: Any) -> "SymsearchCV":
        """Runs the search (see ``BaseSearchCV.fit``); sets ``best_candidate_`` too."""
        super().fit(X, y, **params)
        if hasattr(self, "best_index_"):
            self.best_candidate_ = self._symsearch_candidates[self.best_index_]
        return self


__all__ = ["SymsearchCV", "to_estimator"]
