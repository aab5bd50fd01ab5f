"""Grid search: every candidate of a finite space, in order (optionally shuffled).

``propose`` raises ``StopIteration`` once the grid is exhausted, which ends a search
early. Continuous decisions cannot be gridded: ``setup`` raises ValueError naming them.
"""
from __future__ import annotations

import random
from typing import Optional

from symsearch.algorithms.base import SearchAlgorithm, register_algorithm
from symsearch.geno.dna import DNA
from symsearch.geno.sampling import iterate_dna


@register_algorithm("grid")
class Grid(SearchAlgorithm):
    """Exhaustive enumeration. ``shuffle=True`` visits the grid in a seeded random order."""

    finite = True

    def __init__(self, shuffle: bool = False, seed: Optional[int] = None):
        super().__init__(seed)
        if not isinstance(shuffle, bool):
            raise TypeError(f"Grid(shuffle=...) must be a bool, got {shuffle!r}")
        self.shuffle = shuffle
        self.position = 0
        self._grid: list = []

    def setup(self, spec, objectives=None, seed=None) -> None:
        super().setup(spec, objectives, seed)
        self._grid = list(iterate_dna(spec))
        if self.shuffle:
            random.Random(self.seed).shuffle(self._grid)
        self.position = 0

    def propose(self) -> DNA:
        if self.position >= len(self._grid):
            raise StopIteration("the grid is exhausted")
        dna = self._grid[self.position]
        self.position += 1
        return dna

    def state_dict(self) -> dict:
        return {"position": self.position}

    def load_state_dict(self, state: dict) -> None:
        self.position = int(state["position"])
