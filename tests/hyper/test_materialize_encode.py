"""materialize / encode / random_sample, candidate independence and the compile cache."""
import numpy as np
import pytest

import symsearch as ss
from tests.hyper._spaces import (Block, Conv, Net, Pool, conditional_space, contains_hyper,
                                 finite_space)


# ---- round trips ----------------------------------------------------------------------
def test_encode_inverts_materialize_on_many_random_dnas():
    space = conditional_space()
    spec = ss.dna_spec(space)
    for seed in range(400):
        dna = ss.random_dna(spec, seed)
        candidate = ss.materialize(space, dna)
        assert ss.encode(space, candidate) == dna, f"seed {seed}"


def test_encode_of_a_reloaded_candidate_gives_the_same_dna():
    space = conditional_space()
    spec = ss.dna_spec(space)
    for seed in range(30):
        dna = ss.random_dna(spec, seed)
        candidate = ss.from_json(ss.to_json(ss.materialize(space, dna)))
        assert ss.encode(space, candidate) == dna


def test_encode_of_every_candidate_of_a_finite_space():
    space = finite_space()
    spec = ss.dna_spec(space)
    dnas = list(ss.iterate_dna(spec))
    for dna in dnas:
        assert ss.encode(space, ss.materialize(space, dna)) == dna


def test_encode_accepts_an_equivalent_hand_written_candidate():
    space = Net(blocks=ss.manyof(2, [Conv(width=ss.intv(1, 4)), "skip"], distinct=False),
                lr=ss.floatv(0.0, 1.0), head=ss.oneof([None, Pool(size=ss.intv(2, 4))]))
    candidate = Net(blocks=["skip", Conv(width=2)], lr=0.5, head=Pool(size=3))
    assert ss.encode(space, candidate) == ss.DNA((1, None, 0, 2, 0.5, 1, 3))
    assert ss.materialize(space, ss.encode(space, candidate)) == candidate


# ---- encode errors --------------------------------------------------------------------
@pytest.mark.parametrize("candidate,message", [
    (Net(blocks=["skip", "skip"], lr=2.0, head=None), r"At lr: 2\.0 is outside"),
    (Net(blocks=["skip", "pool"], lr=0.5, head=None),
     r"At blocks\[1\]: 'pool' matches no candidate"),
    (Net(blocks=["skip", Conv(width=9)], lr=0.5, head=None),
     r"At blocks\[1\]: .* closest is candidate 0: At blocks\[1\]\[=0\]\.width: 9 is outside"),
    (Net(blocks=["skip", "skip"], lr=0.5, head=Pool(size=9)),
     r"At head: .* closest is candidate 1: At head\[=1\]\.size: 9 is outside \[2, 4\]"),
    (Net(blocks=["skip", "skip"], lr=0.5, head=Pool(size=3, kind="avg")),
     r"closest is candidate 1: At head\[=1\]\.kind: expected 'max', got 'avg'"),
    (Net(blocks=["skip"], lr=0.5, head=None), r"At blocks: expected a list of 2 choices"),
    (Conv(width=1), r"At <root>: expected a Net, got Conv"),
])
def test_encode_of_a_candidate_outside_the_space_names_the_key_path(candidate, message):
    space = Net(blocks=ss.manyof(2, [Conv(width=ss.intv(1, 4)), "skip"], distinct=False),
                lr=ss.floatv(0.0, 1.0), head=ss.oneof([None, Pool(size=ss.intv(2, 4))]))
    with pytest.raises(ValueError, match=message) as info:
        ss.encode(space, candidate)
    assert str(info.value).startswith("Candidate is not in the search space.")


def test_encode_reports_missing_and_extra_dict_keys():
    space = ss.Dict(a=ss.oneof([1, 2]), b=ss.Dict(c=ss.floatv(0, 1)))
    with pytest.raises(ValueError, match=r"At b\.c: value is missing"):
        ss.encode(space, {"a": 1, "b": {"d": 0.5}})
    with pytest.raises(ValueError, match=r"At b: expected a dict with keys \['c'\]"):
        ss.encode(space, {"a": 1, "b": {"c": 0.5, "d": 1}})


