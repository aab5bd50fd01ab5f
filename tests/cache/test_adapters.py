"""The adapter registry and the hasher's options (select, callable modes, errors)."""
import math

import numpy as np
import pytest

import symsearch as ss
from symsearch.cache import (FunctionalHasher, ProbeSet, UnsupportedCandidate, find_adapter,
                             register_adapter, unregister_adapter)
from symsearch.cache.adapters import graph_to_program
from symsearch.programs import Var, call, evaluate


class Polynomial:
    def __init__(self, coeffs):
        self.coeffs = coeffs


class Affine(Polynomial):
    pass


def poly_outputs(poly, probes):
    xs = probes.array("x")
    return [sum(c * xs ** i for i, c in enumerate(poly.coeffs))]


def test_a_new_representation_is_one_function():
    register_adapter(Polynomial, poly_outputs)
    try:
        h = FunctionalHasher()
        assert h.hash(Polynomial([1.0, 0.0, 3.0])) == h.hash(call("add", 1.0,
                                                                  call("mul", 3.0, call("square", "x"))))
        assert find_adapter(Affine([1.0])) is not None          # found through the MRO
        assert h.hash(Affine([0.0, 2.0])) == h.hash(lambda x: x + x)
    finally:
        unregister_adapter(Polynomial)
    assert find_adapter(Polynomial([1.0])) is None


def test_predicate_adapters_are_checked_latest_first():
    def is_tagged(c):
        return isinstance(c, dict) and c.get("kind") == "constant"

    @register_adapter(is_tagged)
    def constant(c, probes, hasher):
        return [np.full(probes.count, c["value"])]
    try:
        h = FunctionalHasher()
        assert h.hash({"kind": "constant", "value": 2.0}) == h.hash(lambda: 2.0)
    finally:
        unregister_adapter(is_tagged)


def test_unsupported_candidate_names_the_type():
    with pytest.raises(UnsupportedCandidate, match="no functional-hash adapter for int"):
        FunctionalHasher().hash(3)
    # a symbolic candidate is never run as a plain callable (it may be a whole training run)
    @ss.symbolize
    def train(lr=0.1):
        raise AssertionError("the hasher must not call it")
    with pytest.raises(UnsupportedCandidate):
        FunctionalHasher().hash(train(lr=0.2))
    with pytest.raises(UnsupportedCandidate, match="Dict"):
        FunctionalHasher().hash(ss.Dict(expr=call("neg", "x")))
    with pytest.raises(TypeError):
        register_adapter(3, poly_outputs)


def test_callables_fall_back_to_per_case_calls_and_modes():
    h = FunctionalHasher()
    assert h.hash(lambda x: math.sin(x)) == h.hash(lambda x: np.sin(x))
    assert h.hash(lambda x: max(x, 0.0)) == h.hash(call("relu", "x"))
    strict = FunctionalHasher(callable_mode="vectorized")
    with pytest.raises((TypeError, ValueError)):
        strict.hash(lambda x: math.sin(x))
    per_case = FunctionalHasher(callable_mode="per_sample")
    assert per_case.hash(lambda x: np.sin(x)) == h.hash(lambda x: math.sin(x))
    with pytest.raises(ValueError, match="callable_mode"):
        FunctionalHasher(callable_mode="sometimes")


def test_star_args_callables_get_the_declared_inputs_in_order():
    h = FunctionalHasher(ProbeSet({"a": (), "b": ()}))
    assert h.hash(lambda *args: args[0] - args[1]) == h.hash(lambda a, b: a - b)
    assert h.hash(lambda *args: args[0] - args[1]) != h.hash(lambda a, b: b - a)
    assert h.hash(lambda b, a: a - b) == h.hash(lambda a, b: a - b)     # by name


def test_multiple_outputs_and_broadcast_constants():
    h = FunctionalHasher(ProbeSet({"v": (3,)}))
    assert h.hash(lambda v: (v, 2 * v)) != h.hash(lambda v: (2 * v, v))
    # a constant output is the same however it is broadcast
    assert h.hash(lambda v: 1.0) == h.hash(lambda v: np.ones_like(v)) == h.hash(call("add", 1.0, 0.0))


def test_select_runs_part_of_a_candidate_and_hashes_the_rest_structurally():
    h = FunctionalHasher(select="expr")
    a = ss.Dict(expr=call("mul", "x", "y"), lr=0.1)
    b = ss.Dict(expr=call("mul", "y", "x"), lr=0.1)
    c = ss.Dict(expr=call("mul", "y", "x"), lr=0.2)
    assert h.hash(a) == h.hash(b) != h.hash(c)
    only_expr = FunctionalHasher(select="expr", include_rest=False)
    assert only_expr.hash(a) == only_expr.hash(c)
    by_callable = FunctionalHasher(select=lambda cand: cand["expr"])
    assert by_callable.hash(a) == by_callable.hash(c) == only_expr.hash(a)


def test_graph_to_program_orders_arguments_and_outputs():
    nx = pytest.importorskip("networkx")
    g = nx.DiGraph(outputs=["d", "k"])
    g.add_node("a", op="input", name="x")
    g.add_node("k", op="const", value=2.5)
    g.add_node("d", op="sub")
    g.add_edge("k", "d", arg=0)
    g.add_edge("a", "d", arg=1)
    p = graph_to_program(g)
    assert p.inputs == ["x"]
    out = evaluate(p, {"x": np.array([1.0, 2.0])})
    assert out[0].tolist() == [1.5, 0.5] and float(out[1]) == 2.5
    cyclic = nx.DiGraph([("a", "b"), ("b", "a")])
    with pytest.raises(ValueError, match="acyclic"):
        graph_to_program(cyclic)


def test_hasher_validates_its_arguments():
    with pytest.raises(ValueError, match="digits"):
        FunctionalHasher(digits=0)
    with pytest.raises(ValueError, match="backend"):
        FunctionalHasher(backend="gpu")
    with pytest.raises(TypeError, match="probes"):
        FunctionalHasher(probes=[1, 2])
    with pytest.raises(ValueError, match="torch_init"):
        FunctionalHasher(torch_init="xavier")


def test_numpy_backend_gives_the_same_hashes():
    fast, slow = FunctionalHasher(), FunctionalHasher(backend="numpy")
    for e in [call("mul", "x", call("sin", "y")), call("div", call("exp", "x"), call("log", "y")),
              Var("x")]:
        assert fast.hash(e) == slow.hash(e)
