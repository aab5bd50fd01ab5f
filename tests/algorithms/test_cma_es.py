"""Native CMA-ES: convergence, exact resume, restarts, bounds, ints/log scale, bad input."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import symsearch as ss
from symsearch.algorithms import CMAEvolutionStrategy, make_algorithm
from symsearch.algorithms.base import Feedback
from symsearch.search.objectives import Objectives


def _tell(algorithm, dna, f, i=0):
    algorithm.feedback(dna, Feedback(i, "done", {"f": f}, (f,), -f))


def _setup(space, **kwargs):
    algorithm = CMAEvolutionStrategy(**kwargs)
    algorithm.setup(ss.dna_spec(space), Objectives.parse("min:f"))
    return algorithm


def test_name_resolves_to_the_native_strategy_and_cmaes_stays_optuna():
    assert type(make_algorithm("cma_es")) is CMAEvolutionStrategy
    assert type(make_algorithm("cmaes")) is not CMAEvolutionStrategy


def test_converges_on_a_shifted_sphere_through_search():
    offset = [1.5, -2.0, 0.5, 3.0, -1.0, 2.5]
    space = ss.List([ss.floatv(-5.0, 5.0) for _ in offset])
    result = ss.search(space, lambda c: {"f": sum((x - o) ** 2 for x, o in zip(c, offset))},
                       objective="min:f", algorithm="cma_es", num_trials=1200, seed=0,
                       store=ss.store.MemoryStore())
    assert result.best.metrics["f"] < 1e-8


def test_state_round_trip_gives_the_same_proposals():
    space = ss.List([ss.floatv(-5.0, 5.0) for _ in range(5)] + [ss.intv(0, 20)])
    a = _setup(space, seed=3)
    for i in range(37):            # mid-generation: some samples outstanding
        dna = a.propose()
        if i % 5:
            _tell(a, dna, float(np.sum(np.square(dna))), i)
    state = json.loads(json.dumps(a.state_dict()))
    b = _setup(space, seed=99)
    b.load_state_dict(state)
    for i in range(60):
        da, db = a.propose(), b.propose()
        assert da == db
        f = float(np.sum(np.square(da)))
        _tell(a, da, f, i)
        _tell(b, db, f, i)
    assert a.sigma == b.sigma and a.generation == b.generation


def test_choice_decision_is_refused_by_path():
    space = ss.Dict(x=ss.floatv(0.0, 1.0), act=ss.oneof(["relu", "tanh"]))
    with pytest.raises(ValueError, match=r"cma_es.*'act'.*choice"):
        _setup(space)


def test_bad_arguments_and_multi_objective_are_refused():
    with pytest.raises(ValueError, match="population_size must be an int >= 2"):
        CMAEvolutionStrategy(population_size=1)
    with pytest.raises(ValueError, match="sigma0 must be a positive number"):
        CMAEvolutionStrategy(sigma0=0)
    algorithm = CMAEvolutionStrategy()
    with pytest.raises(ValueError, match="one objective"):
        algorithm.setup(ss.dna_spec(ss.List([ss.floatv(0.0, 1.0)])),
                        Objectives.parse(["min:a", "min:b"]))


def test_ints_and_log_floats_stay_in_bounds_and_on_grid():
    space = ss.Dict(lr=ss.floatv(1e-5, 1.0, scale="log"), k=ss.intv(2, 30, step=2))
    spec = ss.dna_spec(space)
    a = _setup(space, seed=0)
    for i in range(300):
        dna = a.propose()
        spec.validate(dna)
        lr, k = dna
        _tell(a, dna, (math.log10(lr) + 3) ** 2 + (k - 12) ** 2, i)
    best_lr = 10 ** (-5 + 5 * a.mean[0])     # mean lives in the normalised log box
    assert abs(math.log10(best_lr) + 3) < 0.3


def test_optimum_on_the_boundary_is_reached_by_repair():
    space = ss.List([ss.floatv(0.0, 1.0) for _ in range(4)])
    a = _setup(space, seed=1)
    best = math.inf
    for i in range(600):
        dna = a.propose()
        f = float(sum((x + 0.5) ** 2 for x in dna))   # optimum outside: corner at 0
        best = min(best, f)
        _tell(a, dna, f, i)
    assert best < 1.0 + 1e-6


def test_stagnation_triggers_an_ipop_restart_with_a_doubled_population():
    a = _setup(ss.List([ss.floatv(0.0, 1.0) for _ in range(3)]), seed=0)
    lam = a.lam
    for i in range(400):
        _tell(a, a.propose(), 1.0, i)          # flat: the fitness range stagnates
    assert a.run_index >= 1 and a.lam == lam * 2 ** a.run_index


def test_diagonal_variant_keeps_a_diagonal_covariance_and_converges():
    a = _setup(ss.List([ss.floatv(-5.0, 5.0) for _ in range(8)]), seed=0, diagonal=True)
    best = math.inf
    for i in range(800):
        dna = a.propose()
        f = float(sum((x - 1.0) ** 2 for x in dna))
        best = min(best, f)
        _tell(a, dna, f, i)
    assert np.count_nonzero(a.C - np.diag(np.diag(a.C))) == 0
    assert best < 1e-6


def test_injected_result_joins_the_generation_with_a_shortened_step():
    a = _setup(ss.List([ss.floatv(0.0, 1.0) for _ in range(4)]), seed=0, sigma0=0.05)
    mean, lam, generation = a.mean.copy(), a.lam, a.generation
    corner = ss.DNA([1.0, 1.0, 1.0, 1.0])
    a.inject(corner, Feedback(99, "done", {"f": 0.0}, (0.0,), -0.0))
    f, x = a._told[-1]
    step = (x - mean) / a.sigma            # C = I: the Mahalanobis length is the norm
    assert f == 0.0 and np.linalg.norm(step) == pytest.approx(math.sqrt(4) + 8 / 6)
    assert np.allclose(step / np.linalg.norm(step), np.ones(4) / 2)   # toward the corner
    for i in range(lam - 1):
        _tell(a, a.propose(), 10.0, i)
    assert a.generation == generation + 1          # it counted toward the generation
    assert float((a.mean - mean) @ np.ones(4)) > 0  # the best point pulls the mean
