"""Regularized evolution and hill climbing: aging, tournaments, async use, state, results."""
import json
import random
import statistics

import pytest

import symsearch as ss
from symsearch.algorithms.base import Feedback, make_algorithm
from symsearch.algorithms.evolution import (HillClimbing, RegularizedEvolution,
                                            crowding_distances, nsga2_pick)
from symsearch.algorithms.mutators import Mutator, mutation_points, unit_indices
from symsearch.algorithms.random_search import Random
from symsearch.geno.dna import DNA
from symsearch.search.objectives import Objectives
from tests.algorithms._spaces import (MUTATOR_CALLS, every_kind_space, sphere_loss,
                                      sphere_space)

MIN_LOSS = Objectives.parse("min:loss")


def _fake_loss(dna) -> float:
    """A deterministic loss of any DNA of every_kind_space (numbers and choice indices)."""
    total = 0.0
    for v in dna:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total += (float(v) % 7.0) ** 2
    return total


def _feed(algo, dna, trial_id, loss=None, status="done"):
    if status != "done":
        algo.feedback(dna, Feedback(trial_id, status))
        return
    loss = _fake_loss(dna) if loss is None else loss
    algo.feedback(dna, Feedback(trial_id, "done", {"loss": loss}, (loss,), -loss))


def _one_mutation_from(spec, parent, child) -> bool:
    changed = {i for i, (a, b) in enumerate(zip(parent, child)) if a != b}
    return any(changed and changed <= set(unit_indices(p))
               for p in mutation_points(spec, parent))


def test_registered_names_build_the_algorithms():
    for name in ("evolution", "regularized_evolution", "re", "RE"):
        assert type(make_algorithm(name)) is RegularizedEvolution
    assert type(make_algorithm("hill_climbing")) is HillClimbing
    algo = make_algorithm({"type": "evolution", "population_size": 8, "tournament_size": 2,
                           "mutation": {"num_mutations": 2}})
    assert (algo.population_size, algo.tournament_size) == (8, 2)
    assert isinstance(algo.mutation, Mutator) and algo.mutation.num_mutations == 2


@pytest.mark.parametrize("kwargs,message", [
    ({"population_size": 0}, "population_size must be a positive int, got 0"),
    ({"tournament_size": 2.5}, "tournament_size must be a positive int, got 2.5"),
    ({"population_size": 5, "tournament_size": 6}, r"tournament_size must be at most "
                                                   r"population_size \(5\), got 6"),
    ({"crossover_prob": 1.5}, r"crossover_prob must be a number in \[0, 1\], got 1.5"),
    ({"mutation": "gauss"}, "mutation must be None, a dict"),
])
def test_arguments_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RegularizedEvolution(**kwargs)


def test_needs_an_objective():
    with pytest.raises(ValueError, match="needs an objective"):
        RegularizedEvolution().setup(ss.dna_spec(sphere_space()))


def test_warm_up_is_random_then_children_are_single_mutations_of_winners():
    spec = ss.dna_spec(every_kind_space())
    algo = RegularizedEvolution(population_size=6, tournament_size=6, seed=0)
    algo.setup(spec, MIN_LOSS)
    warm = [algo.propose() for _ in range(6)]
    for i, dna in enumerate(warm):
        spec.validate(dna)
        _feed(algo, dna, i)
    for k in range(30):
        # tournament over the whole population: the parent is always a best member
        low = min(_fake_loss(e[0]) for e in algo.population)
        best = [e[0] for e in algo.population if _fake_loss(e[0]) == low]
        child = algo.propose()
        spec.validate(child)
        assert child not in best and any(_one_mutation_from(spec, b, child) for b in best)
        _feed(algo, child, 6 + k)


def test_aging_removes_the_oldest_member_and_failures_are_not_added():
    spec = ss.dna_spec(sphere_space())
    algo = RegularizedEvolution(population_size=5, tournament_size=2, seed=1)
    algo.setup(spec, MIN_LOSS)
    ok_ids = []
    for i in range(40):
        dna = algo.propose()
        failed = i % 4 == 3
        _feed(algo, dna, i, loss=float(i), status="failed" if failed else "done")
        if not failed:
            ok_ids.append(i)
        assert [e[2] for e in algo.population] == ok_ids[-5:]  # oldest leaves, not worst
    assert algo.num_returned == 40 and algo.num_proposed == 40


