"""Recombination of bounded numeric decisions: SBX, blend (BLX-alpha) and average.

These compute new values for ``floatv``/``intv`` points (in log space on log scales; ints
are rounded back onto their grid, see ``numeric.py``) and raise an error naming the
decision for any other kind: combine them with a structural recombinator by decision type,
``ByDecisionType(float=SBX(), int=SBX(), default=Uniform())``.

- :class:`SBX`, simulated binary crossover (Deb and Agrawal 1995) in its bounded form, as
  pymoo and DEAP (``cxSimulatedBinaryBounded``) implement it: each variable is crossed with
  probability ``variable_probability``; the spread of the children around their parents
  follows a polynomial distribution whose index ``eta`` is larger for children closer to
  their parents; children are swapped with probability 1/2.
- :class:`Blend`, BLX-alpha (Eshelman and Schaffer 1993): each child is uniform in the
  parents' interval widened by ``alpha`` of its length on both sides, clipped.
- :class:`Average`, arithmetic crossover (PyGlove's ``Average``): ``w a + (1 - w) b`` and
  ``(1 - w) a + w b`` with ``w`` uniform in [0, 1] (or fixed by ``weight``).

>>> import random, symsearch as ss
>>> spec = ss.dna_spec(ss.Dict(x=ss.floatv(0.0, 1.0)))
>>> c1, c2 = Average(weight=0.5).recombine(spec, ss.DNA((0.2,)), ss.DNA((0.6,)), random.Random(0))
>>> round(c1[0], 6), round(c2[0], 6)
(0.4, 0.4)
"""
from __future__ import annotations

from typing import Optional

from symsearch.algorithms.operators.base import check_positive, check_probability
from symsearch.algorithms.operators.numeric import bounds, from_search, to_search
from symsearch.algorithms.operators.recombination import Recombinator

NUMERIC = ("float", "int")


class SBX(Recombinator):
    """Simulated binary crossover; see the module docstring (pymoo's defaults:
    ``eta=15``, ``variable_probability=0.5``; NSGA-II applies it with probability 0.9)."""

    handles = NUMERIC

    def __init__(self, eta: float = 15.0, variable_probability: float = 0.5,
                 probability: float = 1.0, children: int = 2):
        super().__init__(probability, children)
        self.eta = float(check_positive("SBX", "eta", eta, number=True))
        self.variable_probability = check_probability("SBX", "variable_probability",
                                                      variable_probability)

    def cross(self, points, a, b, out1, out2, rng) -> None:
        eta, var_p = self.eta, self.variable_probability
        power = 1.0 / (eta + 1.0)
        for d in points:
            if rng.random() >= var_p:
                continue
            i = d.index
            x1, x2 = to_search(d, a[i]), to_search(d, b[i])
            if abs(x1 - x2) < 1e-14:
                continue
            lo, hi = bounds(d)
            y1, y2 = (x1, x2) if x1 < x2 else (x2, x1)
            gap = y2 - y1
            u = rng.random()
            c1 = 0.5 * (y1 + y2 - _spread(1.0 + 2.0 * (y1 - lo) / gap, eta, power, u) * gap)
            c2 = 0.5 * (y1 + y2 + _spread(1.0 + 2.0 * (hi - y2) / gap, eta, power, u) * gap)
            c1, c2 = min(max(c1, lo), hi), min(max(c2, lo), hi)
            if rng.random() < 0.5:
                c1, c2 = c2, c1
            out1[i], out2[i] = from_search(d, c1), from_search(d, c2)

    def _args(self) -> str:
        parts = [f"eta={self.eta:g}"]
        if self.variable_probability != 0.5:
            parts.append(f"variable_probability={self.variable_probability}")
        return ", ".join(parts)


def _spread(beta: float, eta: float, power: float, u: float) -> float:
    """The bounded SBX spread factor for a distance-to-bound ratio ``beta``."""
    alpha = 2.0 - beta ** -(eta + 1.0)
    if u <= 1.0 / alpha:
        return (u * alpha) ** power
    return (1.0 / (2.0 - u * alpha)) ** power


class Blend(Recombinator):
    """BLX-alpha crossover; see the module docstring."""

    handles = NUMERIC

    def __init__(self, alpha: float = 0.5, probability: float = 1.0, children: int = 2):
        super().__init__(probability, children)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha < 0:
            raise ValueError(f"Blend: alpha must be a number >= 0, got {alpha!r}")
        self.alpha = float(alpha)

    def cross(self, points, a, b, out1, out2, rng) -> None:
        for d in points:
            i = d.index
            x1, x2 = to_search(d, a[i]), to_search(d, b[i])
            lo, hi = bounds(d)
            low, high = min(x1, x2), max(x1, x2)
            span = self.alpha * (high - low)
            low, high = max(low - span, lo), min(high + span, hi)
            out1[i] = from_search(d, rng.uniform(low, high))
            out2[i] = from_search(d, rng.uniform(low, high))

    def _args(self) -> str:
        return f"alpha={self.alpha:g}"


class Average(Recombinator):
    """Arithmetic crossover; see the module docstring."""

    handles = NUMERIC

    def __init__(self, weight: Optional[float] = None, probability: float = 1.0,
                 children: int = 2):
        super().__init__(probability, children)
        self.weight = None if weight is None else check_probability("Average", "weight", weight)

    def cross(self, points, a, b, out1, out2, rng) -> None:
        for d in points:
            i = d.index
            w = self.weight if self.weight is not None else rng.random()
            x1, x2 = to_search(d, a[i]), to_search(d, b[i])
            out1[i] = from_search(d, w * x1 + (1.0 - w) * x2)
            out2[i] = from_search(d, (1.0 - w) * x1 + w * x2)

    def _args(self) -> str:
        return "" if self.weight is None else f"weight={self.weight}"
