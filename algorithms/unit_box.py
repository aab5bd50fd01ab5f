"""The unit box: float and int decisions as a point of ``[0, 1]^n`` and back.

Continuous optimizers (``cma_es``, ``one_plus_one_cma_es``, ``quadratic_surrogate``) search
the box of a space's numeric decisions normalised to width 1 per decision, on
``log(value)`` for a ``scale="log"`` decision, so one step size fits every decision and the
defaults can be stated in box widths. ``intv`` decisions are searched as floats and rounded
onto their grid when a point becomes DNA (``symsearch.geno.vector.from_vector``).

>>> import symsearch as ss
>>> box = UnitBox(ss.dna_spec(ss.List([ss.floatv(-5.0, 5.0), ss.intv(0, 10)])), "example")
>>> box.to_dna([0.5, 0.26])
DNA((0.0, 3))
>>> box.to_unit(box.to_dna([0.5, 0.26])).tolist()
[0.5, 0.3]
"""
from __future__ import annotations

import numpy as np

from symsearch.geno.dna import DNA
from symsearch.geno.spec import FLOAT, INT, DNASpec
from symsearch.geno.vector import from_vector, to_vector, vector_bounds


class UnitBox:
    """The map between a space's DNA and ``[0, 1]^n``; refuses non-numeric decisions.

    Args:
      spec: the space's DNASpec; every decision must be ``floatv`` or ``intv``.
      algorithm: how errors name the algorithm, e.g. ``"OnePlusOneCMAES (one_plus_one_cma_es)"``.
    """

    def __init__(self, spec: DNASpec, algorithm: str):
        for d in spec.decisions:
            if d.kind not in (FLOAT, INT):
                raise ValueError(f"{algorithm} handles only floatv/intv decisions; decision "
                                 f"{d.path!r} is a {d.kind} decision (use 'evolution', 'tpe' "
                                 f"or 'cmaes' for mixed spaces)")
        if not spec.decisions:
            raise ValueError(f"{algorithm}: the space has no decisions")
        self.spec = spec
        bounds = vector_bounds(spec)
        self.lo = bounds[:, 0]
        width = bounds[:, 1] - bounds[:, 0]
        self.width = np.where(width > 0, width, 1.0)   # a fixed decision (lo == hi) stays put
        self.dim = len(spec.decisions)

    def to_dna(self, unit) -> DNA:
        """The valid DNA nearest to a point of the box (clipped into it first)."""
        return from_vector(self.spec, self.lo + np.clip(unit, 0.0, 1.0) * self.width)

    def to_unit(self, dna) -> np.ndarray:
        """The point of the box that ``dna`` encodes."""
        return (to_vector(self.spec, dna) - self.lo) / self.width
