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
  ``m, v`` (zeros at first), and ``w ← w − update``;
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
from symsearch.programs.compiled import lower_program, run_prepared
from symsearch.programs.program import Program

#: The program signature every optimizer program has.
INPUTS = ("w", "g", "m", "v", "lr")
OUTPUTS = ("update", "m", "v")


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


def optimizer_probes(count: int = 8, elements: int = 16, steps: int = 4,
                     seed: int = 0) -> ProbeSet:
    """The probe problems: ``count`` quadratics over ``elements`` parameters."""
    vector = (elements,)
    return ProbeSet({
        "w0": ProbeInput(shape=vector),
        "c": ProbeInput(shape=vector),
        "h": ProbeInput(shape=vector, distribution="positive"),
        "noise": ProbeInput(shape=(steps, elements), scale=0.1, edge_values=()),
        # one learning rate per case, spread over two decades around 1e-2
        "lr": ProbeInput(distribution="positive", scale=0.01, edge_values=()),
    }, count=count, seed=seed)


def optimizer_hasher(steps: int = 4, count: int = 8, elements: int = 16, digits: int = 6,
                     seed: int = 0, backend: str = "auto") -> FunctionalHasher:
    """A FunctionalHasher for optimizer programs (see the module docstring); pass it as
    ``EvalCache(mode="functional", hasher=optimizer_hasher())``."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    return FunctionalHasher(optimizer_probes(count, elements, steps, seed), digits=digits,
                            backend=backend, select=Unroll(steps))


_LOWERED: dict = {}


def _lowered(program: Program):
    digest = program.__dict__.get("_sym_hash_cache")
    low = _LOWERED.get(digest) if digest is not None else None
    if low is None:
        low = lower_program(program)
        if digest is not None:
            if len(_LOWERED) > 20_000:
                _LOWERED.clear()
            _LOWERED[digest] = low
    return low


@register_adapter(UnrolledOptimizer)
def unrolled_outputs(candidate: UnrolledOptimizer, probes: ProbeSet, hasher) -> list:
    """The updates of ``candidate.steps`` steps on each probe quadratic: one output of shape
    ``(count, steps * elements)``."""
    low = _lowered(candidate.program)
    c = probes.array("c")
    h = probes.array("h")
    noise = probes.array("noise")
    count, elements = c.shape
    names = low.input_names
    # The registers' inputs, updated in place between steps: [w, g, m, v, lr] in the
    # program's input order (all five, as Unroll checked).
    inputs = np.zeros((len(names), count, elements))
    w, g = inputs[names.index("w")], inputs[names.index("g")]
    m, v = inputs[names.index("m")], inputs[names.index("v")]
    w[:] = probes.array("w0")
    inputs[names.index("lr")] = probes.array("lr").reshape(count, 1)
    updates = np.empty((count, candidate.steps, elements))
    backend = getattr(hasher, "backend", "auto")
    with np.errstate(all="ignore"):
        for t in range(candidate.steps):
            np.subtract(w, c, out=g)
            g *= h
            g += noise[:, t]
            out = run_prepared(low, inputs, backend)
            updates[:, t] = out[0]
            w -= out[0]
            m[:] = out[1]
            v[:] = out[2]
    return [updates.reshape(count, -1)]


__all__ = ["INPUTS", "OUTPUTS", "UnrolledOptimizer", "Unroll", "optimizer_probes",
           "optimizer_hasher", "unrolled_outputs"]
