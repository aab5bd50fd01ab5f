"""Mutation and crossover of DNA that respect the spec: every child is valid DNA.

A *mutation point* is one active decision, or a whole ``manyof`` group (its slots
change together so distinct/sorted hold). Mutating a point changes that point and,
when a choice switches candidate, its conditional subtree only:

- choice: a different candidate; the old branch's decisions become ``None`` and the new
  branch is drawn at random;
- float: Gaussian step, sigma = 0.1 of the range (in log space on a log scale), clipped;
- int: Gaussian step in grid units (at least one step; in log space on a log scale),
  kept on the grid and clipped;
- ``manyof`` group: swap two slots (unsorted groups) or give one slot an unused
  candidate (re-sorted for sorted groups); a slot's subtree moves with its candidate;
- custom (``evolve``): the user's mutator, ``decision.hyper.mutate(value, rng)``.

>>> import random, symsearch as ss
>>> spec = ss.dna_spec(ss.Dict(x=ss.floatv(0, 1), act=ss.oneof(["relu", "tanh"])))
>>> child = mutate(spec, ss.DNA((0.5, 0)), random.Random(0))
>>> spec.validate(child); sum(a != b for a, b in zip(child, (0.5, 0)))
1
"""
from __future__ import annotations

import math
import random
from typing import Any, Optional, Union

from symsearch.geno.dna import DNA
from symsearch.geno.sampling import _sample_units, make_rng
from symsearch.geno.spec import CHOICE, CUSTOM, FLOAT, INT, ChoiceGroup, Decision, DNASpec

Point = Union[Decision, ChoiceGroup]

#: Gaussian steps are this fraction of a decision's range (log range on log scales).
SIGMA_FRACTION = 0.1


class Mutator:
    """The default mutation of evolutionary algorithms, as a ``(spec, dna, rng)`` callable.

    ``num_mutations`` points are mutated one after the other; with ``probability``
    instead, each active point mutates with that probability (at least one does).

    >>> Mutator(num_mutations=2)
    Mutator(num_mutations=2)
    """

    def __init__(self, num_mutations: int = 1, probability: Optional[float] = None):
        _check_mutation_args(num_mutations, probability)
        self.num_mutations = num_mutations
        self.probability = probability

    def __call__(self, spec: DNASpec, dna, rng: random.Random) -> DNA:
        return mutate(spec, dna, rng, num_mutations=self.num_mutations,
                      probability=self.probability)

    def __repr__(self) -> str:
        if self.probability is not None:
            return f"Mutator(probability={self.probability})"
        return f"Mutator(num_mutations={self.num_mutations})"


def _check_mutation_args(num_mutations, probability) -> None:
    if not isinstance(num_mutations, int) or isinstance(num_mutations, bool) or num_mutations < 1:
        raise ValueError(f"num_mutations must be a positive int, got {num_mutations!r}")
    if probability is not None and (isinstance(probability, bool)
                                    or not isinstance(probability, (int, float))
                                    or not 0 < probability <= 1):
        raise ValueError(f"probability must be a number in (0, 1] or None, got {probability!r}")


def mutate(spec: DNASpec, dna, rng: Any = None, num_mutations: int = 1,
           probability: Optional[float] = None) -> DNA:
    """A mutated copy of ``dna`` (see the module docstring); ``dna`` itself is unchanged.

    Returns ``dna`` unchanged when no active decision can take another value.
    """
    _check_mutation_args(num_mutations, probability)
    rng = make_rng(rng)
    values = list(dna)
    if probability is None:
        for _ in range(num_mutations):
            points = mutation_points(spec, values)
            if not points:
                break
            _mutate_point(points[rng.randrange(len(points))], values, rng)
        return DNA(values)
    points = mutation_points(spec, values)
    if not points:
        return DNA(values)
    chosen = [p for p in points if rng.random() < probability]
    if not chosen:
        chosen = [points[rng.randrange(len(points))]]
    for i, point in enumerate(chosen):
        # an earlier mutation may have switched this point's branch off
        if i and _first_index(point) not in set(spec.active_indices(values)):
            continue
        _mutate_point(point, values, rng)
    return DNA(values)