# ---- materialize errors ---------------------------------------------------------------
def test_materialize_rejects_dna_of_the_wrong_length():
    space = ss.Dict(a=ss.oneof([1, 2]), b=ss.floatv(0, 1))
    with pytest.raises(ValueError, match="DNA has 1 values but the space has 2 decisions"):
        ss.materialize(space, ss.DNA((0,)))


def test_materialize_rejects_a_bad_choice_naming_the_decision():
    space = ss.Dict(a=ss.oneof([1, 2]), b=ss.Dict(c=ss.oneof(["x", "y"])))
    with pytest.raises(ValueError, match=r"Decision 'b\.c': 5 is not a candidate index"):
        ss.materialize(space, ss.DNA((0, 5)))
    with pytest.raises(ValueError, match=r"Decision 'b\.c': None is not a candidate index"):
        ss.materialize(space, ss.DNA((0, None)))


# ---- candidates are fresh, independent trees ------------------------------------------
def test_candidates_share_no_state_with_the_space_or_each_other():
    space = conditional_space()
    before = ss.hash(space)
    spec = ss.dna_spec(space)
    dna = ss.random_dna(spec, 11)
    a, b = ss.materialize(space, dna), ss.materialize(space, dna)
    assert a == b and a is not b
    a.head["tag"][1]["x"].append(3)        # a constant of the space, inside a tuple
    a.head["order"].append("z")
    a.blocks[0] = "replaced"
    a.rebind({"head.tag": ("changed",), "lr": 0.5})
    assert b == ss.materialize(space, dna)
    assert ss.hash(space) == before
    assert ss.materialize(space, dna) == b
    assert a.sym_parent is None and b.head.sym_path == "head"


def test_mutable_constants_are_copied_per_candidate():
    space = ss.Dict(x=ss.oneof([1, 2]), table=np.zeros(3), nested=(Conv(), [1]),
                    opts=ss.oneof([ss.Dict(w=[0, 0]), "none"]))
    c1 = ss.materialize(space, ss.DNA((0, 0)))
    c1["table"][0] = 5.0
    c1["nested"][0].rebind(width=99)
    c1["opts"]["w"].append(1)
    c2 = ss.materialize(space, ss.DNA((0, 0)))
    assert c2["table"].tolist() == [0.0, 0.0, 0.0]
    assert space["table"].tolist() == [0.0, 0.0, 0.0]
    assert c2["nested"][0].width == 16 and space["nested"][0].width == 16
    assert c2["opts"]["w"] == [0, 0] and space["opts"].candidates[0]["w"] == [0, 0]


def test_materialized_candidates_hold_no_hyper_values():
    space = conditional_space()
    for c in ss.random_sample(space, 40, seed=5):
        assert not contains_hyper(c)
        assert isinstance(c, Net)
        for block in c.blocks:
            assert block == "skip" or isinstance(block, (Block, Pool))
    assert contains_hyper(space)


def test_materialized_symbolic_objects_are_proper_trees():
    space = conditional_space()
    dna = ss.DNA((0, 0, 16, 1, None, 2, None, 1, None, None, None, None, None, None,
                  0.001, 0, None, None, None, None, 0, 1, 2))
    c = ss.materialize(space, dna)
    conv = c.blocks[0].op
    assert conv == Conv(width=16, act="gelu")
    assert conv.sym_path == "blocks[0].op"
    assert conv.sym_root is c
    assert ss.eq(c, Net(blocks=[Block(op=Conv(width=16, act="gelu"), repeats=2), "skip"],
                        lr=0.001, head={"kind": "linear", "order": ["a", "b", "c"],
                                        "tag": ("fixed", {"x": [1, 2]})}))
    assert ss.hash(c) == ss.hash(ss.clone(c))


