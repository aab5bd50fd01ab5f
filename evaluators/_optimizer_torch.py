"""The proxy tasks' training loops in PyTorch, for the large tier on a GPU.

Same tasks, same seeds, same arrays and the same math as ``_optimizer_kernels`` (float64, the
program interpreted op by op on tensors of all P parameters), so on the CPU it agrees with the
Numba loops to rounding; on a GPU the results are deterministic for one device kind but not
bit-identical to the CPU's. The ops are the shared torch twins of
``symsearch.programs.torch_eval``; only programs whose ops all have one run here
(:func:`supports`); the funnel sends the others to the Numba loops.

Non-finite parameters are checked every :data:`CHECK_EVERY` steps (each check synchronizes
with the GPU); parameters that stopped being finite stay so, so the result is the same as
checking every step.
"""
from __future__ import annotations

import functools
import math
from typing import Sequence

import numpy as np

from symsearch.evaluators import _optimizer_tasks as tasks
from symsearch.programs.lowering import lower_program
from symsearch.programs.ops import REGISTRY

CHECK_EVERY = 25


def _torch():
    import torch
    return torch


def _twin(name: str):
    """The torch twin of op ``name`` (``symsearch.programs.torch_eval``), with a reduction's
    result broadcast over all elements, as in the interpreters' registers."""
    from symsearch.programs.torch_eval import torch_op
    fn = torch_op(name)
    if REGISTRY.get(name).kind != "reduction":
        return fn
    return lambda *args: fn(*args).expand(_torch().broadcast_shapes(*(a.shape for a in args)))


def __getattr__(name: str):
    # TORCH_OPS: the registered ops' torch twins, built on first use (torch is imported lazily).
    if name == "TORCH_OPS":
        from symsearch.programs.torch_eval import torch_op_names
        return {op: _twin(op) for op in torch_op_names() if op in REGISTRY}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def supports(program) -> bool:
    """Whether every op the program runs has a PyTorch twin (``torch_eval``)."""
    from symsearch.programs.torch_eval import torch_op_names
    known = set(torch_op_names())
    lowered = lower_program(program)
    return all(REGISTRY.by_code(row[0]).name in known for row in lowered.instructions.tolist())


class TorchProgram:
    """A lowered program run on tensors ``[P]``."""

    def __init__(self, program, size: int, device) -> None:
        torch = _torch()
        lowered = lower_program(program)
        self.fns = []
        for row in lowered.instructions.tolist():
            op = REGISTRY.by_code(row[0])
            self.fns.append((_twin(op.name), row[1], row[2:2 + op.arity]))
        self.n_inputs = lowered.n_inputs
        self.constants = [torch.full((size,), float(c), dtype=torch.float64, device=device)
                          for c in lowered.constants]
        self.n_registers = lowered.n_registers
        self.outputs = lowered.outputs.tolist()

    def __call__(self, *inputs) -> list:
        regs = list(inputs) + self.constants
        regs += [None] * (self.n_registers - len(regs))
        for fn, dst, args in self.fns:
            regs[dst] = fn(*[regs[a] for a in args])
        return [regs[o] for o in self.outputs]


@functools.lru_cache(maxsize=64)
def _device_data(task, seed: int, device: str) -> dict:
    torch = _torch()
    inst = tasks.instance(task, seed)
    move = lambda a: torch.as_tensor(np.ascontiguousarray(a), device=device)   # noqa: E731
    out = {name: move(getattr(inst, name)) for name in inst.__dataclass_fields__
           if isinstance(getattr(inst, name), np.ndarray)}
    if isinstance(inst, tasks.MLPInstance):
        out["data"] = tuple(move(a) for a in inst.data)
    return out


def _mlp_forward(torch, w, layers, activation, x):
    hs = [x]
    for i, (start, n_in, n_out) in enumerate(layers):
        weights = w[start:start + n_in * n_out].view(n_in, n_out)
        bias = w[start + n_in * n_out:start + n_in * n_out + n_out]
        z = hs[-1] @ weights + bias
        if i < len(layers) - 1:
            z = torch.tanh(z) if activation == 0 else torch.clamp_min(z, 0.0)
        hs.append(z)
    return hs


def _output_loss(torch, out, target, loss_kind):
    batch = out.shape[0]
    if loss_kind == 0:
        shifted = out - out.max(dim=1, keepdim=True).values
        e = shifted.exp()
        total = e.sum(dim=1, keepdim=True)
        return -(target * (shifted - total.log())).sum() / batch, (e / total - target) / batch
    diff = out - target
    return (diff * diff).sum() / diff.numel(), diff * (2.0 / diff.numel())


