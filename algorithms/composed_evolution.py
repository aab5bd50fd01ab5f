"""``ComposedEvolution``: a search algorithm from a pipeline of evolution operators.

Write the algorithm as ``selection >> recombination >> mutation >> population update``
(see :mod:`symsearch.algorithms.operators`). The first ``initial_population`` proposals
(default: the update's population size) are random. After that each proposal comes from a
buffer of children that the reproduction part of the pipeline (everything before the
update) refills from the current population whenever it runs dry. Each child that comes
back with a result waits in a list of offspring; once ``update.offspring`` of them are back
the update makes the next population (the random initial members enter the same way). So
an update that waits for one child (aging, steady-state) never holds workers back, and
one that waits for ``lam`` (``MuPlusLambda``) is generational. Failed and pruned trials
never enter the population.

>>> import symsearch as ss
>>> from symsearch.algorithms.composed_evolution import ComposedEvolution
>>> from symsearch.algorithms.operators import Tournament, Uniform, Mutate, Aging
>>> algorithm = ComposedEvolution(Tournament(size=5) >> Uniform(children=1, probability=0.5)
...                               >> Mutate() >> Aging(size=20), seed=0)
>>> result = ss.search(ss.Dict(x=ss.floatv(-1, 1), y=ss.intv(-5, 5)),
...                    lambda c: c["x"] ** 2 + c["y"] ** 2, objective="min:loss",
...                    algorithm=algorithm, num_trials=150, seed=0)
>>> result.best.metrics["loss"] < 0.05
True
"""
from __future__ import annotations

from typing import Any, Optional

from symsearch.algorithms.base import (Feedback, SearchAlgorithm, _rng_from_json, _rng_state)
from symsearch.algorithms.operators.base import Context, Individual, Operator, Pipeline
from symsearch.algorithms.operators.population import PopulationUpdate
from symsearch.geno.codec import dna_from_json, dna_to_json
from symsearch.geno.dna import DNA
from symsearch.geno.sampling import random_dna


class ComposedEvolution(SearchAlgorithm):
    """Evolution from operators; see the module docstring."""

    needs_objective = True

    def __init__(self, pipeline: Operator, initial_population: Optional[int] = None,
                 seed: Optional[int] = None):
        super().__init__(seed)
        steps = pipeline.steps if isinstance(pipeline, Pipeline) else [pipeline]
        if not isinstance(pipeline, Operator) or not isinstance(steps[-1], PopulationUpdate):
            raise ValueError(f"ComposedEvolution: the pipeline must end in a population update "
                             f"(Aging, SteadyState, MuPlusLambda, MuCommaLambda), got "
                             f"{pipeline!r}")
        if len(steps) < 2:
            raise ValueError("ComposedEvolution: the pipeline needs a reproduction part "
                             "(selection >> ... >> mutation) before the population update")
        if any(isinstance(s, PopulationUpdate) for s in steps[:-1]):
            raise ValueError(f"ComposedEvolution: only the last step may be a population "
                             f"update, got {pipeline!r}")
        self.pipeline = pipeline
        self.reproduction = Pipeline(steps[:-1])
        self.update: PopulationUpdate = steps[-1]
        if initial_population is None:
            initial_population = self.update.size
        if isinstance(initial_population, bool) or not isinstance(initial_population, int) \
                or initial_population < 1:
            raise ValueError(f"ComposedEvolution: initial_population must be a positive int, "
                             f"got {initial_population!r}")
        self.initial_population = initial_population
        self.ctx: Optional[Context] = None
        self._reset()

    def _reset(self) -> None:
        self.population: list = []
        self.offspring: list = []
        self.buffer: list = []
        self.num_proposed = 0
        self.num_returned = 0

    def setup(self, spec, objectives=None, seed=None) -> None:
        super().setup(spec, objectives, seed)
        self.pipeline.check(spec)
        self.ctx = Context(spec, self.rng, len(objectives.signs) if objectives else 1)
        self._reset()

    # ---- the loop ----------------------------------------------------------------------
    def propose(self) -> DNA:
        self.num_proposed += 1
        if self.num_proposed <= self.initial_population or not self.population:
            return random_dna(self.spec, self.rng)
        if not self.buffer:
            self.buffer = list(self.reproduction(self.population, self.ctx))
            if not self.buffer:
                return random_dna(self.spec, self.rng)
        return DNA(self.buffer.pop(0))

    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        self.num_returned += 1
        fitness = self._fitness(feedback)
        if fitness is None:
            return
        self.offspring.append(Individual(DNA(dna), fitness, feedback.trial_id))
        if len(self.offspring) >= self.update.offspring:
            self.population = self.update.update(self.population, self.offspring, self.ctx)
            self.offspring = []
            self.ctx.generation += 1

    def _fitness(self, feedback: Feedback) -> Optional[tuple]:
        if not feedback.ok:
            return None
        return tuple(v * s for v, s in zip(feedback.values, self.objectives.signs))

    @property
    def pareto_front(self) -> list:
        """The population's first non-dominated front (the best member with one objective)."""
        if not self.population:
            return []
        front, _ = self.ctx.ranking(self.population)
        return [ind for ind, f in zip(self.population, front) if f == 0]

    # ---- state -------------------------------------------------------------------------
    def state_dict(self) -> dict:
        def members(individuals):
            return [[dna_to_json(i.dna), list(i.fitness), i.trial_id] for i in individuals]
        return {"rng": _rng_state(self.rng), "population": members(self.population),
                "offspring": members(self.offspring),
                "buffer": [dna_to_json(d) for d in self.buffer],
                "num_proposed": self.num_proposed, "num_returned": self.num_returned,
                "generation": self.ctx.generation if self.ctx else 0}

    def load_state_dict(self, state: dict) -> None:
        def members(data):
            return [Individual(dna_from_json(d), tuple(f), t) for d, f, t in data]
        self.rng.setstate(_rng_from_json(state["rng"]))
        self.population = members(state["population"])
        self.offspring = members(state["offspring"])
        self.buffer = [dna_from_json(d) for d in state["buffer"]]
        self.num_proposed = int(state["num_proposed"])
        self.num_returned = int(state["num_returned"])
        if self.ctx is not None:
            self.ctx.generation = int(state.get("generation", 0))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.pipeline!r}, seed={self.seed})"


def check_args(owner: str, **values: Any) -> None:
    """Positive-int checks for the composed algorithms' size arguments."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
