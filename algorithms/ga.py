"""Genetic algorithms composed from evolution operators, each a few lines.

- :class:`AgingEvolution` (``aging_evolution``): regularized evolution as a pipeline,
  ``Tournament(tournament_size) >> [Uniform crossover] >> Mutate() >> Aging(population_size)``.
  The ``evolution`` name stays the hand-written :class:`RegularizedEvolution` (the same
  algorithm, plus plateau restarts and program-search defaults).
- :class:`MuPlusLambdaGA` (``mu_plus_lambda``): ``lam`` children from binary tournaments,
  then the best ``mu`` of parents and children together (generational, elitist).
- :class:`MuCommaLambdaGA` (``mu_comma_lambda``): the best ``mu`` of the ``lam`` children
  only (no parent survives a generation).
- :class:`SteadyStateGA` (``steady_state_ga``, ``ga``): two children at a time; each one
  that comes back replaces the worst member (no generation barrier).

The GAs vary DNA with :func:`~symsearch.algorithms.operators.variation_for` (SBX and
polynomial mutation for numbers, order crossover for permutations, program crossover for
``evolve`` decisions, uniform crossover and mutation elsewhere); with several objectives
their selections and updates rank by Pareto front and crowding distance.

>>> import symsearch as ss
>>> space = ss.Dict(x=ss.floatv(-2.0, 2.0), y=ss.floatv(-2.0, 2.0))
>>> result = ss.search(space, lambda c: c["x"] ** 2 + c["y"] ** 2, objective="min:loss",
...                    algorithm=SteadyStateGA(population_size=20), num_trials=300, seed=0)
>>> result.best.metrics["loss"] < 0.01
True
"""
from __future__ import annotations

from typing import Any, Optional

from symsearch.algorithms.base import register_algorithm
from symsearch.algorithms.composed_evolution import ComposedEvolution, check_args
from symsearch.algorithms.evolution import _make_mutation
from symsearch.algorithms.operators import (Aging, Mutate, MuCommaLambda, MuPlusLambda,
                                            SteadyState, Tournament, Uniform, variation_for)
from symsearch.algorithms.operators.base import check_probability


@register_algorithm("aging_evolution")
class AgingEvolution(ComposedEvolution):
    """Regularized (aging) evolution as an operator pipeline; see the module docstring."""

    def __init__(self, population_size: int = 100, tournament_size: int = 10,
                 mutation: Any = None, crossover_prob: float = 0.0,
                 seed: Optional[int] = None):
        check_args("AgingEvolution", population_size=population_size,
                   tournament_size=tournament_size)
        crossover_prob = check_probability("AgingEvolution", "crossover_prob", crossover_prob)
        selection = Tournament(size=tournament_size, count=2 if crossover_prob else 1)
        steps = selection >> Uniform(children=1, probability=crossover_prob) \
            if crossover_prob else selection
        super().__init__(steps >> Mutate(_make_mutation(mutation)) >> Aging(population_size),
                         seed=seed)


@register_algorithm("mu_plus_lambda")
class MuPlusLambdaGA(ComposedEvolution):
    """(mu + lambda) GA; see the module docstring."""

    def __init__(self, mu: int = 50, lam: int = 50, crossover_prob: float = 0.9,
                 eta_crossover: float = 15.0, eta_mutation: float = 20.0,
                 seed: Optional[int] = None):
        check_args("MuPlusLambdaGA", mu=mu, lam=lam)
        recombination, mutation = variation_for(eta_crossover, eta_mutation, crossover_prob)
        super().__init__(Tournament(size=2, count=lam) >> recombination >> mutation
                         >> MuPlusLambda(mu, lam), seed=seed)


@register_algorithm("mu_comma_lambda")
class MuCommaLambdaGA(ComposedEvolution):
    """(mu, lambda) GA; see the module docstring."""

    def __init__(self, mu: int = 15, lam: int = 100, crossover_prob: float = 0.9,
                 eta_crossover: float = 15.0, eta_mutation: float = 20.0,
                 seed: Optional[int] = None):
        check_args("MuCommaLambdaGA", mu=mu, lam=lam)
        recombination, mutation = variation_for(eta_crossover, eta_mutation, crossover_prob)
        super().__init__(Tournament(size=2, count=lam) >> recombination >> mutation
                         >> MuCommaLambda(mu, lam), initial_population=lam, seed=seed)


@register_algorithm("steady_state_ga", "ga")
class SteadyStateGA(ComposedEvolution):
    """Steady-state GA; see the module docstring."""

    def __init__(self, population_size: int = 50, tournament_size: int = 2,
                 crossover_prob: float = 0.9, eta_crossover: float = 15.0,
                 eta_mutation: float = 20.0, seed: Optional[int] = None):
        check_args("SteadyStateGA", population_size=population_size,
                   tournament_size=tournament_size)
        recombination, mutation = variation_for(eta_crossover, eta_mutation, crossover_prob)
        super().__init__(Tournament(size=tournament_size, count=2) >> recombination >> mutation
                         >> SteadyState(population_size), seed=seed)
