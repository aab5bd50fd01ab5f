"""The functional hash of optimizer update programs: a few unrolled steps on probe problems.

An optimizer program ``(w, g, m, v, lr) -> (update, m, v)`` is a *stateful* function, so
hashing one call's outputs would be both too strict and too loose: two programs that keep
different (but unused) momentum states train identically, while two programs whose first
update agrees can drift apart once their states feed back. What matters is the sequence of
updates the program makes, so the hash unrolls it:

- each probe case is a small quadratic ``f(w) = ½ Σ h·(w − c)²`` with its own curvature ``h``,
  centre ``c``, start ``w₀``, gradient noise and learning rate;
- for ``steps`` steps the gradient ``g = h·(w − c) + noise_t`` is computed from the current
  ``w`` (so an update feeds back into the next gradient), the program runs with the current
  ``m, v``, and ``w ← w − update``;
- half of the cases start from ``m = v = 0`` as training does; the other half start from
  random states (``m`` normal, ``v`` positive over several decades), standing in for the
  states a long training run reaches: a few steps from zero never grow ``v`` past 1, so
  ``arccosh(v)`` and ``0`` would otherwise look the same;
- the hashed output is the updates of every step.

Programs with equal hashes therefore make the same updates on every probe problem, whatever
they are written like (``m/sqrt(m*m)`` and ``sign(m)``; dead or reordered statements;
momentum states scaled differently but used the same way).

>>> from symsearch.programs import Program, Statement, Const
>>> def sgd(expr_ops):
...     return Program(["w", "g", "m", "v", "lr"], expr_ops, ["update", "m", "v"])
>>> a = sgd([Statement("update", "mul", ["g", "lr"])])
>>> b = sgd([Statement("t", "add", ["lr", "lr"]),
...          Statement("update", "mul", ["t", "g"]),
...          Statement("update", "mul", ["update", Const(0.5)])])
>>> h = optimizer_hasher()
>>> h.hash(a) == h.hash(b)
True
"""
from __future__ import annotations

from typing import Any

import numpy as np

from symsearch.cache import FunctionalHasher, ProbeInput, ProbeSet, register_adapter
from symsearch.cache.adapters import cached_lowering
from symsearch.programs.compiled import lower_program, run_numpy
from symsearch.programs.program import Program
from symsearch.spaces.optimizers import INPUTS, OUTPUTS



class UnrolledOptimizer:
    """A program to be hashed by its updates over ``steps`` unrolled steps (the hasher's
    ``select`` wraps each candidate in one)."""

    __slots__ = ("program", "steps")

    def __init__(self, program: Program, steps: int):
        self.program = program
        self.steps = steps


class Unroll:
    """``select`` for :class:`FunctionalHasher`: candidate program -> UnrolledOptimizer.
    (A class rather than a lambda so a hasher can be pickled with the cache.)"""

    def __init__(self, steps: int):
        self.steps = steps

    def __call__(self, program: Any) -> UnrolledOptimizer:
        if not isinstance(program, Program):
            raise TypeError(f"the optimizer hasher hashes optimizer Programs, got "
                            f"{type(program).__name__}")
        if tuple(program.inputs) != INPUTS or tuple(program.outputs) != OUTPUTS:
            raise ValueError(f"an optimizer program reads {list(INPUTS)} and returns "
                             f"{list(OUTPUTS)}; got inputs {list(program.inputs)} and "
                             f"outputs {list(program.outputs)}")
        return UnrolledOptimizer(program, self.steps)

    def __repr__(self) -> str:
        return f"Unroll(steps={self.steps})"


def _wide_positive(rng, size):
    """Positive values over about six decades (10^-3 .. 10^3)."""
    return np.exp(rng.uniform(-7.0, 7.0, size))


def optimizer_probes(count: int = 8, elements: int = 16, steps: int = 6,
                     seed: int = 0) -> ProbeSet:
    """The probe problems: ``count`` quadratics over ``elements`` parameters."""
    vector = (elements,)
    return ProbeSet({
        "w0": ProbeInput(shape=vector),
        "c": ProbeInput(shape=vector),
        "h": ProbeInput(shape=vector, distribution="positive"),
        "noise": ProbeInput(shape=(steps, elements), scale=0.1, edge_values=()),
        "m0": ProbeInput(shape=vector, edge_values=()),
        "v0": ProbeInput(shape=vector, distribution=_wide_positive, edge_values=()),
        # one learning rate per case, spread over two decades around 1e-2
        "lr": ProbeInput(distribution="positive", scale=0.01, edge_values=()),
    }, count=count, seed=seed)


