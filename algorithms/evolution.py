"""Regularized (aging) evolution, and hill climbing as its population-of-one case.

Regularized evolution (Real et al., "Regularized Evolution for Image Classifier
Architecture Search"): until ``population_size`` results have come back, proposals are
random; after that each proposal is a mutation of a tournament winner (the best of
``tournament_size`` members sampled from the population). Every result joins the
population and the *oldest* member leaves, whatever its score, so good DNA has to keep
being rediscovered. There is no generation barrier: ``propose`` may be called any number
of times before results come back, which keeps every worker busy.

With several objectives the tournament winner is chosen NSGA-II style within the
tournament sample: non-dominated first, then the largest crowding distance. For
multi-objective search the native NSGA-II (``nsga2``, :mod:`symsearch.algorithms.nsga2`:
SBX, polynomial mutation, survival by front and crowding) usually finds better fronts at the
same budget; this class stays the asynchronous choice for programs and conditional spaces.

>>> import symsearch as ss
>>> from symsearch.algorithms.evolution import RegularizedEvolution
>>> space = ss.Dict(x=ss.floatv(-1, 1), y=ss.intv(-5, 5))
>>> result = ss.search(space, lambda c: c["x"] ** 2 + c["y"] ** 2, objective="min:loss",
...                    algorithm=RegularizedEvolution(population_size=10, tournament_size=3),
...                    num_trials=100, seed=0)
>>> result.best.metrics["loss"] < 0.1
True
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from symsearch.algorithms.base import (Feedback, SearchAlgorithm, _rng_from_json, _rng_state,
                                       register_algorithm)
from symsearch.algorithms.mutators import Mutator, crossover
from symsearch.algorithms.operators.pareto import repeats
from symsearch.geno.codec import dna_from_json, dna_to_json
from symsearch.geno.dna import DNA
from symsearch.geno.sampling import random_dna


RESTART_FROM = ("initial", "best", "alternate")


@register_algorithm("evolution", "regularized_evolution", "re")
class RegularizedEvolution(SearchAlgorithm):
    """Aging evolution with tournament selection; see the module docstring.

    ``mutation`` is a ``(spec, dna, rng) -> DNA`` callable, a dict of
    :class:`~symsearch.algorithms.mutators.Mutator` arguments (``{"num_mutations": 2}``)
    or None for the default (one mutation per child). With ``crossover_prob`` > 0 a child
    is, with that probability, the crossover of two tournament winners before it is
    mutated: ``recombination`` (a :class:`~symsearch.algorithms.operators.Recombinator`,
    e.g. ``KPoint(k=2)`` or ``ByDecisionType(float=SBX(), default=Uniform())``; its first
    child is kept) or, when None, uniform crossover.

    The first ``population_size`` proposals are random (the warm-up), so the defaults
    (100/10, as in Real et al.) suit budgets of many hundreds of trials; for a 100-300
    trial budget a population of ~20 with tournaments of ~5 searches much better (see
    ``benchmarks/search_quality.py``).

    Restarts (``restart_after``, single objective only): when the best score has not
    improved for ``restart_after`` results, the population is replaced. ``restart_from``
    says by what: ``"initial"`` runs the warm-up again (``population_size`` random
    proposals; for an ``ss.evolve`` space without an initializer those are copies of the
    warm-start program, which the evaluation cache answers without evaluating),
    ``"best"`` fills the population with copies of the best member so far, and
    ``"alternate"`` (the default) does one then the other, as in Chen et al., "Symbolic
    Discovery of Optimization Algorithms".
    """

    needs_objective = True

    def __init__(self, population_size: int = 100, tournament_size: int = 10,
                 mutation: Any = None, crossover_prob: float = 0.0,
                 restart_after: Optional[int] = None, restart_from: str = "alternate",
                 seed: Optional[int] = None, recombination: Any = None):
        super().__init__(seed)
        _check_positive_int("population_size", population_size)
        _check_positive_int("tournament_size", tournament_size)
        if tournament_size > population_size:
            raise ValueError(f"tournament_size must be at most population_size "
                             f"({population_size}), got {tournament_size}")
        if isinstance(crossover_prob, bool) or not isinstance(crossover_prob, (int, float)) \
                or not 0.0 <= crossover_prob <= 1.0:
            raise ValueError(f"crossover_prob must be a number in [0, 1], got {crossover_prob!r}")
        self.population_size = population_size
        self.tournament_size = tournament_size
        self.mutation: Callable = _make_mutation(mutation)
        self.crossover_prob = float(crossover_prob)
        if recombination is not None and not callable(getattr(recombination, "recombine",
                                                              None)):
            raise ValueError(f"recombination must be None or a Recombinator from "
                             f"symsearch.algorithms.operators, got {recombination!r}")
        self.recombination = recombination
        if restart_after is not None:
            _check_positive_int("restart_after", restart_after)
        if restart_from not in RESTART_FROM:
            raise ValueError(f"restart_from must be one of {RESTART_FROM}, got "
                             f"{restart_from!r}")
        self.restart_after = restart_after
        self.restart_from = restart_from
        self._reset_counters()
        #: ``[dna, fitness, trial_id]`` oldest first; fitness is the score (larger is
        #: better) or, with several objectives, the tuple of raw objective values.
        self.population: list = []
        self.num_proposed = 0
        self.num_returned = 0

    def setup(self, spec, objectives=None, seed=None) -> None:
        super().setup(spec, objectives, seed)
        if self.recombination is not None:
            self.recombination.check(spec)
        if self.restart_after is not None and self.is_multi_objective:
            raise ValueError("restart_after needs a single objective (the best score decides "
                             "when the search has reached a plateau)")
        self.population = []
        self.num_proposed = 0
        self.num_returned = 0
        self._reset_counters()

    def _reset_counters(self) -> None:
        #: Results before which proposals are random (the warm-up; moved by restarts).
        self.warmup_end = self.population_size
        #: ``[dna, score, trial_id]`` of the best result so far (single objective).
        self.best_entry: Optional[list] = None
        self.since_improvement = 0
        self.restarts: list = []   # (num_returned, "initial" | "best") per restart

    @property
    def is_multi_objective(self) -> bool:
        return self.objectives is not None and self.objectives.is_multi

    # ---- the loop ----------------------------------------------------------------------
    def propose(self) -> DNA:
        self.num_proposed += 1
        if self.num_returned < self.warmup_end or not self.population:
            return random_dna(self.spec, self.rng)
        parent = self._tournament()
        if self.crossover_prob and len(self.population) > 1 \
                and self.rng.random() < self.crossover_prob:
            other = self._tournament()
            if self.recombination is None:
                parent = crossover(self.spec, parent, other, self.rng)
            else:
                parent = self.recombination.recombine(self.spec, parent, other, self.rng)[0]
        return self.mutation(self.spec, parent, self.rng)

    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        self.num_returned += 1
        fitness = self._fitness(feedback)
        if fitness is not None:  # failed and pruned trials do not join the population
            entry = [DNA(dna), fitness, feedback.trial_id]
            self._admit(entry)
            if self.restart_after is not None:
                self._track_plateau(entry)

    def _track_plateau(self, entry: list) -> None:
        if self.best_entry is None or entry[1] > self.best_entry[1]:
            self.best_entry = list(entry)
            self.since_improvement = 0
            return
        self.since_improvement += 1
        if self.since_improvement >= self.restart_after:
            self._restart()

    def _restart(self) -> None:
        """Replaces the population (see ``restart_from`` in the class docstring)."""
        kind = self.restart_from
        if kind == "alternate":
            kind = "initial" if len(self.restarts) % 2 == 0 else "best"
        if kind == "initial":
            self.population = []
            self.warmup_end = self.num_returned + self.population_size
        else:
            self.population = [list(self.best_entry) for _ in range(self.population_size)]
        self.restarts.append((self.num_returned, kind))
        self.since_improvement = 0

    def _fitness(self, feedback: Feedback) -> Any:
        if not feedback.ok:
            return None
        if self.is_multi_objective:
            return tuple(feedback.values)
        if feedback.score is not None:
            return feedback.score
        return feedback.values[0] * self.objectives.signs[0]

    def _admit(self, entry: list) -> None:
        """Aging: the newest member joins, the oldest leaves once the population is full."""
        self.population.append(entry)
        if len(self.population) > self.population_size:
            del self.population[0]

    def _tournament(self) -> DNA:
        pop = self.population
        size = min(self.tournament_size, len(pop))
        if self.is_multi_objective:
            # a copy of an older member's objective vector ranks behind distinct points, as
            # in NSGA-II survival: otherwise a front of two or three points (an integer
            # objective) fills the tournaments, and so the population, with copies
            repeated = repeats([e[1] for e in pop])
            indices = self.rng.sample(range(len(pop)), size)
            return pop[indices[nsga2_pick([pop[i][1] for i in indices],
                                          self.objectives.dominates,
                                          [repeated[i] for i in indices])]][0]
        sample = [pop[i] for i in self.rng.sample(range(len(pop)), size)]
        best = sample[0]
        for entry in sample[1:]:
            if entry[1] > best[1]:
                best = entry
        return best[0]

    # ---- state -------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {
            "rng": _rng_state(self.rng),
            "population": [[dna_to_json(d), list(f) if isinstance(f, tuple) else f, t]
                           for d, f, t in self.population],
            "num_proposed": self.num_proposed,
            "num_returned": self.num_returned,
            "warmup_end": self.warmup_end,
            "best_entry": None if self.best_entry is None else
            [dna_to_json(self.best_entry[0]), self.best_entry[1], self.best_entry[2]],
            "since_improvement": self.since_improvement,
            "restarts": [list(r) for r in self.restarts],
        }

    def load_state_dict(self, state: dict) -> None:
        self.rng.setstate(_rng_from_json(state["rng"]))
        self.population = [[dna_from_json(d), tuple(f) if isinstance(f, list) else f, t]
                           for d, f, t in state["population"]]
        self.num_proposed = int(state["num_proposed"])
        self.num_returned = int(state["num_returned"])
        self.warmup_end = int(state.get("warmup_end", self.population_size))
        best = state.get("best_entry")
        self.best_entry = None if best is None else [dna_from_json(best[0]), best[1], best[2]]
        self.since_improvement = int(state.get("since_improvement", 0))
        self.restarts = [tuple(r) for r in state.get("restarts", [])]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(population_size={self.population_size}, "
                f"tournament_size={self.tournament_size}, mutation={self.mutation!r}, "
                f"crossover_prob={self.crossover_prob}, restart_after={self.restart_after}, "
                f"restart_from={self.restart_from!r}, seed={self.seed})")


@register_algorithm("program_evolution")
class ProgramEvolution(RegularizedEvolution):
    """Regularized evolution with the choices of Chen et al., "Symbolic Discovery of
    Optimization Algorithms", for ``ss.evolve`` program spaces: the warm-up population is
    ``population_size`` copies of the warm-start program (what random sampling gives for an
    ``evolve`` without an initializer; the evaluation cache answers all but the first), small
    tournaments, and restarts that alternate between the warm start and the best program
    when ``restart_after`` results bring no improvement. Use with a functional cache
    (``EvalCache("functional", hasher=...)``): most children are equivalent to a program
    already scored. With ``crossover_prob`` > 0 two programs are crossed by
    :class:`~symsearch.algorithms.operators.ProgramCrossover` (segments of statements
    exchanged; subtree crossover for expression trees) unless ``recombination`` says
    otherwise.
    """

    def __init__(self, population_size: int = 100, tournament_size: int = 4,
                 mutation: Any = None, crossover_prob: float = 0.0,
                 restart_after: Optional[int] = 3000, restart_from: str = "alternate",
                 seed: Optional[int] = None, recombination: Any = None):
        if recombination is None:
            from symsearch.algorithms.operators import ByDecisionType, ProgramCrossover, Uniform
            recombination = ByDecisionType(custom=ProgramCrossover(unknown="swap"),
                                           default=Uniform())
        super().__init__(population_size=population_size, tournament_size=tournament_size,
                         mutation=mutation, crossover_prob=crossover_prob,
                         restart_after=restart_after, restart_from=restart_from, seed=seed,
                         recombination=recombination)


@register_algorithm("hill_climbing")
class HillClimbing(RegularizedEvolution):
    """Evolution with a population of one: mutate the best DNA so far.

    The first proposals (until a result comes back) are random. A child replaces the
    incumbent when it is at least as good (ties move, so plateaus can be crossed); with
    several objectives, when the incumbent does not dominate it.
    """

    def __init__(self, mutation: Any = None, seed: Optional[int] = None):
        super().__init__(population_size=1, tournament_size=1, mutation=mutation,
                         crossover_prob=0.0, seed=seed)

    def _admit(self, entry: list) -> None:
        if not self.population or self._at_least_as_good(entry[1], self.population[0][1]):
            self.population[:] = [entry]

    def _at_least_as_good(self, new: Any, incumbent: Any) -> bool:
        if self.is_multi_objective:
            return not self.objectives.dominates(incumbent, new)
        return new >= incumbent

    @property
    def best(self) -> Optional[tuple]:
        """``(dna, fitness)`` of the incumbent, None before any result."""
        return (self.population[0][0], self.population[0][1]) if self.population else None

    def __repr__(self) -> str:
        return f"HillClimbing(mutation={self.mutation!r}, seed={self.seed})"


def nsga2_pick(values: list, dominates: Callable[[tuple, tuple], bool],
               repeated: Optional[Sequence[bool]] = None) -> int:
    """Index of the NSGA-II winner among ``values``: non-dominated, then most isolated
    (largest crowding distance); ties go to the earliest.

    ``repeated[i]`` (optional) marks a value that repeats an earlier population member's
    objective vector (``operators.pareto.repeats`` over the population): such values rank
    behind every distinct one, dominated or not, as in NSGA-II survival, and win only a
    tournament of repeats alone.

    >>> dominates = lambda a, b: a[0] <= b[0] and a[1] <= b[1] and a != b
    >>> nsga2_pick([(0.0, 1.0), (0.0, 1.0), (0.5, 2.0)], dominates, [True, True, False])
    2
    """
    if repeated is not None and len(repeated) != len(values):
        raise ValueError(f"nsga2_pick: repeated must hold one flag per value ({len(values)}), "
                         f"got {len(repeated)}")
    pool = [i for i in range(len(values)) if not (repeated is not None and repeated[i])] \
        or list(range(len(values)))
    front = [i for i in pool
             if not any(dominates(values[j], values[i]) for j in pool if j != i)]
    distance = crowding_distances([values[i] for i in front])
    best = 0
    for k in range(1, len(front)):
        if distance[k] > distance[best]:
            best = k
    return front[best]


def crowding_distances(values: list) -> list:
    """NSGA-II crowding distance of each point of one front (boundary points: inf)."""
    n = len(values)
    distance = [0.0] * n
    if n <= 2:
        return [float("inf")] * n
    for m in range(len(values[0])):
        order = sorted(range(n), key=lambda i: values[i][m])
        lo, hi = values[order[0]][m], values[order[-1]][m]
        distance[order[0]] = distance[order[-1]] = float("inf")
        if hi == lo:
            continue
        for k in range(1, n - 1):
            distance[order[k]] += (values[order[k + 1]][m] - values[order[k - 1]][m]) / (hi - lo)
    return distance


def _make_mutation(mutation: Any) -> Callable:
    if mutation is None:
        return Mutator()
    if isinstance(mutation, dict):
        return Mutator(**mutation)
    if callable(mutation):
        return mutation
    raise ValueError(f"mutation must be None, a dict of Mutator arguments or a callable "
                     f"(spec, dna, rng) -> DNA, got {mutation!r}")


def _check_positive_int(name: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
