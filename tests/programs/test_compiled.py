"""Lowering, and the Numba interpreter against its NumPy twin and against evaluate()."""
import random
import warnings

import numpy as np
import pytest

from symsearch.programs import (Call, Const, ExprMutator, Program, ProgramMutator, Statement, Var,
                                compiled, evaluate, lower_expr, lower_program, run, run_numba,
                                run_numpy)
from symsearch.programs.ops import REGISTRY, op_names, register_op, unregister_op

pytestmark = pytest.mark.skipif(not compiled.numba_available(), reason="numba not installed")

ALL_ELEMENTWISE = op_names(kind="elementwise")
RNG = np.random.default_rng(0)
# probe-like inputs with the awkward values: zeros, both signs, large, tiny
SCALARS = np.concatenate([[0.0, -0.0, 1.0, -1.0, 1e-13, 700.0, -700.0, np.nan, np.inf],
                          RNG.standard_normal(23) * 3])


def test_lowering_an_expression():
    e = Call("add", [Call("mul", [Var("x"), Const(2.0)]), Call("mul", [Var("y"), Const(2.0)])])
    low = lower_expr(e)
    assert low.input_names == ("x", "y")
    assert low.constants.tolist() == [2.0]            # constants are shared
    assert low.instructions.dtype == np.int32 and low.instructions.shape == (3, 5)
    # registers: x=0, y=1, const=2, results 3, 4, 5
    assert low.instructions.tolist() == [[2, 3, 0, 2, 0], [2, 4, 1, 2, 0], [0, 5, 3, 4, 0]]
    assert low.outputs.tolist() == [5] and low.n_registers == 6


def test_lowering_a_program_skips_dead_statements():
    p = Program(["a", "b"], [Statement("t", "exp", ["a"]), Statement("o", "sub", ["b", "a"])],
                ["o", "a"])
    low = lower_program(p)
    assert len(low.instructions) == 1 and low.outputs.tolist() == [2, 0]
    with pytest.raises(KeyError, match="not among the inputs"):
        lower_expr(Var("z"), ["x"])


def _agree(low, inputs):
    a, b = run_numba(low, inputs), run_numpy(low, inputs)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True)
    return a


