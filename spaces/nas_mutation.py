"""A mutation for cell spaces that never proposes an architecture it already knows.

In a NAS-Bench-201-style cell many edges are dead (nothing from them reaches the output)
and many op changes leave the function unchanged (a skip beside a skip, a pooling
nobody reads), so the generic one-point mutation often proposes a child that is the
*same architecture* as its parent, or as one evaluated before: on the 4-op, 4-node
cell space of the project's NAS table, 19% of all one-point mutations keep the cell's
function-level class. Such a child costs a training (or, with the functional cache, an
evaluation slot) and teaches the search nothing; with the plain mutation, regularized
evolution's population fills with copies of a few classes (see ``benchmarks/README.md``,
the project's NAS table, for the distinct classes a search sees).

:class:`CellMutation` is a drop-in ``mutation`` for
:class:`~symsearch.algorithms.RegularizedEvolution` (a ``(spec, dna, rng) -> DNA``
callable): it redraws the one-point mutation until the child's canonical class
(``level="function"``: isomorphism, dead edges, skip paths; see
:mod:`symsearch.spaces.nas_canonical`) differs from the parent's and from every class it
has proposed or seen as a parent, up to ``max_tries`` draws; after that it widens to
two, then three points, and finally returns the last draw (a space nearly exhausted
around the parent). Its memory is a set of canonical keys, so a known class is
recognized whichever DNA spells it.

>>> import random
>>> import symsearch as ss
>>> from symsearch.spaces.nas_cell import cell_space
>>> ops = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")
>>> space = cell_space(ops=ops)
>>> mutation = CellMutation(ops)
>>> parent = ss.DNA((3, 0, 0, 0, 3, 0))        # only 0->1->3 is live
>>> child = mutation(ss.dna_spec(space), parent, random.Random(0))
>>> mutation.key(child) != mutation.key(parent)
True
"""
from __future__ import annotations

import random
from typing import Sequence

from symsearch.algorithms.mutators import mutate
from symsearch.geno.dna import DNA
from symsearch.spaces.nas_canonical import canonical_key, num_edges

LEVELS = ("graph", "function")


class CellMutation:
    """One-point mutation of a cell's DNA that skips equivalent and already-known cells.

    ``ops``: the op names of the space's ``oneof`` on every edge, in order (the DNA holds
    indices into it); ``n_nodes``: the cell's nodes; ``level``: the canonical form that
    decides "the same architecture" (``"function"``, the functional cache's, or
    ``"graph"``); ``max_tries``: draws per number of mutated points before widening.
    """

    def __init__(self, ops: Sequence[str], n_nodes: int = 4, level: str = "function",
                 max_tries: int = 20):
        ops = tuple(ops)
        if not ops or not all(isinstance(op, str) and op for op in ops):
            raise ValueError(f"CellMutation's 'ops' must be the space's op names (non-empty "
                             f"strs); got {ops!r}")
        if isinstance(n_nodes, bool) or not isinstance(n_nodes, int) or n_nodes < 2:
            raise ValueError(f"CellMutation's 'n_nodes' must be an int >= 2; got {n_nodes!r}")
        if level not in LEVELS:
            raise ValueError(f"CellMutation's 'level' must be one of {LEVELS}; got {level!r}")
        if isinstance(max_tries, bool) or not isinstance(max_tries, int) or max_tries < 1:
            raise ValueError(f"CellMutation's 'max_tries' must be a positive int; got "
                             f"{max_tries!r}")
        self.ops, self.n_nodes, self.level, self.max_tries = ops, n_nodes, level, max_tries
        self.seen: set = set()
        self.draws = 0              # mutations drawn, kept or redrawn (for diagnostics)
        self.calls = 0
        # canonical forms cost ~0.1 ms each and a search redraws the same DNA many times
        self._keys: dict = {}

    def key(self, dna) -> tuple:
        """The canonical class of ``dna``'s cell."""
        values = tuple(dna)
        known = self._keys.get(values)
        if known is not None:
            return known
        if len(values) != num_edges(self.n_nodes):
            raise ValueError(f"CellMutation: a {self.n_nodes}-node cell has "
                             f"{num_edges(self.n_nodes)} edges, the DNA has {len(values)} "
                             f"values: {values!r}")
        try:
            ops = tuple(self.ops[v] for v in values)
        except (IndexError, TypeError):
            raise ValueError(f"CellMutation: DNA {values!r} holds a value that is not an "
                             f"index into ops {self.ops}") from None
        key = self._keys[values] = canonical_key(ops, self.n_nodes, self.level)
        return key

    def __call__(self, spec, dna, rng: random.Random) -> DNA:
        self.calls += 1
        self.seen.add(self.key(dna))
        child = dna
        for points in (1, 2, 3):
            for _ in range(self.max_tries):
                self.draws += 1
                child = mutate(spec, dna, rng, num_mutations=points)
                key = self.key(child)
                if key not in self.seen:
                    self.seen.add(key)
                    return child
        return child

    def __repr__(self) -> str:
        return (f"CellMutation(ops={list(self.ops)}, n_nodes={self.n_nodes}, "
                f"level={self.level!r}, max_tries={self.max_tries})")
