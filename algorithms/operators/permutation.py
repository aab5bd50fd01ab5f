"""Recombination of ``permutate`` decisions: partially mapped, order and cycle crossover.

Each works on the two parents' orderings of a ``permutate`` point (a ``manyof`` with
distinct, unsorted slots over all candidates) and gives each child a valid permutation;
when candidates hold hyper-values of their own, a candidate's sub-decisions travel with it
(child 1 takes them from parent 1, child 2 from parent 2). Any other kind of decision is
an error naming it: combine by decision type, ``ByDecisionType(permutation=Order(),
default=Uniform())``.

- :class:`PartiallyMapped` (PMX, Goldberg and Lingle 1985): a segment from one parent,
  the rest from the other, conflicts resolved through the segment's mapping;
- :class:`Order` (OX1, Davis 1985): a segment from one parent, the remaining candidates in
  the other parent's order, starting after the segment;
- :class:`Cycle` (CX, Oliver et al. 1987): positions split into cycles, taken from the
  parents alternately, so every candidate keeps a position it had in a parent.

>>> pmx([0, 1, 2, 3, 4, 5], [3, 4, 5, 0, 1, 2], 1, 3)
[3, 1, 2, 0, 4, 5]
>>> order_crossover([0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], 2, 4)
[5, 4, 2, 3, 1, 0]
>>> cycle_crossover([0, 1, 2, 3], [1, 0, 3, 2])
[0, 1, 3, 2]
"""
from __future__ import annotations

from symsearch.algorithms.mutators import slot_content, put_slot
from symsearch.algorithms.operators.recombination import Recombinator


def pmx(p1: list, p2: list, i: int, j: int) -> list:
    """Partially mapped crossover with the segment ``[i, j)`` from ``p1``."""
    n = len(p1)
    child = [None] * n
    child[i:j] = p1[i:j]
    in_segment = set(p1[i:j])
    position = {v: k for k, v in enumerate(p2)}
    for k in range(i, j):
        v = p2[k]
        if v in in_segment:
            continue
        pos = k
        while i <= pos < j:     # follow the mapping until a position outside the segment
            pos = position[p1[pos]]
        child[pos] = v
    for k in range(n):
        if child[k] is None:
            child[k] = p2[k]
    return child


def order_crossover(p1: list, p2: list, i: int, j: int) -> list:
    """Order crossover (OX1) with the segment ``[i, j)`` from ``p1``."""
    n = len(p1)
    child = [None] * n
    child[i:j] = p1[i:j]
    used = set(p1[i:j])
    rest = [p2[(j + k) % n] for k in range(n) if p2[(j + k) % n] not in used]
    for k, v in zip([(j + k) % n for k in range(n - (j - i))], rest):
        child[k] = v
    return child


def cycle_crossover(p1: list, p2: list) -> list:
    """Cycle crossover: even-numbered cycles from ``p1``, odd ones from ``p2``."""
    n = len(p1)
    child = [None] * n
    position = {v: k for k, v in enumerate(p1)}
    cycle = 0
    for start in range(n):
        if child[start] is not None:
            continue
        source = p1 if cycle % 2 == 0 else p2
        k = start
        while child[k] is None:
            child[k] = source[k]
            k = position[p2[k]]
        cycle += 1
    return child


class _PermutationRecombinator(Recombinator):
    handles = ("permutation",)

    def cross(self, points, a, b, out1, out2, rng) -> None:
        for g in points:
            pa = [a[s.index] for s in g.slots]
            pb = [b[s.index] for s in g.slots]
            if pa == pb:
                continue
            c1, c2 = self.permute(pa, pb, rng)
            _write(g, c1, a, out1)
            _write(g, c2, b, out2)

    def permute(self, pa: list, pb: list, rng) -> tuple:
        raise NotImplementedError(f"{type(self).__name__} must implement this abstract method")


def _segment(n: int, rng) -> tuple:
    i, j = sorted(rng.sample(range(n + 1), 2))
    return i, j


def _write(group, order: list, parent, out: list) -> None:
    """Puts candidates in ``order`` into the group's slots, each with the sub-decisions it
    had in ``parent``."""
    contents = {}
    for slot in group.slots:
        content = slot_content(slot, parent)
        contents[content[0]] = content
    for slot, candidate in zip(group.slots, order):
        put_slot(slot, contents[candidate], out)


class PartiallyMapped(_PermutationRecombinator):
    """PMX; see the module docstring."""

    def permute(self, pa, pb, rng):
        i, j = _segment(len(pa), rng)
        return pmx(pa, pb, i, j), pmx(pb, pa, i, j)


class Order(_PermutationRecombinator):
    """Order crossover (OX1); see the module docstring."""

    def permute(self, pa, pb, rng):
        i, j = _segment(len(pa), rng)
        return order_crossover(pa, pb, i, j), order_crossover(pb, pa, i, j)


class Cycle(_PermutationRecombinator):
    """Cycle crossover; see the module docstring."""

    def permute(self, pa, pb, rng):
        return cycle_crossover(pa, pb), cycle_crossover(pb, pa)
