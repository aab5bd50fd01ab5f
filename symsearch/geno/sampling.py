"""Drawing DNA at random and enumerating finite spaces (grid).

Only active decisions get values; the rest stay ``None``. ``random_dna`` is on the hot
path of random search, so it works on plain lists and ``random.Random``.
"""
from __future__ import annotations

import itertools
import math
import random
from typing import Iterator, Optional, Union

from symsearch.geno.dna import DNA
from symsearch.geno.spec import CHOICE, CUSTOM, FLOAT, INT, ChoiceGroup, DNASpec

Seed = Union[int, random.Random, None]


def make_rng(seed: Seed) -> random.Random:
    return seed if isinstance(seed, random.Random) else random.Random(seed)


def random_dna(spec: DNASpec, seed: Seed = None) -> DNA:
    """A DNA drawn uniformly per decision (log-uniformly on log scales)."""
    rng = make_rng(seed)
    values = [None] * len(spec.decisions)
    _sample_units(spec.units, values, rng)
    return DNA(values)


def sample_decision(d, rng: random.Random):
    """A random value for one numeric or custom decision.

    On a log scale a float is log-uniform in ``[lo, hi]``; an int is drawn log-uniformly
    in ``[lo, hi + step)`` and floored onto the grid, so grid point ``v`` gets the mass
    of ``[v, v + step)`` (decreasing with ``v``, as log-uniform should).
    """
    kind = d.kind
    if kind == FLOAT:
        if d.scale == "log":
            v = math.exp(rng.uniform(math.log(d.lo), math.log(d.hi)))
            return float(min(max(v, d.lo), d.hi))  # exp(log(x)) may be off by an ulp
        return d.lo + (d.hi - d.lo) * rng.random()
    if kind == INT:
        lo, step = int(d.lo), d.step
        n = (int(d.hi) - lo) // step + 1
        if d.scale == "log":
            v = math.exp(rng.uniform(math.log(lo), math.log(lo + n * step)))
            i = min(max(int((v - lo) // step), 0), n - 1)
            return lo + i * step
        return lo + step * rng.randrange(n)
    if kind == CUSTOM:
        return d.hyper.random_value(rng)
    return rng.randrange(d.num_candidates)


def _sample_units(units, values: list, rng: random.Random) -> None:
    for u in units:
        if u.kind == CHOICE:
            i = rng.randrange(u.num_candidates)
            values[u.index] = i
            children = u.children
            if children and children[i]:
                _sample_units(children[i], values, rng)
        elif type(u) is ChoiceGroup:
            for slot, i in zip(u.slots, sample_group(u, rng)):
                values[slot.index] = i
                if slot.children and slot.children[i]:
                    _sample_units(slot.children[i], values, rng)
        else:
            values[u.index] = sample_decision(u, rng)


def sample_group(group: ChoiceGroup, rng: random.Random) -> list:
    """Candidate indices for the slots of a ``manyof`` that respect distinct/sorted."""
    n, k = group.num_candidates, group.k
    if group.distinct:
        picks = rng.sample(range(n), k)
    else:
        picks = [rng.randrange(n) for _ in range(k)]
    if group.sorted:
        picks.sort()
    return picks


def group_index_tuples(group: ChoiceGroup) -> Iterator[tuple]:
    """Every valid assignment of a ``manyof`` group's slots, in lexicographic order."""
    n, k = group.num_candidates, group.k
    if group.distinct and group.sorted:
        return itertools.combinations(range(n), k)
    if group.distinct:
        return itertools.permutations(range(n), k)
    if group.sorted:
        return itertools.combinations_with_replacement(range(n), k)
    return itertools.product(range(n), repeat=k)


def iterate_dna(spec: DNASpec, limit: Optional[int] = None) -> Iterator[DNA]:
    """Every DNA of a finite space (choices and ints only), in a fixed order.

    Raises ValueError at the call (not at the first ``next``) when the space is infinite.
    """
    for d in spec.decisions:
        if d.kind in (FLOAT, CUSTOM):
            raise ValueError(f"Cannot iterate over the space: decision {d.path!r} is "
                             f"{'continuous' if d.kind == FLOAT else 'a custom evolve decision'}; "
                             f"only choices and intv are finite.")
    return _iterate_dna(spec, limit)


def _iterate_dna(spec: DNASpec, limit: Optional[int]) -> Iterator[DNA]:
    count = 0
    for assignment in _enumerate(spec.units, {}):
        values = [None] * len(spec.decisions)
        for i, v in assignment.items():
            values[i] = v
        yield DNA(values)
        count += 1
        if limit is not None and count >= limit:
            return


def _enumerate(units: list, acc: dict) -> Iterator[dict]:
    if not units:
        yield acc
        return
    first, rest = units[0], units[1:]
    for partial in _enumerate_unit(first, acc):
        yield from _enumerate(rest, partial)


def _enumerate_unit(u, acc: dict) -> Iterator[dict]:
    if type(u) is ChoiceGroup:
        for picks in group_index_tuples(u):
            yield from _enumerate_slots(list(zip(u.slots, picks)), acc)
    elif u.kind == CHOICE:
        for i in range(u.num_candidates):
            nxt = dict(acc)
            nxt[u.index] = i
            yield from _enumerate(u.children[i] if u.children else [], nxt)
    else:  # INT
        for v in range(int(u.lo), int(u.hi) + 1, u.step):
            nxt = dict(acc)
            nxt[u.index] = v
            yield nxt


def _enumerate_slots(pairs: list, acc: dict) -> Iterator[dict]:
    if not pairs:
        yield acc
        return
    (slot, i), rest = pairs[0], pairs[1:]
    nxt = dict(acc)
    nxt[slot.index] = i
    children = slot.children[i] if slot.children else []
    for partial in _enumerate(children, nxt):
        yield from _enumerate_slots(rest, partial)
