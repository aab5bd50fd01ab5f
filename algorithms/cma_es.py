"""Native CMA-ES: the (mu/mu_w, lambda)-CMA-ES of Hansen's tutorial, with IPOP restarts.

Hansen, "The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772), with its default
parameters: weighted recombination of the best ``mu = lambda // 2`` samples, cumulative
step-size adaptation (CSA), rank-one and rank-mu updates of the covariance matrix, and a
lazy eigendecomposition (every few generations, so a generation costs O(n^2) on average).

The search runs in the box normalised to ``[0, 1]`` per decision (on ``log(value)`` for a
``scale="log"`` decision); ``intv`` decisions are searched as floats and rounded onto their
grid when a sample becomes DNA. A sample outside the box is *repaired* (clipped) for
evaluation and its fitness is *penalised* by its squared distance to the box, weighted by the
generation's fitness spread (Hansen's boundary handling, simplified), while the update uses
the unrepaired sample. When a run stagnates (step size or fitness range below a tolerance,
or the covariance matrix ill-conditioned) it restarts from a random point with twice the
population (IPOP, Auger & Hansen 2005).

Ask/tell fits :class:`~symsearch.algorithms.base.SearchAlgorithm`: ``propose`` samples from
the current distribution (more than ``lambda`` while results are outstanding, so parallel
workers stay busy); the update happens when ``lambda`` results of the current generation
are in; results of samples from an earlier generation or restart are ignored. Only float
and int decisions: a ``oneof``/``manyof`` or ``evolve`` decision raises ValueError naming it.
Optuna's CMA-ES sampler stays available as ``cmaes``.

``inject(dna, feedback)`` adds a result the strategy did not sample (``quadratic_surrogate``
offers its model's points this way) to the current generation, as in Hansen, "Injecting
External Solutions Into CMA-ES" (2011): its step from the mean is shortened to Mahalanobis
length at most ``sqrt(n) + 2n / (n + 2)``, so one injected point cannot throw the
distribution off, while a good one pulls the mean toward it.

>>> import symsearch as ss
>>> space = ss.List([ss.floatv(-5.0, 5.0) for _ in range(4)])
>>> result = ss.search(space, lambda c: {"f": sum((x - 1.0) ** 2 for x in c)},
...                    objective="min:f", algorithm=CMAEvolutionStrategy(), num_trials=600,
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


@register_algorithm("cma_es")
class CMAEvolutionStrategy(SearchAlgorithm):
    """(mu/mu_w, lambda)-CMA-ES with IPOP restarts; see the module docstring.

    Args:
      population_size: ``lambda`` of the first run; None: ``4 + floor(3 ln n)``.
      sigma0: initial step size in the normalised box (its width is 1).
      restarts: how many IPOP restarts at most (each doubles ``lambda``).
      tol_x: restart when ``sigma * max(sqrt(diag C))`` falls below this.
      tol_fun: restart when the best fitness of recent generations spans less than this.
      diagonal: sep-CMA-ES (Ros & Hansen 2008): a diagonal covariance learnt with rates
        ``(n + 2) / 3`` times larger; adapts faster in high dimension on few evaluations,
        at the cost of ignoring correlations between decisions.
      seed: random seed.
    """

    needs_objective = True

    def __init__(self, population_size: Optional[int] = None, sigma0: float = 0.25,
                 restarts: int = 9, tol_x: float = 1e-11, tol_fun: float = 1e-12,
                 diagonal: bool = False, seed: Optional[int] = None):
        super().__init__(seed)
        if population_size is not None and (
                not isinstance(population_size, int) or isinstance(population_size, bool)
                or population_size < 2):
            raise ValueError(f"CMAEvolutionStrategy: population_size must be an int >= 2 or "
                             f"None, got {population_size!r}")
        for name, value in (("sigma0", sigma0), ("tol_x", tol_x), ("tol_fun", tol_fun)):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
                raise ValueError(f"CMAEvolutionStrategy: {name} must be a positive number, "
                                 f"got {value!r}")
        if not isinstance(restarts, int) or isinstance(restarts, bool) or restarts < 0:
            raise ValueError(f"CMAEvolutionStrategy: restarts must be an int >= 0, "
                             f"got {restarts!r}")
        self.population_size, self.sigma0, self.restarts = population_size, float(sigma0), restarts
        self.tol_x, self.tol_fun = float(tol_x), float(tol_fun)
        self.diagonal = bool(diagonal)

    # ---- setup -------------------------------------------------------------------------------

    def setup(self, spec: DNASpec, objectives: Optional[Objectives] = None,
              seed: Optional[int] = None) -> None:
        super().setup(spec, objectives, seed)
        if objectives is not None and objectives.is_multi:
            raise ValueError("CMAEvolutionStrategy (cma_es) optimizes one objective; got "
                             f"{objectives.to_list()} (use 'nsga2' for several)")
        self.box = UnitBox(spec, "CMAEvolutionStrategy (cma_es)")
        self.np_rng = np.random.default_rng(self.seed)
        self.dim = self.box.dim
        self.run_index = 0
        self.evaluations = 0
        self._start_run(self.population_size or 4 + int(3 * math.log(self.dim)),
                        mean=np.full(self.dim, 0.5))

    def _start_run(self, lam: int, mean: np.ndarray) -> None:
        """Fresh distribution and strategy parameters for population ``lam``."""
        n = self.dim
        self.lam, self.mu = lam, lam // 2
        w = math.log((lam + 1) / 2) - np.log(np.arange(1, self.mu + 1))
        self.weights = w / w.sum()
        self.mueff = 1.0 / float(np.sum(self.weights ** 2))
        mueff = self.mueff
        self.cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
        self.cs = (mueff + 2) / (n + mueff + 5)
        self.c1 = 2 / ((n + 1.3) ** 2 + mueff)
        self.cmu = min(1 - self.c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff))
        if self.diagonal:
            self.c1 *= (n + 2) / 3
            self.cmu = min(1 - self.c1, self.cmu * (n + 2) / 3)
        self.damps = 1 + 2 * max(0.0, math.sqrt((mueff - 1) / (n + 1)) - 1) + self.cs
        self.chi_n = math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
        self.eigen_every = 1 if self.diagonal else max(1, int(1 / ((self.c1 + self.cmu) * n * 10)))
        self.mean = np.asarray(mean, dtype=float)
        self.sigma = self.sigma0
        self.C = np.eye(n)
        self.B, self.D = np.eye(n), np.ones(n)
        self.pc, self.ps = np.zeros(n), np.zeros(n)
        self.generation = 0
        self.best_history: list = []
        self._pending: dict = {}      # DNA -> list of unrepaired samples (lists)
        self._told: list = []         # [(penalised fitness, sample)] of this generation

    # ---- ask -------------------------------------------------------------------------------

    def propose(self) -> DNA:
        if self.spec is None:
            raise RuntimeError("CMAEvolutionStrategy.propose() before setup()")
        z = self.np_rng.standard_normal(self.dim)
        x = self.mean + self.sigma * (self.B @ (self.D * z))
        dna = self.box.to_dna(x)   # repaired: clipped into the box
        self._pending.setdefault(dna, []).append(x.tolist())
        return dna

    # ---- tell ------------------------------------------------------------------------------

    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        samples = self._pending.get(DNA(dna))
        if not samples:
            return  # from an earlier generation or restart, or not ours
        x = np.asarray(samples.pop(0))
        if not samples:
            del self._pending[DNA(dna)]
        self.evaluations += 1
        fitness = math.inf if feedback.score is None else -float(feedback.score)
        self._told.append((fitness, x))
        if len(self._told) >= self.lam:
            self._update()

    def inject(self, dna: DNA, feedback: Feedback) -> None:
        """A result the strategy did not sample joins this generation (see the module)."""
        if self.spec is None or feedback.score is None:
            return
        y = (np.clip(self.box.to_unit(dna), 0.0, 1.0) - self.mean) / self.sigma
        length = float(np.linalg.norm((self.B.T @ y) / self.D))
        limit = math.sqrt(self.dim) + 2 * self.dim / (self.dim + 2)
        if length > limit:
            y *= limit / length
        self.evaluations += 1
        self._told.append((-float(feedback.score), self.mean + self.sigma * y))
        if len(self._told) >= self.lam:
            self._update()

    def _penalised(self) -> np.ndarray:
        """Fitness plus the boundary penalty, weighted by the generation's fitness spread."""
        f = np.array([t[0] for t in self._told])
        xs = np.array([t[1] for t in self._told])
        finite = f[np.isfinite(f)]
        spread = float(np.subtract(*np.percentile(finite, [75, 25]))) if finite.size else 0.0
        if spread <= 0 and finite.size:
            spread = float(np.ptp(finite)) or abs(float(finite[0])) or 1.0
        gamma = 2 * spread / (self.sigma ** 2 * float(np.mean(np.diag(self.C))) + 1e-300)
        outside = np.sum((xs - np.clip(xs, 0.0, 1.0)) ** 2, axis=1)
        return np.where(np.isfinite(f), f + gamma * outside, math.inf)

    def _update(self) -> None:
        """One generation of Hansen's update from the ``lam`` results told."""
        n, mu = self.dim, self.mu
        raw = np.array([t[0] for t in self._told])
        order = np.argsort(self._penalised(), kind="stable")[:mu]
        xs = np.array([t[1] for t in self._told])[order]
        old_mean = self.mean
        self.mean = self.weights @ xs
        y = (xs - old_mean) / self.sigma
        y_w = (self.mean - old_mean) / self.sigma
        inv_sqrt_c = self.B @ np.diag(1 / self.D) @ self.B.T
        self.ps = ((1 - self.cs) * self.ps
                   + math.sqrt(self.cs * (2 - self.cs) * self.mueff) * (inv_sqrt_c @ y_w))
        self.generation += 1
        norm_ps = float(np.linalg.norm(self.ps))
        hsig = (norm_ps / math.sqrt(1 - (1 - self.cs) ** (2 * self.generation)) / self.chi_n
                < 1.4 + 2 / (n + 1))
        self.pc = ((1 - self.cc) * self.pc
                   + hsig * math.sqrt(self.cc * (2 - self.cc) * self.mueff) * y_w)
        rank_mu = (y.T * self.weights) @ y
        self.C = ((1 - self.c1 - self.cmu) * self.C
                  + self.c1 * (np.outer(self.pc, self.pc)
                               + (1 - hsig) * self.cc * (2 - self.cc) * self.C)
                  + self.cmu * rank_mu)
        self.sigma *= math.exp(min(1.0, (self.cs / self.damps) * (norm_ps / self.chi_n - 1)))
        if self.generation % self.eigen_every == 0:
            self._decompose()
        finite = raw[np.isfinite(raw)]
        self.best_history.append(float(finite.min()) if finite.size else math.inf)
        self._told = []
        if self._stagnates():
            self._restart()

    def _decompose(self) -> None:
        if self.diagonal:
            self.C = np.diag(np.diag(self.C))
            self.B, self.D = np.eye(self.dim), np.sqrt(np.maximum(np.diag(self.C), 1e-300))
            return
        self.C = np.triu(self.C) + np.triu(self.C, 1).T   # keep it exactly symmetric
        eigenvalues, self.B = np.linalg.eigh(self.C)
        self.D = np.sqrt(np.maximum(eigenvalues, 1e-300))

    def _stagnates(self) -> bool:
        if self.sigma * float(np.sqrt(np.max(np.diag(self.C)))) < self.tol_x:
            return True
        if float(self.D.max()) ** 2 > 1e14 * float(self.D.min()) ** 2:
            return True
        window = 10 + int(math.ceil(30 * self.dim / self.lam))
        recent = self.best_history[-window:]
        if len(recent) >= window and np.all(np.isfinite(recent)) \
                and max(recent) - min(recent) < self.tol_fun:
            return True
        return not np.isfinite(self.sigma) or self.sigma > 1e8

    def _restart(self) -> None:
        if self.run_index >= self.restarts:
            # out of restarts: keep searching around the current mean with a fresh shape
            self._start_run(self.lam, mean=np.clip(self.mean, 0.0, 1.0))
            return
        self.run_index += 1
        self._start_run(self.lam * 2, mean=self.np_rng.uniform(0.0, 1.0, self.dim))

    # ---- state -----------------------------------------------------------------------------

    _ARRAYS = ("mean", "C", "B", "D", "pc", "ps", "weights")
    _SCALARS = ("lam", "mu", "mueff", "cc", "cs", "c1", "cmu", "damps", "chi_n", "eigen_every",
                "sigma", "generation", "run_index", "evaluations")

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["np_rng"] = self.np_rng.bit_generator.state
        state.update({k: getattr(self, k).tolist() for k in self._ARRAYS})
        state.update({k: getattr(self, k) for k in self._SCALARS})
        state["best_history"] = list(self.best_history)
        state["pending"] = [[list(dna), samples] for dna, samples in self._pending.items()]
        state["told"] = [[f, x.tolist()] for f, x in self._told]
        return state

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.np_rng.bit_generator.state = state["np_rng"]
        for k in self._ARRAYS:
            setattr(self, k, np.asarray(state[k], dtype=float))
        for k in self._SCALARS:
            setattr(self, k, state[k])
        self.best_history = list(state["best_history"])
        self._pending = {DNA(dna): [list(s) for s in samples]
                         for dna, samples in state["pending"]}
        self._told = [(float(f), np.asarray(x, dtype=float)) for f, x in state["told"]]

    def __repr__(self) -> str:
        return (f"CMAEvolutionStrategy(population_size={self.population_size}, "
                f"sigma0={self.sigma0}, restarts={self.restarts}, diagonal={self.diagonal}, "
                f"seed={self.seed})")
