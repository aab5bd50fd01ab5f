"""``DNASpec``: the algorithm-facing description of a search space's decisions.

A spec is a flat list of :class:`Decision` points in depth-first order (``decisions``)
plus the tree that says which decisions are active: ``units`` are the decisions active
in every candidate; choosing candidate ``i`` of a choice activates ``children[i]``. A
``manyof(k, ...)`` is ``k`` choice *slots* grouped in a :class:`ChoiceGroup` unit.

Algorithms see only this and DNA (a tuple with one value per decision, ``None`` for
inactive ones), never the user's objects.
"""
from __future__ import annotations

import math
import numbers
import operator
from dataclasses import dataclass, field
from typing import Any, Optional

CHOICE, FLOAT, INT, CUSTOM = "choice", "float", "int", "custom"


@dataclass(eq=False)
class Decision:
    """One decision point. ``condition`` is ``(parent_index, candidate_index)`` or None."""

    index: int
    path: str
    kind: str
    name: Optional[str] = None
    condition: Optional[tuple] = None
    # choice
    num_candidates: int = 0
    literals: tuple = ()
    children: list = field(default_factory=list)
    group: Optional["ChoiceGroup"] = None
    # numeric
    lo: float = 0.0
    hi: float = 0.0
    scale: str = "linear"
    step: int = 1
    # the hyper-value this decision comes from (evolve mutators live there)
    hyper: Any = None

    @property
    def is_categorical(self) -> bool:
        return self.kind == CHOICE

    @property
    def num_values(self) -> float:
        """How many values this decision can take on its own (inf for floats)."""
        if self.kind == CHOICE:
            return self.num_candidates
        if self.kind == INT:
            return (int(self.hi) - int(self.lo)) // self.step + 1
        return math.inf

    def __repr__(self) -> str:
        if self.kind == CHOICE:
            what = f"choice({self.num_candidates})"
        elif self.kind in (FLOAT, INT):
            what = f"{self.kind}[{self.lo}, {self.hi}]" + (" log" if self.scale == "log" else "")
        else:
            what = "custom"
        cond = f" if #{self.condition[0]}={self.condition[1]}" if self.condition else ""
        return f"Decision(#{self.index} {self.path!r} {what}{cond})"


@dataclass(eq=False)
class ChoiceGroup:
    """The ``k`` slots of one ``manyof``: chosen together under distinct/sorted rules."""

    slots: list
    num_candidates: int
    distinct: bool
    sorted: bool
    path: str
    name: Optional[str] = None
    kind: str = "group"

    @property
    def k(self) -> int:
        return len(self.slots)


