"""The operator algebra: ``selection >> recombination >> mutation >> population update``.

An :class:`Operator` maps a list to a list within one :class:`Context` (the spec, the
random generator and the objectives' orientation). ``a >> b`` is a :class:`Pipeline` that
feeds ``a``'s output to ``b``, as in PyGlove's ``pg.evolution``. What flows through it:

- a selection takes the population (a list of :class:`Individual`) and returns members;
- a recombination takes parents (Individuals or DNA) and returns child DNA;
- a mutation takes DNA and returns DNA;
- a population update (the last step, see ``population.py``) is what the algorithm
  applies when children come back with their fitness.

>>> from symsearch.algorithms.operators import Tournament, Uniform, Mutate, Aging
>>> pipeline = Tournament(size=5) >> Uniform() >> Mutate() >> Aging(size=50)
>>> [type(step).__name__ for step in pipeline.steps]
['Tournament', 'Uniform', 'Mutate', 'Aging']
"""
from __future__ import annotations

import random
from typing import Any, Callable, Optional, Sequence

from symsearch.geno.dna import DNA
from symsearch.geno.spec import DNASpec


class OperatorError(ValueError):
    """An operator met a decision (or a value) it cannot handle; the message names both."""


class Individual:
    """A population member: its DNA, its fitness and the trial that scored it.

    ``fitness`` is a tuple with one entry per objective, oriented so that larger is better
    (a minimized objective is negated), so selections never need the objectives' signs.
    """

    __slots__ = ("dna", "fitness", "trial_id")

    def __init__(self, dna: DNA, fitness: tuple, trial_id: Optional[int] = None):
        self.dna = dna
        self.fitness = fitness
        self.trial_id = trial_id

    def __repr__(self) -> str:
        return f"Individual({self.dna!r}, fitness={self.fitness}, trial_id={self.trial_id})"


class Context:
    """What operators share within one algorithm: the spec, the random generator, the
    number of objectives, the generation counter, and a memo of the last Pareto ranking
    (a generation's selections all rank the same population)."""

    def __init__(self, spec: DNASpec, rng: Optional[random.Random] = None,
                 num_objectives: int = 1):
        self.spec = spec
        self.rng = rng if rng is not None else random.Random()
        self.num_objectives = num_objectives
        self.generation = 0
        self._ranking_key: Optional[tuple] = None
        self._ranking: Optional[tuple] = None

    @property
    def is_multi_objective(self) -> bool:
        return self.num_objectives > 1

    def remember_ranking(self, population: Sequence[Individual], ranking: tuple) -> None:
        """Records ``(fronts, crowding)`` of ``population`` (an update that computed it)."""
        self._ranking_key = tuple(id(ind) for ind in population)
        self._ranking = ranking

    def ranking(self, population: Sequence[Individual]) -> tuple:
        """``(fronts, crowding)`` of ``population`` (see ``pareto.rank_and_crowding``),
        computed once per distinct population."""
        key = tuple(id(ind) for ind in population)
        if key != self._ranking_key:
            from symsearch.algorithms.operators.pareto import rank_and_crowding
            self._ranking = rank_and_crowding([ind.fitness for ind in population])
            self._ranking_key = key
        return self._ranking


class Operator:
    """A step of an evolutionary pipeline: ``__call__(inputs, ctx) -> outputs``."""

    def __call__(self, inputs: list, ctx: Context) -> list:
        raise NotImplementedError(f"{type(self).__name__} must implement this abstract method")

    def check(self, spec: DNASpec) -> None:
        """Raises :class:`OperatorError` when the operator cannot handle a decision of
        ``spec`` (called once when an algorithm is set up). Default: handles everything."""

    def __rshift__(self, other: Any) -> "Pipeline":
        return Pipeline([self, as_operator(other)])

    def __rrshift__(self, other: Any) -> "Pipeline":
        return Pipeline([as_operator(other), self])


class Pipeline(Operator):
    """Operators applied one after the other (what ``a >> b >> c`` builds)."""

    def __init__(self, steps: Sequence[Operator]):
        flat: list = []
        for step in steps:
            step = as_operator(step)
            flat.extend(step.steps if isinstance(step, Pipeline) else [step])
        if not flat:
            raise ValueError("a Pipeline needs at least one operator")
        self.steps = flat

    def __call__(self, inputs: list, ctx: Context) -> list:
        for step in self.steps:
            inputs = step(inputs, ctx)
        return inputs

    def check(self, spec: DNASpec) -> None:
        for step in self.steps:
            step.check(spec)

    def __repr__(self) -> str:
        return " >> ".join(repr(s) for s in self.steps)


class Lambda(Operator):
    """Any ``(inputs, ctx) -> outputs`` function as a pipeline step."""

    def __init__(self, fn: Callable[[list, Context], list]):
        if not callable(fn):
            raise TypeError(f"Lambda needs a callable (inputs, ctx) -> list, got {fn!r}")
        self.fn = fn

    def __call__(self, inputs: list, ctx: Context) -> list:
        return list(self.fn(inputs, ctx))

    def __repr__(self) -> str:
        return f"Lambda({getattr(self.fn, '__name__', self.fn)!r})"


def as_operator(value: Any) -> Operator:
    if isinstance(value, Operator):
        return value
    if callable(value):
        return Lambda(value)
    raise TypeError(f"cannot compose {value!r} with >>: expected an Operator or a callable "
                    f"(inputs, ctx) -> list")


def dna_of(item: Any) -> DNA:
    """The DNA of an Individual, or the item itself when it is DNA already."""
    return item.dna if type(item) is Individual else item


def check_probability(owner: str, name: str, value: Any, allow_zero: bool = True) -> float:
    """``value`` as a float in [0, 1] ((0, 1] without ``allow_zero``), else a ValueError
    naming ``owner`` and the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not (0.0 <= value <= 1.0) or (not allow_zero and value == 0):
        span = "[0, 1]" if allow_zero else "(0, 1]"
        raise ValueError(f"{owner}: {name} must be a number in {span}, got {value!r}")
    return float(value)


def check_positive(owner: str, name: str, value: Any, number: bool = False) -> Any:
    ok = (isinstance(value, (int, float)) if number else isinstance(value, int))
    if isinstance(value, bool) or not ok or value <= 0:
        what = "a positive number" if number else "a positive int"
        raise ValueError(f"{owner}: {name} must be {what}, got {value!r}")
    return value
