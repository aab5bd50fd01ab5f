"""Regularized evolution's Pareto tournaments rank repeated objective vectors behind distinct
points (issue 14: a two-point front must not hand every tournament to copies of it), as
NSGA-II survival does (``test_nsga2_repeats.py``)."""
from __future__ import annotations

import collections

import pytest

import symsearch as ss
from symsearch.algorithms.base import Feedback
from symsearch.algorithms.evolution import RegularizedEvolution, nsga2_pick
from symsearch.search.objectives import Objectives

DOMINATES = Objectives.parse(["min:a", "min:b"]).dominates


def test_nsga2_pick_ranks_repeats_behind_distinct_dominated_points():
    values = [(0.0, 1.0), (0.0, 1.0), (1.0, 0.0), (2.0, 2.0)]
    # without flags the front's boundary points win, the earliest first
    assert nsga2_pick(values, DOMINATES) == 0
    # copies of front points lose to a distinct point even when it is dominated
    assert nsga2_pick(values, DOMINATES, [True, True, True, False]) == 3
    # among the distinct ones, ordinary NSGA-II ranking
    assert nsga2_pick(values, DOMINATES, [True, False, False, False]) == 1


def test_nsga2_pick_falls_back_to_repeats_when_nothing_else_is_left():
    values = [(2.0, 2.0), (0.0, 1.0), (0.0, 1.0)]
    assert nsga2_pick(values, DOMINATES, [True, True, True]) == 1


def test_nsga2_pick_checks_the_flags_length():
    with pytest.raises(ValueError, match="one flag per value"):
        nsga2_pick([(0.0, 1.0), (1.0, 0.0)], DOMINATES, [True])


def _parents(population: list, draws: int = 400) -> collections.Counter:
    """Objective vectors of the tournament winners over ``draws`` proposals, from a
    population given as a list of objective vectors (oldest first)."""
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(0.0, 1.0)))
    algo = RegularizedEvolution(population_size=len(population), tournament_size=4, seed=0)
    algo.setup(spec, Objectives.parse(["min:a", "min:b"]))
    for i, value in enumerate(population):
        dna = ss.DNA((i / len(population),))
        algo.feedback(dna, Feedback(i, "done", {"a": value[0], "b": value[1]}, value))
    by_dna = {tuple(e[0]): e[1] for e in algo.population}
    wins = collections.Counter()
    for _ in range(draws):
        wins[by_dna[tuple(algo._tournament())]] += 1
    return wins


def test_tournaments_stop_handing_most_wins_to_copies_of_a_two_point_front():
    # 40 copies of a two-point front (an integer second objective) and 10 distinct,
    # dominated points: before the fix the copies won almost every tournament
    front = [(0.2, 0.0), (0.1, 1.0)]
    distinct = [(0.3 + 0.05 * k, float(k % 2)) for k in range(10)]
    population = front * 20 + distinct
    wins = _parents(population)
    to_distinct = sum(wins[v] for v in distinct)
    to_front = sum(wins[v] for v in front)
    # a sample of 4 from 50 holds a distinct point 1 - C(40,4)/C(50,4) = 61% of the time
    assert to_distinct > 0.5 * sum(wins.values())
    assert to_front > 0                    # the front's first copies still compete
    assert set(wins) <= set(front) | set(distinct)