def test_failed_trials_count_for_the_warm_up():
    spec = ss.dna_spec(sphere_space())
    algo = RegularizedEvolution(population_size=4, tournament_size=2, seed=2)
    algo.setup(spec, MIN_LOSS)
    dnas = [algo.propose() for _ in range(4)]
    _feed(algo, dnas[0], 0)
    for i in (1, 2, 3):
        _feed(algo, dnas[i], i, status="failed")
    assert len(algo.population) == 1 and algo.num_returned == 4
    child = algo.propose()  # warm-up is over: a mutation of the one member
    assert _one_mutation_from(spec, algo.population[0][0], child)


def test_asynchronous_proposals_before_any_feedback():
    spec = ss.dna_spec(every_kind_space())
    algo = RegularizedEvolution(population_size=5, tournament_size=3, seed=3)
    algo.setup(spec, MIN_LOSS)
    pending = [(i, algo.propose()) for i in range(10)]  # twice the population, no feedback
    assert len({d for _, d in pending}) == 10
    next_id = 10
    rng = random.Random(0)
    for _ in range(60):
        rng.shuffle(pending)  # results come back in any order
        trial_id, dna = pending.pop()
        spec.validate(dna)
        _feed(algo, dna, trial_id)
        pending.append((next_id, algo.propose()))
        next_id += 1
    assert len(algo.population) == 5 and algo.num_returned == 60 and algo.num_proposed == 70


def _median_best(make, num_trials=300, seeds=range(5)) -> tuple:
    bests = []
    for seed in seeds:
        result = ss.search(sphere_space(), sphere_loss, objective="min:loss",
                           algorithm=make(), num_trials=num_trials, seed=seed)
        bests.append(result.best.metrics["loss"])
    return statistics.median(bests), bests


def test_evolution_beats_random_search_on_a_sphere():
    random_median, _ = _median_best(lambda: Random())
    evo_median, evo_bests = _median_best(
        lambda: RegularizedEvolution(population_size=20, tournament_size=5))
    crossover_median, _ = _median_best(
        lambda: RegularizedEvolution(population_size=20, tournament_size=5, crossover_prob=0.5))
    # measured: random ~0.91, evolution ~0.026, with crossover ~0.02
    assert evo_median < random_median / 5
    assert crossover_median < random_median / 5
    assert max(evo_bests) < random_median


def test_same_seed_gives_the_same_trials():
    def run(seed):
        result = ss.search(every_kind_space(), lambda c: _fake_loss([c["lr"], c["batch"]]),
                           objective="min:loss", num_trials=60, seed=seed,
                           algorithm=RegularizedEvolution(population_size=10, tournament_size=3,
                                                          crossover_prob=0.3))
        return [r.dna for r in result.trials]

    a, b = run(7), run(7)
    assert a == b
    assert run(8) != a


def test_state_round_trip_mid_search_gives_the_same_next_proposals():
    spec = ss.dna_spec(every_kind_space())

    def drive(algo, start, n):
        out = []
        for i in range(start, start + n):
            dna = algo.propose()
            out.append(dna)
            _feed(algo, dna, i, status="failed" if i % 9 == 8 else "done")
        return out

    algo = RegularizedEvolution(population_size=8, tournament_size=3, crossover_prob=0.5, seed=4)
    algo.setup(spec, MIN_LOSS)
    drive(algo, 0, 30)
    algo.propose()  # one in flight at the snapshot
    state = json.loads(json.dumps(algo.state_dict()))  # must be JSON-compatible
    population = [list(e) for e in algo.population]
    expected = drive(algo, 31, 30)

    fresh = RegularizedEvolution(population_size=8, tournament_size=3, crossover_prob=0.5,
                                 seed=99)
    fresh.setup(spec, MIN_LOSS)
    fresh.load_state_dict(state)
    assert fresh.population == population and fresh.num_returned == 30
    assert drive(fresh, 31, 30) == expected
    assert fresh.population == algo.population


def test_multi_objective_state_round_trip():
    spec = ss.dna_spec(sphere_space())
    objectives = Objectives.parse(["min:a", "max:b"])
    algo = RegularizedEvolution(population_size=5, tournament_size=3, seed=5)
    algo.setup(spec, objectives)
    for i in range(12):
        dna = algo.propose()
        algo.feedback(dna, Feedback(i, "done", {"a": i % 5, "b": i % 3}, (i % 5, i % 3)))
    state = json.loads(json.dumps(algo.state_dict()))
    fresh = RegularizedEvolution(population_size=5, tournament_size=3)
    fresh.setup(spec, objectives)
    fresh.load_state_dict(state)
    assert fresh.population == algo.population
    assert [fresh.propose() for _ in range(5)] == [algo.propose() for _ in range(5)]


