"""The elitist (1+1)-CMA-ES: one parent, one offspring at a time, success-rule step size.

Igel, Suttorp & Hansen, "A Computational Efficient Covariance Matrix Update and a (1+1)-CMA
for Evolution Strategies" (GECCO 2006), with their default parameters. The offspring
``x = parent + sigma * A z`` (``z`` standard normal, ``C = A A^T``) replaces the parent when
it is at least as good (plus-selection, so the parent is always the best point of the run).
The step size follows Rechenberg's 1/5th success rule in its smoothed form: a success
probability ``p_succ`` averaged over recent offspring, ``sigma *= exp((p_succ - 2/11) /
(d (1 - 2/11)))`` with ``d = 1 + n/2``. Each success also updates an evolution path and the
factor ``A`` directly by a rank-one Cholesky update (no eigendecomposition, O(n^2) per
offspring). Where a (mu/mu_w, lambda)-CMA-ES (``cma_es``) spends its first generations
shrinking a global step size, the elitist strategy adapts after every evaluation, which is
what wins at budgets of tens of evaluations per dimension.

The search runs in the unit box (``algorithms/unit_box.py``); an offspring outside the box
is clipped onto it and the clipped point is the offspring. The first point is the box's
centre; the default step ``sigma0 = 1.224 * sqrt(n / 12) / n`` of the box width is the
(1+1)-ES's optimal normalised step (1.224, Rechenberg) for the expected distance
``sqrt(n / 12)`` from the centre to an optimum anywhere in the box, so it follows from the
dimension only. When the step size falls below ``tol_x`` or the parent improves by less
than ``tol_fun`` over ``10 + 30 n`` offspring, the run restarts from a uniformly random
point (the best point found stays in the store).

Several proposals may be outstanding (parallel workers): each is sampled from the current
parent and compared with the parent current when its result arrives. ``inject(dna,
feedback)`` offers a result the strategy did not propose (``quadratic_surrogate`` does
this): if it is better it becomes the parent, without changing the step size.

>>> import symsearch as ss
>>> space = ss.List([ss.floatv(-5.0, 5.0) for _ in range(4)])
>>> result = ss.search(space, lambda c: {"f": sum((x - 1.0) ** 2 for x in c)},
...                    objective="min:f", algorithm=OnePlusOneCMAES(), num_trials=400,
...                    seed=0, store=ss.store.MemoryStore())
>>> result.best.metrics["f"] < 1e-6
True
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from symsearch.algorithms.base import Feedback, SearchAlgorithm, register_algorithm
from symsearch.algorithms.unit_box import UnitBox
from symsearch.geno.dna import DNA
from symsearch.geno.spec import DNASpec
from symsearch.search.objectives import Objectives

#: Target success probability, success-probability smoothing and the threshold above which
#: the evolution path is not extended (Igel et al. 2006, Table 1).
P_TARGET, C_P, P_THRESH = 2.0 / 11.0, 1.0 / 12.0, 0.44


def default_sigma0(dim: int) -> float:
    """The (1+1)-ES's optimal step for an optimum anywhere in the unit box (see module)."""
    return 1.224 * math.sqrt(dim / 12.0) / dim


