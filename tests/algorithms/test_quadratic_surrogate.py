"""Quadratic surrogate: model fits, box minimiser, wrapper schedule, exact resume, errors."""
from __future__ import annotations

import json

import numpy as np
import pytest

import symsearch as ss
from symsearch.algorithms import (CMAEvolutionStrategy, OnePlusOneCMAES, QuadraticSurrogate,
                                  make_algorithm)
from symsearch.algorithms.base import Feedback
from symsearch.algorithms.quadratic_model import fit_quadratic, minimise_in_box
from symsearch.search.objectives import Objectives


def _tell(algorithm, dna, f, i=0):
    algorithm.feedback(dna, Feedback(i, "done", {"f": f}, (f,), -f))


def _setup(space, **kwargs):
    algorithm = QuadraticSurrogate(**kwargs)
    algorithm.setup(ss.dna_spec(space), Objectives.parse("min:f"))
    return algorithm


def test_full_fit_recovers_a_rotated_quadratic_and_its_minimiser():
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    hessian = rotation @ np.diag([1.0, 10.0, 100.0, 3.0]) @ rotation.T
    optimum = np.array([0.2, 0.7, 0.4, 0.55])
    points = rng.uniform(0, 1, (30, 4))
    values = np.einsum("ij,jk,ik->i", points - optimum, hessian, points - optimum)
    model = fit_quadratic(points, values)
    assert np.allclose(minimise_in_box(model, np.zeros(4), np.ones(4)), optimum, atol=1e-8)


def test_minimiser_respects_the_box_and_concave_fits_give_none():
    rng = np.random.default_rng(1)
    points = rng.uniform(0, 1, (30, 3))
    hessian = np.array([[2.0, 1.5, 0.0], [1.5, 2.0, 0.0], [0.0, 0.0, 1.0]])
    optimum = np.array([1.4, -0.3, 0.5])          # outside the box
    values = np.einsum("ij,jk,ik->i", points - optimum, hessian, points - optimum)
    x = minimise_in_box(fit_quadratic(points, values), np.zeros(3), np.ones(3))
    assert np.all((x >= 0) & (x <= 1))
    grid = np.stack(np.meshgrid(*[np.linspace(0, 1, 41)] * 3), -1).reshape(-1, 3)
    on_grid = np.einsum("ij,jk,ik->i", grid - optimum, hessian, grid - optimum).min()
    assert (x - optimum) @ hessian @ (x - optimum) <= on_grid + 1e-9
    assert fit_quadratic(points, -((points - 0.5) ** 2).sum(axis=1)) is None
    assert fit_quadratic(points, np.ones(30)) is None


def test_surrogate_solves_a_shifted_sphere_exactly_through_search():
    assert type(make_algorithm("quadratic_surrogate")) is QuadraticSurrogate
    offset = [1.5, -2.0, 0.5, 3.0, -1.0, 2.5]
    space = ss.List([ss.floatv(-5.0, 5.0) for _ in offset])
    result = ss.search(space, lambda c: {"f": sum((x - o) ** 2 for x, o in zip(c, offset))},
                       objective="min:f", algorithm="quadratic_surrogate", num_trials=120,
                       seed=0, store=ss.store.MemoryStore())
    assert result.best.metrics["f"] < 1e-16


def test_model_proposals_follow_the_period_and_feed_the_inner_parent():
    space = ss.List([ss.floatv(-5.0, 5.0) for _ in range(3)])
    a = _setup(space, seed=0)
    assert a._period == 3 and isinstance(a.inner, OnePlusOneCMAES)
    for i in range(40):
        dna = a.propose()
        _tell(a, dna, float(sum((x - 1.0) ** 2 for x in dna)), i)
    assert a.model_proposals >= 3 and a.model_improvements >= 1
    assert a.inner.parent_f == a.archive[0][1]   # the model's best point is the parent


def test_surrogate_around_cma_es_beats_plain_cma_es_on_a_sphere():
    space = ss.List([ss.floatv(-5.0, 5.0) for _ in range(5)])
    scores = {}
    for label, algorithm in (("plain", CMAEvolutionStrategy(seed=0)),
                             ("wrapped", QuadraticSurrogate(inner=CMAEvolutionStrategy(),
                                                            seed=0))):
        result = ss.search(space, lambda c: {"f": sum((x - 0.7) ** 2 for x in c)},
                           objective="min:f", algorithm=algorithm, num_trials=150, seed=0,
                           store=ss.store.MemoryStore())
        scores[label] = result.best.metrics["f"]
    assert scores["wrapped"] < 1e-12 < scores["plain"]


def test_state_round_trip_gives_the_same_proposals():
    space = ss.List([ss.floatv(-5.0, 5.0) for _ in range(4)] + [ss.intv(0, 20)])

    def f(dna):
        return float(np.sum(np.square(np.asarray(dna, dtype=float) - 1.5)))
    a = _setup(space, seed=3)
    outstanding = []
    for i in range(45):
        dna = a.propose()
        if i % 6:
            _tell(a, dna, f(dna), i)
        else:
            outstanding.append(dna)
    state = json.loads(json.dumps(a.state_dict()))
    b = _setup(space, seed=99)
    b.load_state_dict(state)
    for dna in outstanding:
        _tell(a, dna, f(dna))
        _tell(b, dna, f(dna))
    for i in range(60):
        da, db = a.propose(), b.propose()
        assert da == db
        _tell(a, da, f(da), i)
        _tell(b, db, f(db), i)
    assert a.model_proposals == b.model_proposals > 0


def test_bad_input_is_refused_with_its_name():
    with pytest.raises(ValueError, match="period must be an int >= 1"):
        QuadraticSurrogate(period=0)
    with pytest.raises(ValueError, match="Unknown algorithm 'nope'"):
        QuadraticSurrogate(inner="nope")
    with pytest.raises(ValueError, match="not a QuadraticSurrogate"):
        QuadraticSurrogate(inner=QuadraticSurrogate())
    with pytest.raises(ValueError, match=r"quadratic_surrogate.*'act'.*choice"):
        _setup(ss.Dict(x=ss.floatv(0.0, 1.0), act=ss.oneof(["relu", "tanh"])))
    with pytest.raises(ValueError, match="one objective"):
        QuadraticSurrogate().setup(ss.dna_spec(ss.List([ss.floatv(0.0, 1.0)])),
                                   Objectives.parse(["min:a", "min:b"]))
