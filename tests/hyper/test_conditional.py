"""Conditional spaces: hyper-values inside the candidates of oneof/manyof."""
import pytest

import symsearch as ss
from tests.hyper._spaces import (Block, Conv, Pool, conditional_space, contains_hyper,
                                 finite_space)


@pytest.fixture(scope="module")
def space():
    return conditional_space()


@pytest.fixture(scope="module")
def spec(space):
    return ss.dna_spec(space)


def test_spec_lists_decisions_depth_first_with_key_paths(spec):
    assert [(d.path, d.kind) for d in spec] == [
        ("blocks[0]", "choice"),
        ("blocks[0][=0].op", "choice"),
        ("blocks[0][=0].op[=0].width", "int"),
        ("blocks[0][=0].op[=0].act", "choice"),
        ("blocks[0][=0].op[=1].size", "int"),
        ("blocks[0][=0].repeats", "int"),
        ("blocks[0][=2].kind", "choice"),
        ("blocks[1]", "choice"),
        ("blocks[1][=0].op", "choice"),
        ("blocks[1][=0].op[=0].width", "int"),
        ("blocks[1][=0].op[=0].act", "choice"),
        ("blocks[1][=0].op[=1].size", "int"),
        ("blocks[1][=0].repeats", "int"),
        ("blocks[1][=2].kind", "choice"),
        ("lr", "float"),
        ("head.kind", "choice"),
        ("head.kind[=1].hidden", "choice"),
        ("head.kind[=1].hidden[=0]", "int"),
        ("head.kind[=1].hidden[=1][1]", "float"),
        ("head.kind[=1].dropout", "float"),
        ("head.order[0]", "choice"),
        ("head.order[1]", "choice"),
        ("head.order[2]", "choice"),
    ]
    assert [d.index for d in spec] == list(range(23))


def test_conditions_point_at_the_parent_choice_and_branch(spec):
    cond = {d.path: d.condition for d in spec}
    assert cond["blocks[0]"] is None and cond["lr"] is None and cond["head.kind"] is None
    assert cond["blocks[0][=0].op"] == (0, 0)
    assert cond["blocks[0][=0].op[=0].width"] == (1, 0)   # three levels deep
    assert cond["blocks[0][=0].op[=1].size"] == (1, 1)
    assert cond["blocks[0][=2].kind"] == (0, 2)
    assert cond["blocks[1][=0].op[=0].act"] == (8, 0)
    assert cond["head.kind[=1].hidden[=0]"] == (16, 0)
    assert cond["head.kind[=1].hidden[=1][1]"] == (16, 1)
    assert cond["head.kind[=1].dropout"] == (15, 1)


def test_children_form_the_tree_of_units(spec):
    op = spec["blocks[0][=0].op"]
    assert [[d.path for d in branch] for branch in op.children] == [
        ["blocks[0][=0].op[=0].width", "blocks[0][=0].op[=0].act"],
        ["blocks[0][=0].op[=1].size"],
    ]
    slot = spec["blocks[0]"]
    assert [[d.path for d in branch] for branch in slot.children] == [
        ["blocks[0][=0].op", "blocks[0][=0].repeats"], [], ["blocks[0][=2].kind"]]
    assert spec["lr"].children == [] and spec["head.kind[=1].hidden[=0]"].children == []
    # a manyof is one unit (a ChoiceGroup), not a decision: only its slots are decisions
    roots = [u.path for u in spec.units]
    assert roots == ["blocks", "lr", "head.kind", "head.order"]
    with pytest.raises(KeyError, match="No decision at path or with name 'blocks'"):
        spec["blocks"]


