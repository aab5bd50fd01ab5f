"""Running programs on torch tensors: the torch twins of the registered ops.

The twins follow the NumPy implementations in ``ops`` (same protection: protected division,
logarithms of ``|x|``, clipped inverse trigonometric functions ...), so a program computes the
same thing under NumPy, Numba and torch, up to rounding. Vectors are 1-D tensors, scalars 0-D
tensors; reductions reduce the last axis and return a 0-D tensor for a 1-D vector.

torch is imported on first use, so importing this module does not need torch.

>>> import torch
>>> from symsearch.programs import Program, Statement
>>> p = Program(["x"], [Statement("y", "div", ["x", "x"])], ["y"])
>>> evaluate_torch(p, {"x": torch.tensor([0.0, 2.0])})[0].tolist()
[1.0, 1.0]
"""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, Mapping

from symsearch.programs.ops import ATANH_LIMIT, EPS

_TWINS: Dict[str, Callable] = {}


def _build() -> Dict[str, Callable]:
    import torch

    def safe_div(a, b):
        ok = b.abs() > EPS
        return torch.where(ok, a / torch.where(ok, b, 1.0), 1.0)

    def protected_log(fn):
        def log(a):
            magnitude = a.abs()
            ok = magnitude > EPS
            return torch.where(ok, fn(torch.where(ok, magnitude, torch.ones_like(magnitude))),
                               torch.zeros_like(magnitude))
        return log

    def log1p(a):
        inside = a > -1.0
        outside = -1.0 - a
        far = outside > EPS
        return torch.where(inside, torch.log1p(torch.where(inside, a, torch.zeros_like(a))),
                           torch.where(far, torch.log(torch.where(far, outside,
                                                                  torch.ones_like(a))),
                                       torch.zeros_like(a)))

    def arccosh(a):
        magnitude = a.abs()
        return torch.acosh(torch.where((magnitude >= 1.0) | magnitude.isnan(), magnitude,
                                       torch.ones_like(magnitude)))

    def power(a, b):
        a, b = torch.broadcast_tensors(a, b)
        integral = torch.remainder(b, 1.0) == 0
        return torch.where(integral, torch.pow(a, b), torch.pow(a.abs(), b))

    def reduction(fn):
        def reduce(*args):
            args = torch.broadcast_tensors(*args)
            return fn(*args)
        return reduce

    # Reductions keep the reduced axis (as the NumPy functions do), so a row's result
    # broadcasts over that row.
    def norm(a):
        return torch.sqrt(torch.sum(a * a, dim=-1, keepdim=True))

    def cosine_sim(a, b):
        return torch.sum(a * b, dim=-1, keepdim=True) / torch.clamp(
            torch.sqrt(torch.sum(a * a, dim=-1, keepdim=True)
                       * torch.sum(b * b, dim=-1, keepdim=True)), min=EPS)

    def rowwise(fn):
        """A "vector" op over the last axis; a scalar counts as a one-element row."""
        def op(a):
            return fn(a.reshape(1))[0] if a.ndim == 0 else fn(a)
        return op

    def minmax(a):
        lo = a.amin(-1, keepdim=True)
        span = a.amax(-1, keepdim=True) - lo
        return torch.where(span > EPS, (a - lo) / torch.where(span > EPS, span, 1.0), 0.0 * a)

    def zscore(a):
        mean = a.mean(-1, keepdim=True)
        std = a.std(-1, keepdim=True, unbiased=False)
        return torch.where(std > EPS, (a - mean) / torch.where(std > EPS, std, 1.0), 0.0 * a)

    def clip_by_global_norm(x, c):
        c = c.reshape(-1)[0] if c.dim() else c
        n = torch.sqrt(torch.sum(x * x, dim=-1, keepdim=True))
        return x * torch.minimum(torch.ones_like(n), c / torch.clamp(n, min=EPS))

    return {
        "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": safe_div,
        "max": torch.maximum, "min": torch.minimum, "neg": torch.neg, "abs": torch.abs,
        "sign": lambda a: torch.where(a.isnan(), a, torch.sign(a)), "sqrt": lambda a: torch.sqrt(a.abs()),
        "log": protected_log(torch.log), "exp": torch.exp, "square": lambda a: a * a,
        "cube": lambda a: a * a * a,
        "reciprocal": lambda a: safe_div(torch.ones_like(a), a),
        "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh,
        "relu": lambda a: torch.where(a > 0, a, torch.zeros_like(a)),
        "mean": reduction(lambda a: torch.mean(a, dim=-1, keepdim=True)),
        "norm": reduction(norm),
        "dot": reduction(lambda a, b: torch.sum(a * b, dim=-1, keepdim=True)),
        "tan": torch.tan, "arcsin": lambda a: torch.asin(a.clamp(-1.0, 1.0)),
        "arccos": lambda a: torch.acos(a.clamp(-1.0, 1.0)), "arctan": torch.atan,
        "sinh": torch.sinh, "cosh": torch.cosh, "arcsinh": torch.asinh, "arccosh": arccosh,
        "arctanh": lambda a: torch.atanh(a.clamp(-ATANH_LIMIT, ATANH_LIMIT)),
        "cbrt": lambda a: torch.sign(a) * a.abs().pow(1.0 / 3.0),
        "expm1": torch.expm1, "exp2": torch.exp2, "log1p": log1p,
        "log2": protected_log(torch.log2), "log10": protected_log(torch.log10),
        "power": power, "interp": lambda a, b, c: (1.0 - c) * a + c * b,
        "global_norm": reduction(norm), "cosine_sim": reduction(cosine_sim),
        "clip_by_global_norm": clip_by_global_norm,
        "sigmoid": lambda a: 1.0 / (1.0 + torch.exp(-a)),
        "minmax": rowwise(minmax), "zscore": rowwise(zscore),
    }


