"""Pareto ranking for NSGA-II: fast non-dominated sorting and crowding distance.

Fitness tuples are oriented so that larger is better in every entry (see
:class:`~symsearch.algorithms.operators.base.Individual`). Deb et al., "A Fast and Elitist
Multiobjective Genetic Algorithm: NSGA-II" (2002): front 0 holds the points no other point
dominates, front 1 those dominated only by front 0, and so on; within a front, the crowding
distance of a point is the sum over objectives of the normalized gap between its
neighbours (boundary points get infinity; repeats of a point get 0, as in pymoo), so that
truncating a front keeps it spread.

Survival also ranks copies behind distinct points: a point whose objective vector equals an
earlier point's (a re-evaluated or functionally identical candidate, e.g. two programs that
differ only in dead statements) adds nothing to the front, so it only takes a survivor slot
once every distinct point has one. Without this, a front of two or three points (an integer
objective such as state buffers) fills the population with copies of those points and the
search loses its diversity; pymoo removes such duplicates outright (by decision vector).
For ordinary float problems, equal objective vectors are rare and nothing changes.

The dominance matrix is built with NumPy (``O(M N^2)`` comparisons, done in C), which
keeps a generation of 200 points at well under a millisecond.

>>> fronts = non_dominated_fronts([(1.0, 0.0), (0.0, 1.0), (0.0, 0.0), (0.5, 0.5)])
>>> [f.tolist() for f in fronts]
[[0, 1, 3], [2]]
>>> [float(d) for d in crowding_distance([(1.0, 0.0), (0.5, 0.5), (0.0, 1.0)])]
[inf, 2.0, inf]
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether ``a`` is at least as good as ``b`` everywhere and better somewhere."""
    better = False
    for x, y in zip(a, b):
        if x < y:
            return False
        if x > y:
            better = True
    return better


def non_dominated_fronts(fitness: Sequence[Sequence[float]]) -> list:
    """Indices of ``fitness`` grouped into fronts, best first (each an int array)."""
    n = len(fitness)
    if n == 0:
        return []
    f = np.asarray(fitness, dtype=float)
    if f.ndim != 2:
        raise ValueError(f"fitness must be a list of equal-length tuples, got shape {f.shape}")
    ge = np.ones((n, n), dtype=bool)
    gt = np.zeros((n, n), dtype=bool)
    for m in range(f.shape[1]):         # one objective at a time: no (n, n, m) temporaries
        column = f[:, m]
        ge &= column[:, None] >= column[None, :]
        gt |= column[:, None] > column[None, :]
    dom = ge & gt                       # dom[i, j]: i dominates j
    dominated_by = dom.sum(axis=0)      # how many points dominate j
    fronts = []
    current = np.flatnonzero(dominated_by == 0)
    remaining = dominated_by.copy()
    while current.size:
        fronts.append(current)
        remaining[current] = -1
        remaining -= dom[current].sum(axis=0)
        current = np.flatnonzero(remaining == 0)
    return fronts


def crowding_distance(front_fitness: Sequence[Sequence[float]]) -> np.ndarray:
    """The crowding distance of each point of one front (boundary points: inf; a repeat of
    an earlier point: 0)."""
    f = np.asarray(front_fitness, dtype=float)
    if len(f) == 0:
        return np.zeros(0)
    return _crowding(f, np.zeros(len(f), dtype=np.int64))


