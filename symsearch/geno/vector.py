"""DNA <-> flat numeric vectors, for model-based algorithms.

Each decision gets one slot: a choice's candidate index, a float or int value (on a
log scale the slot holds ``log(value)`` so distances are meaningful), ``nan`` where the
decision is inactive. ``from_vector`` rounds, clips and repairs (distinct ``manyof``
slots) so any vector of the right length maps to a valid DNA: ``nan`` in a slot that
becomes active reads as the decision's default (candidate 0, ``lo``), infinities clip
to the bounds. A round trip ``from_vector(to_vector(dna))`` gives back choices, ints and
linear floats exactly, and log-scale floats up to floating-point rounding of exp(log(x)).

>>> import symsearch as ss
>>> spec = ss.dna_spec(ss.Dict(lr=ss.floatv(1e-4, 1.0, scale="log"), k=ss.intv(1, 9)))
>>> lr, k = from_vector(spec, to_vector(spec, ss.DNA((0.01, 4))))
>>> round(lr, 12), k
(0.01, 4)
"""
from __future__ import annotations

import math

import numpy as np

from symsearch.geno.dna import DNA
from symsearch.geno.spec import CHOICE, CUSTOM, FLOAT, INT, ChoiceGroup, DNASpec


def to_vector(spec: DNASpec, dna) -> np.ndarray:
    """One float per decision (see the module docstring)."""
    out = np.full(len(spec.decisions), np.nan)
    for d in spec.decisions:
        v = dna[d.index]
        if v is None:
            continue
        if d.kind == CUSTOM:
            raise ValueError(f"Decision {d.path!r} is a custom (evolve) decision and has "
                             f"no numeric encoding.")
        out[d.index] = math.log(v) if d.scale == "log" and d.kind in (FLOAT, INT) else v
    return out


def vector_bounds(spec: DNASpec) -> np.ndarray:
    """``(len(spec), 2)`` array of the slots' bounds (log-scaled where applicable)."""
    bounds = np.zeros((len(spec.decisions), 2))
    for d in spec.decisions:
        if d.kind == CHOICE:
            bounds[d.index] = (0, d.num_candidates - 1)
        elif d.kind in (FLOAT, INT):
            lo, hi = (math.log(d.lo), math.log(d.hi)) if d.scale == "log" else (d.lo, d.hi)
            bounds[d.index] = (lo, hi)
        else:
            bounds[d.index] = (np.nan, np.nan)
    return bounds


def from_vector(spec: DNASpec, vector) -> DNA:
    """The valid DNA nearest to ``vector`` (see the module docstring)."""
    if len(vector) != len(spec.decisions):
        raise ValueError(f"Vector has {len(vector)} values but the space has "
                         f"{len(spec.decisions)} decisions")
    values = [None] * len(spec.decisions)
    _decode(spec.units, vector, values)
    return DNA(values)


def _decode(units, vector, values: list) -> None:
    for u in units:
        if type(u) is ChoiceGroup:
            picks = [_index(vector[s.index], u.num_candidates) for s in u.slots]
            if u.distinct:
                picks = _repair_distinct(picks, u.num_candidates)
            if u.sorted:
                picks.sort()
            for slot, i in zip(u.slots, picks):
                values[slot.index] = i
                if slot.children and slot.children[i]:
                    _decode(slot.children[i], vector, values)
        elif u.kind == CHOICE:
            i = _index(vector[u.index], u.num_candidates)
            values[u.index] = i
            if u.children and u.children[i]:
                _decode(u.children[i], vector, values)
        elif u.kind in (FLOAT, INT):
            x = float(vector[u.index])
            if math.isnan(x):
                x = u.lo
            elif u.scale == "log":
                x = math.exp(min(x, 709.0))  # exp overflows past ~709.78; hi clips anyway
            x = min(max(x, u.lo), u.hi)
            if u.kind == INT:
                x = int(u.lo + round((x - u.lo) / u.step) * u.step)
                x = min(max(x, int(u.lo)), int(u.hi))
            else:
                x = float(x)
            values[u.index] = x
        else:
            raise ValueError(f"Decision {u.path!r} is a custom (evolve) decision and has no "
                             f"numeric encoding.")


def _index(x: float, n: int) -> int:
    x = float(x)
    if math.isnan(x):
        return 0
    return int(round(min(max(x, 0.0), n - 1.0)))


def _repair_distinct(picks: list, n: int) -> list:
    seen, out = set(), []
    unused = [i for i in range(n) if i not in picks]
    for p in picks:
        if p in seen:
            p = unused.pop(0)
        seen.add(p)
        out.append(p)
    return out
