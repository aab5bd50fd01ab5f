"""Mutation steps: the default mutator, polynomial mutation, and rates per decision type.

- :class:`Mutate` applies any ``(spec, dna, rng) -> DNA`` mutator (default: the
  :class:`~symsearch.algorithms.mutators.Mutator` of regularized evolution, one point per
  child) to each input.
- :class:`PolynomialMutation` is the bounded polynomial mutation of Deb and Goyal (1996),
  pymoo's and DEAP's (``mutPolynomialBounded``) default for real variables: each numeric
  decision mutates with probability ``rate`` (default ``min(0.5, 1/n)`` for ``n`` active
  numeric decisions) by a step drawn from a polynomial distribution with index ``eta``
  that never leaves the bounds (in log space on log scales; ints land on their grid). Other
  decision kinds are an error naming the decision.
- :class:`DecisionMutation` mutates each active point with the rate of its kind
  (``rates={"choice": 0.2, "float": 0.1}``; kinds not given use ``default_rate``, by default
  ``1/n`` for ``n`` active points), numeric ones by polynomial mutation (or the Gaussian
  step of the default mutator with ``numeric="gaussian"``), the others as the default
  mutator does: a choice that switches candidate drops its old branch and draws the new one,
  so children never carry decisions of an inactive branch.

>>> import random, symsearch as ss
>>> spec = ss.dna_spec(ss.Dict(x=ss.floatv(0.0, 1.0), y=ss.floatv(0.0, 1.0)))
>>> child = PolynomialMutation(rate=1.0).mutate(spec, ss.DNA((0.5, 0.5)), random.Random(0))
>>> spec.validate(child); child != (0.5, 0.5)
True
"""
from __future__ import annotations

import random
from typing import Any, Callable, Optional

from symsearch.algorithms.mutators import Mutator, mutate_point, mutation_points
from symsearch.algorithms.operators.base import (Context, Operator, check_positive,
                                                 check_probability, dna_of)
from symsearch.algorithms.operators.numeric import bounds, from_search, is_numeric, to_search
from symsearch.algorithms.operators.points import KINDS, all_points, point_kind, unsupported
from symsearch.geno.dna import DNA
from symsearch.geno.sampling import make_rng
from symsearch.geno.spec import CHOICE, ChoiceGroup, DNASpec


class MutationStep(Operator):
    """Base class: ``mutate(spec, dna, rng) -> DNA`` applied to each input."""

    def __call__(self, inputs: list, ctx: Context) -> list:
        spec, rng = ctx.spec, ctx.rng
        return [self.mutate(spec, dna_of(x), rng) for x in inputs]

    def mutate(self, spec: DNASpec, dna, rng: Any = None) -> DNA:
        raise NotImplementedError(f"{type(self).__name__} must implement this abstract method")


class Mutate(MutationStep):
    """Any ``(spec, dna, rng) -> DNA`` mutator as a step, applied to each child with
    ``probability`` (the rest pass unchanged)."""

    def __init__(self, mutator: Optional[Callable] = None, probability: float = 1.0):
        if mutator is not None and not callable(mutator):
            raise TypeError(f"Mutate: mutator must be a callable (spec, dna, rng) -> DNA, got "
                            f"{mutator!r}")
        self.mutator = mutator if mutator is not None else Mutator()
        self.probability = check_probability("Mutate", "probability", probability)

    def mutate(self, spec, dna, rng=None) -> DNA:
        rng = make_rng(rng)
        if self.probability < 1.0 and rng.random() >= self.probability:
            return DNA(dna)
        return self.mutator(spec, dna, rng)

    def __repr__(self) -> str:
        extra = "" if self.probability == 1.0 else f", probability={self.probability}"
        return f"Mutate({self.mutator!r}{extra})"


def polynomial_step(d, value, eta: float, rng: random.Random):
    """``value`` of numeric decision ``d`` after one bounded polynomial mutation."""
    lo, hi = bounds(d)
    if hi <= lo:
        return value
    x = to_search(d, value)
    span = hi - lo
    d1, d2 = (x - lo) / span, (hi - x) / span
    power = 1.0 / (eta + 1.0)
    u = rng.random()
    if u < 0.5:
        v = 2.0 * u + (1.0 - 2.0 * u) * (1.0 - d1) ** (eta + 1.0)
        dq = v ** power - 1.0
    else:
        v = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * (1.0 - d2) ** (eta + 1.0)
        dq = 1.0 - v ** power
    return from_search(d, x + dq * span)