@pytest.mark.parametrize("name", ALL_ELEMENTWISE)
def test_every_elementwise_op_agrees_with_numpy(name):
    arity = REGISTRY.get(name).arity
    args = [Var("x"), Var("y"), Var("z")][:arity]
    low = lower_expr(Call(name, args), ["x", "y", "z"])
    grid = np.stack(np.meshgrid(SCALARS, SCALARS, SCALARS[:4], indexing="ij")).reshape(3, -1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")     # the interpreters must not warn on inf/nan
        _agree(low, np.ascontiguousarray(grid))


def test_reductions_agree_on_multi_element_probes():
    inputs = RNG.standard_normal((2, 8, 16))
    for e in [Call("norm", [Var("x")]), Call("mean", [Call("square", [Var("y")])]),
              Call("dot", [Var("x"), Var("y")]),
              Call("div", [Var("x"), Call("norm", [Var("x")])])]:
        out = _agree(lower_expr(e, ["x", "y"]), inputs)
        assert out.shape == (1, 8, 16)
        want = np.broadcast_to(evaluate(e, {"x": inputs[0], "y": inputs[1]}), (8, 16))
        np.testing.assert_allclose(out[0], want, rtol=1e-12)


def test_random_expressions_agree_with_numpy_and_evaluate():
    rng = random.Random(1)
    mutate = ExprMutator(variables=["x", "y"], max_depth=7, max_size=40)
    inputs = np.ascontiguousarray(np.stack([SCALARS, SCALARS[::-1]]).reshape(2, -1, 1))
    e = Var("x")
    for _ in range(300):
        e = mutate(e, rng)
        out = _agree(lower_expr(e, ["x", "y"]), inputs)
        with np.errstate(all="ignore"):
            want = np.broadcast_to(evaluate(e, {"x": inputs[0], "y": inputs[1]}), inputs.shape[1:])
        np.testing.assert_allclose(out[0], want, rtol=1e-12, atol=1e-300, equal_nan=True)


def test_random_programs_agree_with_numpy_and_evaluate():
    rng = random.Random(2)
    mutate = ProgramMutator(max_statements=15)
    p = Program(["a", "b"], [Statement("t0", "add", ["a", "b"])], ["t0", "a"])
    inputs = RNG.standard_normal((2, 6, 3))
    for _ in range(200):
        p = mutate(p, rng)
        out = _agree(lower_program(p), inputs)
        want = evaluate(p, {"a": inputs[0], "b": inputs[1]})
        for k, w in enumerate(want):
            np.testing.assert_allclose(out[k], np.broadcast_to(w, (6, 3)), rtol=1e-12,
                                       atol=1e-300, equal_nan=True)


def test_input_shape_is_checked():
    low = lower_expr(Var("x"), ["x"])
    with pytest.raises(ValueError, match="inputs must be"):
        run(low, np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match="backend"):
        run(low, np.zeros((1, 3, 1)), backend="cuda")
    # non-contiguous, read-only or int inputs are accepted (copied)
    ro = np.arange(6.0).reshape(1, 3, 2)[:, :, ::-1]
    assert run(low, ro)[0].tolist() == [[1.0, 0.0], [3.0, 2.0], [5.0, 4.0]]


def test_an_op_without_numba_source_runs_through_numpy():
    register_op("numpy_only", 1, lambda a: np.asarray(a) * 3.0)
    try:
        low = lower_expr(Call("numpy_only", [Var("x")]), ["x"])
        assert not low.numba_ok
        assert run_numba(low, np.ones((1, 2, 1)))[0, :, 0].tolist() == [3.0, 3.0]
    finally:
        unregister_op("numpy_only")


def test_generated_source_has_one_branch_per_op():
    source = compiled.generate_source()
    for op in REGISTRY.ops():
        assert f"code == {op.code}:  # {op.name}" in source
    assert "@njit(cache=True" in source


def test_falls_back_to_numpy_with_a_warning_without_numba(monkeypatch):
    monkeypatch.setattr(compiled, "numba_available", lambda: False)
    monkeypatch.setattr(compiled, "_compiled", {"version": None, "run": None})
    monkeypatch.setattr(compiled, "_fast", {"entry": None, "version": None})
    monkeypatch.setattr(compiled, "_numba_missing_warned", False)
    low = lower_expr(Call("neg", [Var("x")]), ["x"])
    with pytest.warns(RuntimeWarning, match="numba is not installed"):
        out = run(low, np.ones((1, 2, 1)))
    assert out[0, :, 0].tolist() == [-1.0, -1.0]


def _clip_by_norm(x, c):
    x, c = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(c, dtype=float))
    norm = np.sqrt(np.sum(x * x, axis=-1, keepdims=True))
    return x * np.minimum(1.0, c[..., :1] / np.maximum(norm, 1e-12))


def test_a_registered_vector_op_is_compiled_into_the_interpreter():
    # The extension path later op sets take (clip_by_global_norm, cosine_sim, ...). An explicit
    # code keeps the generated source, and so Numba's on-disk cache, the same between runs.
    register_op("clip_by_norm", 2, _clip_by_norm, kind="vector", code=1000,
                numba_source="a * min(1.0, b[0] / max(np.sqrt(np.sum(a * a)), EPS))")
    try:
        assert "code == 1000:  # clip_by_norm" in compiled.generate_source()
        e = Call("clip_by_norm", [Call("mul", [Var("x"), Const(3.0)]), Var("c")])
        low = lower_expr(e, ["x", "c"])
        assert low.numba_ok
        inputs = np.ascontiguousarray(np.stack([RNG.standard_normal((5, 4)),
                                                np.repeat(RNG.uniform(0.5, 8, (5, 1)), 4, 1)]))
        out = _agree(low, inputs)
        np.testing.assert_allclose(np.linalg.norm(out[0], axis=-1),
                                   np.minimum(np.linalg.norm(3 * inputs[0], axis=-1), inputs[1, :, 0]))
    finally:
        unregister_op("clip_by_norm")
