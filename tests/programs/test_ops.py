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


# ---- the optimizer-search op set ---------------------------------------------------------------

OPTIMIZER_OP_SPECS = {
    # name: (arity, kind)
    "tan": (1, "elementwise"), "arcsin": (1, "elementwise"), "arccos": (1, "elementwise"),
    "arctan": (1, "elementwise"), "sinh": (1, "elementwise"), "cosh": (1, "elementwise"),
    "arcsinh": (1, "elementwise"), "arccosh": (1, "elementwise"), "arctanh": (1, "elementwise"),
    "cbrt": (1, "elementwise"), "expm1": (1, "elementwise"), "exp2": (1, "elementwise"),
    "log1p": (1, "elementwise"), "log2": (1, "elementwise"), "log10": (1, "elementwise"),
    "power": (2, "elementwise"), "interp": (3, "elementwise"), "global_norm": (1, "reduction"),
    "cosine_sim": (2, "reduction"), "clip_by_global_norm": (2, "vector"),
}


def test_optimizer_ops_are_registered_with_numba_sources():
    for name, (arity, kind) in OPTIMIZER_OP_SPECS.items():
        op = get_op(name)
        assert (op.arity, op.kind) == (arity, kind), name
        assert op.numba_source is not None, name
    assert get_op("cosine_sim").commutative and not get_op("interp").commutative
    # the original ops keep their codes (generated interpreters and caches depend on them)
    assert [get_op(n).code for n in ("add", "relu", "dot")] == [0, 18, 21]
    assert "interp" not in ops.ELEMENTWISE_DEFAULTS and "tan" not in ops.ELEMENTWISE_DEFAULTS


def test_inverse_functions_clip_into_their_domain_and_stay_finite():
    x = np.array([-5.0, -1.0, 0.0, 0.5, 1.0, 5.0])
    assert get_op("arcsin").numpy_fn(x).tolist() == pytest.approx(
        [-np.pi / 2, -np.pi / 2, 0.0, np.arcsin(0.5), np.pi / 2, np.pi / 2])
    assert get_op("arccos").numpy_fn(x)[[0, -1]].tolist() == pytest.approx([np.pi, 0.0])
    assert np.isfinite(get_op("arctanh").numpy_fn(x)).all()
    assert get_op("arctanh").numpy_fn(0.5) == pytest.approx(np.arctanh(0.5))
    assert get_op("arccosh").numpy_fn(x).tolist() == pytest.approx(
        [np.arccosh(5.0), 0.0, 0.0, 0.0, 0.0, np.arccosh(5.0)])
    with np.errstate(all="raise"):
        for name in ("log1p", "log2", "log10"):
            assert np.isfinite(get_op(name).numpy_fn(np.array([-1.0, 0.0, -3.0, 1e-20]))).all()
    assert get_op("log1p").numpy_fn(np.array([0.5, -3.0])).tolist() == pytest.approx(
        [np.log1p(0.5), np.log(2.0)])
    assert get_op("log2").numpy_fn(-8.0) == pytest.approx(3.0)


def test_overflow_gives_inf_and_power_is_protected():
    with np.errstate(all="ignore"):
        for name in ("exp", "expm1", "exp2", "sinh", "cosh"):
            assert get_op(name).numpy_fn(1e4) == np.inf
        power = get_op("power").numpy_fn
        assert power(-2.0, 3.0) == -8.0 and power(-2.0, 2.0) == 4.0
        assert power(-4.0, 0.5) == 2.0                      # |a| ** b for non-integral b
        assert power(0.0, -1.0) == np.inf and power(10.0, 1e4) == np.inf
    assert get_op("cbrt").numpy_fn(-27.0) == pytest.approx(-3.0)


def test_interp_cosine_sim_and_clip_by_global_norm():
    assert get_op("interp").numpy_fn(1.0, 3.0, 0.25) == pytest.approx(1.5)
    a, b = np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 1.0]])
    cos = get_op("cosine_sim").numpy_fn(a, b)
    np.testing.assert_allclose(cos, [[2 ** -0.5] * 2, [0.0, 0.0]])   # zero vector -> 0
    clip = get_op("clip_by_global_norm").numpy_fn
    x = np.array([[3.0, 4.0], [0.3, 0.4]])
    np.testing.assert_allclose(clip(x, 1.0), [[0.6, 0.8], [0.3, 0.4]])
    assert get_op("global_norm").numpy_fn(x).tolist() == get_op("norm").numpy_fn(x).tolist()


def test_optimizer_ops_agree_between_numba_and_numpy_on_awkward_values():
    from symsearch.programs import Call, Var, compiled, lower_expr
    if not compiled.numba_available():
        pytest.skip("numba not installed")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 5, 8)) * 3
    x[0, 1, 2], x[1, 2, :], x[0, 3, :], x[1, 4, 3] = np.nan, 0.0, 0.0, np.inf
    for name in ("global_norm", "cosine_sim", "clip_by_global_norm", "power", "interp"):
        op = get_op(name)
        args = [Var("x"), Var("y"), Var("z")][:op.arity]
        if name == "clip_by_global_norm":
            args[1] = Call("mean", [Call("abs", [Var("y")])])
        low = lower_expr(Call(name, args), ["x", "y", "z"])
        got = compiled.run_numba(low, np.ascontiguousarray(x))
        want = compiled.run_numpy(low, x)
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
