"""(1+1)-CMA-ES: convergence, elitism, exact resume, success rule, bounds, bad input."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import symsearch as ss
from symsearch.algorithms import OnePlusOneCMAES, make_algorithm
from symsearch.algorithms.base import Feedback
from symsearch.algorithms.one_plus_one_cma_es import default_sigma0
from symsearch.search.objectives import Objectives


def _tell(algorithm, dna, f, i=0, inject=False):
    fb = Feedback(i, "done", {"f": f}, (f,), -f)
    (algorithm.inject if inject else algorithm.feedback)(dna, fb)


def _setup(space, **kwargs):
    algorithm = OnePlusOneCMAES(**kwargs)
    algorithm.setup(ss.dna_spec(space), Objectives.parse("min:f"))
    return algorithm


def test_name_resolves_and_search_converges_on_a_shifted_sphere():
    assert type(make_algorithm("one_plus_one_cma_es")) is OnePlusOneCMAES
    offset = [1.5, -2.0, 0.5, 3.0, -1.0, 2.5]
    space = ss.List([ss.floatv(-5.0, 5.0) for _ in offset])
    result = ss.search(space, lambda c: {"f": sum((x - o) ** 2 for x, o in zip(c, offset))},
                       objective="min:f", algorithm="one_plus_one_cma_es", num_trials=800,
                       seed=0, store=ss.store.MemoryStore())
    assert result.best.metrics["f"] < 1e-8


def test_parent_is_the_best_point_told_and_first_point_is_the_centre():
    a = _setup(ss.List([ss.floatv(-5.0, 5.0) for _ in range(3)]), seed=0)
    first = a.propose()
    assert list(first) == [0.0, 0.0, 0.0]
    best = math.inf
    _tell(a, first, 27.0)
    for i in range(100):
        dna = a.propose()
        f = float(sum((x - 1.0) ** 2 for x in dna))
        best = min(best, f, 27.0)
        _tell(a, dna, f, i)
        assert a.parent_f == best      # elitist: the parent never gets worse
    assert a.run_index == 0


def test_step_size_follows_the_success_rule():
    space = ss.List([ss.floatv(0.0, 1.0) for _ in range(4)])
    a = _setup(space, seed=0)
    _tell(a, a.propose(), 1.0)
    sigma = a.sigma
    for i in range(20):
        _tell(a, a.propose(), 2.0, i)   # all worse than the parent: failures
    assert a.sigma < sigma * 0.5
    sigma = a.sigma
    for i in range(20):
        _tell(a, a.propose(), -float(i), i)   # every offspring better: successes
    assert a.sigma > sigma * 2


def test_default_step_follows_the_dimension():
    assert default_sigma0(10) == pytest.approx(1.224 * math.sqrt(10 / 12) / 10)
    assert default_sigma0(40) == pytest.approx(default_sigma0(10) / 2)


def test_state_round_trip_gives_the_same_proposals():
    space = ss.List([ss.floatv(-5.0, 5.0) for _ in range(5)] + [ss.intv(0, 20)])
    a = _setup(space, seed=3)
    outstanding = []
    for i in range(40):
        dna = a.propose()
        if i % 4:
            _tell(a, dna, float(np.sum(np.square(dna))), i)
        else:
            outstanding.append(dna)     # results still to come (parallel workers)
    state = json.loads(json.dumps(a.state_dict()))
    b = _setup(space, seed=99)
    b.load_state_dict(state)
    for dna in outstanding:
        f = float(np.sum(np.square(dna)))
        _tell(a, dna, f)
        _tell(b, dna, f)
    for i in range(60):
        da, db = a.propose(), b.propose()
        assert da == db
        f = float(np.sum(np.square(da)))
        _tell(a, da, f, i)
        _tell(b, db, f, i)
    assert a.sigma == b.sigma and np.array_equal(a.A, b.A)


def test_injected_better_point_becomes_the_parent_and_worse_is_ignored():
    space = ss.List([ss.floatv(-5.0, 5.0) for _ in range(2)])
    a = _setup(space, seed=0)
    _tell(a, a.propose(), 8.0)
    sigma = a.sigma
    _tell(a, ss.DNA([1.0, 1.0]), 9.0, inject=True)
    assert a.parent_f == 8.0
    _tell(a, ss.DNA([2.5, -2.5]), 0.5, inject=True)
    assert a.parent_f == 0.5 and a.parent.tolist() == pytest.approx([0.75, 0.25])
    assert a.sigma == sigma


def test_stagnation_restarts_from_a_new_point():
    a = _setup(ss.List([ss.floatv(0.0, 1.0) for _ in range(2)]), seed=0)
    for i in range(300):
        _tell(a, a.propose(), 1.0 + 1e-15 * i, i)   # flat: the parent never improves
    assert a.run_index >= 1


def test_ints_and_boundary_optimum_stay_in_the_box():
    space = ss.Dict(lr=ss.floatv(1e-5, 1.0, scale="log"), k=ss.intv(2, 30, step=2),
                    x=ss.floatv(0.0, 1.0))
    spec = ss.dna_spec(space)
    a = _setup(space, seed=0)
    for i in range(300):
        dna = a.propose()
        spec.validate(dna)
        lr, k, x = dna
        _tell(a, dna, (math.log10(lr) + 3) ** 2 + (k - 12) ** 2 + (x + 0.5) ** 2, i)
    lr, k, x = a.box.to_dna(a.parent)
    assert abs(math.log10(lr) + 3) < 0.1 and k == 12 and x == 0.0


def test_bad_input_is_refused_with_its_name():
    with pytest.raises(ValueError, match="sigma0 must be a positive number or None"):
        OnePlusOneCMAES(sigma0=-1)
    with pytest.raises(ValueError, match="restarts must be an int >= 0"):
        OnePlusOneCMAES(restarts=-1)
    with pytest.raises(ValueError, match=r"one_plus_one_cma_es.*'act'.*choice"):
        _setup(ss.Dict(x=ss.floatv(0.0, 1.0), act=ss.oneof(["relu", "tanh"])))
    with pytest.raises(ValueError, match="one objective"):
        OnePlusOneCMAES().setup(ss.dna_spec(ss.List([ss.floatv(0.0, 1.0)])),
                                Objectives.parse(["min:a", "min:b"]))
