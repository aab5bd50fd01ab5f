"""A conditional HPO space over scikit-learn classifiers for the bundled digits data set.

The model is one of logistic regression, an RBF support-vector machine or a random forest
(and, in the CASH space ``cash_space``, also a multi-layer perceptron), and each brings its
own hyper-parameters (a conditional space: ``SVM.gamma`` is only decided when the SVM is
chosen). Candidates are symbolic descriptions; ``candidate.build()`` makes the scikit-learn
pipeline. The evaluator is :mod:`symsearch.evaluators.sklearn_digits`.

>>> import symsearch as ss
>>> candidate = ss.random_sample(space, 1, seed=0)[0]
>>> type(candidate).__name__
'DigitsPipeline'
>>> candidate.build().steps[-1][0]
'model'

From an experiment file: ``space: symsearch.spaces.sklearn_digits:space``, or
``space: {ref: symsearch.spaces.sklearn_digits:make_space, kwargs: {models: [svm]}}``, or
``space: symsearch.spaces.sklearn_digits:cash_space`` (all four model families).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import symsearch as ss


class Logistic(ss.Object):
    """Multinomial logistic regression; ``C`` is the inverse L2 strength."""

    C: float = 1.0
    max_iter: int = 100

    def build(self) -> Any:
        from sklearn.linear_model import LogisticRegression
        return LogisticRegression(C=self.C, max_iter=self.max_iter)


class SVM(ss.Object):
    """A support-vector classifier with an RBF kernel."""

    C: float = 1.0
    gamma: float = 0.01

    def build(self) -> Any:
        from sklearn.svm import SVC
        return SVC(C=self.C, gamma=self.gamma)


class RandomForest(ss.Object):
    """A random forest; ``max_depth`` of None grows trees fully."""

    n_estimators: int = 50
    max_depth: Optional[int] = None

    def build(self) -> Any:
        from sklearn.ensemble import RandomForestClassifier
        return RandomForestClassifier(n_estimators=self.n_estimators, max_depth=self.max_depth,
                                      n_jobs=1, random_state=0)


class MLP(ss.Object):
    """scikit-learn's multi-layer perceptron (Adam, early stopping off).

    ``hidden`` is the hidden layer widths, ``alpha`` the L2 strength, ``lr`` Adam's
    initial learning rate, ``max_iter`` the epochs.
    """

    hidden: tuple = (64,)
    alpha: float = 1e-4
    lr: float = 1e-3
    max_iter: int = 100

    def build(self) -> Any:
        from sklearn.neural_network import MLPClassifier
        return MLPClassifier(hidden_layer_sizes=tuple(self.hidden), alpha=self.alpha,
                             learning_rate_init=self.lr, max_iter=self.max_iter,
                             random_state=0)


SCALERS = ("standard", "minmax")


class DigitsPipeline(ss.Object):
    """Feature scaling (``"standard"``: zero mean, unit variance; ``"minmax"``: to [0, 1])
    followed by a classifier."""

    model: Any
    scaler: str = "standard"

    def build(self) -> Any:
        return build_pipeline(self.model, self.scaler)


def build_pipeline(model: Any, scaler: str = "standard") -> Any:
    """A scikit-learn pipeline for a model description (anything with ``build()``)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    scalers = {"standard": StandardScaler, "minmax": MinMaxScaler}
    if scaler not in scalers:
        raise ValueError(f"scaler must be one of {list(SCALERS)}, got {scaler!r}")
    return Pipeline([("scale", scalers[scaler]()), ("model", model.build())])


MODELS = ("logistic", "svm", "random_forest")
#: Every model family, for CASH (the default ``space`` keeps the three fast ones).
ALL_MODELS = MODELS + ("mlp",)


def make_space(models: Sequence[str] = MODELS, scaler: Optional[str] = None) -> DigitsPipeline:
    """The space over ``models`` (a subset of ``ALL_MODELS``); the scaler is searched too
    unless ``scaler`` is given."""
    options = {
        "logistic": lambda: Logistic(C=ss.floatv(1e-3, 1e2, scale="log")),
        "svm": lambda: SVM(C=ss.floatv(1e-1, 1e2, scale="log"),
                           gamma=ss.floatv(1e-4, 1e-1, scale="log")),
        "random_forest": lambda: RandomForest(n_estimators=ss.intv(10, 100, step=10),
                                              max_depth=ss.oneof([4, 8, 16, None])),
        "mlp": lambda: MLP(hidden=ss.oneof([(32,), (64,), (128,), (64, 32)]),
                           alpha=ss.floatv(1e-6, 1e-1, scale="log"),
                           lr=ss.floatv(1e-4, 3e-2, scale="log"),
                           max_iter=ss.intv(50, 200, step=50)),
    }
    models = list(models)
    unknown = [m for m in models if m not in options]
    if unknown or not models:
        raise ValueError(f"The 'models' parameter of make_space must be a non-empty list of "
                         f"{list(ALL_MODELS)}. Got {models!r} instead.")
    model = options[models[0]]() if len(models) == 1 else \
        ss.oneof([options[m]() for m in models])
    return DigitsPipeline(model=model, scaler=ss.oneof(list(SCALERS)) if scaler is None
                          else scaler)


space = make_space()
#: CASH over all four families (logistic regression, SVM, random forest, MLP).
cash_space = make_space(ALL_MODELS)