class DNASpec:
    """The decisions of a search space; see the module docstring.

    >>> import symsearch as ss
    >>> spec = ss.dna_spec(ss.Dict(x=ss.floatv(0, 1), act=ss.oneof(["relu", "tanh"])))
    >>> [d.path for d in spec.decisions]
    ['x', 'act']
    """

    def __init__(self, decisions: list, units: list, fingerprint: str = ""):
        self.decisions = decisions
        self.units = units
        self.fingerprint = fingerprint
        self.by_path = {d.path: d for d in decisions}
        self.by_name = {d.name: d for d in decisions if d.name}
        self.groups = {}
        for d in decisions:
            if d.group is not None:
                self.groups.setdefault(id(d.group), d.group)

    def __len__(self) -> int:
        return len(self.decisions)

    def __iter__(self):
        return iter(self.decisions)

    def __getitem__(self, key) -> Decision:
        if isinstance(key, int):
            return self.decisions[key]
        if key in self.by_path:
            return self.by_path[key]
        if key in self.by_name:
            return self.by_name[key]
        raise KeyError(f"No decision at path or with name {key!r}; paths are "
                       f"{list(self.by_path)}")

    @property
    def is_finite(self) -> bool:
        return all(d.kind in (CHOICE, INT) for d in self.decisions)

    @property
    def space_size(self) -> float:
        """The number of distinct candidates (inf when any decision is continuous)."""
        return _units_size(self.units)

    def active_indices(self, dna) -> list:
        """Indices of the decisions that are active under ``dna``."""
        out: list = []
        _collect_active(self.units, dna, out)
        return out

    def validate(self, dna) -> None:
        """Raises ValueError naming the decision when ``dna`` does not fit this spec.

        Checks lengths, that inactive decisions are ``None``, candidate indices, numeric
        bounds and ``intv`` grids, and the distinct/sorted rules of ``manyof`` groups.
        Not meant for the hot path: algorithms produce valid DNA by construction.
        """
        if len(dna) != len(self.decisions):
            raise ValueError(f"DNA has {len(dna)} values but the space has "
                             f"{len(self.decisions)} decisions")
        active = set(self.active_indices(dna))
        for d in self.decisions:
            v = dna[d.index]
            if d.index not in active:
                if v is not None:
                    raise ValueError(f"Decision {d.path!r} is inactive but DNA holds {v!r}")
                continue
            if d.kind == CHOICE:
                if not _is_int(v) or not 0 <= v < d.num_candidates:
                    raise ValueError(f"Decision {d.path!r}: {v!r} is not a candidate index "
                                     f"in [0, {d.num_candidates})")
            elif d.kind in (FLOAT, INT):
                if not _is_number(v) or not d.lo <= v <= d.hi:
                    raise ValueError(f"Decision {d.path!r}: {v!r} is outside [{d.lo}, {d.hi}]")
                if d.kind == INT and (not _is_int(v) or (v - d.lo) % d.step):
                    raise ValueError(f"Decision {d.path!r}: {v!r} is not on the grid "
                                     f"{d.lo}..{d.hi} step {d.step}")
        for group in self.groups.values():
            if group.slots[0].index not in active:
                continue
            picks = [dna[s.index] for s in group.slots]
            if group.distinct and len(set(picks)) != len(picks):
                raise ValueError(f"Decision {group.path!r}: choices {picks} must be distinct")
            if group.sorted and picks != sorted(picks):
                raise ValueError(f"Decision {group.path!r}: choices {picks} must be in "
                                 f"candidate order")

    def __repr__(self) -> str:
        lines = [f"DNASpec({len(self.decisions)} decisions)"]
        lines += [f"  {d!r}" for d in self.decisions]
        return "\n".join(lines)


def _collect_active(units, dna, out: list) -> None:
    for u in units:
        slots = u.slots if isinstance(u, ChoiceGroup) else (u,)
        for d in slots:
            out.append(d.index)
            if d.kind == CHOICE and d.children:
                v = dna[d.index]
                # an invalid index opens no branch (validate then reports it)
                if _is_int(v) and 0 <= v < len(d.children) and d.children[v]:
                    _collect_active(d.children[v], dna, out)


def _is_int(v) -> bool:
    """An int, or an integer type such as numpy.int64 (not a bool)."""
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    try:
        operator.index(v)
    except TypeError:
        return False
    return True


def _is_number(v) -> bool:
    return _is_int(v) or isinstance(v, float) or (
        isinstance(v, numbers.Real) and not isinstance(v, bool))


def _units_size(units) -> float:
    size = 1
    for u in units:
        size *= _unit_size(u)
    return size


def _unit_size(u) -> float:
    if isinstance(u, ChoiceGroup):
        first = u.slots[0]
        # Each pick of candidate i brings the sub-space of its hyper-values (size 1 when
        # it has none); slots decide their sub-spaces independently.
        sizes = [_units_size(c) for c in first.children] if first.children else \
            [1] * u.num_candidates
        k = u.k
        if any(math.isinf(s) for s in sizes):
            return math.inf
        if not u.distinct and not u.sorted:
            return sum(sizes) ** k
        if u.distinct:
            total = _elementary_symmetric(sizes, k)  # sum over k-subsets
            return total * math.factorial(k) if not u.sorted else total
        return _complete_homogeneous(sizes, k)  # sum over k-multisets
    if u.kind == CHOICE:
        if not u.children:
            return u.num_candidates
        return sum(_units_size(c) for c in u.children)
    return u.num_values


def _elementary_symmetric(xs: list, k: int) -> float:
    """Sum over all k-subsets of ``xs`` of the product of their elements."""
    e = [1] + [0] * k
    for x in xs:
        for j in range(k, 0, -1):
            e[j] = e[j] + e[j - 1] * x
    return e[k]


def _complete_homogeneous(xs: list, k: int) -> float:
    """Sum over all k-multisets of ``xs`` of the product of their elements."""
    h = [1] + [0] * k
    for x in xs:
        for j in range(1, k + 1):
            h[j] = h[j] + h[j - 1] * x
    return h[k]