def torch_op(name: str) -> Callable:
    """The torch twin of op ``name``; KeyError naming the ops that have one otherwise."""
    if not _TWINS:
        _TWINS.update(_build())
    try:
        return _TWINS[name]
    except KeyError:
        raise KeyError(f"op {name!r} has no torch implementation; ops with one: "
                       f"{sorted(_TWINS)} (add it with register_torch_op)") from None


def register_torch_op(name: str, fn: Callable) -> None:
    """Adds (or replaces) the torch twin of a registered op."""
    if not _TWINS:
        _TWINS.update(_build())
    _TWINS[name] = fn


def torch_op_names() -> list:
    """Names of the ops that have a torch twin."""
    if not _TWINS:
        _TWINS.update(_build())
    return sorted(_TWINS)


def evaluate_torch(program, inputs: Mapping[str, Any]) -> tuple:
    """Runs ``program`` on torch tensors; ``inputs`` maps input names to tensors (or numbers,
    made 0-D tensors of the first tensor input's dtype and device). Returns the outputs."""
    import torch

    ref = next((x for x in inputs.values() if isinstance(x, torch.Tensor)), None)
    dtype = ref.dtype if ref is not None else torch.get_default_dtype()
    device = ref.device if ref is not None else None
    env = {}
    for name in program.inputs:
        if name not in inputs:
            raise KeyError(f"input {name!r} is missing; the program reads "
                           f"{list(program.inputs)}")
        x = inputs[name]
        env[name] = x if isinstance(x, torch.Tensor) else torch.tensor(float(x), dtype=dtype,
                                                                       device=device)
    constants: dict = {}
    for st in program.statements:
        args = []
        for a in st.args:
            if isinstance(a, str):
                args.append(env[a])
            else:
                value = float(a.value)
                key = (value, math.copysign(1.0, value))
                c = constants.get(key)
                if c is None:
                    c = constants[key] = torch.tensor(value, dtype=dtype, device=device)
                args.append(c)
        env[st.target] = torch_op(st.op)(*args)
    return tuple(env[n] for n in program.outputs)
