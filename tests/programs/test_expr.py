"""Expression trees: construction checks, evaluation, size/depth, source, normal form."""
import numpy as np
import pytest

import symsearch as ss
from symsearch.programs import Call, Const, Var, call, evaluate, normal_form
from symsearch.programs.expr import depth, nodes, size, to_source, variables

x, y = Var("x"), Var("y")


def test_evaluate_with_numpy_arrays_and_scalars():
    e = Call("add", [Call("mul", [x, Const(2.0)]), Call("sin", [y])])
    xs, ys = np.array([1.0, 2.0]), np.array([0.0, np.pi / 2])
    np.testing.assert_allclose(evaluate(e, {"x": xs, "y": ys}), [2.0, 5.0])
    assert float(evaluate(Const(3.5), {})) == 3.5


def test_evaluate_names_a_missing_variable():
    with pytest.raises(KeyError, match="variable 'y' is not in the environment"):
        evaluate(Call("add", [x, y]), {"x": 1.0})


def test_call_checks_arity_and_argument_types():
    with pytest.raises(ValueError, match="takes 2 argument"):
        Call("add", [x])
    with pytest.raises(TypeError, match="must be an Expr"):
        Call("neg", ["x"])
    with pytest.raises(KeyError, match="unknown op 'nope'"):
        Call("nope", [x])
    with pytest.raises(ValueError, match="non-empty"):
        Var("")


def test_size_depth_variables_nodes_and_source():
    e = call("div", call("add", "x", 1.0), call("neg", "y"))
    assert size(e) == 6 and depth(e) == 3
    assert variables(e) == ["x", "y"]
    assert [type(n).__name__ for n in nodes(e)] == ["Call", "Call", "Var", "Const", "Call", "Var"]
    assert to_source(e) == "div(add(x, 1.0), neg(y))"


def test_trees_are_symbolic_values():
    e = call("mul", "x", call("exp", "y"))
    assert ss.eq(e, call("mul", "x", call("exp", "y")))
    assert ss.hash(e) == ss.hash(ss.clone(e))
    assert ss.from_json(ss.to_json(e)) == e
    e.rebind({"args[1].op": "sin"})
    assert to_source(e) == "mul(x, sin(y))"


def test_normal_form_sorts_commutative_arguments_only():
    a = call("add", call("mul", "y", "x"), 1.0)
    b = call("add", 1.0, call("mul", "x", "y"))
    assert ss.hash(normal_form(a)) == ss.hash(normal_form(b))
    assert ss.hash(normal_form(call("sub", "x", "y"))) != ss.hash(normal_form(call("sub", "y", "x")))
    assert to_source(normal_form(b)) == to_source(normal_form(a))
