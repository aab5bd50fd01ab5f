"""``evolve``: a decision whose values are produced by user mutation code.

Used for program and expression search: the search space holds an initial program and
a mutator ``mutator(value, rng) -> new_value``; evolutionary algorithms call it to make
children. Model-based algorithms (Bayesian optimization) cannot model such decisions.

Random sampling (random search, an evolution's warm-up population) draws
``initializer(rng)`` when one is given, else the initial value itself (Lion-style search
starts every member from the same warm-start program on purpose).

>>> import random
>>> e = evolve(1.0, lambda v, rng: v + rng.choice([-1, 1]))
>>> e.mutate(1.0, random.Random(0)) in (0.0, 2.0)
True
"""
from __future__ import annotations

import random
from typing import Any, Callable, Optional

from symsearch.hyper.base import HyperValue, dynamic_or
from symsearch.symbolic.ops import clone


class Evolve(HyperValue, type_name="evolve"):
    """A custom decision: ``initial`` value, changed by ``mutator(value, rng)``."""

    _sym_display_name = "evolve"
    initial: Any
    mutator: Callable
    initializer: Optional[Callable] = None
    _sym_hide_default_fields = ("name", "initializer")

    def _check(self) -> None:
        if not callable(self.mutator):
            raise ValueError(f"evolve: mutator must be callable, got {self.mutator!r}")
        if self.initializer is not None and not callable(self.initializer):
            raise ValueError(f"evolve: initializer must be callable, got {self.initializer!r}")

    def default_value(self) -> Any:
        return clone(self.initial)

    def random_value(self, rng: random.Random) -> Any:
        """A random value: ``initializer(rng)`` if given, else a copy of ``initial``."""
        if self.initializer is None:
            return self.default_value()
        return self.initializer(rng)

    def mutate(self, value: Any, rng: random.Random) -> Any:
        """Runs the user's mutator on a copy of ``value`` (the parent stays unchanged), or on
        ``value`` itself when the mutator says it never changes its input (``pure = True``,
        as the mutators of ``symsearch.programs`` do)."""
        if getattr(self.mutator, "pure", False) is True:
            return self.mutator(value, rng)
        return self.mutator(clone(value), rng)


def evolve(initial: Any, mutator: Callable[[Any, random.Random], Any], *,
           initializer: Optional[Callable[[random.Random], Any]] = None,
           name: Optional[str] = None) -> Any:
    """A decision over values reachable from ``initial`` by ``mutator``; random sampling
    draws ``initializer(rng)`` when given."""
    return dynamic_or(Evolve(initial=initial, mutator=mutator, initializer=initializer,
                             name=name))
