"""Decision points of DNA as recombination sees them, and the kind of each point.

A *point* is one decision or one ``manyof``/``permutate`` group (its slots move together,
so distinct/sorted rules hold). Two parents *share* a point when it is active in both:
the units at the top of the spec always are, and a choice's branch is shared when both
parents chose the same candidate. A choice on which the parents differ is one atomic point
that carries its whole subtree: taking it from a parent takes that parent's branch, so a
child never holds decisions of a branch it did not choose (and never misses one it did).

Kinds, which operators declare they handle: ``"choice"``, ``"float"``, ``"int"``,
``"custom"`` (``evolve``), ``"permutation"`` (a ``permutate``: distinct, unsorted, all
candidates) and ``"group"`` (any other ``manyof``).
"""
from __future__ import annotations

from typing import Union

from symsearch.geno.spec import CHOICE, ChoiceGroup, Decision, DNASpec

Point = Union[Decision, ChoiceGroup]
KINDS = ("choice", "float", "int", "custom", "permutation", "group")


def point_kind(point: Point) -> str:
    if type(point) is ChoiceGroup:
        if point.distinct and not point.sorted and point.k == point.num_candidates:
            return "permutation"
        return "group"
    return point.kind


def point_path(point: Point) -> str:
    return point.path or "<root>"


def all_points(spec: DNASpec) -> list:
    """Every point of ``spec`` (active or not), depth-first; the decisions below a group's
    candidates are part of the group's point, not points of their own."""
    out: list = []
    _all_points(spec.units, out)
    return out


def _all_points(units, out: list) -> None:
    for u in units:
        out.append(u)
        if type(u) is ChoiceGroup:
            continue        # a group's sub-decisions move with its candidates, never alone
        for branch in u.children or ():
            if branch:
                _all_points(branch, out)


def shared_points(spec: DNASpec, a, b) -> list:
    """The points active in both parents, depth-first (see the module docstring)."""
    out: list = []
    _shared(spec.units, a, b, out)
    return out


def _shared(units, a, b, out: list) -> None:
    for u in units:
        if type(u) is ChoiceGroup:
            out.append(u)
        elif u.kind == CHOICE:
            va = a[u.index]
            if va == b[u.index]:
                branch = u.children[va] if u.children else None
                if branch:
                    _shared(branch, a, b, out)
                elif u.num_candidates > 1:
                    out.append(u)       # equal: crossing it is a no-op, but k-point counts it
            else:
                out.append(u)
        else:
            out.append(u)


def point_indices(point: Point) -> list:
    """The decision indices a point covers: itself (or a group's slots) and every decision
    below it, active or not."""
    out: list = []
    stack = [point]
    while stack:
        u = stack.pop()
        slots = u.slots if type(u) is ChoiceGroup else (u,)
        for d in slots:
            out.append(d.index)
            for branch in d.children or ():
                if branch:
                    stack.extend(reversed(branch))
    return out


def swap_point(point: Point, a, b, out1: list, out2: list) -> None:
    """Child 1 takes ``point`` (with its subtree) from ``b``, child 2 from ``a``."""
    for i in point_indices(point):
        out1[i] = b[i]
        out2[i] = a[i]


def unsupported(operator: object, point: Point, handles: tuple) -> "Exception":
    """The error for an operator applied to a decision kind it cannot handle."""
    from symsearch.algorithms.operators.base import OperatorError
    kind = point_kind(point)
    return OperatorError(
        f"{type(operator).__name__} cannot handle decision {point_path(point)!r} "
        f"({'an' if kind[0] in 'aeiou' else 'a'} {kind} "
        f"decision); it handles {', '.join(handles)} decisions. Combine operators by "
        f"decision type, e.g. ByDecisionType({_example(kind)}, default=Uniform())")


def _example(kind: str) -> str:
    return {"float": "float=SBX()", "int": "int=SBX()", "permutation": "permutation=Order()",
            "custom": "custom=ProgramCrossover()"}.get(kind, "float=SBX()")


def check_kinds(operator: object, spec: DNASpec, handles: tuple) -> None:
    for point in all_points(spec):
        if point_kind(point) not in handles:
            raise unsupported(operator, point, handles)
