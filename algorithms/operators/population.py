"""Population updates: how children that came back with a fitness enter the population.

A population update is the last step of a pipeline. The algorithm collects returned
children and, once ``offspring`` of them are back, calls ``update(population, children,
ctx)`` for the next population. Updates that wait for one child at a time keep every
worker busy (no generation barrier); those that wait for ``lam`` are generational.

- :class:`Aging` (``size``): each child joins and the oldest member leaves (regularized
  evolution, Real et al. 2019);
- :class:`SteadyState` (``size``): each child joins and the worst member leaves (the
  oldest of equals; a steady-state GA). With several objectives the one that leaves is the
  last in NSGA-II's survival order, the least crowded point of the last front, which makes
  it steady-state NSGA-II;
- :class:`MuPlusLambda` (``mu``, ``lam``): the ``mu`` survivors of parents and ``lam``
  children together (NSGA-II's elitist update with several objectives);
- :class:`MuCommaLambda` (``mu``, ``lam``): the ``mu`` survivors of the ``lam`` children
  only (``lam >= mu``).

Survivors are picked by :class:`~symsearch.algorithms.operators.selection.NonDominatedSorting`,
which is plain truncation for one objective.

>>> import random, symsearch as ss
>>> from symsearch.algorithms.operators import Context, Individual
>>> ctx = Context(ss.dna_spec(ss.Dict(x=ss.floatv(0, 1))), random.Random(0))
>>> pop = [Individual(ss.DNA((0.0,)), (1.0,)), Individual(ss.DNA((0.5,)), (3.0,))]
>>> [i.fitness for i in MuPlusLambda(2, 1).update(pop, [Individual(ss.DNA((1.0,)), (2.0,))], ctx)]
[(3.0,), (2.0,)]
"""
from __future__ import annotations

from symsearch.algorithms.operators.base import Context, Operator, check_positive
from symsearch.algorithms.operators.pareto import drop_worst
from symsearch.algorithms.operators.selection import NonDominatedSorting


class PopulationUpdate(Operator):
    """Base class; ``size`` is the population it keeps, ``offspring`` how many returned
    children it waits for."""

    size: int
    offspring: int = 1

    def update(self, population: list, children: list, ctx: Context) -> list:
        raise NotImplementedError(f"{type(self).__name__} must implement this abstract method")

    def __call__(self, inputs: list, ctx: Context) -> list:
        raise TypeError(f"{type(self).__name__} is a population update: it ends a pipeline "
                        f"and is applied when children come back, not to proposals")


class Aging(PopulationUpdate):
    """Newest in, oldest out; see the module docstring."""

    def __init__(self, size: int = 100):
        self.size = check_positive("Aging", "size", size)

    def update(self, population, children, ctx) -> list:
        population = population + children
        return population[-self.size:]

    def __repr__(self) -> str:
        return f"Aging(size={self.size})"


class SteadyState(PopulationUpdate):
    """Newest in, worst out; see the module docstring."""

    def __init__(self, size: int = 100):
        self.size = check_positive("SteadyState", "size", size)

    def update(self, population, children, ctx) -> list:
        population = population + children
        while len(population) > self.size:   # population order is kept
            if ctx.is_multi_objective:
                worst, front, crowding = drop_worst([ind.fitness for ind in population])
                del population[worst]
                ctx.remember_ranking(population, (front, crowding))
            else:                             # the worst; of equals, the oldest
                worst = min(range(len(population)), key=lambda i: population[i].fitness[0])
                del population[worst]
        return population

    def __repr__(self) -> str:
        return f"SteadyState(size={self.size})"


class MuPlusLambda(PopulationUpdate):
    """``mu`` survivors of parents plus ``lam`` children; see the module docstring."""

    def __init__(self, mu: int = 100, lam: int = 100):
        self.size = check_positive("MuPlusLambda", "mu", mu)
        self.offspring = check_positive("MuPlusLambda", "lam", lam)
        self._survivors = NonDominatedSorting(self.size)

    def update(self, population, children, ctx) -> list:
        return self._survivors(population + children, ctx)

    def __repr__(self) -> str:
        return f"MuPlusLambda(mu={self.size}, lam={self.offspring})"


class MuCommaLambda(PopulationUpdate):
    """``mu`` survivors of the ``lam`` children only; see the module docstring."""

    def __init__(self, mu: int = 15, lam: int = 100):
        self.size = check_positive("MuCommaLambda", "mu", mu)
        self.offspring = check_positive("MuCommaLambda", "lam", lam)
        if lam < mu:
            raise ValueError(f"MuCommaLambda: lam ({lam}) must be at least mu ({mu}): the "
                             f"next population is drawn from the children alone")
        self._survivors = NonDominatedSorting(self.size)

    def update(self, population, children, ctx) -> list:
        return self._survivors(children, ctx) if children else population

    def __repr__(self) -> str:
        return f"MuCommaLambda(mu={self.size}, lam={self.offspring})"
