"""CellMutation: one-point mutation of a cell that skips equivalent and known architectures."""
import random

import pytest

import symsearch as ss
from symsearch.spaces.nas_canonical import canonical_key
from symsearch.spaces.nas_cell import cell_space
from symsearch.spaces.nas_mutation import CellMutation

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")


def _ops(dna):
    return tuple(OPS[v] for v in dna)


def test_child_is_never_the_parents_architecture():
    spec = ss.dna_spec(cell_space(ops=OPS))
    rng = random.Random(0)
    # only 0->1->3 is live: changing any of the other four edges alone keeps the function
    parent = ss.DNA((3, 0, 0, 0, 3, 0))
    for _ in range(30):
        mutation = CellMutation(OPS)
        child = mutation(spec, parent, rng)
        assert canonical_key(_ops(child), 4, "function") != \
            canonical_key(_ops(parent), 4, "function")


def test_known_classes_are_not_proposed_again():
    spec = ss.dna_spec(cell_space(ops=OPS))
    mutation, rng = CellMutation(OPS), random.Random(1)
    parent = ss.DNA((3, 3, 3, 1, 3, 3))
    children = [mutation(spec, parent, rng) for _ in range(25)]
    keys = [mutation.key(c) for c in children]
    assert len(set(keys)) == len(keys)                     # 25 distinct new classes
    assert mutation.key(parent) not in keys
    assert mutation.calls == 25 and mutation.draws >= 25


def test_plain_mutation_repeats_what_cell_mutation_avoids():
    """Regularized evolution on a toy objective: the cell mutation explores more classes."""
    space = cell_space(ops=OPS)

    def score(cell):
        return {"score": sum(op == "nor_conv_3x3" for op in cell.ops) + 0.1 * len(cell.live_edges())}

    seen = {}
    for name, mutation in (("plain", None), ("cell", CellMutation(OPS))):
        classes = set()

        def evaluate(cell, _classes=classes):
            _classes.add(canonical_key(tuple(cell.ops), 4, "function"))
            return score(cell)
        ss.search(space, evaluate, objective="max:score", num_trials=200, seed=0,
                  algorithm=ss.algorithms.RegularizedEvolution(20, 5, seed=0,
                                                               mutation=mutation))
        seen[name] = len(classes)
    assert seen["cell"] > 1.3 * seen["plain"]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="'level'"):
        CellMutation(OPS, level="bytes")
    with pytest.raises(ValueError, match="'ops'"):
        CellMutation(())
    with pytest.raises(ValueError, match="'n_nodes'"):
        CellMutation(OPS, n_nodes=1)
    with pytest.raises(ValueError, match="6 edges"):
        CellMutation(OPS).key((0, 1, 2))
    with pytest.raises(ValueError, match="not an index"):
        CellMutation(OPS).key((0, 1, 2, 3, 4, 0))
