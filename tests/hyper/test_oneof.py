"""oneof, manyof and permutate: definition, spec, sampling, materialize, encode."""
import itertools
import math

import pytest

import symsearch as ss
from tests.hyper._spaces import Conv, Pool, contains_hyper


# ---- oneof ----------------------------------------------------------------------------
def test_oneof_is_a_symbolic_hyper_value():
    h = ss.oneof(["relu", "gelu"], name="act")
    assert isinstance(h, ss.OneOf) and isinstance(h, ss.HyperValue)
    assert list(h.candidates) == ["relu", "gelu"]
    assert h.name == "act"
    assert h.default_value() == "relu"
    assert repr(h) == "oneof(candidates=['relu', 'gelu'], name='act')"
    assert repr(ss.oneof([1, 2])) == "oneof(candidates=[1, 2])"


def test_oneof_accepts_any_sequence_of_candidates():
    assert list(ss.oneof((1, 2, 3)).candidates) == [1, 2, 3]
    assert list(ss.oneof(range(3)).candidates) == [0, 1, 2]


def test_oneof_decision_in_spec():
    space = ss.Dict(act=ss.oneof(["relu", "gelu", "tanh"], name="act"))
    spec = ss.dna_spec(space)
    assert len(spec) == 1
    d = spec["act"]
    assert (d.index, d.path, d.kind, d.name) == (0, "act", "choice", "act")
    assert d.num_candidates == 3
    assert d.literals == ("relu", "gelu", "tanh")
    assert d.children == [] and d.condition is None
    assert spec.space_size == 3


def test_oneof_materializes_each_candidate():
    space = ss.Dict(act=ss.oneof(["relu", "gelu", "tanh"]), fixed=1)
    got = [ss.materialize(space, ss.DNA((i,))) for i in range(3)]
    assert got == [{"act": "relu", "fixed": 1}, {"act": "gelu", "fixed": 1},
                   {"act": "tanh", "fixed": 1}]
    assert all(type(c) is ss.Dict for c in got)


def test_oneof_with_symbolic_candidates_materializes_copies():
    space = ss.Dict(op=ss.oneof([Conv(width=8), Pool(size=3)]))
    a = ss.materialize(space, ss.DNA((0,)))
    b = ss.materialize(space, ss.DNA((0,)))
    assert a["op"] == Conv(width=8, act="relu")
    assert a["op"] is not b["op"]
    assert a["op"] is not space["op"].candidates[0]
    assert ss.materialize(space, ss.DNA((1,)))["op"] == Pool(size=3, kind="max")


def test_oneof_as_the_root_of_a_space():
    space = ss.oneof([1, Conv(width=ss.intv(1, 3))])
    spec = ss.dna_spec(space)
    assert [d.path for d in spec] == ["", "[=1].width"]
    assert ss.materialize(space, ss.DNA((0, None))) == 1
    assert ss.materialize(space, ss.DNA((1, 2))) == Conv(width=2)
    assert ss.encode(space, Conv(width=3)) == ss.DNA((1, 3))
    assert spec.space_size == 4


def test_oneof_encode_returns_candidate_index():
    space = ss.Dict(act=ss.oneof(["relu", "gelu"]), k=ss.oneof([1, 2.5, None, (1, 2)]))
    assert ss.encode(space, {"act": "gelu", "k": None}) == ss.DNA((1, 2))
    assert ss.encode(space, {"act": "relu", "k": (1, 2)}) == ss.DNA((0, 3))
    assert ss.encode(space, {"act": "relu", "k": 2.5}) == ss.DNA((0, 1))


def test_oneof_encode_rejects_a_value_that_is_no_candidate():
    space = ss.Dict(act=ss.oneof(["relu", "gelu"]))
    with pytest.raises(ValueError, match=r"At act: 'selu' matches no candidate"):
        ss.encode(space, {"act": "selu"})


# ---- manyof ---------------------------------------------------------------------------
def test_manyof_definition_and_defaults():
    h = ss.manyof(2, ["a", "b", "c"])
    assert isinstance(h, ss.ManyOf)
    assert (h.k, h.distinct, h.sorted, h.name) == (2, True, False, None)
    assert h.default_value() == ["a", "b"]
    h2 = ss.manyof(3, ["a", "b"], distinct=False, sorted=True, name="ops")
    assert (h2.k, h2.distinct, h2.sorted, h2.name) == (3, False, True, "ops")
    assert h2.default_value() == ["a", "a", "a"]


def test_manyof_spec_is_a_group_of_k_choice_slots():
    space = ss.Dict(ops=ss.manyof(3, ["conv", "pool", "skip", "id"], sorted=True, name="ops"))
    spec = ss.dna_spec(space)
    assert [d.path for d in spec] == ["ops[0]", "ops[1]", "ops[2]"]
    assert [d.name for d in spec] == ["ops[0]", "ops[1]", "ops[2]"]
    assert all(d.kind == "choice" and d.num_candidates == 4 for d in spec)
    (group,) = spec.units
    assert isinstance(group, ss.geno.ChoiceGroup)
    assert (group.k, group.num_candidates, group.distinct, group.sorted) == (3, 4, True, True)
    assert (group.path, group.name) == ("ops", "ops")
    assert all(d.group is group for d in spec)
    assert spec.space_size == math.comb(4, 3)