def optimizer_hasher(steps: int = 6, count: int = 8, elements: int = 16, digits: int = 6,
                     seed: int = 0, backend: str = "auto") -> FunctionalHasher:
    """A FunctionalHasher for optimizer programs (see the module docstring); pass it as
    ``EvalCache(mode="functional", hasher=optimizer_hasher())``."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    return FunctionalHasher(optimizer_probes(count, elements, steps, seed), digits=digits,
                            backend=backend, select=Unroll(steps))


def _initial_inputs(low, probes: ProbeSet) -> tuple:
    """The registers' inputs ``[n_inputs, count, elements]`` at the first step, and the
    register indices of ``w, g, m, v``."""
    c = probes.array("c")
    count, elements = c.shape
    names = low.input_names
    inputs = np.zeros((len(names), count, elements))
    index = [names.index(n) for n in ("w", "g", "m", "v")]
    inputs[index[0]] = probes.array("w0")
    half = count // 2               # cases [half:] start from random states
    inputs[index[2], half:] = probes.array("m0")[half:]
    inputs[index[3], half:] = probes.array("v0")[half:]
    inputs[names.index("lr")] = probes.array("lr").reshape(count, 1)
    return inputs, index


_UNROLL_SOURCE = '''\
# Generated by symsearch.spaces.optimizer_hash; do not edit.
import numpy as np
from numba import njit

from {interpreter} import run


@njit(cache=True, error_model="numpy")
def unroll(program, constants, inputs, c, h, noise, iw, ig, im, iv, updates):
    count = c.shape[0]
    elements = c.shape[1]
    for t in range(updates.shape[1]):
        for i in range(count):
            for k in range(elements):
                inputs[ig, i, k] = h[i, k] * (inputs[iw, i, k] - c[i, k]) + noise[i, t, k]
        out = run(program, constants, inputs)
        for i in range(count):
            for k in range(elements):
                u = out[0, i, k]
                updates[i, t, k] = u
                inputs[iw, i, k] -= u
                inputs[im, i, k] = out[1, i, k]
                inputs[iv, i, k] = out[2, i, k]
'''


def _compiled_unroll():
    """The Numba unroll loop (calling the compiled interpreter), or None without Numba."""
    from symsearch.programs.compiled import interpreter_extension
    module = interpreter_extension("_symsearch_opthash",
                                   lambda name: _UNROLL_SOURCE.format(interpreter=name))
    return None if module is None else module.unroll


@register_adapter(UnrolledOptimizer)
def unrolled_outputs(candidate: UnrolledOptimizer, probes: ProbeSet, hasher) -> list:
    """The updates of ``candidate.steps`` steps on each probe quadratic: one output of shape
    ``(count, steps * elements)``. Numba runs the whole loop unless the hasher's backend is
    ``"numpy"`` (or an op of the program has no Numba version)."""
    program = candidate.program
    low = cached_lowering(program, lambda: lower_program(program))
    c, h, noise = probes.array("c"), probes.array("h"), probes.array("noise")
    inputs, (iw, ig, im, iv) = _initial_inputs(low, probes)
    count, elements = c.shape
    updates = np.empty((count, candidate.steps, elements))
    backend = getattr(hasher, "backend", "auto")
    unroll = _compiled_unroll() if backend != "numpy" and low.numba_ok else None
    if unroll is not None:
        unroll(low.packed, low.constants, inputs, c, h, noise, iw, ig, im, iv, updates)
        return [updates.reshape(count, -1)]
    w, g, m, v = inputs[iw], inputs[ig], inputs[im], inputs[iv]
    with np.errstate(all="ignore"):
        for t in range(candidate.steps):
            np.subtract(w, c, out=g)
            g *= h
            g += noise[:, t]
            out = run_numpy(low, inputs)
            updates[:, t] = out[0]
            w -= out[0]
            m[:] = out[1]
            v[:] = out[2]
    return [updates.reshape(count, -1)]


__all__ = ["INPUTS", "OUTPUTS", "UnrolledOptimizer", "Unroll", "optimizer_probes",
           "optimizer_hasher", "unrolled_outputs"]
