"""Numeric decisions in the space variation operators work in.

SBX, blend crossover and polynomial mutation are defined on a bounded real interval. A
``floatv`` is used as it is, or through ``log`` on a log scale (so a step is a ratio); an
``intv`` is treated as a real on ``[lo, hi]`` (log on a log scale) and brought back to the
nearest grid point, clipped to the bounds.
"""
from __future__ import annotations

import math

from symsearch.geno.spec import FLOAT, INT, Decision


def bounds(d: Decision) -> tuple:
    if d.scale == "log":
        return math.log(d.lo), math.log(d.hi)
    return float(d.lo), float(d.hi)


def to_search(d: Decision, value) -> float:
    return math.log(value) if d.scale == "log" else float(value)


def from_search(d: Decision, x: float):
    """The decision's value nearest ``x`` (a search-space real), within bounds."""
    lo, hi = bounds(d)
    x = min(max(x, lo), hi)
    v = math.exp(x) if d.scale == "log" else x
    if d.kind == INT:
        base, step = int(d.lo), d.step
        n = (int(d.hi) - base) // step
        j = min(max(int(round((v - base) / step)), 0), n)
        return base + j * step
    return float(min(max(v, d.lo), d.hi))


def is_numeric(d) -> bool:
    return getattr(d, "kind", None) in (FLOAT, INT)
