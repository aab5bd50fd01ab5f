"""The op registry: default ops, protected semantics, registering and validation."""
import numpy as np
import pytest

from symsearch.programs import ops
from symsearch.programs.ops import EPS, REGISTRY, get_op, op_names, register_op, unregister_op


def test_default_ops_have_unique_codes_and_numba_sources():
    all_ops = REGISTRY.ops()
    codes = [op.code for op in all_ops]
    assert len(codes) == len(set(codes))
    for name in ["add", "sub", "mul", "div", "max", "min", "neg", "abs", "sign", "sqrt", "log",
                 "exp", "square", "cube", "reciprocal", "sin", "cos", "tanh", "mean", "norm",
                 "dot"]:
        op = get_op(name)
        assert op.numba_source is not None
        assert REGISTRY.by_code(op.code) is op


def test_commutativity_flags():
    assert {n for n in op_names() if get_op(n).commutative} >= {"add", "mul", "max", "min", "dot"}
    assert not get_op("sub").commutative and not get_op("div").commutative


def test_op_names_filter_by_kind_and_arity():
    assert set(op_names(kind="reduction")) >= {"mean", "norm", "dot"}
    assert "add" in op_names(arity=2) and "neg" not in op_names(arity=2)


def test_protected_division_log_reciprocal_are_finite_at_zero():
    zero = np.array([0.0, -0.0, 1e-13])
    assert get_op("div").numpy_fn(np.ones(3), zero).tolist() == [1.0, 1.0, 1.0]
    assert get_op("log").numpy_fn(zero).tolist() == [0.0, 0.0, 0.0]
    assert get_op("reciprocal").numpy_fn(zero).tolist() == [1.0, 1.0, 1.0]
    assert get_op("div").numpy_fn(6.0, 3.0) == 2.0
    assert get_op("log").numpy_fn(-np.e) == pytest.approx(1.0)
    assert get_op("sqrt").numpy_fn(-4.0) == 2.0
    assert EPS == 1e-12


def test_max_min_propagate_nan_and_sign_keeps_nan():
    nan = np.nan
    assert np.isnan(get_op("max").numpy_fn(1.0, nan)) and np.isnan(get_op("min").numpy_fn(nan, 1.0))
    assert np.isnan(get_op("sign").numpy_fn(nan))


def test_reductions_reduce_the_last_axis_and_broadcast_back():
    x = np.array([[3.0, 4.0], [1.0, 1.0]])
    assert get_op("norm").numpy_fn(x).tolist() == [[5.0, 5.0], [2 ** 0.5, 2 ** 0.5]]
    assert get_op("mean").numpy_fn(x).tolist() == [[3.5, 3.5], [1.0, 1.0]]
    assert get_op("dot").numpy_fn(x, x).tolist() == [[25.0, 25.0], [2.0, 2.0]]
    assert get_op("norm").numpy_fn(-3.0) == 3.0          # a scalar is a one-element sample


def test_register_and_unregister_a_custom_op():
    version = REGISTRY.version
    op = register_op("twice_plus", 2, lambda a, b: 2 * a + b, numba_source="2.0 * a + b")
    try:
        assert get_op("twice_plus") is op and REGISTRY.version > version
        assert op(1.0, 3.0) == 5.0
        assert op.code not in [o.code for o in REGISTRY.ops() if o.name != "twice_plus"]
        with pytest.raises(ValueError, match="already registered"):
            register_op("twice_plus", 2, np.add)
        replaced = register_op("twice_plus", 2, np.add, replace=True)
        assert replaced.code == op.code
    finally:
        unregister_op("twice_plus")
    with pytest.raises(KeyError, match="unknown op 'twice_plus'"):
        get_op("twice_plus")


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="bad name", arity=1), "identifier"),
    (dict(name="zero", arity=0), "arity"),
    (dict(name="four", arity=4), "arity"),
    (dict(name="k", arity=1, kind="scan"), "kind"),
    (dict(name="c", arity=1, commutative=True), "commutative"),
    (dict(name="taken", arity=1, code=0), "code 0 is taken"),
])
def test_register_op_validates_its_arguments(kwargs, message):
    name = kwargs.pop("name")
    arity = kwargs.pop("arity")
    with pytest.raises(ValueError, match=message):
        register_op(name, arity, np.negative, **kwargs)
    assert name not in REGISTRY


def test_elementwise_defaults_exclude_reductions():
    assert "mean" not in ops.ELEMENTWISE_DEFAULTS and "add" in ops.ELEMENTWISE_DEFAULTS
