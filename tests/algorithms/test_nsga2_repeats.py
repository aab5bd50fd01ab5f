"""NSGA-II survival ranks repeated objective vectors behind distinct points (issue 14
follow-up: a front of two points must not fill the population with copies of them)."""
from __future__ import annotations

import random

import symsearch as ss
from symsearch.algorithms import NSGA2
from symsearch.algorithms.operators import Context, Individual, MuPlusLambda, SteadyState
from symsearch.algorithms.operators.pareto import drop_worst, repeats, survival_order


def _ctx():
    return Context(ss.dna_spec(ss.Dict(x=ss.floatv(0, 1))), random.Random(0), num_objectives=2)


def _pop(fitness):
    return [Individual(ss.DNA((0.01 * i,)), f) for i, f in enumerate(fitness)]


def test_repeats_mark_later_copies_only():
    assert repeats([(1.0, 0.0), (0.0, 1.0), (1.0, 0.0), (0.0, 1.0), (1.0, 0.0)]) == \
        [False, False, True, True, True]
    assert repeats([]) == []


def test_copies_of_front_points_rank_behind_dominated_distinct_points():
    front = [(1.0, 0.0), (0.0, 1.0)]
    fitness = front * 4 + [(0.5, -1.0), (-1.0, 0.5), (-2.0, -2.0)]
    order = survival_order(fitness)
    assert order[:2] == [0, 1]                       # the front itself first
    assert set(order[2:5]) == {8, 9, 10}             # then distinct dominated points
    assert set(order[5:]) == {2, 3, 4, 5, 6, 7}      # copies last
    survivors = MuPlusLambda(5, 1).update(_pop(fitness[:-1]), _pop(fitness[-1:]), _ctx())
    assert sorted(ind.fitness for ind in survivors) == sorted(set(fitness))


def test_copies_still_fill_the_population_when_distinct_points_run_out():
    fitness = [(1.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 0.0)]
    survivors = MuPlusLambda(3, 1).update(_pop(fitness[:3]), _pop(fitness[3:]), _ctx())
    assert [ind.fitness for ind in survivors] == [(1.0, 0.0), (0.0, 1.0), (1.0, 0.0)]


def test_steady_state_drops_a_copy_before_any_distinct_point():
    fitness = [(1.0, 0.0), (0.0, 1.0), (-3.0, -3.0), (1.0, 0.0)]
    worst, front, crowding = drop_worst(fitness)
    assert worst == 3 and front == [0, 0, 1] and len(crowding) == 3
    kept = SteadyState(3).update(_pop(fitness[:3]), _pop(fitness[3:]), _ctx())
    assert [ind.fitness for ind in kept] == fitness[:3]
    # without copies, the least crowded point of the last front leaves as before
    assert drop_worst([(1.0, 0.0), (0.0, 1.0), (-3.0, -3.0)])[0] == 2


def test_float_problems_without_copies_keep_their_order():
    rng = random.Random(1)
    fitness = [(rng.random(), rng.random()) for _ in range(40)]
    from symsearch.algorithms.operators.pareto import rank_and_crowding
    front, crowding = rank_and_crowding(fitness)
    assert survival_order(fitness) == sorted(range(40), key=lambda i: (front[i], -crowding[i]))


def _two_point_front(c) -> dict:
    # a near-binary second objective: the front is (k=0, a=0) and (k=0, a=1) only
    return {"loss": 1.0 - 0.5 * c["a"] + c["k"] / 20, "buffers": c["a"]}


def test_population_stays_distinct_on_a_two_point_front():
    space = ss.Dict(a=ss.oneof([0, 1]), k=ss.oneof(list(range(20))))
    for steady in (False, True):
        algorithm = NSGA2(population_size=20, steady_state=steady, seed=0)
        result = ss.search(space, _two_point_front, objective=["min:loss", "min:buffers"],
                           algorithm=algorithm, num_trials=300, seed=0,
                           store=ss.store.MemoryStore())
        fitness = [ind.fitness for ind in algorithm.population]
        assert len(fitness) == 20 and len(set(fitness)) == 20, (steady, fitness)
        assert sorted({(t.metrics["loss"], t.metrics["buffers"]) for t in result.pareto}) == \
            [(0.5, 1), (1.0, 0)]