def mutate_at(spec: DNASpec, dna, point: Point, rng: Any = None) -> DNA:
    """``dna`` with one mutation point (a Decision or a ChoiceGroup) mutated."""
    values = list(dna)
    _mutate_point(point, values, make_rng(rng))
    return DNA(values)


def mutation_points(spec: DNASpec, dna) -> list:
    """The active decisions and ``manyof`` groups of ``dna`` that can take another value,
    in depth-first order (a group stands for its slots)."""
    out: list = []
    _collect_points(spec.units, dna, out)
    return out


def _first_index(point: Point) -> int:
    return point.slots[0].index if type(point) is ChoiceGroup else point.index


def _collect_points(units, dna, out: list) -> None:
    for u in units:
        if type(u) is ChoiceGroup:
            if _group_mutable(u, [dna[s.index] for s in u.slots]):
                out.append(u)
            for slot in u.slots:
                _collect_children(slot, dna, out)
            continue
        if _decision_mutable(u):
            out.append(u)
        if u.kind == CHOICE:
            _collect_children(u, dna, out)


def _collect_children(d: Decision, dna, out: list) -> None:
    if d.children:
        branch = d.children[dna[d.index]]
        if branch:
            _collect_points(branch, dna, out)


def _decision_mutable(d: Decision) -> bool:
    if d.kind == CHOICE:
        return d.num_candidates > 1
    if d.kind == INT:
        return d.hi > d.lo
    if d.kind == FLOAT:
        return d.hi > d.lo
    return d.kind == CUSTOM and hasattr(d.hyper, "mutate")


def _mutate_point(point: Point, values: list, rng: random.Random) -> None:
    """Mutates one point of ``values`` in place (see the module docstring)."""
    if type(point) is ChoiceGroup:
        _mutate_group(point, values, rng)
        return
    d, v = point, values[point.index]
    if d.kind == CHOICE:
        new = rng.randrange(d.num_candidates - 1)
        _set_choice(d, new + (new >= v), values, rng)
    elif d.kind == FLOAT:
        values[d.index] = _mutate_float(d, v, rng)
    elif d.kind == INT:
        values[d.index] = _mutate_int(d, v, rng)
    else:
        values[d.index] = d.hyper.mutate(v, rng)


mutate_point = _mutate_point


# ---- choices and their subtrees ----------------------------------------------------------
def _set_choice(d: Decision, candidate: int, values: list, rng: random.Random) -> None:
    """Switches ``d`` to ``candidate``: the old branch is cleared, the new one drawn."""
    old = values[d.index]
    if d.children and old is not None and d.children[old]:
        for i in subtree_indices(d.children[old]):
            values[i] = None
    values[d.index] = candidate
    if d.children and d.children[candidate]:
        _sample_units(d.children[candidate], values, rng)


def subtree_indices(units) -> list:
    """Indices of every decision in ``units`` and below, active or not, depth-first."""
    out: list = []
    _add_indices(units, out)
    return out


def unit_indices(unit: Point) -> list:
    """Indices of a unit (a decision, or a group's slots) and everything below it."""
    out: list = []
    _add_indices([unit], out)
    return out


def _add_indices(units, out: list) -> None:
    for u in units:
        for d in (u.slots if type(u) is ChoiceGroup else (u,)):
            out.append(d.index)
            for branch in d.children or ():
                if branch:
                    _add_indices(branch, out)


# ---- numbers -----------------------------------------------------------------------------
def _mutate_float(d: Decision, v, rng: random.Random) -> float:
    log = d.scale == "log"
    lo, hi = (math.log(d.lo), math.log(d.hi)) if log else (d.lo, d.hi)
    x = math.log(v) if log else v
    sigma = SIGMA_FRACTION * (hi - lo)
    step = rng.gauss(0.0, sigma)
    y = min(max(x + step, lo), hi)
    if y == x:  # clipped back onto the bound it sits on: step the other way
        y = min(max(x - step, lo), hi)
    out = math.exp(y) if log else y
    return float(min(max(out, d.lo), d.hi))  # exp(log(x)) may be off by an ulp


