"""Synthetic learning curves for early-stopping tests (importable by Ray workers).

A candidate ``{"q": quality, "b": time constant}`` trains to ``acc = q * (1 - exp(-epoch/b))``:
``q`` is where it ends up, ``b`` how slowly it gets there, so early epochs rank trials
roughly but not exactly as the end does.
"""
import math

import symsearch as ss

MAX_EPOCHS = 27


def curve_space():
    return ss.Dict(q=ss.floatv(0.0, 1.0), b=ss.floatv(1.0, 2.0))


def accuracy(candidate, epoch: int) -> float:
    return candidate["q"] * (1.0 - math.exp(-epoch / candidate["b"]))


def train_with_reports(candidate, trial):
    """An evaluator that reports every epoch and stops when asked."""
    for epoch in range(1, MAX_EPOCHS + 1):
        acc = accuracy(candidate, epoch)
        trial.report(epoch, acc=acc)
        if trial.should_stop():
            break
    return {"acc": acc, "epochs": epoch}
