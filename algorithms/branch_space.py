"""``Branch``: the sub-space of one candidate of a top-level choice, as its own DNASpec.

For a CASH space ``oneof([svm(C=floatv), forest(n=intv, depth=intv), knn])`` the branch of
candidate 1 holds ``n`` and ``depth`` plus every other top-level decision (those outside
the choice, shared by all branches), re-indexed from 0 in the space's order, and maps DNA
both ways. An algorithm set up on ``branch.spec`` searches that branch alone.

>>> import symsearch as ss
>>> spec = ss.dna_spec(ss.Dict(lr=ss.floatv(0, 1), model=ss.oneof([
...     ss.Dict(C=ss.floatv(0.1, 10)), ss.Dict(n=ss.intv(1, 9), d=ss.intv(1, 5)), "knn"])))
>>> branch = Branch(spec, spec["model"].index, 1)
>>> [d.path for d in branch.spec.decisions]
['lr', 'model[=1].n', 'model[=1].d']
>>> branch.to_full((0.5, 3, 2))
DNA((0.5, 1, None, 3, 2))
>>> branch.to_sub(branch.to_full((0.5, 3, 2)))
DNA((0.5, 3, 2))
"""
from __future__ import annotations

import dataclasses

from symsearch.geno.dna import DNA
from symsearch.geno.spec import CHOICE, ChoiceGroup, Decision, DNASpec


def root_choice(spec: DNASpec, path=None) -> Decision:
    """The top-level choice at ``path`` (a path, a name or an index), or the first one."""
    if path is None:
        for u in spec.units:
            if not isinstance(u, ChoiceGroup) and u.kind == CHOICE:
                return u
        raise ValueError("The space has no top-level oneof to take arms from (a choice active "
                         "in every candidate); pass arm_path= or use another algorithm")
    try:
        d = spec[path]
    except (KeyError, IndexError):
        raise ValueError(f"arm_path={path!r} names no decision of the space; paths are "
                         f"{[d.path for d in spec.decisions]}") from None
    if d.kind != CHOICE or d.group is not None or not any(u is d for u in spec.units):
        raise ValueError(f"arm_path={path!r} must name a oneof active in every candidate "
                         f"(top-level, not inside another choice nor a manyof); got {d!r}")
    return d


class Branch:
    """Candidate ``candidate`` of the top-level choice ``spec.decisions[choice_index]``."""

    __slots__ = ("choice_index", "candidate", "num_decisions", "full_indices", "spec")

    def __init__(self, spec: DNASpec, choice_index: int, candidate: int):
        root = spec.decisions[choice_index]
        self.choice_index = choice_index
        self.candidate = candidate
        self.num_decisions = len(spec.decisions)
        units = []
        for u in spec.units:
            if u is root:
                units.extend(root.children[candidate] if root.children else ())
            else:
                units.append(u)
        reachable: set = set()
        _collect(units, reachable)
        old = [d for d in spec.decisions if d.index in reachable]
        self.full_indices = tuple(d.index for d in old)
        new_index = {d.index: j for j, d in enumerate(old)}
        copies = {}
        for d in old:
            condition = d.condition
            if condition is not None:
                condition = None if condition[0] == choice_index else \
                    (new_index[condition[0]], condition[1])
            copies[d.index] = dataclasses.replace(d, index=new_index[d.index],
                                                  condition=condition, children=[], group=None)
        groups: dict = {}

        def unit(u):
            if isinstance(u, ChoiceGroup):
                g = groups.get(id(u))
                if g is None:
                    g = groups[id(u)] = dataclasses.replace(
                        u, slots=[copies[s.index] for s in u.slots])
                    for slot in g.slots:
                        slot.group = g
                return g
            return copies[u.index]

        for d in old:
            copies[d.index].children = [[unit(u) for u in branch] for branch in d.children]
        fingerprint = f"{spec.fingerprint}:{root.path}={candidate}" if spec.fingerprint else ""
        self.spec = DNASpec([copies[d.index] for d in old], [unit(u) for u in units],
                            fingerprint)

    def to_full(self, sub_dna) -> DNA:
        """The space's DNA for a DNA of this branch."""
        values = [None] * self.num_decisions
        values[self.choice_index] = self.candidate
        for v, i in zip(sub_dna, self.full_indices):
            values[i] = v
        return DNA(values)

    def to_sub(self, dna) -> DNA:
        """This branch's DNA from the space's (whose choice must pick this candidate)."""
        return DNA([dna[i] for i in self.full_indices])

    def __repr__(self) -> str:
        return (f"Branch(#{self.choice_index}={self.candidate}, "
                f"{len(self.full_indices)} decisions)")


def _collect(units, out: set) -> None:
    for u in units:
        for d in (u.slots if isinstance(u, ChoiceGroup) else (u,)):
            out.add(d.index)
            for branch in d.children or ():
                _collect(branch, out)
