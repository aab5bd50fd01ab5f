"""Selection: which population members become parents (or survive).

All selections read :attr:`Individual.fitness` (larger is better in every entry). With one
objective members are ordered by it; with several, survival ranks by NSGA-II's crowded
comparison (a lower non-dominated front first, then a larger crowding distance within the
front; see ``pareto.py``, computed once per population), as do tournaments of more than
two; a binary tournament compares its two members as Deb's NSGA-II code and pymoo do: one
that dominates the other wins, else the larger crowding distance, else a coin.

- :class:`Tournament` (``size``, ``count``): ``count`` times, the best of ``size`` members
  drawn without replacement (binary tournaments, ``size=2``, are NSGA-II's mating
  selection; ``size=10`` of 100 is regularized evolution's);
- :class:`Truncation` (``count``): the ``count`` best by a single objective;
- :class:`NonDominatedSorting` (``count``): NSGA-II's survival selection: whole fronts in
  order, the last one cut by crowding distance (one objective: the same as truncation);
- :class:`RandomSelection` (``count``): members drawn uniformly (with replacement).

>>> import random, symsearch as ss
>>> from symsearch.algorithms.operators import Context, Individual
>>> ctx = Context(ss.dna_spec(ss.Dict(x=ss.floatv(0, 1))), random.Random(0), num_objectives=2)
>>> pop = [Individual(ss.DNA((0.1 * i,)), f) for i, f in
...        enumerate([(0.0, 1.0), (1.0, 0.0), (0.2, 0.2), (0.5, 0.5)])]
>>> [ind.fitness for ind in NonDominatedSorting(3)(pop, ctx)]
[(0.0, 1.0), (1.0, 0.0), (0.5, 0.5)]
"""
from __future__ import annotations

from symsearch.algorithms.operators.base import Context, Operator, OperatorError, check_positive
from symsearch.algorithms.operators.pareto import dominates, survival_order


class Selection(Operator):
    """Base class: picks from a list of Individuals."""

    def __init__(self, count: int = 1):
        self.count = check_positive(type(self).__name__, "count", count)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(count={self.count})"


class Tournament(Selection):
    """``count`` tournaments of ``size`` members each; see the module docstring."""

    def __init__(self, size: int = 2, count: int = 1):
        super().__init__(count)
        self.size = check_positive("Tournament", "size", size)

    def __call__(self, inputs: list, ctx: Context) -> list:
        n = len(inputs)
        if n == 0:
            return []
        rng, size = ctx.rng, min(self.size, n)
        out = []
        if ctx.is_multi_objective:
            front, crowding = ctx.ranking(inputs)
            for _ in range(self.count):
                sample = rng.sample(range(n), size)
                best = sample[0]
                if size == 2:                 # Deb's binary tournament
                    i = sample[1]
                    a, b = inputs[i].fitness, inputs[best].fitness
                    if dominates(a, b) or (not dominates(b, a) and (
                            crowding[i] > crowding[best] or
                            (crowding[i] == crowding[best] and rng.random() < 0.5))):
                        best = i
                else:                         # the crowded comparison
                    for i in sample[1:]:
                        if front[i] < front[best] or \
                                (front[i] == front[best] and crowding[i] > crowding[best]):
                            best = i
                out.append(inputs[best])
            return out
        for _ in range(self.count):
            sample = rng.sample(range(n), size)
            best = inputs[sample[0]]
            for i in sample[1:]:
                if inputs[i].fitness[0] > best.fitness[0]:
                    best = inputs[i]
            out.append(best)
        return out

    def __repr__(self) -> str:
        return f"Tournament(size={self.size}, count={self.count})"


class Truncation(Selection):
    """The ``count`` best members by one objective (ties keep population order)."""

    def __call__(self, inputs: list, ctx: Context) -> list:
        if ctx.is_multi_objective:
            raise OperatorError("Truncation ranks by one objective but the search has "
                                f"{ctx.num_objectives}; use NonDominatedSorting(count) to "
                                "rank by Pareto front and crowding distance")
        order = sorted(range(len(inputs)), key=lambda i: -inputs[i].fitness[0])
        return [inputs[i] for i in order[:self.count]]


class NonDominatedSorting(Selection):
    """NSGA-II survival selection; see the module docstring."""

    def __call__(self, inputs: list, ctx: Context) -> list:
        if not ctx.is_multi_objective:
            order = sorted(range(len(inputs)), key=lambda i: -inputs[i].fitness[0])
        else:
            order = survival_order([ind.fitness for ind in inputs])
        return [inputs[i] for i in order[:self.count]]


class RandomSelection(Selection):
    """``count`` members drawn uniformly, with replacement."""

    def __call__(self, inputs: list, ctx: Context) -> list:
        if not inputs:
            return []
        rng = ctx.rng
        return [inputs[rng.randrange(len(inputs))] for _ in range(self.count)]
