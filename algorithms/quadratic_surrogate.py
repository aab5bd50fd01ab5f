"""A quadratic surrogate around a continuous optimizer: propose the model's minimiser.

Model-based derivative-free methods (Powell's COBYLA and NEWUOA, Nevergrad's ``MetaModel``)
win where a function is smooth near its optimum: a quadratic fitted to the best points seen
locates the minimum of a bowl in one step, where an evolution strategy needs many. This
wrapper adds that to any optimizer of float/int decisions (``inner``, by default
``one_plus_one_cma_es``): it keeps an archive of every result, and every ``period``
proposals (immediately again after a model proposal that improved the best value) it fits a
quadratic by least squares to the best points and proposes its minimiser within the box;
otherwise the inner optimizer proposes. Results of the model's proposals are offered to the
inner optimizer through ``inject`` when it has one (``one_plus_one_cma_es`` adopts a better
point as its parent, ``cma_es`` adds it to its generation), so the inner search continues
from the model's best point.

Which quadratic follows from how many points the archive holds, never from the problem: a
full quadratic (``(n + 1)(n + 2) / 2`` coefficients) once there are 1.5 times as many
points as coefficients, before that a separable one (``2n + 1`` coefficients, a diagonal
Hessian, as sep-CMA-ES restricts the covariance), fitted to the best ``1.5 x`` coefficients
points. A fit whose Hessian is not positive definite has no minimiser and proposes nothing.
The minimiser is searched in the bounding box of the fitted points widened by half its
width on each side (a trust region: the model is not trusted far from its data), within
the unit box. Defaults: ``period = n`` (the number of decisions).

>>> import symsearch as ss
>>> space = ss.List([ss.floatv(-5.0, 5.0) for _ in range(4)])
>>> result = ss.search(space, lambda c: {"f": sum((x - 1.0) ** 2 for x in c)},
...                    objective="min:f", algorithm=QuadraticSurrogate(), num_trials=60,
...                    seed=0, store=ss.store.MemoryStore())
>>> result.best.metrics["f"] < 1e-12
True
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from symsearch.algorithms.base import (Feedback, SearchAlgorithm, make_algorithm,
                                       register_algorithm)
from symsearch.algorithms.quadratic_model import fit_quadratic, minimise_in_box
from symsearch.algorithms.unit_box import UnitBox
from symsearch.geno.dna import DNA
from symsearch.geno.spec import DNASpec
from symsearch.search.objectives import Objectives

#: Least-squares points per model coefficient.
POINTS_PER_COEFFICIENT = 1.5


@register_algorithm("quadratic_surrogate")
class QuadraticSurrogate(SearchAlgorithm):
    """Proposes a fitted quadratic's minimiser every ``period`` proposals; see the module.

    Args:
      inner: the optimizer that proposes otherwise: an algorithm, a registered name or a
        ``{"type": name, ...}`` dict (default ``one_plus_one_cma_es``; ``cma_es`` works too;
        any other float/int optimizer works, without seeing the model's points).
      period: proposals between two model proposals; None: the number of decisions.
      seed: random seed (passed to ``inner``).
    """

    needs_objective = True

    def __init__(self, inner: Any = "one_plus_one_cma_es", period: Optional[int] = None,
                 seed: Optional[int] = None):
        super().__init__(seed)
        if period is not None and (not isinstance(period, int) or isinstance(period, bool)
                                   or period < 1):
            raise ValueError(f"QuadraticSurrogate: period must be an int >= 1 or None, "
                             f"got {period!r}")
        self.inner = make_algorithm(inner)
        if isinstance(self.inner, QuadraticSurrogate):
            raise ValueError("QuadraticSurrogate: inner must be another algorithm, "
                             "not a QuadraticSurrogate")
        self.period = period

    # ---- setup -------------------------------------------------------------------------------

    def setup(self, spec: DNASpec, objectives: Optional[Objectives] = None,
              seed: Optional[int] = None) -> None:
        super().setup(spec, objectives, seed)
        if objectives is not None and objectives.is_multi:
            raise ValueError("QuadraticSurrogate (quadratic_surrogate) optimizes one "
                             f"objective; got {objectives.to_list()} (use 'nsga2' for several)")
        self.box = UnitBox(spec, "QuadraticSurrogate (quadratic_surrogate)")
        self.inner.setup(spec, objectives, self.seed)
        n = self.box.dim
        self._period = self.period or n
        self._coefficients = {"separable": 2 * n + 1, "full": (n + 1) * (n + 2) // 2}
        self._archive_cap = self._points_for("full")   # no fit reads past the best this many
        self.archive: list = []          # [[unit point], fitness], kept sorted, best first
        self._model_pending: dict = {}   # DNA -> count of outstanding model proposals
        self._since_model = 0            # proposals since the last model proposal
        self.model_proposals = 0
        self.model_improvements = 0

    def _points_for(self, kind: str) -> int:
        return int(math.ceil(POINTS_PER_COEFFICIENT * self._coefficients[kind]))

    # ---- ask ---------------------------------------------------------------------------------

    def propose(self) -> DNA:
        if self.spec is None:
            raise RuntimeError("QuadraticSurrogate.propose() before setup()")
        if self._since_model >= self._period:
            self._since_model = 0          # a failed fit, too, waits a period (fits cost)
            dna = self._model_proposal()
            if dna is not None:
                self.model_proposals += 1
                self._model_pending[dna] = self._model_pending.get(dna, 0) + 1
                return dna
        self._since_model += 1
        return self.inner.propose()

    def _model_proposal(self) -> Optional[DNA]:
        """The fitted quadratic's minimiser as DNA, or None (too few points, no minimum,
        or a point already evaluated)."""
        kind = "full" if len(self.archive) >= self._points_for("full") else "separable"
        k = self._points_for(kind)
        if len(self.archive) < k:
            return None
        points = np.array([entry[0] for entry in self.archive[:k]])
        values = np.array([entry[1] for entry in self.archive[:k]])
        model = fit_quadratic(points, values, separable=kind == "separable")
        if model is None:
            return None
        span = points.max(axis=0) - points.min(axis=0)
        lower = np.maximum(points.min(axis=0) - span / 2, 0.0)
        upper = np.minimum(points.max(axis=0) + span / 2, 1.0)
        dna = self.box.to_dna(minimise_in_box(model, lower, upper))
        if dna == self.box.to_dna(points[0]) or dna in self._model_pending:
            return None   # the model's minimum is the best point already
        return dna

    # ---- tell --------------------------------------------------------------------------------

    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        dna = DNA(dna)
        f = math.inf if feedback.score is None else -float(feedback.score)
        from_model = self._model_pending.get(dna, 0) > 0
        if from_model:
            self._model_pending[dna] -= 1
            if not self._model_pending[dna]:
                del self._model_pending[dna]
            if math.isfinite(f) and (not self.archive or f < self.archive[0][1]):
                self.model_improvements += 1
                self._since_model = self._period   # the model works: use it again next
            inject = getattr(self.inner, "inject", None)
            if inject is not None:
                inject(dna, feedback)
        else:
            self.inner.feedback(dna, feedback)
        if math.isfinite(f):
            self._archive_add(self.box.to_unit(dna).tolist(), f)

    def _archive_add(self, point: list, f: float) -> None:
        lo, hi = 0, len(self.archive)
        while lo < hi:                       # insert after equal values: stable, oldest first
            mid = (lo + hi) // 2
            if self.archive[mid][1] <= f:
                lo = mid + 1
            else:
                hi = mid
        self.archive.insert(lo, [point, f])
        del self.archive[self._archive_cap:]

    # ---- state -------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        state = super().state_dict()
        state.update(inner=self.inner.state_dict(), archive=[list(e) for e in self.archive],
                     model_pending=[[list(dna), count]
                                    for dna, count in self._model_pending.items()],
                     since_model=self._since_model, model_proposals=self.model_proposals,
                     model_improvements=self.model_improvements)
        return state

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.inner.load_state_dict(state["inner"])
        self.archive = [[list(point), float(f)] for point, f in state["archive"]]
        self._model_pending = {DNA(dna): int(count) for dna, count in state["model_pending"]}
        self._since_model = int(state["since_model"])
        self.model_proposals = int(state["model_proposals"])
        self.model_improvements = int(state["model_improvements"])

    def __repr__(self) -> str:
        return f"QuadraticSurrogate(inner={self.inner!r}, period={self.period}, seed={self.seed})"
