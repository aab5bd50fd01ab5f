"""Native NSGA-II (Deb et al. 2002), composed from evolution operators.

::

    Tournament(size=2, count=lam) >> variation >> MuPlusLambda(mu=population_size, lam=lam)

Binary tournaments by crowded comparison (front, then crowding distance) pick ``lam``
parents; SBX (``eta_crossover``, with probability ``crossover_prob``) and polynomial
mutation (``eta_mutation``, rate ``1/n``) vary numeric decisions, with order crossover for
permutations, program crossover for ``evolve`` decisions and uniform crossover for the
rest (see :func:`symsearch.algorithms.operators.variation_for`); parents and children
together are cut back to ``population_size`` by non-dominated sorting and crowding
distance, with a repeated objective vector (a copy, or a functionally identical program)
ranked behind every distinct point, so a front of two or three points cannot fill the
population with copies (see :func:`~symsearch.algorithms.operators.pareto.survival_order`;
pymoo removes duplicates outright). These are pymoo's NSGA-II defaults. ``steady_state=True`` replaces the
generation barrier by a steady-state update: each returned child joins and the last
member in survival order leaves, which keeps every parallel worker busy.

Names: ``nsga2`` is this class. Optuna's NSGA-II sampler is ``optuna_nsga2``
(:class:`~symsearch.algorithms.bayesian.OptunaNSGA2`); ``evolution`` with several
objectives is regularized evolution with Pareto tournaments.

>>> import symsearch as ss
>>> space = ss.Dict(x=ss.floatv(0.0, 1.0), y=ss.floatv(0.0, 1.0))
>>> result = ss.search(space, lambda c: {"f1": c["x"], "f2": 1 - c["x"] ** 0.5 + c["y"]},
...                    objective=["min:f1", "min:f2"], algorithm=NSGA2(population_size=20),
...                    num_trials=200, seed=0)
>>> len(result.pareto) >= 10
True
"""
from __future__ import annotations

from typing import Optional

from symsearch.algorithms.base import register_algorithm
from symsearch.algorithms.composed_evolution import ComposedEvolution, check_args
from symsearch.algorithms.operators import (MuPlusLambda, SteadyState, Tournament,
                                            variation_for)


@register_algorithm("nsga2")
class NSGA2(ComposedEvolution):
    """NSGA-II; see the module docstring."""

    def __init__(self, population_size: int = 100, offspring: Optional[int] = None,
                 crossover_prob: float = 0.9, eta_crossover: float = 15.0,
                 eta_mutation: float = 20.0, steady_state: bool = False,
                 seed: Optional[int] = None):
        offspring = population_size if offspring is None else offspring
        check_args("NSGA2", population_size=population_size, offspring=offspring)
        recombination, mutation = variation_for(eta_crossover, eta_mutation, crossover_prob)
        if steady_state:
            pipeline = (Tournament(size=2, count=2) >> recombination >> mutation
                        >> SteadyState(population_size))
        else:
            pipeline = (Tournament(size=2, count=offspring) >> recombination >> mutation
                        >> MuPlusLambda(population_size, offspring))
        super().__init__(pipeline, initial_population=population_size, seed=seed)
        self.population_size, self.num_offspring = population_size, offspring
        self.steady_state = bool(steady_state)

    def __repr__(self) -> str:
        return (f"NSGA2(population_size={self.population_size}, offspring={self.num_offspring}, "
                f"steady_state={self.steady_state}, seed={self.seed})")