@pytest.mark.parametrize("distinct,sorted_,expected", [
    (True, True, math.comb(4, 2)),
    (True, False, math.perm(4, 2)),
    (False, True, math.comb(5, 2)),
    (False, False, 4 ** 2),
])
def test_manyof_space_size_and_iteration_follow_distinct_and_sorted(distinct, sorted_,
                                                                     expected):
    space = ss.Dict(ops=ss.manyof(2, ["a", "b", "c", "d"], distinct=distinct,
                                  sorted=sorted_))
    assert ss.dna_spec(space).space_size == expected
    values = [tuple(c["ops"]) for c in ss.iterate(space)]
    assert len(values) == len(set(values)) == expected
    for v in values:
        if distinct:
            assert len(set(v)) == 2
        if sorted_:
            assert list(v) == sorted(v)


def test_manyof_random_samples_respect_distinct_and_sorted():
    space = ss.Dict(d=ss.manyof(3, list(range(5)), distinct=True),
                    s=ss.manyof(4, list(range(3)), distinct=False, sorted=True),
                    ds=ss.manyof(3, list(range(6)), distinct=True, sorted=True))
    seen_repeat = False
    for c in ss.random_sample(space, 200, seed=0):
        assert len(c["d"]) == 3 and len(set(c["d"])) == 3
        assert list(c["s"]) == sorted(c["s"])
        seen_repeat |= len(set(c["s"])) < 4
        assert list(c["ds"]) == sorted(set(c["ds"])) and len(c["ds"]) == 3
    assert seen_repeat  # non-distinct really repeats


def test_manyof_materializes_a_list_in_slot_order():
    space = ss.Dict(ops=ss.manyof(3, ["a", "b", "c"]))
    c = ss.materialize(space, ss.DNA((2, 0, 1)))
    assert c == {"ops": ["c", "a", "b"]}
    assert type(c["ops"]) is ss.List


def test_manyof_encode_round_trip_and_rule_violations():
    space = ss.Dict(ops=ss.manyof(2, ["a", "b", "c"], sorted=True))
    assert ss.encode(space, {"ops": ["a", "c"]}) == ss.DNA((0, 2))
    with pytest.raises(ValueError, match=r"At ops: choices must be distinct"):
        ss.encode(space, {"ops": ["b", "b"]})
    with pytest.raises(ValueError, match=r"At ops: choices must be in candidate order"):
        ss.encode(space, {"ops": ["c", "a"]})
    with pytest.raises(ValueError, match=r"At ops: expected a list of 2 choices"):
        ss.encode(space, {"ops": ["a"]})
    with pytest.raises(ValueError, match=r"At ops\[1\]: 'z' matches no candidate"):
        ss.encode(space, {"ops": ["a", "z"]})


def test_manyof_with_hyper_valued_candidates_gets_decisions_per_slot():
    space = ss.Dict(layers=ss.manyof(2, [Conv(width=ss.intv(1, 4, name="w")), "skip"],
                                     distinct=False, name="layers"))
    spec = ss.dna_spec(space)
    assert [(d.path, d.name, d.condition) for d in spec] == [
        ("layers[0]", "layers[0]", None),
        ("layers[0][=0].width", "w[0]", (0, 0)),
        ("layers[1]", "layers[1]", None),
        ("layers[1][=0].width", "w[1]", (2, 0)),
    ]
    assert spec["layers[0]"].children == [[spec["w[0]"]], []]
    assert spec.space_size == (4 + 1) ** 2
    c = ss.materialize(space, ss.DNA((0, 3, 0, 1)))
    assert c == {"layers": [Conv(width=3), Conv(width=1)]}
    assert not contains_hyper(c)
    assert ss.encode(space, c) == ss.DNA((0, 3, 0, 1))
    assert ss.encode(space, {"layers": ["skip", Conv(width=2)]}) == ss.DNA((1, None, 0, 2))
    dna = ss.DNA((1, None, 0, 4))
    assert dna.to_dict(spec, key="name") == {"layers[0]": 1, "layers[1]": 0, "w[1]": 4}


def test_distinct_manyof_with_hyper_valued_candidates_counts_exactly():
    space = ss.Dict(m=ss.manyof(2, [ss.intv(1, 2), "a", "b"], distinct=True))
    spec = ss.dna_spec(space)
    # ordered pairs of distinct candidates; each pick of candidate 0 brings 2 values
    expected = sum((2 if i == 0 else 1) * (2 if j == 0 else 1)
                   for i, j in itertools.permutations(range(3), 2))
    assert spec.space_size == expected == 10
    got = [ss.hash(c) for c in ss.iterate(space)]
    assert len(got) == len(set(got)) == expected


# ---- permutate ------------------------------------------------------------------------
def test_permutate_is_a_distinct_unsorted_manyof_over_all_candidates():
    h = ss.permutate(["a", "b", "c"], name="order")
    assert isinstance(h, ss.ManyOf)
    assert (h.k, h.distinct, h.sorted, h.name) == (3, True, False, "order")
    space = ss.Dict(order=h)
    spec = ss.dna_spec(space)
    assert spec.space_size == 6
    orders = [tuple(c["order"]) for c in ss.iterate(space)]
    assert sorted(orders) == sorted(itertools.permutations("abc"))
    for c in ss.random_sample(space, 50, seed=3):
        assert sorted(c["order"]) == ["a", "b", "c"]
    assert ss.encode(space, {"order": ["c", "a", "b"]}) == ss.DNA((2, 0, 1))


def test_named_decisions_are_addressable_by_name():
    space = ss.Dict(a=ss.oneof([1, 2], name="first"), b=ss.floatv(0, 1, name="rate"),
                    c=ss.permutate([1, 2], name="perm"))
    spec = ss.dna_spec(space)
    assert spec["first"] is spec["a"]
    assert spec["rate"] is spec["b"]
    assert spec["perm[1]"] is spec["c[1]"]
    assert set(spec.by_name) == {"first", "rate", "perm[0]", "perm[1]"}