def _crowding(f: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Crowding distances within each front of ``front``, all fronts at once (one sort by
    front and value per objective). As in pymoo, a point equal to an earlier one of its
    front adds no spread: it gets 0 and is left out of its neighbours' gaps, so copies of
    a boundary point cannot crowd the rest of a front out."""
    n = len(f)
    _, first_seen = np.unique(np.column_stack([front, f]), axis=0, return_index=True)
    unique = np.zeros(n, dtype=bool)
    unique[first_seen] = True
    idx = np.flatnonzero(unique)
    g, fr = f[idx], front[idx]
    k = len(idx)
    distance = np.zeros(k)
    for m in range(f.shape[1]):
        order = np.lexsort((g[:, m], fr))            # by front, then by value (stable)
        in_front, values = fr[order], g[order, m]
        change = in_front[1:] != in_front[:-1]
        first = np.empty(k, dtype=bool)
        last = np.empty(k, dtype=bool)
        first[0], first[1:] = True, change
        last[-1], last[:-1] = True, change
        group = np.cumsum(first) - 1
        span = values[last][group] - values[first][group]   # each point's front range
        gap = np.zeros(k)
        gap[1:-1] = values[2:] - values[:-2]
        inner = ~(first | last) & (span > 0)
        contribution = np.zeros(k)
        contribution[inner] = gap[inner] / span[inner]
        distance[order] += contribution
        distance[order[first | last]] = np.inf
    out = np.zeros(n)
    out[idx] = distance
    return out


def rank_and_crowding(fitness: Sequence[Sequence[float]]) -> tuple:
    """``(front, crowding)``: each point's front index (0 is best) and its crowding
    distance within that front (see :func:`crowding_distance`), as two lists indexed like
    ``fitness``. The crowding distances of all fronts are computed together, which keeps
    steady-state NSGA-II, ranking once per trial, cheap."""
    n = len(fitness)
    if n == 0:
        return [], []
    f = np.asarray(fitness, dtype=float)
    front = np.empty(n, dtype=np.int64)
    for k, members in enumerate(non_dominated_fronts(f)):
        front[members] = k
    return front.tolist(), _crowding(f, front).tolist()


def repeats(fitness: Sequence[Sequence[float]]) -> list:
    """For each point, whether its objective vector equals an earlier point's (the first
    occurrence of a vector is not a repeat).

    >>> repeats([(1.0, 0.0), (0.5, 0.5), (1.0, 0.0), (1.0, 0.0)])
    [False, False, True, True]
    """
    seen: set = set()
    out = []
    for point in fitness:
        key = tuple(float(x) for x in point)
        out.append(key in seen)
        seen.add(key)
    return out


def survival_order(fitness: Sequence[Sequence[float]]) -> list:
    """Indices of ``fitness`` in NSGA-II survival order: distinct points first, by front,
    then by decreasing crowding distance within a front; then the repeats (see
    :func:`repeats`) in the same order (ties keep their original order).

    >>> survival_order([(1.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.2, 0.2)])
    [0, 2, 3, 1]
    """
    front, crowding = rank_and_crowding(fitness)
    repeat = repeats(fitness)
    return sorted(range(len(fitness)), key=lambda i: (repeat[i], front[i], -crowding[i]))


def drop_worst(fitness: Sequence[Sequence[float]]) -> tuple:
    """Steady-state NSGA-II's removal: ``(index, front, crowding)`` where ``index`` is the
    last point in :func:`survival_order` -- a repeat of an earlier point if there is one
    (the one in the worst front; ties: the earliest), else the point of the last front with
    the smallest crowding distance (ties: the earliest) -- and ``front``/``crowding`` rank
    the remaining points (in their order). Removing a repeat changes no ranking (it has
    crowding 0 and is left out of its neighbours' gaps); removing a point of the last front
    changes no front, only that front's crowding distances."""
    front, crowding = rank_and_crowding(fitness)
    repeat = repeats(fitness)
    if any(repeat):
        worst_front = max(front[i] for i, r in enumerate(repeat) if r)
        worst = next(i for i, r in enumerate(repeat) if r and front[i] == worst_front)
        del front[worst], crowding[worst]
        return worst, front, crowding
    last = max(front)
    members = [i for i, k in enumerate(front) if k == last]
    worst = min(members, key=lambda i: (crowding[i], i))
    rest = [i for i in members if i != worst]
    for i, d in zip(rest, crowding_distance([fitness[i] for i in rest]).tolist()):
        crowding[i] = d
    del front[worst], crowding[worst]
    return worst, front, crowding
