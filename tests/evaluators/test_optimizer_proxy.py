"""The optimizer proxy evaluators: backends agree, results are finite and deterministic, the
funnel promotes and the held-out tier reports per seed."""
import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest

from symsearch.evaluators import _optimizer_kernels as kernels
from symsearch.evaluators import _optimizer_tasks as tasks
from symsearch.evaluators import optimizer_proxy as proxy
from symsearch.programs import Const, Program, Statement
from symsearch.programs.lowering import lower_program
from symsearch.programs.ops import register_op, unregister_op

IN = ["w", "g", "m", "v", "lr"]
OUT = ["update", "m", "v"]


def _program(lines):
    return Program(IN, [Statement(t, op, [a if isinstance(a, str) else Const(float(a))
                                          for a in args]) for t, op, *args in lines], OUT)


def sgd():
    return _program([("update", "mul", "g", "lr")])


def momentum(beta=0.9):
    return _program([("mb", "mul", "m", beta), ("m", "add", "mb", "g"),
                     ("update", "mul", "m", "lr")])


def adamw(wd=0.01):
    """AdamW without bias correction or eps (div is protected)."""
    return _program([
        ("m1", "mul", "m", 0.9), ("g1", "mul", "g", 0.1), ("m", "add", "m1", "g1"),
        ("gg", "square", "g"), ("v1", "mul", "v", 0.999), ("gg1", "mul", "gg", 0.001),
        ("v", "add", "v1", "gg1"), ("s", "sqrt", "v"), ("r", "div", "m", "s"),
        ("d", "mul", "w", wd), ("u", "add", "r", "d"), ("update", "mul", "u", "lr")])


def lion(wd=0.01):
    return _program([
        ("c1", "mul", "m", 0.9), ("c2", "mul", "g", 0.1), ("c", "add", "c1", "c2"),
        ("s", "sign", "c"), ("d", "mul", "w", wd), ("u", "add", "s", "d"),
        ("update", "mul", "u", "lr"),
        ("m1", "mul", "m", 0.99), ("m2", "mul", "g", 0.01), ("m", "add", "m1", "m2")])


def normalized_sgd():
    """Uses reductions over all parameters: update = lr * g / norm(g) + 1e-3 * dot(g, w)."""
    return _program([("n", "norm", "g"), ("r", "div", "g", "n"), ("d", "dot", "g", "w"),
                     ("d2", "mul", "d", 1e-3), ("u", "add", "r", "d2"),
                     ("update", "mul", "u", "lr"), ("m", "mean", "g")])


def exploding():
    """update = -exp(|g|) * 1e3: diverges at once."""
    return _program([("a", "abs", "g"), ("e", "exp", "a"), ("u", "mul", "e", -1e3),
                     ("update", "mul", "u", "lr")])


