"""Exporting optimizer programs: readable source and a ready ``torch.optim.Optimizer``.

>>> from symsearch.spaces.optimizers import lion
>>> print(to_source(lion()))
def train(w, g, m, v, lr):
    t0 = interp(g, m, 0.9)
    t0 = sign(t0)
    t1 = w * 0.0
    t0 = t0 + t1
    t0 = t0 * lr
    update = t0 * 1.0
    m = interp(g, m, 0.99)
    return update, m, v
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from symsearch.programs.program import Program, evaluate

_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
_NAMED = {math.pi: "pi", math.e: "e"}


def _arg_source(arg: Any) -> str:
    if isinstance(arg, str):
        return arg
    value = float(arg.value)
    return _NAMED.get(value, repr(value))


def to_source(program: Program, name: str = "train") -> str:
    """The program as readable Python: ``+ - * /`` infix (``/`` is protected division), other
    ops as calls with NumPy-style names (``interp(x, y, a) = (1 - a) x + a y``), π and e by
    name, then ``return update, m, v``."""
    lines = [f"def {name}({', '.join(program.inputs)}):"]
    for st in program.statements:
        args = [_arg_source(a) for a in st.args]
        if st.op in _INFIX or st.op == "neg":
            # parenthesize negative constants: "w - (-0.5)", "-(-1.0)"
            args = [f"({a})" if a.startswith("-") else a for a in args]
        if st.op in _INFIX:
            expr = f"{args[0]} {_INFIX[st.op]} {args[1]}"
        elif st.op == "neg":
            expr = f"-{args[0]}"
        else:
            expr = f"{st.op}({', '.join(args)})"
        lines.append(f"    {st.target} = {expr}")
    lines.append(f"    return {', '.join(program.outputs)}")
    return "\n".join(lines)


def step_program(program: Program, w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray,
                 lr: float) -> tuple:
    """One optimizer step with NumPy (float64): returns ``(w - update, m, v)`` with the
    state broadcast to ``w``'s shape. A plain reference for tests and debugging."""
    update, m_new, v_new = evaluate(program, {"w": w, "g": g, "m": m, "v": v, "lr": lr})
    shape = np.shape(w)
    return (w - np.broadcast_to(update, shape), np.array(np.broadcast_to(m_new, shape)),
            np.array(np.broadcast_to(v_new, shape)))


def to_torch_optimizer(program: Program, lr: float = 1e-3, name: str = "SearchedOptimizer",
                       check: bool = True) -> type:
    """A ``torch.optim.Optimizer`` subclass that runs ``program`` as its update rule.

    Construct it like any optimizer: ``Opt(model.parameters(), lr=...)`` (``lr`` defaults to
    the value given here; param groups may set their own). Each step, per param group (and per
    device and dtype within it), the parameters that have a gradient are flattened and
    concatenated into one vector, the program runs once on it (so reductions such as ``norm``
    cover all of them), and the update is split back: ``p -= update``. The state ``m`` and
    ``v`` is kept per parameter (``state[p]["m"]``, ``state[p]["v"]``, zeros at first, same
    shape, dtype and device as ``p``), so ``state_dict()``/``load_state_dict()`` work as
    usual. Runs on whichever device the parameters live on.

    >>> import torch
    >>> from symsearch.spaces.optimizers import sgd
    >>> Opt = to_torch_optimizer(sgd(), lr=0.1)
    >>> p = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    >>> opt = Opt([p]); p.grad = torch.tensor([1.0, 1.0]); _ = opt.step()
    >>> [round(x, 4) for x in p.detach().tolist()]
    [0.9, -2.1]
    """
    import torch

    from symsearch.programs.program import remove_dead_statements
    from symsearch.programs.torch_eval import evaluate_torch, torch_op

    if check:
        from symsearch.spaces.optimizers import validate
        validate(program)
    program = remove_dead_statements(program)
    for st in program.statements:
        torch_op(st.op)             # fails now, not at the first step, for an op without twin
    if not lr >= 0.0:
        raise ValueError(f"lr must be >= 0, got {lr!r}")
    default_lr = float(lr)
    source = to_source(program)

    class ProgramOptimizer(torch.optim.Optimizer):
        def __init__(self, params, lr: float = default_lr) -> None:
            if not lr >= 0.0:
                raise ValueError(f"{name}: lr must be >= 0, got {lr!r}")
            super().__init__(params, {"lr": lr})

        @torch.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                buckets: dict = {}
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.is_sparse:
                        raise RuntimeError(f"{name} does not support sparse gradients")
                    buckets.setdefault((p.device, p.dtype), []).append(p)
                for (device, dtype), params in buckets.items():
                    self._step_bucket(params, float(group["lr"]), device, dtype)
            return loss

        def _step_bucket(self, params, lr, device, dtype) -> None:
            states = []
            for p in params:
                state = self.state[p]
                if not state:
                    state["m"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["v"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                states.append(state)
            flat = lambda xs: torch.cat([x.reshape(-1) for x in xs])  # noqa: E731
            inputs = {"w": flat(params), "g": flat([p.grad for p in params]),
                      "m": flat([s["m"] for s in states]), "v": flat([s["v"] for s in states]),
                      "lr": torch.tensor(lr, dtype=dtype, device=device)}
            n = inputs["w"].numel()
            update, m, v = (x.expand(n) if x.dim() == 0 else x
                            for x in evaluate_torch(program, inputs))
            offset = 0
            for p, state in zip(params, states):
                k = p.numel()
                p.sub_(update[offset:offset + k].view_as(p))
                state["m"].copy_(m[offset:offset + k].view_as(p))
                state["v"].copy_(v[offset:offset + k].view_as(p))
                offset += k

    ProgramOptimizer.__name__ = ProgramOptimizer.__qualname__ = name
    ProgramOptimizer.__doc__ = (f"{name}: an optimizer whose update rule is the program\n\n"
                                + source)
    ProgramOptimizer.program = program
    return ProgramOptimizer