def test_resumed_search_continues_like_an_uninterrupted_one(tmp_path):
    def run(num_trials, store, resume=False):
        return ss.search(sphere_space(), sphere_loss, objective="min:loss",
                         algorithm=RegularizedEvolution(population_size=10, tournament_size=3),
                         num_trials=num_trials, seed=11, store=store, resume=resume)

    straight = [r.dna for r in run(50, None).trials]
    path = str(tmp_path / "evo.db")
    run(25, path)
    resumed = [r.dna for r in run(50, path, resume=True).trials]
    assert resumed == straight


def test_multi_objective_search_returns_a_sensible_pareto_front():
    space = ss.Dict(x=ss.floatv(-1.0, 3.0), **{f"z{i}": ss.floatv(-1.0, 1.0) for i in range(4)})

    def evaluate(c):
        s = sum(c[f"z{i}"] ** 2 for i in range(4))  # 0 on the true front, x in [0, 2]
        return {"f1": c["x"] ** 2 + s, "f2": (c["x"] - 2) ** 2 + s, "s": s}

    def front_error(algorithm, seed):
        result = ss.search(space, evaluate, objective=["min:f1", "min:f2"], algorithm=algorithm,
                           num_trials=300, seed=seed)
        front = result.pareto
        values = [(t.metrics["f1"], t.metrics["f2"]) for t in front]
        objectives = result.objectives
        assert len(front) >= 5
        assert not any(objectives.dominates(u, v) for u in values for v in values)
        xs = [t.value["x"] for t in front]
        assert min(xs) < 0.5 and max(xs) > 1.5  # spread along the front
        return statistics.mean(t.metrics["s"] for t in front)

    evo = [front_error(RegularizedEvolution(population_size=30, tournament_size=5), s)
           for s in range(3)]
    rand = [front_error(Random(), s) for s in range(3)]
    # measured: evolution ~0.11, random ~0.31 (median mean distance to the true front)
    assert statistics.median(evo) < statistics.median(rand)


def test_nsga2_pick_prefers_non_dominated_then_isolated():
    dominates = Objectives.parse(["min:a", "min:b"]).dominates
    values = [(2.0, 2.0), (0.0, 3.0), (1.0, 1.0), (1.1, 0.9), (3.0, 0.0), (0.9, 1.2)]
    # front: (0,3), (1,1), (1.1,0.9), (3,0), (0.9,1.2); boundaries (inf) win, earliest first
    assert nsga2_pick(values, dominates) == 1
    assert crowding_distances([(0.0, 1.0), (0.5, 0.5), (1.0, 0.0)])[1] == pytest.approx(2.0)
    inner = [(0.0, 4.0), (1.0, 3.0), (1.2, 2.8), (3.0, 1.0), (4.0, 0.0)]
    d = crowding_distances(inner)
    assert d[0] == d[4] == float("inf") and d[3] > d[1] > 0 and d[3] > d[2]
    # among interior points only, the most isolated one wins
    assert nsga2_pick([(1.0, 3.0), (1.2, 2.8), (3.0, 1.0), (0.0, 4.0), (4.0, 0.0)],
                      dominates) == 3
    assert nsga2_pick([(1.0, 1.0), (0.5, 0.5)], dominates) == 1


def test_hill_climbing_improves_monotonically():
    spec = ss.dna_spec(sphere_space())
    algo = HillClimbing(seed=6)
    algo.setup(spec, MIN_LOSS)
    incumbent = []
    for i in range(300):
        dna = algo.propose()
        if i:
            assert _one_mutation_from(spec, algo.best[0], dna)
        c = ss.materialize(sphere_space(), dna)
        _feed(algo, dna, i, loss=sphere_loss(c)["loss"])
        assert len(algo.population) == 1
        incumbent.append(algo.best[1])
    assert incumbent == sorted(incumbent)  # scores (-loss) never go down
    assert -incumbent[-1] < -incumbent[0] / 10


def test_hill_climbing_in_a_search_and_with_failures():
    result = ss.search(sphere_space(), sphere_loss, objective="min:loss",
                       algorithm="hill_climbing", num_trials=200, seed=3)
    random_best = ss.search(sphere_space(), sphere_loss, objective="min:loss",
                            algorithm="random", num_trials=200, seed=3).best.metrics["loss"]
    assert result.best.metrics["loss"] < random_best
    algo = HillClimbing(seed=0)
    algo.setup(ss.dna_spec(sphere_space()), MIN_LOSS)
    first = algo.propose()
    _feed(algo, first, 0, status="failed")
    assert algo.best is None
    second = algo.propose()  # still random: nothing to climb from yet
    assert not _one_mutation_from(algo.spec, first, second)
    assert repr(algo) == "HillClimbing(mutation=Mutator(num_mutations=1), seed=0)"