@pytest.fixture
def torch_one_thread():
    """Small float64 ops: PyTorch's intra-op threads only contend (badly on a loaded box)."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


SHORT = [dataclasses.replace(t, steps=5) for t in
         (*tasks.PROXY_TASKS, *tasks.HELDOUT_TASKS[:3], tasks.LARGE_TASKS[2])]


@pytest.mark.parametrize("make", [sgd, momentum, adamw, lion, normalized_sgd])
def test_numba_and_numpy_loops_agree_on_a_few_steps(make):
    lowered = lower_program(make())
    compiled = kernels.get_kernels("numba")
    if compiled is None:
        pytest.skip("numba is not installed")
    with proxy.single_threaded_blas(), np.errstate(all="ignore"):
        for task in SHORT:
            fast, steps = tasks.train(task, 1, lowered, task.lr, compiled)
            slow, slow_steps = tasks.train(task, 1, lowered, task.lr, kernels)
            assert steps == slow_steps == 5
            assert fast == pytest.approx(slow, rel=1e-8), task.name


def test_the_gradients_are_right():
    """The MLP backward pass matches finite differences (cross-entropy and MSE)."""
    for task in (tasks.PROXY_TASKS[1], tasks.HELDOUT_TASKS[2]):
        inst = tasks.instance(task, 0)
        x, t = inst.data[0][:8], inst.data[1][:8]
        args = (inst.sizes, inst.weight_offsets, inst.activation)
        offsets = kernels.activation_offsets(inst.sizes, 8)
        buffer = np.empty(offsets[-1])
        out = kernels.mlp_forward(inst.w0, *args, x, buffer, offsets)
        _, d_out = kernels.output_loss(out, t, inst.loss_kind)
        grad = np.zeros_like(inst.w0)
        kernels.mlp_backward(inst.w0, *args, buffer, offsets, d_out, grad)
        rng = np.random.default_rng(0)
        for i in rng.choice(len(grad), 10, replace=False):
            w = inst.w0.copy()
            w[i] += 1e-6
            up = kernels.mlp_loss(w, *args, inst.loss_kind, x, t)
            w[i] -= 2e-6
            down = kernels.mlp_loss(w, *args, inst.loss_kind, x, t)
            assert grad[i] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-8)


def test_known_optimizers_make_progress_and_adamw_beats_sgd():
    results = {make.__name__: proxy.evaluate(make()) for make in (sgd, adamw, lion)}
    for name, result in results.items():
        assert set(result) >= {"fitness", "loss/logreg_digits", "loss/mlp_digits",
                               "loss/quadratic", "loss/rosenbrock", "steps_per_s"}
        assert all(math.isfinite(v) for v in result.values()), name
    assert results["adamw"]["fitness"] < 0.2
    assert results["lion"]["fitness"] < 0.5
    assert results["adamw"]["fitness"] < results["sgd"]["fitness"]


def test_a_diverging_program_gets_a_finite_penalty_and_stops_early():
    result = proxy.evaluate(exploding())
    assert result["fitness"] == proxy.PENALTY
    assert result["diverged"] == 4.0
    full = sum(t.steps for t in tasks.PROXY_TASKS)
    assert result["steps"] < full - 700               # the test functions stopped at once
    numpy_result = proxy.evaluate(exploding(), backend="numpy")
    assert numpy_result["fitness"] == proxy.PENALTY


def test_normalized_loss_caps_and_handles_nan():
    assert proxy.normalized_loss(1.0, 4.0) == 0.25
    assert proxy.normalized_loss(float("nan"), 4.0) == proxy.PENALTY
    assert proxy.normalized_loss(float("inf"), 4.0) == proxy.PENALTY
    assert proxy.normalized_loss(100.0, 4.0) == proxy.PENALTY


def test_results_are_deterministic_across_calls_and_processes():
    first = proxy.evaluate(lion(), seeds=(0, 1))
    second = proxy.evaluate(lion(), seeds=(0, 1))
    keys = [k for k in first if k.startswith(("fitness", "loss/"))]
    assert [first[k] for k in keys] == [second[k] for k in keys]
    code = ("import sys; sys.path.insert(0, 'tests/evaluators'); "
            "from test_optimizer_proxy import lion; "
            "from symsearch.evaluators.optimizer_proxy import evaluate; "
            "print(repr(evaluate(lion(), seeds=(0, 1))['fitness']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == repr(first["fitness"])


def test_lr_multiplier_scales_the_lr_input():
    base = proxy.evaluate(sgd())
    tuned = proxy.evaluate(sgd(), lr_multiplier=0.01)
    assert tuned["loss/quadratic"] < base["loss/quadratic"]       # no longer diverges
    with pytest.raises(ValueError, match="lr_multiplier"):
        proxy.evaluate(sgd(), lr_multiplier=0.0)


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="inputs must be"):
        proxy.evaluate(Program(["w", "g"], [Statement("update", "mul", ["g", "w"]),
                                            Statement("m", "neg", ["g"]),
                                            Statement("v", "neg", ["g"])], OUT))
    with pytest.raises(ValueError, match="backend"):
        proxy.evaluate(sgd(), backend="cuda")
    with pytest.raises(ValueError, match="tier"):
        proxy.evaluate(sgd(), tier="huge")
    with pytest.raises(ValueError, match="seeds"):
        proxy.evaluate(sgd(), seeds=())
    with pytest.raises(ValueError, match="penalty"):
        proxy.ProxySuite(penalty=0.5)
    with pytest.raises(ValueError, match="promote_margin"):
        proxy.FunnelEvaluator(warm_start=sgd(), promote_margin=float("nan"))


def test_ops_without_numba_source_run_with_numpy():
    register_op("halve_for_proxy_test", 1, lambda a: np.asarray(a) * 0.5)
    try:
        program = _program([("h", "halve_for_proxy_test", "g"), ("update", "mul", "h", "lr")])
        slow = proxy.evaluate(program)
        assert slow["numba"] == 0.0
        assert slow["fitness"] == proxy.evaluate(sgd(), backend="numpy",
                                                 lr_multiplier=0.5)["fitness"]
    finally:
        unregister_op("halve_for_proxy_test")


def test_heldout_reports_every_task_per_seed():
    result = proxy.evaluate_heldout(adamw(), seeds=range(2))
    names = [t.name for t in tasks.HELDOUT_TASKS]
    assert result["seeds"] == [0, 1]
    assert len(result["per_seed"]) == 2 and len(result["mean_per_seed"]) == 2
    for row in result["per_seed"]:
        assert set(row) == {f"loss/{n}" for n in names} | {"mean", "seed"}
        assert 0.0 < row["mean"] < 1.0
    assert result["mean"] == pytest.approx(np.mean(result["mean_per_seed"]))


def test_funnel_promotes_only_programs_that_beat_the_warm_start():
    funnel = proxy.FunnelEvaluator(warm_start=sgd(), large_device="cpu")
    same = funnel(sgd())
    assert same["promoted"] == 0.0 and same["discovery"] == 0.0
    assert same["large_fitness"] == funnel.warm_start_large_fitness
    better = funnel(adamw())
    assert better["promoted"] == 1.0
    assert better["fitness"] < better["warm_start_fitness"]
    assert math.isfinite(better["large_fitness"])
    assert better["discovery"] == float(better["large_fitness"] <
                                        better["warm_start_large_fitness"])


def test_funnel_score_is_large_fitness_when_promoted_else_scaled_warm_large():
    funnel = proxy.FunnelEvaluator(warm_start=adamw(), large_device="cpu")
    warm_large = funnel.warm_start_large_fitness
    same = funnel(adamw())
    assert same["promoted"] == 0.0 and same["score"] == pytest.approx(warm_large)
    worse = funnel(sgd())                 # diverges on the quadratic: a worse proxy fitness
    assert worse["promoted"] == 0.0
    assert worse["score"] == pytest.approx(
        warm_large * worse["fitness"] / worse["warm_start_fitness"])
    assert worse["score"] > same["score"]
    better = proxy.FunnelEvaluator(warm_start=sgd(), large_device="cpu")(adamw())
    assert better["promoted"] == 1.0 and better["score"] == better["large_fitness"]


def test_numba_is_at_least_several_times_faster_than_numpy():
    if kernels.get_kernels("numba") is None:
        pytest.skip("numba is not installed")
    fast = proxy.throughput(adamw(), "numba", seconds=0.3)
    slow = proxy.throughput(adamw(), "numpy", seconds=0.3)
    assert fast["evaluations_per_s"] > 3 * slow["evaluations_per_s"]


@pytest.mark.parametrize("make", [adamw, lion, normalized_sgd])
def test_torch_loops_agree_with_the_numba_loops_on_the_cpu(make, torch_one_thread):
    torch = torch_one_thread
    from symsearch.evaluators import _optimizer_torch
    program = make()
    assert _optimizer_torch.supports(program)
    lowered = lower_program(program)
    with proxy.single_threaded_blas(), np.errstate(all="ignore"):
        for task in SHORT:
            expected, steps = tasks.train(task, 1, lowered, task.lr, kernels)
            loss, torch_steps = _optimizer_torch.train_torch(task, 1, program, task.lr, "cpu")
            assert torch_steps == steps
            assert loss == pytest.approx(expected, rel=1e-8), task.name
    assert torch.get_default_dtype() == torch.float32          # we never change global state


def test_torch_path_skips_programs_with_ops_it_does_not_know():
    pytest.importorskip("torch")
    from symsearch.evaluators import _optimizer_torch
    register_op("halve_for_torch_test", 1, lambda a: np.asarray(a) * 0.5)
    try:
        program = _program([("h", "halve_for_torch_test", "g"), ("update", "mul", "h", "lr")])
        assert not _optimizer_torch.supports(program)
    finally:
        unregister_op("halve_for_torch_test")


def test_torch_ops_match_the_registry_numpy_functions(torch_one_thread):
    torch = torch_one_thread
    from symsearch.evaluators import _optimizer_torch
    from symsearch.programs.ops import REGISTRY
    rng = np.random.default_rng(0)
    special = np.array([0.0, -0.0, 1.0, -1.0, 1e-13, -2.0, 0.5, np.nan, np.inf, -np.inf, 40.0,
                        -1.0 - 1e-13, 3.0])
    columns = [np.concatenate([special, rng.normal(0, 3, 51)]) for _ in range(3)]
    columns[1] = np.roll(columns[1], 5)
    columns[2] = np.roll(columns[2], 11)
    for name, fn in _optimizer_torch.TORCH_OPS.items():
        if name not in REGISTRY:
            continue
        op = REGISTRY.get(name)
        args = columns[:op.arity]
        with np.errstate(all="ignore"):
            expected = np.broadcast_to(op.numpy_fn(*args), args[0].shape)
        got = fn(*[torch.as_tensor(a) for a in args]).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, equal_nan=True,
                                   err_msg=name)


def test_funnel_runs_the_large_tier_with_torch_on_cuda(monkeypatch, torch_one_thread):
    """The GPU route, with the device swapped for the CPU: same fitness as the Numba loops."""
    from symsearch.evaluators import _optimizer_torch
    short_large = tuple(dataclasses.replace(t, steps=20) for t in tasks.LARGE_TASKS)
    suite = proxy.ProxySuite(tiers={**tasks.TIERS, "large": short_large})
    devices = []
    original = _optimizer_torch.evaluate_torch

    def on_cpu(program, task_list, seeds, lr_multiplier, device, penalty):
        devices.append(device)
        return original(program, task_list, seeds, lr_multiplier, "cpu", penalty)

    monkeypatch.setattr(_optimizer_torch, "evaluate_torch", on_cpu)
    funnel = proxy.FunnelEvaluator(warm_start=sgd(), large_device="cpu", suite=suite)
    funnel.large_device = "cuda"
    result = funnel(adamw())
    assert devices == ["cuda", "cuda"] and result["promoted"] == 1.0
    expected = proxy.evaluate(adamw(), tier="large", suite=suite)["fitness"]
    assert result["large_fitness"] == pytest.approx(expected, rel=1e-8)
