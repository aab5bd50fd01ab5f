"""Probe sets: seeded, per-name independent, declared shapes/distributions, edge values."""
import numpy as np
import pytest

from symsearch.cache import ProbeInput, ProbeSet


def test_draws_are_deterministic_and_depend_only_on_seed_name_and_declaration():
    a = ProbeSet({"x": (3,), "y": "uniform"}, count=8, seed=1)
    b = ProbeSet({"y": "uniform", "z": "positive", "x": (3,)}, count=8, seed=1)
    assert np.array_equal(a.array("x"), b.array("x"))
    assert np.array_equal(a.array("y"), b.array("y"))
    assert not np.array_equal(a.array("x"), ProbeSet({"x": (3,)}, count=8, seed=2).array("x"))
    assert not np.array_equal(a.array("y")[3:], a.array("q")[3:])   # names differ


def test_shapes_distributions_and_undeclared_names():
    p = ProbeSet({"w": ProbeInput(shape=(2, 3)), "lr": ProbeInput(distribution="positive"),
                  "u": ProbeInput(distribution="uniform", low=2.0, high=3.0),
                  "k": ProbeInput(distribution="integers", low=0, high=4)}, count=64)
    assert p.array("w").shape == (64, 2, 3) and p.array("anything").shape == (64,)
    assert (p.array("lr") > 0).all()
    assert ((p.array("u") >= 2.0) & (p.array("u") < 3.0)).all()
    assert set(np.unique(p.array("k"))) <= {0.0, 1.0, 2.0, 3.0}
    assert p.names == ["w", "lr", "u", "k"]
    with pytest.raises(ValueError):
        p.array("w")[0, 0, 0] = 1.0          # read-only


def test_edge_values_fill_the_first_cases_where_in_support():
    p = ProbeSet({"x": (), "v": (4,), "pos": "positive"}, count=10)
    assert p.array("x")[:3].tolist() == [0.0, 1.0, -1.0]
    assert p.array("v")[0].tolist() == [0.0] * 4 and p.array("v")[2].tolist() == [-1.0] * 4
    assert p.array("pos")[0] == 1.0 and (p.array("pos") > 0).all()
    none = ProbeSet(count=10, edge_values=())
    assert 0.0 not in none.array("x")


def test_stacked_broadcasts_scalar_inputs():
    p = ProbeSet({"w": (5,), "lr": ()}, count=4)
    s = p.stacked(["w", "lr"])
    assert s.shape == (2, 4, 5)
    assert np.array_equal(s[1], np.repeat(p.array("lr")[:, None], 5, axis=1))
    with pytest.raises(ValueError, match="incompatible element counts"):
        ProbeSet({"a": (2,), "b": (3,)}).stacked(["a", "b"])


def test_independent_probe_set_differs_but_keeps_declarations():
    p = ProbeSet({"x": (2,)}, count=6, seed=0)
    q = p.independent()
    assert q.inputs == p.inputs and q.count == p.count
    assert not np.array_equal(p.array("x")[3:], q.array("x")[3:])
    assert q.fingerprint != p.fingerprint


@pytest.mark.parametrize("kwargs, match", [
    (dict(count=0), "count"), (dict(seed=-1), "seed"),
    (dict(inputs={"x": {"distribution": "cauchy"}}), "distribution"),
    (dict(inputs={"x": {"shape": (0,)}}), "shape"),
    (dict(inputs={"x": {"distribution": "uniform", "low": 1.0, "high": 0.0}}), "low"),
])
def test_arguments_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ProbeSet(**kwargs).array("x")


def test_callable_distribution():
    p = ProbeSet({"x": lambda rng, size: np.full(size, 7.0)}, count=4, edge_values=())
    assert p.array("x").tolist() == [7.0] * 4
