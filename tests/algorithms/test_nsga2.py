"""Native NSGA-II: names, generational and steady-state updates, front quality."""
from __future__ import annotations

import math

import pytest

import symsearch as ss
from symsearch.algorithms import NSGA2, OptunaNSGA2, make_algorithm
from symsearch.algorithms.base import Feedback
from symsearch.algorithms.bayesian import Bayesian
from symsearch.algorithms.operators import non_dominated_fronts
from symsearch.search.objectives import Objectives
from tests.algorithms._spaces import every_kind_space


def zdt1(c) -> dict:
    x = list(c)
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    return {"f1": x[0], "f2": g * (1 - math.sqrt(x[0] / g))}


def hypervolume_2d(points, ref=(1.1, 1.1)) -> float:
    """Exact 2-D hypervolume of minimized points w.r.t. ``ref``."""
    front = sorted({(a, b) for a, b in points if a < ref[0] and b < ref[1]})
    volume, best_b = 0.0, ref[1]
    for a, b in front:
        if b < best_b:
            volume += (ref[0] - a) * (best_b - b)
            best_b = b
    return volume


def _run(algorithm, n=800, seed=0):
    space = ss.List([ss.floatv(0.0, 1.0) for _ in range(6)])
    result = ss.search(space, zdt1, objective=["min:f1", "min:f2"], algorithm=algorithm,
                       num_trials=n, seed=seed, store=ss.store.MemoryStore())
    return hypervolume_2d([(t.metrics["f1"], t.metrics["f2"]) for t in result.trials])


def test_names_resolve_to_native_and_optuna():
    assert type(make_algorithm("nsga2")) is NSGA2
    optuna_one = make_algorithm("optuna_nsga2")
    assert isinstance(optuna_one, Bayesian) and isinstance(optuna_one, OptunaNSGA2)
    assert optuna_one.sampler == "nsga2"
    assert make_algorithm({"type": "nsga2", "population_size": 10, "steady_state": True}) \
        .steady_state
    with pytest.raises(ValueError, match="NSGA2: population_size must be a positive int"):
        NSGA2(population_size=0)


def test_generational_update_keeps_the_best_fronts_of_parents_and_children():
    spec = ss.dna_spec(ss.List([ss.floatv(0.0, 1.0) for _ in range(3)]))
    algorithm = NSGA2(population_size=10, seed=0)
    algorithm.setup(spec, Objectives.parse(["min:f1", "min:f2"]))
    everything = []
    for i in range(30):
        dna = algorithm.propose()
        metrics = zdt1(dna)
        values = (metrics["f1"], metrics["f2"])
        everything.append((-values[0], -values[1]))
        algorithm.feedback(dna, Feedback(i, "done", metrics, values))
        if i in (9, 19, 29):
            assert len(algorithm.population) == 10
            assert algorithm.ctx.generation == (i + 1) // 10
    # after three generations the population holds the whole first front of what it saw
    first = non_dominated_fronts(everything)[0]
    kept = {tuple(ind.fitness) for ind in algorithm.population}
    assert {everything[i] for i in first.tolist()} <= kept or len(first) > 10


def test_nsga2_beats_random_search_on_zdt1():
    ours = [_run(NSGA2(population_size=30), seed=s) for s in range(2)]
    steady = [_run(NSGA2(population_size=30, steady_state=True), seed=s) for s in range(2)]
    rand = [_run("random", seed=s) for s in range(2)]
    assert min(ours) > max(rand) + 0.05
    assert min(steady) > max(rand) + 0.05


def test_nsga2_on_every_kind_of_decision():
    space = every_kind_space()
    spec = ss.dna_spec(space)
    result = ss.search(space, lambda c: {"a": c["momentum"], "b": -c["momentum"] + c["lr"]},
                       objective=["min:a", "min:b"], algorithm=NSGA2(population_size=10),
                       num_trials=60, seed=0, store=ss.store.MemoryStore())
    for trial in result.trials:
        spec.validate(trial.dna)
    assert result.count("done") == 60 and result.pareto