class PolynomialMutation(MutationStep):
    """Bounded polynomial mutation of numeric decisions; see the module docstring."""

    handles = ("float", "int")

    def __init__(self, eta: float = 20.0, rate: Optional[float] = None):
        self.eta = float(check_positive("PolynomialMutation", "eta", eta, number=True))
        self.rate = None if rate is None else check_probability("PolynomialMutation", "rate",
                                                                rate)
        self._checked: Optional[int] = None

    def check(self, spec: DNASpec) -> None:
        for point in all_points(spec):
            if point_kind(point) not in self.handles:
                raise unsupported(self, point, self.handles)

    def mutate(self, spec, dna, rng=None) -> DNA:
        if self._checked != id(spec):
            self.check(spec)
            self._checked = id(spec)
        rng = make_rng(rng)
        values = list(dna)
        active = [spec.decisions[i] for i in spec.active_indices(values)]
        rate = self.rate if self.rate is not None else min(0.5, 1.0 / max(len(active), 1))
        for d in active:
            if rng.random() < rate:
                values[d.index] = polynomial_step(d, values[d.index], self.eta, rng)
        return DNA(values)

    def __repr__(self) -> str:
        rate = "" if self.rate is None else f", rate={self.rate}"
        return f"PolynomialMutation(eta={self.eta:g}{rate})"


class DecisionMutation(MutationStep):
    """Mutation with a rate per decision kind; see the module docstring."""

    def __init__(self, rates: Optional[dict] = None, default_rate: Optional[float] = None,
                 numeric: str = "polynomial", eta: float = 20.0, at_least_one: bool = False):
        rates = dict(rates or {})
        unknown = sorted(set(rates) - set(KINDS))
        if unknown:
            raise ValueError(f"DecisionMutation: unknown decision kind(s) {unknown} in rates; "
                             f"kinds are {list(KINDS)}")
        self.rates = {k: check_probability("DecisionMutation", f"rates[{k!r}]", v)
                      for k, v in rates.items()}
        self.default_rate = None if default_rate is None else \
            check_probability("DecisionMutation", "default_rate", default_rate)
        if numeric not in ("polynomial", "gaussian"):
            raise ValueError(f"DecisionMutation: numeric must be 'polynomial' or 'gaussian', "
                             f"got {numeric!r}")
        self.numeric = numeric
        self.eta = float(check_positive("DecisionMutation", "eta", eta, number=True))
        self.at_least_one = bool(at_least_one)

    def mutate(self, spec, dna, rng=None) -> DNA:
        rng = make_rng(rng)
        values = list(dna)
        points = mutation_points(spec, values)
        if not points:
            return DNA(values)
        default = self.default_rate if self.default_rate is not None else 1.0 / len(points)
        chosen = [p for p in points if rng.random() < self.rates.get(point_kind(p), default)]
        if not chosen and self.at_least_one:
            chosen = [points[rng.randrange(len(points))]]
        active = None
        for point in chosen:
            first = point.slots[0].index if type(point) is ChoiceGroup else point.index
            if active is not None and first not in active:
                continue        # an earlier choice switched this point's branch off
            if self.numeric == "polynomial" and is_numeric(point):
                values[point.index] = polynomial_step(point, values[point.index], self.eta, rng)
                continue
            mutate_point(point, values, rng)
            if type(point) is ChoiceGroup or point.kind == CHOICE:
                active = set(spec.active_indices(values))
        return DNA(values)

    def __repr__(self) -> str:
        parts = [f"rates={self.rates}"] if self.rates else []
        if self.default_rate is not None:
            parts.append(f"default_rate={self.default_rate}")
        if self.numeric != "polynomial":
            parts.append(f"numeric={self.numeric!r}")
        return f"DecisionMutation({', '.join(parts)})"