# ---- random_sample --------------------------------------------------------------------
def test_random_sample_is_deterministic_per_seed():
    space = conditional_space()
    a = ss.random_sample(space, 10, seed=42)
    b = ss.random_sample(space, 10, seed=42)
    c = ss.random_sample(space, 10, seed=43)
    assert len(a) == 10
    assert [ss.hash(x) for x in a] == [ss.hash(x) for x in b]
    assert [ss.hash(x) for x in a] != [ss.hash(x) for x in c]
    assert len({ss.hash(x) for x in a}) == 10


def test_random_sample_matches_materialize_of_random_dna():
    space = conditional_space()
    spec = ss.dna_spec(space)
    import random
    rng = random.Random(7)
    expected = [ss.materialize(space, ss.random_dna(spec, rng)) for _ in range(5)]
    assert ss.random_sample(space, 5, seed=random.Random(7)) == expected
    assert ss.random_sample(space, seed=1)[0] == ss.materialize(space, ss.random_dna(spec, 1))


def test_random_dna_of_a_space_equals_random_dna_of_its_spec():
    space = conditional_space()
    assert ss.random_dna(space, 3) == ss.random_dna(ss.dna_spec(space), 3)


# ---- the compiled space is cached and dropped on change -------------------------------
def test_compiled_space_is_cached_on_the_space():
    space = ss.Dict(act=ss.oneof(["a", "b"]), lr=ss.floatv(0, 1))
    assert ss.compiled(space) is ss.compiled(space)
    assert ss.dna_spec(space) is ss.dna_spec(space)


def test_rebinding_a_candidate_list_updates_the_spec():
    space = ss.Dict(act=ss.oneof(["a", "b"]), lr=ss.floatv(0, 1))
    spec = ss.dna_spec(space)
    assert spec["act"].num_candidates == 2
    space.rebind({"act.candidates": ["a", "b", "c"]})
    new = ss.dna_spec(space)
    assert new is not spec and new["act"].num_candidates == 3
    assert ss.materialize(space, ss.DNA((2, 0.5))) == {"act": "c", "lr": 0.5}


def test_in_place_mutations_below_the_root_drop_the_cache():
    space = ss.Dict(model=ss.Dict(act=ss.oneof(["a", "b"]), lr=ss.floatv(0, 1)))
    ss.dna_spec(space)
    space["model"]["act"].candidates.append("c")            # a list in a hyper-value
    assert ss.dna_spec(space)["model.act"].num_candidates == 3
    space["model"]["lr"].rebind(hi=10.0)                   # a field of a hyper-value
    assert ss.dna_spec(space)["model.lr"].hi == 10.0
    space["model"]["width"] = ss.intv(1, 4)                # a new decision
    assert [d.path for d in ss.dna_spec(space)] == ["model.act", "model.lr", "model.width"]
    del space["model"]["act"]
    assert [d.path for d in ss.dna_spec(space)] == ["model.lr", "model.width"]
    space.rebind({"model.lr": 0.1})                        # decision replaced by a constant
    assert [d.path for d in ss.dna_spec(space)] == ["model.width"]
    assert ss.materialize(space, ss.DNA((2,))) == {"model": {"lr": 0.1, "width": 2}}


def test_changing_a_subtree_drops_the_cache_of_the_subtree_and_the_root():
    space = ss.Dict(model=Conv(width=ss.oneof([8, 16])))
    sub = space["model"]
    assert len(ss.dna_spec(sub)) == len(ss.dna_spec(space)) == 1
    sub.rebind(act=ss.oneof(["relu", "gelu", "tanh"]))
    assert [d.path for d in ss.dna_spec(sub)] == ["width", "act"]
    assert [d.path for d in ss.dna_spec(space)] == ["model.width", "model.act"]


def test_plain_python_spaces_work_without_caching():
    space = {"a": ss.oneof([1, 2]), "b": [ss.intv(0, 2), "k"]}
    spec = ss.dna_spec(space)
    assert [d.path for d in spec] == ["a", "b[0]"]
    assert ss.materialize(space, ss.DNA((1, 2))) == {"a": 2, "b": [2, "k"]}
    assert ss.encode(space, {"a": 1, "b": [0, "k"]}) == ss.DNA((0, 0))