def _mlp_backward(torch, w, layers, activation, hs, d_out, grad):
    delta = d_out
    for i in range(len(layers) - 1, -1, -1):
        start, n_in, n_out = layers[i]
        h_in = hs[i]
        grad[start:start + n_in * n_out] = (h_in.T @ delta).reshape(-1)
        grad[start + n_in * n_out:start + n_in * n_out + n_out] = delta.sum(dim=0)
        if i > 0:
            d_h = delta @ w[start:start + n_in * n_out].view(n_in, n_out).T
            delta = d_h * (1.0 - h_in * h_in) if activation == 0 else \
                torch.where(h_in > 0, d_h, torch.zeros_like(d_h))


def train_torch(task, seed: int, program, lr: float, device: str) -> tuple:
    """Trains one task for one seed on ``device``; returns (final loss, steps)."""
    torch = _torch()
    inst = tasks.instance(task, seed)
    data = _device_data(task, seed, device)
    w = data["w0"].clone()
    size = w.shape[0]
    run = TorchProgram(program, size, device)
    m = torch.zeros_like(w)
    v = torch.zeros_like(w)
    lr_vector = torch.full_like(w, float(lr))

    def apply(grad, step: int) -> bool:
        """One program step on ``w``; False when ``w`` stopped being finite (checked every
        ``CHECK_EVERY`` steps, to spare device synchronizations)."""
        nonlocal w, m, v
        update, m, v = run(w, grad, m, v, lr_vector)
        w = w - update
        return (step + 1) % CHECK_EVERY != 0 or bool(torch.isfinite(w).all())

    with torch.no_grad():
        if isinstance(inst, tasks.MLPInstance):
            layers = [(int(o), int(a), int(b)) for o, a, b in
                      zip(inst.weight_offsets, inst.sizes[:-1], inst.sizes[1:])]
            x_train, t_train, x_val, t_val = data["data"]
            batches = data["batches"]
            steps = batches.shape[0]
            for step in range(steps):
                grad = torch.empty_like(w)       # fresh: the program may keep g as m or v
                index = batches[step]
                hs = _mlp_forward(torch, w, layers, inst.activation, x_train[index])
                _, d_out = _output_loss(torch, hs[-1], t_train[index], inst.loss_kind)
                _mlp_backward(torch, w, layers, inst.activation, hs, d_out, grad)
                if not apply(grad, step):
                    return math.inf, step + 1
            if not bool(torch.isfinite(w).all()):
                return math.inf, steps
            hs = _mlp_forward(torch, w, layers, inst.activation, x_val)
            loss, _ = _output_loss(torch, hs[-1], t_val, inst.loss_kind)
            return float(loss), steps
        hessian, optimum, noise = data["hessian"], data["optimum"], data["noise"]
        steps = noise.shape[0]
        for step in range(steps):
            if inst.kind == 0:
                grad = hessian @ (w - optimum) + noise[step]
            else:
                a = w[:-1]
                r = w[1:] - a * a
                grad = noise[step].clone()
                grad[:-1] += -400.0 * a * r - 2.0 * (1.0 - a)
                grad[1:] += 200.0 * r
            if not apply(grad, step):
                return math.inf, step + 1
        if not bool(torch.isfinite(w).all()):
            return math.inf, steps
        if inst.kind == 0:
            diff = w - optimum
            return float(0.5 * diff @ (hessian @ diff)), steps
        a = w[:-1]
        return float((100.0 * (w[1:] - a * a) ** 2 + (1.0 - a) ** 2).sum()), steps


def evaluate_torch(program, task_list: Sequence, seeds: Sequence[int], lr_multiplier: float,
                   device: str, penalty: float) -> dict:
    """``optimizer_proxy.evaluate``'s result for ``task_list``, trained with PyTorch."""
    import time
    from symsearch.evaluators.optimizer_proxy import _summary, normalized_loss
    scores: dict = {}
    total = 0
    start = time.perf_counter()
    for task in task_list:
        for seed in seeds:
            loss, steps = train_torch(task, seed, program, task.lr * lr_multiplier, device)
            total += steps
            scores.setdefault(task.name, []).append(
                normalized_loss(loss, tasks.reference_loss(task, seed), penalty))
    return _summary({"scores": scores, "steps": total, "seconds": time.perf_counter() - start,
                     "backend": "torch"}, penalty)
