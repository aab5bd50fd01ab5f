"""``Hyperband`` as early stopping: ASHA brackets with different first rungs.

Successive halving must guess how early trials can be judged: a small ``min_resource``
saves the most but may stop late bloomers. Hyperband (Li et al., "Hyperband: A Novel
Bandit-Based Approach to Hyperparameter Optimization") hedges across the guesses with
``s_max + 1`` brackets, ``s_max = floor(log_eta(max_resource / min_resource))``. Bracket
``b`` runs the rules of :class:`~symsearch.algorithms.successive_halving.ASHA` with its
first rung at ``min_resource * eta**b``; the last bracket has no rung below
``max_resource`` and never stops a trial.

Trials are assigned to brackets when they first report, in proportion to Hyperband's
bracket sizes ``n_b = ceil((s_max + 1) / (s_max - b + 1) * eta**(s_max - b))`` (the number
of configurations bracket ``b`` starts with in the original algorithm), interleaved so
that every stretch of trials is spread like a whole cycle: new trial number ``i`` goes to
the bracket chosen by smooth weighted round-robin with weights ``n_b`` (each bracket
gains ``n_b`` credit per trial, the one with the most credit gets the trial and pays
``sum(n_b)``; ties go to the lower bracket).

>>> hb = Hyperband(min_resource=1, max_resource=9, reduction_factor=3, metric="max:acc")
>>> hb.bracket_sizes, [[r.resource for r in b.rungs] for b in hb.brackets]
([9, 5, 3], [[1, 3], [3], []])
>>> [hb.assign(t) for t in range(6)]
[0, 1, 0, 2, 0, 1]
"""
from __future__ import annotations

import math
from typing import Optional

from symsearch.algorithms.early_stopping import (EarlyStoppingPolicy, check_resources,
                                                 register_policy)
from symsearch.algorithms.successive_halving import ASHA


@register_policy("hyperband")
class Hyperband(EarlyStoppingPolicy):
    """Brackets of ASHA with first rungs ``min_resource * eta**b``; see the module docstring.

    Args:
      min_resource: the first rung of the most aggressive bracket.
      max_resource: the step where trials end (required: it fixes the brackets).
      reduction_factor: ``eta`` > 1.
      metric: ``"max:acc"``/``"min:loss"`` to judge by; None: the search's objective.
    """

    def __init__(self, min_resource: float = 1, max_resource: Optional[float] = None,
                 reduction_factor: float = 3, metric: Optional[str] = None):
        check_resources("Hyperband", min_resource, max_resource, reduction_factor,
                        max_required=True)
        super().__init__(metric)
        self.min_resource = min_resource
        self.max_resource = max_resource
        self.reduction_factor = eta = reduction_factor
        s_max = int(math.floor(math.log(max_resource / min_resource, eta) + 1e-9))
        self.brackets = [ASHA(min_resource * eta ** b, max_resource, eta, metric)
                         for b in range(s_max + 1)]
        self.bracket_sizes = [math.ceil((s_max + 1) / (s_max - b + 1) * eta ** (s_max - b)
                                        - 1e-9) for b in range(s_max + 1)]
        self._credit = [0.0] * len(self.brackets)
        self._bracket_of: dict = {}    # trial_id -> bracket index, while it runs

    def setup(self, objectives) -> None:
        super().setup(objectives)
        for bracket in self.brackets:
            bracket.objective = self.objective

    def assign(self, trial_id: int) -> int:
        """The bracket of a trial (chosen on its first call; see the module docstring)."""
        b = self._bracket_of.get(trial_id)
        if b is None:
            credit, sizes = self._credit, self.bracket_sizes
            for i, n in enumerate(sizes):
                credit[i] += n
            b = max(range(len(credit)), key=lambda i: (credit[i], -i))
            credit[b] -= sum(sizes)
            self._bracket_of[trial_id] = b
        return b

    def report(self, trial_id: int, step, metrics: dict) -> bool:
        return self.brackets[self.assign(trial_id)].report(trial_id, step, metrics)

    def complete(self, trial_id: int) -> None:
        b = self._bracket_of.pop(trial_id, None)
        if b is not None:
            self.brackets[b].complete(trial_id)

    def __repr__(self) -> str:
        return (f"Hyperband(min_resource={self.min_resource!r}, "
                f"max_resource={self.max_resource!r}, "
                f"reduction_factor={self.reduction_factor!r}, metric={self.metric!r})")
