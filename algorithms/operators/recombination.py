"""Recombination over decision points: uniform, k-point and segmented crossover, and
recombination by decision type.

Every recombinator makes two children from two parents by deciding, for each point the
parents share (see ``points.py``), which parent each child takes it from; value
recombinators (SBX, blend, average in ``numeric_recombination.py``, permutation crossovers
in ``permutation.py``, program crossover in ``program_crossover.py``) instead compute new
values for the points they handle. Either way a child is valid DNA: a choice on which the
parents differ moves with its whole branch, so a child never carries decisions of an
inactive branch.

As a pipeline step a recombinator pairs its inputs (``[p0, p1, p2, p3]`` -> pairs
``(p0, p1)``, ``(p2, p3)``; an odd last parent is paired with a random other one),
recombines each pair with ``probability`` (else the children are copies of the parents)
and returns ``children`` (1 or 2) children per pair.

>>> import random, symsearch as ss
>>> from symsearch.algorithms.operators import KPoint
>>> spec = ss.dna_spec(ss.Dict(a=ss.intv(0, 9), b=ss.intv(0, 9), c=ss.intv(0, 9)))
>>> KPoint(k=1).recombine(spec, ss.DNA((0, 0, 0)), ss.DNA((9, 9, 9)), random.Random(1))
(DNA((0, 9, 9)), DNA((9, 0, 0)))
"""
from __future__ import annotations

import random
import re
from typing import Any, Callable, Optional, Union

from symsearch.algorithms.operators.base import (Context, Operator, OperatorError,
                                                 check_positive, check_probability, dna_of)
from symsearch.algorithms.operators.points import (KINDS, Point, all_points, check_kinds,
                                                   point_kind, point_path, shared_points,
                                                   swap_point, unsupported)
from symsearch.geno.dna import DNA
from symsearch.geno.sampling import make_rng
from symsearch.geno.spec import DNASpec


class Recombinator(Operator):
    """Base class: ``cross(points, a, b, out1, out2, rng)`` fills the two children.

    Subclasses set ``handles`` (the point kinds they accept; see ``points.KINDS``).
    """

    handles: tuple = KINDS

    def __init__(self, probability: float = 1.0, children: int = 2):
        self.probability = check_probability(type(self).__name__, "probability", probability)
        if children not in (1, 2):
            raise ValueError(f"{type(self).__name__}: children must be 1 or 2, got "
                             f"{children!r}")
        self.children = children
        self._checked: Optional[int] = None

    # ---- the pipeline step ---------------------------------------------------------------
    def __call__(self, inputs: list, ctx: Context) -> list:
        parents = [dna_of(x) for x in inputs]
        if len(parents) < 2:
            return parents
        rng, spec, out = ctx.rng, ctx.spec, []
        for i in range(0, len(parents), 2):
            a = parents[i]
            b = parents[i + 1] if i + 1 < len(parents) else parents[rng.randrange(i)]
            if self.probability >= 1.0 or rng.random() < self.probability:
                c1, c2 = self.recombine(spec, a, b, rng)
            else:
                c1, c2 = a, b
            out.append(c1)
            if self.children == 2 and i + 1 < len(parents):
                out.append(c2)
        return out

    def recombine(self, spec: DNASpec, a, b, rng: Any = None) -> tuple:
        """Two children of ``a`` and ``b`` (complementary where the operator swaps)."""
        if self._checked != id(spec):
            self.check(spec)
            self._checked = id(spec)
        rng = make_rng(rng)
        out1, out2 = list(a), list(b)
        self.cross(shared_points(spec, a, b), a, b, out1, out2, rng)
        return DNA(out1), DNA(out2)

    def check(self, spec: DNASpec) -> None:
        check_kinds(self, spec, self.handles)

    def cross(self, points: list, a, b, out1: list, out2: list, rng: random.Random) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement this abstract method")

    def _args(self) -> str:
        return ""

    def __repr__(self) -> str:
        args = [a for a in (self._args(),
                            "" if self.probability == 1.0 else f"probability={self.probability}",
                            "" if self.children == 2 else "children=1") if a]
        return f"{type(self).__name__}({', '.join(args)})"


class Uniform(Recombinator):
    """Each shared point comes from either parent with probability 1/2 (``swap``)."""

    def __init__(self, swap: float = 0.5, probability: float = 1.0, children: int = 2):
        super().__init__(probability, children)
        self.swap = check_probability("Uniform", "swap", swap)

    def cross(self, points, a, b, out1, out2, rng) -> None:
        swap = self.swap
        for p in points:
            if rng.random() < swap:
                swap_point(p, a, b, out1, out2)

    def _args(self) -> str:
        return "" if self.swap == 0.5 else f"swap={self.swap}"


