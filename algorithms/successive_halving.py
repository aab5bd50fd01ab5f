"""Successive halving as early stopping: ``ASHA`` and ``SuccessiveHalving``.

Both place *rungs* at the resources ``min_resource * eta**k`` (``eta`` is
``reduction_factor``) below ``max_resource``. When a trial first reports a ``step`` at or
past a rung, its value there is recorded at that rung, and it passes the rung when its
value is among the top ``1/eta`` of the rung's results so far::

    n = results recorded at the rung (this one included), k = max(1, floor(n / eta))
    pass  <=>  value >= the k-th best value recorded at the rung

A trial that fails a rung is asked to stop. The policy never stops a trial for reaching
``max_resource``: the evaluator ends there by itself. With ``eta=3`` the first five
results at a rung pass only when they are the best so far (k=1), the 6th to 8th when
among the top two (k=2), the 9th to 11th when among the top three, and so on.

``ASHA`` (Li et al., "A System for Massively Parallel Hyperparameter Tuning") judges a
trial once per rung, when it gets there, and never takes a pass back: no trial waits for
others, which suits many trials running at once.

``SuccessiveHalving`` imitates synchronous successive halving, where a rung's promotions
are decided after all its trials are in: on *every* report it judges the trial again at
every rung it has passed, against all the results recorded there by now, and stops it as
soon as it has fallen out of the top ``1/eta`` of any of them. Trials that finished at a
rung while this one was running can so take back its promotion. In a sequential loop (one
trial at a time) no result arrives while a trial runs, and it behaves exactly as ASHA.

>>> asha = ASHA(min_resource=1, max_resource=9, reduction_factor=3, metric="max:acc")
>>> [asha.report(t, 1, {"acc": a}) for t, a in enumerate([0.5, 0.4, 0.6])]
[False, True, False]
"""
from __future__ import annotations

from typing import Optional

from symsearch.algorithms.early_stopping import (EarlyStoppingPolicy, Rung, check_resources,
                                                 register_policy, rung_resources)


@register_policy("successive_halving", "sh")
class SuccessiveHalving(EarlyStoppingPolicy):
    """Successive halving with the rule of the module docstring, judged at every report.

    Args:
      min_resource: the step of the first rung.
      max_resource: the step where trials end (no rung at or above it); None: rungs go on.
      reduction_factor: ``eta`` > 1; about ``1/eta`` of the trials pass each rung.
      metric: ``"max:acc"``/``"min:loss"`` to judge by; None: the search's objective.
    """

    #: Whether passed rungs are judged again at every report (synchronous-style).
    rejudge: bool = True

    def __init__(self, min_resource: float = 1, max_resource: Optional[float] = None,
                 reduction_factor: float = 3, metric: Optional[str] = None):
        check_resources(type(self).__name__, min_resource, max_resource, reduction_factor)
        super().__init__(metric)
        self.min_resource = min_resource
        self.max_resource = max_resource
        self.reduction_factor = reduction_factor
        self.rungs = [Rung(r) for r in rung_resources(min_resource, max_resource,
                                                      reduction_factor)]
        self._next_rung: dict = {}     # trial_id -> index of the next rung to record at
        self._stopped: set = set()

    def report(self, trial_id: int, step, metrics: dict) -> bool:
        if trial_id in self._stopped:
            return True
        if step is None:
            return False
        eta = self.reduction_factor
        k = self._next_rung.get(trial_id, 0)
        rungs = self.rungs
        if k < len(rungs) and step >= rungs[k].resource:
            score = self.score(metrics, step)
            while k < len(rungs) and step >= rungs[k].resource:
                rung = rungs[k]
                rung.record(trial_id, score)
                k += 1
                if not rung.in_top(score, eta):
                    return self._stop(trial_id, k)
            self._next_rung[trial_id] = k
        if self.rejudge:
            for rung in rungs[:k]:
                if not rung.in_top(rung.scores[trial_id], eta):
                    return self._stop(trial_id, k)
        return False

    def _stop(self, trial_id: int, next_rung: int) -> bool:
        self._next_rung[trial_id] = next_rung
        self._stopped.add(trial_id)
        return True

    def complete(self, trial_id: int) -> None:
        self._next_rung.pop(trial_id, None)
        self._stopped.discard(trial_id)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(min_resource={self.min_resource!r}, "
                f"max_resource={self.max_resource!r}, "
                f"reduction_factor={self.reduction_factor!r}, metric={self.metric!r})")


@register_policy("asha", "async_successive_halving")
class ASHA(SuccessiveHalving):
    """Asynchronous successive halving: each trial judged once per rung, on arrival.

    Same arguments as :class:`SuccessiveHalving`.

    >>> asha = ASHA(max_resource=27, metric="min:loss")
    >>> [r.resource for r in asha.rungs]
    [1, 3, 9]
    """

    rejudge = False