def test_evolve_decisions_evolve_and_custom_mutations_are_used():
    MUTATOR_CALLS.clear()
    result = ss.search(every_kind_space(), lambda c: {"loss": abs(c["depth"] - 12)},
                       objective="min:loss", num_trials=300, seed=0,
                       algorithm=RegularizedEvolution(population_size=10, tournament_size=5))
    assert MUTATOR_CALLS and result.best.metrics["loss"] < 9  # depth starts at 3
    calls = []

    def only_lr(spec, dna, rng):
        calls.append(dna)
        values = list(dna)
        values[spec["lr"].index] = spec["lr"].lo
        return ss.DNA(values)

    algo = RegularizedEvolution(population_size=3, tournament_size=2, mutation=only_lr, seed=0)
    algo.setup(ss.dna_spec(every_kind_space()), MIN_LOSS)
    for i in range(3):
        _feed(algo, algo.propose(), i)
    child = algo.propose()
    assert calls and child[algo.spec["lr"].index] == 1e-5


def _evolve_space():
    return ss.evolve(0, lambda v, rng: v + rng.choice([-1, 1]))


def test_restart_alternates_initial_warmup_and_best_copies():
    algo = RegularizedEvolution(population_size=4, tournament_size=2, restart_after=5,
                                seed=0)
    algo.setup(ss.dna_spec(_evolve_space()), MIN_LOSS)
    first = [algo.propose() for _ in range(4)]
    assert all(d[0] == 0 for d in first)          # the warm-up: copies of the initial value
    for t, d in enumerate(first):
        _feed(algo, d, t, loss=1.0)
    # A new best, then five results that do not improve on it: a plateau.
    _feed(algo, algo.propose(), 10, loss=0.5)
    best_dna = algo.population[-1][0]
    for t in range(5):
        _feed(algo, algo.propose(), 20 + t, loss=2.0)
    assert algo.restarts == [(10, "initial")]
    assert algo.population == []
    assert all(algo.propose()[0] == 0 for _ in range(4))   # the warm-up runs again
    for t in range(4):
        _feed(algo, DNA((0,)), 30 + t, loss=1.0)
    for t in range(1):
        _feed(algo, algo.propose(), 40 + t, loss=3.0)
    assert algo.restarts[-1] == (15, "best")
    assert [e[0] for e in algo.population] == [best_dna] * 4
    assert all(e[1] == -0.5 for e in algo.population)


def test_restart_state_round_trips_and_checks_arguments():
    algo = RegularizedEvolution(population_size=2, tournament_size=2, restart_after=2,
                                restart_from="best", seed=1)
    algo.setup(ss.dna_spec(_evolve_space()), MIN_LOSS)
    for t in range(6):
        _feed(algo, algo.propose(), t, loss=1.0 + t)
    state = json.loads(json.dumps(algo.state_dict()))
    other = RegularizedEvolution(population_size=2, tournament_size=2, restart_after=2,
                                 restart_from="best", seed=1)
    other.setup(ss.dna_spec(_evolve_space()), MIN_LOSS)
    other.load_state_dict(state)
    assert other.restarts == algo.restarts and other.restarts
    assert other.best_entry == algo.best_entry
    assert [other.propose() for _ in range(3)] == [algo.propose() for _ in range(3)]
    with pytest.raises(ValueError, match="restart_from"):
        RegularizedEvolution(restart_from="sometimes")
    with pytest.raises(ValueError, match="restart_after"):
        RegularizedEvolution(restart_after=0)
    multi = RegularizedEvolution(population_size=2, tournament_size=2, restart_after=3)
    with pytest.raises(ValueError, match="single objective"):
        multi.setup(ss.dna_spec(_evolve_space()), Objectives.parse(["min:a", "min:b"]))


def test_program_evolution_has_the_papers_defaults_and_starts_from_the_warm_start():
    algo = make_algorithm({"type": "program_evolution", "seed": 0})
    assert isinstance(algo, RegularizedEvolution)
    assert (algo.population_size, algo.tournament_size, algo.restart_after,
            algo.restart_from) == (100, 4, 3000, "alternate")
    algo.setup(ss.dna_spec(_evolve_space()), MIN_LOSS)
    assert {algo.propose()[0] for _ in range(100)} == {0}   # copies of the initial value
