"""Cross-validated accuracy on scikit-learn's bundled digits data set (no download).

The candidate is a :class:`symsearch.spaces.sklearn_digits.DigitsPipeline`, anything else
with a ``build()`` returning a scikit-learn estimator, or a mapping ``{model, scaler}``
as an inline space in YAML produces. A subsample and 3 folds keep one evaluation well under a
second, so a 30-trial search takes seconds.

>>> from symsearch.spaces.sklearn_digits import DigitsPipeline, SVM
>>> metrics = evaluate(DigitsPipeline(model=SVM(C=10.0, gamma=0.001)), subsample=300)
>>> metrics["accuracy"] > 0.8
True
"""
from __future__ import annotations

import functools
import time
from typing import Any, Optional


@functools.lru_cache(maxsize=8)
def load_data(subsample: Optional[int] = 900, seed: int = 0) -> tuple:
    """The digits features and labels, a stratified subsample of ``subsample`` rows (all 1797
    when None)."""
    from sklearn.datasets import load_digits
    features, labels = load_digits(return_X_y=True)
    if subsample is not None and subsample < len(labels):
        from sklearn.model_selection import train_test_split
        features, _, labels, _ = train_test_split(features, labels, train_size=subsample,
                                                  stratify=labels, random_state=seed)
    return features, labels


def make_estimator(candidate: Any) -> Any:
    """The scikit-learn estimator a candidate describes."""
    if hasattr(candidate, "build"):
        return candidate.build()
    if isinstance(candidate, dict) and "model" in candidate:
        from symsearch.spaces.sklearn_digits import build_pipeline
        return build_pipeline(candidate["model"], candidate.get("scaler", "standard"))
    raise TypeError(f"The digits evaluator needs a candidate with build() or a mapping with "
                    f"'model'; got {type(candidate).__name__}")


def evaluate(candidate: Any, folds: int = 3, subsample: Optional[int] = 900,
             seed: int = 0) -> dict:
    """``{"accuracy", "accuracy_std", "fit_time"}``: mean and spread of ``folds``-fold
    cross-validated accuracy, and the wall seconds it took."""
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ValueError(f"The 'folds' parameter of evaluate must be an int >= 2. Got "
                         f"{folds!r} instead.")
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    features, labels = load_data(subsample, seed)
    estimator = make_estimator(candidate)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(estimator, features, labels,
                                 cv=StratifiedKFold(folds, shuffle=True, random_state=seed))
    return {"accuracy": float(np.mean(scores)), "accuracy_std": float(np.std(scores)),
            "fit_time": time.perf_counter() - start}