def _mutate_int(d: Decision, v, rng: random.Random) -> int:
    lo, step = int(d.lo), d.step
    n = (int(d.hi) - lo) // step + 1
    i = (v - lo) // step
    if d.scale == "log":
        sigma = SIGMA_FRACTION * (math.log(d.hi) - math.log(d.lo))
        target = math.exp(math.log(v) + rng.gauss(0.0, sigma))
        j = int(round((target - lo) / step))
        if j == i:  # at least one grid step, in the direction drawn
            j = i + (1 if target > v else -1)
    else:
        delta = int(round(rng.gauss(0.0, max(1.0, SIGMA_FRACTION * (n - 1)))))
        j = i + (delta or rng.choice((-1, 1)))
    j = min(max(j, 0), n - 1)
    if j == i:  # clipped back onto the bound it started from: step inwards
        j = i - 1 if i == n - 1 else i + 1
    return lo + j * step


# ---- manyof groups -----------------------------------------------------------------------
def _group_mutable(g: ChoiceGroup, picks: list) -> bool:
    return _can_replace(g, picks) or _can_swap(g, picks)


def _can_replace(g: ChoiceGroup, picks: list) -> bool:
    return g.num_candidates > len(set(picks)) if g.distinct else g.num_candidates > 1


def _can_swap(g: ChoiceGroup, picks: list) -> bool:
    return not g.sorted and len(set(picks)) > 1


def _mutate_group(g: ChoiceGroup, values: list, rng: random.Random) -> None:
    picks = [values[s.index] for s in g.slots]
    replace, swap = _can_replace(g, picks), _can_swap(g, picks)
    if swap and (not replace or rng.random() < 0.5):
        pairs = [(i, j) for i in range(g.k) for j in range(i + 1, g.k) if picks[i] != picks[j]]
        i, j = pairs[rng.randrange(len(pairs))]
        a, b = slot_content(g.slots[i], values), slot_content(g.slots[j], values)
        put_slot(g.slots[i], b, values)
        put_slot(g.slots[j], a, values)
        return
    i = rng.randrange(g.k)
    if g.distinct:
        used = set(picks)
        options = [c for c in range(g.num_candidates) if c not in used]
    else:
        options = [c for c in range(g.num_candidates) if c != picks[i]]
    _set_choice(g.slots[i], options[rng.randrange(len(options))], values, rng)
    if g.sorted:
        contents = sorted((slot_content(s, values) for s in g.slots), key=lambda c: c[0])
        for slot, content in zip(g.slots, contents):
            put_slot(slot, content, values)


def slot_content(slot: Decision, values) -> tuple:
    """A slot's candidate with the values of its branch (slots share branch layouts)."""
    c = values[slot.index]
    branch = slot.children[c] if slot.children else None
    return c, [values[i] for i in subtree_indices(branch)] if branch else []


def put_slot(slot: Decision, content: tuple, values: list) -> None:
    """Writes ``content`` (from :func:`slot_content`) into ``slot``, clearing its old branch."""
    c, sub = content
    old = values[slot.index]
    if slot.children and slot.children[old]:
        for i in subtree_indices(slot.children[old]):
            values[i] = None
    values[slot.index] = c
    if sub:
        for i, v in zip(subtree_indices(slot.children[c]), sub):
            values[i] = v


# ---- crossover ---------------------------------------------------------------------------
def crossover(spec: DNASpec, a, b, rng: Any = None) -> DNA:
    """Uniform crossover: each unit comes from ``a`` or ``b`` with its whole subtree.

    Where both parents pick the same candidate of a choice, the units of that branch are
    crossed over in turn; otherwise the choice and its subtree come from one parent, so
    the child is always valid DNA.
    """
    rng = make_rng(rng)
    values = list(a)
    _cross_units(spec.units, a, b, values, rng)
    return DNA(values)


def _cross_units(units, a, b, out: list, rng: random.Random) -> None:
    for u in units:
        if type(u) is not ChoiceGroup and u.kind == CHOICE and a[u.index] == b[u.index]:
            branch = u.children[a[u.index]] if u.children else None
            if branch:
                _cross_units(branch, a, b, out, rng)
        elif rng.random() < 0.5:
            for i in unit_indices(u):
                out[i] = b[i]
