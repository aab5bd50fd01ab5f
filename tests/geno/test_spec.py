"""DNASpec and Decision: lookup, size, activity and validation."""
import itertools
import math

import pytest

import symsearch as ss
from symsearch.geno import CHOICE, FLOAT, INT, ChoiceGroup, Decision, DNASpec
from tests.hyper._spaces import conditional_space, finite_space


def handmade_spec():
    """choice(3) 'opt' whose candidate 1 opens float 'lr', plus an int 'k' and a group."""
    opt = Decision(0, "opt", CHOICE, name="optimizer", num_candidates=3,
                   literals=("sgd", "adam", "rmsprop"))
    lr = Decision(1, "opt[=1].lr", FLOAT, condition=(0, 1), lo=1e-4, hi=1.0, scale="log")
    opt.children = [[], [lr], []]
    k = Decision(2, "k", INT, lo=2, hi=10, step=2)
    s0 = Decision(3, "ops[0]", CHOICE, num_candidates=4)
    s1 = Decision(4, "ops[1]", CHOICE, num_candidates=4)
    group = ChoiceGroup([s0, s1], 4, distinct=True, sorted=True, path="ops")
    s0.group = s1.group = group
    return DNASpec([opt, lr, k, s0, s1], [opt, k, group])


def test_lookup_by_index_path_and_name():
    spec = handmade_spec()
    assert len(spec) == 5
    assert [d.path for d in spec] == ["opt", "opt[=1].lr", "k", "ops[0]", "ops[1]"]
    assert spec[0] is spec["opt"] is spec["optimizer"]
    assert spec["k"].index == 2
    with pytest.raises(KeyError, match=r"No decision at path or with name 'nope'; paths are "
                                       r"\['opt', 'opt\[=1\]\.lr', 'k', 'ops\[0\]', 'ops\[1\]'\]"):
        spec["nope"]
    assert list(spec.groups.values())[0].k == 2


def test_decision_properties_and_repr():
    spec = handmade_spec()
    assert spec["opt"].is_categorical and not spec["k"].is_categorical
    assert spec["opt"].num_values == 3
    assert spec["k"].num_values == 5
    assert spec["opt[=1].lr"].num_values == math.inf
    assert repr(spec["opt[=1].lr"]) == "Decision(#1 'opt[=1].lr' float[0.0001, 1.0] log if #0=1)"
    assert repr(spec["k"]) == "Decision(#2 'k' int[2, 10])"
    assert repr(spec["opt"]) == "Decision(#0 'opt' choice(3))"
    text = repr(spec)
    assert text.splitlines()[0] == "DNASpec(5 decisions)" and len(text.splitlines()) == 6


def test_is_finite_and_space_size():
    spec = handmade_spec()
    assert not spec.is_finite and spec.space_size == math.inf
    finite = ss.dna_spec(ss.Dict(a=ss.oneof([1, 2, ss.intv(0, 4)]), b=ss.intv(1, 9, step=4)))
    assert finite.is_finite
    assert finite.space_size == (2 + 5) * 3


@pytest.mark.parametrize("distinct", [True, False])
@pytest.mark.parametrize("sorted_", [True, False])
def test_space_size_of_manyof_with_conditional_candidates_matches_enumeration(distinct,
                                                                              sorted_):
    sizes = [3, 1, 2, 1]  # sub-space size of each candidate
    candidates = [ss.intv(1, 3), "x", ss.oneof(["p", "q"]), "y"]
    space = ss.Dict(m=ss.manyof(3, candidates, distinct=distinct, sorted=sorted_))
    if distinct and sorted_:
        picks = itertools.combinations(range(4), 3)
    elif distinct:
        picks = itertools.permutations(range(4), 3)
    elif sorted_:
        picks = itertools.combinations_with_replacement(range(4), 3)
    else:
        picks = itertools.product(range(4), repeat=3)
    expected = sum(math.prod(sizes[i] for i in p) for p in picks)
    spec = ss.dna_spec(space)
    assert spec.space_size == expected
    assert sum(1 for _ in ss.iterate_dna(spec)) == expected


def test_space_size_is_infinite_when_a_manyof_candidate_is_continuous():
    spec = ss.dna_spec(ss.Dict(m=ss.manyof(2, [ss.floatv(0, 1), "a", "b"], sorted=True)))
    assert spec.space_size == math.inf


def test_active_indices():
    spec = handmade_spec()
    assert spec.active_indices(ss.DNA((0, None, 4, 0, 3))) == [0, 2, 3, 4]
    assert spec.active_indices(ss.DNA((1, 0.1, 4, 0, 3))) == [0, 1, 2, 3, 4]


def test_validate_accepts_valid_dna():
    spec = handmade_spec()
    spec.validate(ss.DNA((0, None, 4, 0, 3)))
    spec.validate(ss.DNA((1, 1e-4, 10, 1, 2)))
    spec.validate((2, None, 2, 2, 3))  # a plain tuple works too


@pytest.mark.parametrize("dna,message", [
    ((0, None, 4, 0), r"DNA has 4 values but the space has 5 decisions"),
    ((0, 0.5, 4, 0, 3), r"Decision 'opt\[=1\]\.lr' is inactive but DNA holds 0\.5"),
    ((3, None, 4, 0, 3), r"Decision 'opt': 3 is not a candidate index in \[0, 3\)"),
    ((-1, None, 4, 0, 3), r"Decision 'opt': -1 is not a candidate index"),
    ((None, None, 4, 0, 3), r"Decision 'opt': None is not a candidate index"),
    ((0.0, None, 4, 0, 3), r"Decision 'opt': 0\.0 is not a candidate index"),
    ((1, 2.0, 4, 0, 3), r"Decision 'opt\[=1\]\.lr': 2\.0 is outside \[0\.0001, 1\.0\]"),
    ((1, None, 4, 0, 3), r"Decision 'opt\[=1\]\.lr': None is outside"),
    ((0, None, 12, 0, 3), r"Decision 'k': 12 is outside \[2, 10\]"),
    ((0, None, 5, 0, 3), r"Decision 'k': 5 is not on the grid 2\.\.10 step 2"),
    ((0, None, 4.5, 0, 3), r"Decision 'k': 4\.5 is not on the grid"),
    ((0, None, 4, 2, 2), r"Decision 'ops': choices \[2, 2\] must be distinct"),
    ((0, None, 4, 3, 1), r"Decision 'ops': choices \[3, 1\] must be in candidate order"),
])
def test_validate_names_the_offending_decision(dna, message):
    with pytest.raises(ValueError, match=message):
        handmade_spec().validate(dna)


def test_validate_checks_groups_only_when_active():
    space = ss.Dict(x=ss.oneof(["none", ss.manyof(2, ["a", "b", "c"])]))
    spec = ss.dna_spec(space)
    spec.validate(ss.DNA((0, None, None)))
    spec.validate(ss.DNA((1, 2, 0)))
    with pytest.raises(ValueError, match=r"Decision 'x\[=1\]': choices \[1, 1\] must be distinct"):
        spec.validate(ss.DNA((1, 1, 1)))


def test_specs_of_the_shared_spaces_validate_their_random_dna():
    for make in (conditional_space, finite_space):
        spec = ss.dna_spec(make())
        for seed in range(50):
            spec.validate(ss.random_dna(spec, seed))


def test_spec_fingerprint_follows_the_space():
    a = ss.dna_spec(ss.Dict(x=ss.oneof([1, 2])))
    b = ss.dna_spec(ss.Dict(x=ss.oneof([1, 2])))
    c = ss.dna_spec(ss.Dict(x=ss.oneof([1, 3])))
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert len(a.fingerprint) == 32