@register_algorithm("one_plus_one_cma_es")
class OnePlusOneCMAES(SearchAlgorithm):
    """Elitist (1+1)-CMA-ES with restarts; see the module docstring.

    Args:
      sigma0: initial step size in box widths; None: ``1.224 * sqrt(n / 12) / n``.
      restarts: how many restarts at most (from a uniformly random point).
      tol_x: restart when ``sigma`` times the largest axis of ``A`` falls below this.
      tol_fun: restart when the parent improves by less than this over ``10 + 30 n``
        offspring.
      seed: random seed.
    """

    needs_objective = True

    def __init__(self, sigma0: Optional[float] = None, restarts: int = 100,
                 tol_x: float = 1e-12, tol_fun: float = 1e-12, seed: Optional[int] = None):
        super().__init__(seed)
        for name, value in (("sigma0", sigma0), ("tol_x", tol_x), ("tol_fun", tol_fun)):
            if value is None and name == "sigma0":
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
                raise ValueError(f"OnePlusOneCMAES: {name} must be a positive number"
                                 f"{' or None' if name == 'sigma0' else ''}, got {value!r}")
        if not isinstance(restarts, int) or isinstance(restarts, bool) or restarts < 0:
            raise ValueError(f"OnePlusOneCMAES: restarts must be an int >= 0, got {restarts!r}")
        self.sigma0 = None if sigma0 is None else float(sigma0)
        self.restarts, self.tol_x, self.tol_fun = restarts, float(tol_x), float(tol_fun)

    # ---- setup -------------------------------------------------------------------------------

    def setup(self, spec: DNASpec, objectives: Optional[Objectives] = None,
              seed: Optional[int] = None) -> None:
        super().setup(spec, objectives, seed)
        if objectives is not None and objectives.is_multi:
            raise ValueError("OnePlusOneCMAES (one_plus_one_cma_es) optimizes one objective; "
                             f"got {objectives.to_list()} (use 'nsga2' for several)")
        self.box = UnitBox(spec, "OnePlusOneCMAES (one_plus_one_cma_es)")
        n = self.dim = self.box.dim
        self.damping = 1.0 + n / 2.0
        self.c_c = 2.0 / (n + 2.0)
        self.c_cov = 2.0 / (n * n + 6.0)
        self.window = 10 + 30 * n
        self.np_rng = np.random.default_rng(self.seed)
        self.run_index = 0
        self.evaluations = 0
        self._start_run(np.full(n, 0.5))

    def _start_run(self, parent: np.ndarray) -> None:
        n = self.dim
        self.parent = np.asarray(parent, dtype=float)
        self.parent_f = math.inf
        self.sigma = self.sigma0 if self.sigma0 is not None else default_sigma0(n)
        self.A = np.eye(n)
        self.p_c = np.zeros(n)
        self.p_succ = P_TARGET
        self.parent_history: list = []   # parent fitness after each offspring of this run
        self._start_pending = True       # the start point itself is evaluated first
        self._pending: dict = {}         # DNA -> [[point, step or None], ...]

    # ---- ask ---------------------------------------------------------------------------------

    def propose(self) -> DNA:
        if self.spec is None:
            raise RuntimeError("OnePlusOneCMAES.propose() before setup()")
        if self._start_pending:
            self._start_pending = False
            point, step = self.parent, None
        else:
            z = self.np_rng.standard_normal(self.dim)
            point = np.clip(self.parent + self.sigma * (self.A @ z), 0.0, 1.0)
            step = (point - self.parent) / self.sigma
        dna = self.box.to_dna(point)
        self._pending.setdefault(dna, []).append(
            [point.tolist(), None if step is None else step.tolist()])
        return dna

    # ---- tell --------------------------------------------------------------------------------

    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        entries = self._pending.get(DNA(dna))
        if not entries:
            return   # from before a restart, or not ours (see inject)
        point, step = entries.pop(0)
        if not entries:
            del self._pending[DNA(dna)]
        self.evaluations += 1
        f = math.inf if feedback.score is None else -float(feedback.score)
        if step is None:                   # the run's start point
            if f < self.parent_f:
                self.parent, self.parent_f = np.asarray(point), f
            return
        success = f <= self.parent_f and math.isfinite(f)
        self.p_succ = (1 - C_P) * self.p_succ + C_P * success
        if success:
            self.parent, self.parent_f = np.asarray(point), f
            self._update_covariance(np.asarray(step))
        self.sigma *= math.exp((self.p_succ - P_TARGET) / (self.damping * (1 - P_TARGET)))
        self.sigma = min(self.sigma, 1.0)  # a step of a box width already reaches any point
        self.parent_history.append(self.parent_f)
        if self._stagnates():
            self._restart()

    def inject(self, dna: DNA, feedback: Feedback) -> None:
        """A result the strategy did not propose: it becomes the parent if it is better."""
        if self.spec is None or feedback.score is None:
            return
        f = -float(feedback.score)
        if f < self.parent_f:
            self.parent, self.parent_f = np.clip(self.box.to_unit(dna), 0.0, 1.0), f

    def _update_covariance(self, step: np.ndarray) -> None:
        """Igel et al.'s rank-one update of the Cholesky factor ``A`` along the path."""
        c_c, c_cov = self.c_c, self.c_cov
        if self.p_succ < P_THRESH:
            self.p_c = (1 - c_c) * self.p_c + math.sqrt(c_c * (2 - c_c)) * step
            alpha = 1 - c_cov
        else:   # steps are too easy to trust as a direction: only decay the path
            self.p_c = (1 - c_c) * self.p_c
            alpha = 1 - c_cov + c_cov * c_c * (2 - c_c)
        w = np.linalg.solve(self.A, self.p_c)
        norm_w2 = float(w @ w)
        if norm_w2 <= 1e-300:
            self.A *= math.sqrt(alpha)
            return
        factor = math.sqrt(alpha) / norm_w2 * (math.sqrt(1 + c_cov / alpha * norm_w2) - 1)
        self.A = math.sqrt(alpha) * self.A + factor * np.outer(self.p_c, w)

    def _stagnates(self) -> bool:
        if self.sigma * float(np.sqrt(np.max(np.sum(self.A ** 2, axis=1)))) < self.tol_x:
            return True
        history = self.parent_history
        if len(history) > self.window:
            return history[-self.window - 1] - history[-1] < self.tol_fun
        return False

    def _restart(self) -> None:
        if self.run_index >= self.restarts:
            self._start_run(self.parent)     # out of restarts: fresh shape, same parent
            return
        self.run_index += 1
        self._start_run(self.np_rng.uniform(0.0, 1.0, self.dim))

    # ---- state -------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        state = super().state_dict()
        state.update(np_rng=self.np_rng.bit_generator.state, parent=self.parent.tolist(),
                     parent_f=_finite_or_none(self.parent_f), sigma=self.sigma, A=self.A.tolist(),
                     p_c=self.p_c.tolist(), p_succ=self.p_succ, run_index=self.run_index,
                     evaluations=self.evaluations,
                     parent_history=[_finite_or_none(f) for f in self.parent_history],
                     start_pending=self._start_pending,
                     pending=[[list(dna), entries] for dna, entries in self._pending.items()])
        return state

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.np_rng.bit_generator.state = state["np_rng"]
        self.parent = np.asarray(state["parent"], dtype=float)
        self.parent_f = _float_or_inf(state["parent_f"])
        self.sigma, self.p_succ = float(state["sigma"]), float(state["p_succ"])
        self.A = np.asarray(state["A"], dtype=float)
        self.p_c = np.asarray(state["p_c"], dtype=float)
        self.run_index, self.evaluations = state["run_index"], state["evaluations"]
        self.parent_history = [_float_or_inf(f) for f in state["parent_history"]]
        self._start_pending = bool(state["start_pending"])
        self._pending = {DNA(dna): [list(e) for e in entries]
                         for dna, entries in state["pending"]}

    def __repr__(self) -> str:
        return (f"OnePlusOneCMAES(sigma0={self.sigma0}, restarts={self.restarts}, "
                f"seed={self.seed})")


def _finite_or_none(value: float) -> Optional[float]:
    """JSON has no infinity: an unknown fitness is stored as null."""
    return value if math.isfinite(value) else None


def _float_or_inf(value: Optional[float]) -> float:
    return math.inf if value is None else float(value)
