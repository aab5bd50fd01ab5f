"""Selection, Pareto ranking and population updates."""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

import symsearch as ss
from symsearch.algorithms.operators import (Aging, Context, Individual, MuCommaLambda,
                                            MuPlusLambda, NonDominatedSorting, OperatorError,
                                            RandomSelection, SteadyState, Tournament, Truncation,
                                            crowding_distance, dominates, non_dominated_fronts)

SPEC = ss.dna_spec(ss.Dict(x=ss.floatv(0, 1)))


def _pop(fitness):
    return [Individual(ss.DNA((i / 100,)), tuple(f), i) for i, f in enumerate(fitness)]


def test_fronts_match_a_brute_force_definition():
    rng = np.random.default_rng(0)
    points = [tuple(p) for p in rng.integers(0, 6, size=(60, 3)).astype(float)]
    fronts = non_dominated_fronts(points)
    assert sorted(itertools.chain.from_iterable(f.tolist() for f in fronts)) == list(range(60))
    remaining = set(range(60))
    for front in fronts:
        expected = {i for i in remaining
                    if not any(dominates(points[j], points[i]) for j in remaining)}
        assert set(front.tolist()) == expected
        remaining -= expected


def test_crowding_distance_values():
    d = crowding_distance([(0.0, 4.0), (1.0, 3.0), (3.0, 1.0), (4.0, 0.0)])
    assert np.isinf(d[0]) and np.isinf(d[3])
    assert d[1] == pytest.approx(3 / 4 + 3 / 4) and d[2] == pytest.approx(3 / 4 + 3 / 4)


def test_tournament_single_and_multi_objective():
    ctx = Context(SPEC, random.Random(0))
    pop = _pop([(float(i),) for i in range(10)])
    assert [ind.trial_id for ind in Tournament(size=10, count=3)(pop, ctx)] == [9, 9, 9]
    picks = [ind.trial_id for ind in Tournament(size=2, count=400)(pop, ctx)]
    assert picks.count(9) > picks.count(0)         # selection pressure
    ctx2 = Context(SPEC, random.Random(0), num_objectives=2)
    pop2 = _pop([(0.0, 1.0), (1.0, 0.0), (0.4, 0.4), (0.1, 0.1)])
    winners = {ind.trial_id for ind in Tournament(size=4, count=20)(pop2, ctx2)}
    assert winners <= {0, 1}                      # front 0, boundary points (crowding inf)


def test_truncation_and_non_dominated_sorting():
    ctx = Context(SPEC, random.Random(0))
    pop = _pop([(3.0,), (1.0,), (2.0,), (5.0,)])
    assert [i.trial_id for i in Truncation(2)(pop, ctx)] == [3, 0]
    assert [i.trial_id for i in NonDominatedSorting(2)(pop, ctx)] == [3, 0]
    ctx2 = Context(SPEC, random.Random(0), num_objectives=2)
    pop2 = _pop([(0.0, 1.0), (1.0, 0.0), (0.49, 0.51), (0.5, 0.5), (0.0, 0.0)])
    kept = [i.trial_id for i in NonDominatedSorting(3)(pop2, ctx2)]
    assert kept[:2] == [0, 1] and kept[2] in (2, 3) and 4 not in kept
    with pytest.raises(OperatorError, match="Truncation ranks by one objective but the search has 2"):
        Truncation(2)(pop2, ctx2)
    assert len(RandomSelection(7)(pop, ctx)) == 7


def test_population_updates():
    ctx = Context(SPEC, random.Random(0))
    pop = _pop([(float(i),) for i in range(4)])
    child = [Individual(ss.DNA((0.9,)), (-1.0,), 99)]
    assert [i.trial_id for i in Aging(4).update(pop, child, ctx)] == [1, 2, 3, 99]
    assert [i.trial_id for i in SteadyState(4).update(pop, child, ctx)] == [0, 1, 2, 3]
    good = [Individual(ss.DNA((0.9,)), (10.0,), 98)]
    assert [i.trial_id for i in SteadyState(4).update(pop, good, ctx)] == [1, 2, 3, 98]
    assert [i.trial_id for i in MuPlusLambda(3, 1).update(pop, good, ctx)] == [98, 3, 2]
    assert [i.trial_id for i in MuCommaLambda(1, 2).update(pop, good + child, ctx)] == [98]
    assert MuPlusLambda(5, 7).offspring == 7 and Aging(3).offspring == 1
    with pytest.raises(ValueError, match=r"MuCommaLambda: lam \(2\) must be at least mu \(3\)"):
        MuCommaLambda(3, 2)
    with pytest.raises(TypeError, match="Aging is a population update"):
        Aging(3)(pop, ctx)


def test_drop_worst_matches_a_full_re_ranking():
    from symsearch.algorithms.operators.pareto import drop_worst, rank_and_crowding
    rng = np.random.default_rng(1)
    for _ in range(20):
        points = [tuple(p) for p in rng.random((25, 2))]
        worst, front, crowding = drop_worst(points)
        rest = points[:worst] + points[worst + 1:]
        expected_front, expected_crowding = rank_and_crowding(rest)
        assert front == expected_front
        assert np.allclose(crowding, expected_crowding)
        last = max(rank_and_crowding(points)[0])
        assert rank_and_crowding(points)[0][worst] == last


def test_repeated_points_add_no_crowding():
    d = crowding_distance([(0.0, 1.0), (0.0, 1.0), (0.5, 0.5), (1.0, 0.0)])
    assert np.isinf(d[0]) and d[1] == 0.0 and d[2] == pytest.approx(2.0) and np.isinf(d[3])


def test_binary_tournament_compares_by_dominance_then_crowding():
    ctx = Context(SPEC, random.Random(0), num_objectives=2)
    dominated = _pop([(0.5, 0.5), (0.4, 0.4)])
    assert {ind.trial_id for ind in Tournament(size=2, count=50)(dominated, ctx)} == {0}
    # one front: the boundary points (crowding inf) beat the inner one, and tie each other
    front = _pop([(0.0, 1.0), (1.0, 0.0), (0.5, 0.5)])
    picks = [ind.trial_id for ind in Tournament(size=2, count=600)(front, ctx)]
    assert picks.count(2) == 0 and 200 < picks.count(0) < 400