class KPoint(Recombinator):
    """``k``-point crossover over the shared points in depth-first order: the points are
    cut at ``k`` random places and the children take alternate segments from each
    parent (fewer cuts when there are fewer than ``k + 1`` points)."""

    def __init__(self, k: int = 2, probability: float = 1.0, children: int = 2):
        super().__init__(probability, children)
        self.k = check_positive("KPoint", "k", k)

    def cross(self, points, a, b, out1, out2, rng) -> None:
        n = len(points)
        if n < 2:
            return
        cuts = sorted(rng.sample(range(1, n), min(self.k, n - 1)))
        swapping, start = False, 0
        for cut in cuts + [n]:
            if swapping:
                for p in points[start:cut]:
                    swap_point(p, a, b, out1, out2)
            swapping, start = not swapping, cut

    def _args(self) -> str:
        return f"k={self.k}"


def path_prefix(depth: int) -> Callable[[Point], str]:
    """A segment key: the first ``depth`` parts of a point's key path
    (``"blocks[0].ops"`` -> ``"blocks"`` at depth 1, ``"blocks[0]"`` at depth 2)."""
    def key(point: Point) -> str:
        parts = [p for p in re.split(r"\.|(?=\[)", point.path or "") if p]
        return "".join(("" if i == 0 or part.startswith("[") else ".") + part
                       for i, part in enumerate(parts[:depth]))
    return key


class Segmented(Recombinator):
    """Segment crossover: shared points are grouped into segments and each segment comes
    whole from one parent (chosen with probability 1/2 each).

    ``segment`` is an int (points whose key paths agree on their first ``segment`` parts
    form one segment: depth 1 groups a top-level block's decisions together) or a function
    ``point -> key`` (consecutive points with equal keys form one segment).
    """

    def __init__(self, segment: Union[int, Callable[[Point], Any]] = 1,
                 probability: float = 1.0, children: int = 2):
        super().__init__(probability, children)
        if isinstance(segment, bool) or not (callable(segment) or
                                             (isinstance(segment, int) and segment >= 1)):
            raise ValueError(f"Segmented: segment must be a positive int (a key-path depth) "
                             f"or a function point -> key, got {segment!r}")
        self.segment = segment
        self._key = path_prefix(segment) if isinstance(segment, int) else segment

    def cross(self, points, a, b, out1, out2, rng) -> None:
        previous, swapping = object(), False
        for p in points:
            key = self._key(p)
            if key != previous:
                previous, swapping = key, rng.random() < 0.5
            if swapping:
                swap_point(p, a, b, out1, out2)

    def _args(self) -> str:
        return f"segment={self.segment!r}"


class ByDecisionType(Recombinator):
    """Recombination with one operator per point kind: ``ByDecisionType(float=SBX(),
    int=SBX(), permutation=Order(), default=Uniform())``. Kinds without an operator use
    ``default`` (None: such a kind is an error). Each operator sees the shared points of
    its kinds, in depth-first order.
    """

    def __init__(self, default: Optional[Recombinator] = None, probability: float = 1.0,
                 children: int = 2, **by_kind: Recombinator):
        super().__init__(probability, children)
        unknown = sorted(set(by_kind) - set(KINDS))
        if unknown:
            raise ValueError(f"ByDecisionType: unknown decision kind(s) {unknown}; kinds are "
                             f"{list(KINDS)}")
        for name, op in list(by_kind.items()) + [("default", default)]:
            if op is not None and not isinstance(op, Recombinator):
                raise TypeError(f"ByDecisionType: {name} must be a Recombinator, got {op!r}")
        self.by_kind = by_kind
        self.default = default

    def operator_for(self, point: Point) -> Recombinator:
        kind = point_kind(point)
        op = self.by_kind.get(kind, self.default)
        if op is None:
            raise OperatorError(f"ByDecisionType has no operator for decision "
                                f"{point_path(point)!r} (a {kind} decision); give "
                                f"{kind}=... or default=...")
        return op

    def check(self, spec: DNASpec) -> None:
        for point in all_points(spec):
            op = self.operator_for(point)
            if point_kind(point) not in op.handles:
                raise unsupported(op, point, op.handles)

    def cross(self, points, a, b, out1, out2, rng) -> None:
        buckets: dict = {}
        for p in points:
            op = self.operator_for(p)
            buckets.setdefault(id(op), (op, []))[1].append(p)
        for op, bucket in buckets.values():
            op.cross(bucket, a, b, out1, out2, rng)

    def _args(self) -> str:
        parts = [f"{k}={v!r}" for k, v in self.by_kind.items()]
        if self.default is not None:
            parts.append(f"default={self.default!r}")
        return ", ".join(parts)