def test_active_indices_follow_the_chosen_branches(spec):
    dna = ss.DNA((0, 1, None, None, 3, 2, None,
                  1, None, None, None, None, None, None,
                  0.01, 1, 0, 32, None, 0.5, 2, 0, 1))
    spec.validate(dna)
    assert spec.active_indices(dna) == [0, 1, 4, 5, 7, 14, 15, 16, 17, 19, 20, 21, 22]
    c = ss.materialize(conditional_space(), dna)
    assert c.blocks == [Block(op=Pool(size=3), repeats=2), "skip"]
    assert c.head == {"kind": {"hidden": 32, "dropout": 0.5}, "order": ["c", "a", "b"],
                      "tag": ("fixed", {"x": [1, 2]})}
    assert c.lr == 0.01


def test_random_dna_leaves_inactive_decisions_none(spec):
    for seed in range(100):
        dna = ss.random_dna(spec, seed)
        spec.validate(dna)
        active = set(spec.active_indices(dna))
        assert all((v is None) == (i not in active) for i, v in enumerate(dna))


def test_every_branch_is_reached_by_random_sampling(spec):
    seen = set()
    for seed in range(300):
        seen.update(spec.active_indices(ss.random_dna(spec, seed)))
    assert seen == set(range(len(spec)))


def test_deeply_nested_conditionals_materialize_without_hyper_values(space, spec):
    for seed in range(50):
        c = ss.materialize(space, ss.random_dna(spec, seed))
        assert not contains_hyper(c)
        assert isinstance(c, type(space))


def test_three_level_nested_oneof_is_decoded_exactly():
    space = ss.Dict(a=ss.oneof([
        "leaf",
        ss.oneof([ss.oneof([1, 2, ss.intv(10, 12)]), "mid"]),
    ]))
    spec = ss.dna_spec(space)
    assert [(d.path, d.condition) for d in spec] == [
        ("a", None), ("a[=1]", (0, 1)), ("a[=1][=0]", (1, 0)), ("a[=1][=0][=2]", (2, 2))]
    assert spec.space_size == 1 + (2 + 3) + 1
    assert ss.materialize(space, ss.DNA((1, 0, 2, 11))) == {"a": 11}
    assert ss.materialize(space, ss.DNA((1, 1, None, None))) == {"a": "mid"}
    assert ss.encode(space, {"a": 12}) == ss.DNA((1, 0, 2, 12))
    assert ss.encode(space, {"a": 2}) == ss.DNA((1, 0, 1, None))
    assert sorted(map(str, (c["a"] for c in ss.iterate(space)))) == \
        sorted(["leaf", "1", "2", "10", "11", "12", "mid"])


def test_finite_conditional_space_size(spec):
    fspec = ss.dna_spec(finite_space())
    # act 1+3, width 4, ops: ordered distinct pairs with Pool bringing 2 sizes, opt 2+3
    assert fspec.space_size == 4 * 4 * 10 * 5
    assert spec.space_size == float("inf")


def test_constant_parts_of_the_space_are_not_decisions():
    space = Conv(width=ss.oneof([8, 16]), act="relu")
    spec = ss.dna_spec(space)
    assert [d.path for d in spec] == ["width"]
    assert ss.materialize(space, ss.DNA((1,))) == Conv(width=16, act="relu")


def test_space_without_hyper_values_has_one_candidate():
    space = ss.Dict(a=1, b=[Conv()])
    spec = ss.dna_spec(space)
    assert len(spec) == 0 and spec.space_size == 1
    c = ss.materialize(space, ss.DNA(()))
    assert c == space and c is not space and c["b"][0] is not space["b"][0]
    assert ss.encode(space, {"a": 1, "b": [Conv()]}) == ss.DNA(())
    assert [ss.hash(x) for x in ss.iterate(space)] == [ss.hash(space)]


def test_hyper_values_in_nested_tuples_are_found():
    space = ss.Dict(x=((ss.oneof([1, 2]), "k"), 3))
    spec = ss.dna_spec(space)
    assert [d.path for d in spec] == ["x[0][0]"]
    c = ss.materialize(space, ss.DNA((1,)))
    assert c == {"x": ((2, "k"), 3)}
    assert not contains_hyper(c)
    assert ss.encode(space, c) == ss.DNA((1,))
