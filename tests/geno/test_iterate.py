"""iterate_dna / ss.iterate: enumerating finite spaces (grid search)."""
import itertools

import pytest

import symsearch as ss
from tests.hyper._spaces import Conv, Pool, conditional_space, finite_space, step_mutator


def test_iterate_dna_covers_a_finite_conditional_space_exactly_once():
    spec = ss.dna_spec(finite_space())
    dnas = list(ss.iterate_dna(spec))
    assert len(dnas) == spec.space_size == 800
    assert len(set(dnas)) == len(dnas)
    for dna in dnas:
        spec.validate(dna)


def test_iterated_candidates_are_all_distinct():
    space = finite_space()
    candidates = list(ss.iterate(space))
    assert len(candidates) == ss.dna_spec(space).space_size
    assert len({ss.hash(c) for c in candidates}) == len(candidates)


def test_iterate_order_is_fixed_and_lexicographic():
    space = ss.Dict(a=ss.oneof(["x", "y"]), b=ss.intv(0, 4, step=2))
    assert [tuple(d) for d in ss.iterate_dna(ss.dna_spec(space))] == [
        (0, 0), (0, 2), (0, 4), (1, 0), (1, 2), (1, 4)]
    assert [(c["a"], c["b"]) for c in ss.iterate(space)] == [
        ("x", 0), ("x", 2), ("x", 4), ("y", 0), ("y", 2), ("y", 4)]
    assert list(ss.iterate_dna(ss.dna_spec(space))) == list(ss.iterate_dna(ss.dna_spec(space)))


def test_iterate_conditional_branches():
    space = ss.Dict(op=ss.oneof([Conv(width=ss.intv(1, 2)), Pool(size=ss.oneof([2, 3])), "id"]))
    assert [c["op"] for c in ss.iterate(space)] == [
        Conv(width=1), Conv(width=2), Pool(size=2), Pool(size=3), "id"]
    assert [tuple(d) for d in ss.iterate_dna(ss.dna_spec(space))] == [
        (0, 1, None), (0, 2, None), (1, None, 0), (1, None, 1), (2, None, None)]


def test_iterate_manyof_with_conditional_candidates():
    space = ss.Dict(m=ss.manyof(2, [Pool(size=ss.intv(2, 3)), "skip"], distinct=True))
    got = [list(c["m"]) for c in ss.iterate(space)]
    assert got == [[Pool(size=2), "skip"], [Pool(size=3), "skip"],
                   ["skip", Pool(size=2)], ["skip", Pool(size=3)]]
    assert ss.dna_spec(space).space_size == 4


def test_iterate_permutation():
    space = ss.Dict(p=ss.permutate([1, 2, 3, 4]))
    perms = [tuple(c["p"]) for c in ss.iterate(space)]
    assert perms == list(itertools.permutations([1, 2, 3, 4]))


def test_iterate_with_limit():
    spec = ss.dna_spec(finite_space())
    first = list(ss.iterate_dna(spec, limit=7))
    assert len(first) == 7
    assert first == list(itertools.islice(ss.iterate_dna(spec), 7))
    assert len(list(ss.iterate(finite_space(), limit=3))) == 3


def test_constant_space_iterates_once():
    space = ss.Dict(a=1)
    assert list(ss.iterate_dna(ss.dna_spec(space))) == [ss.DNA(())]
    assert list(ss.iterate(space)) == [{"a": 1}]


def test_infinite_space_raises_value_error_at_the_call():
    with pytest.raises(ValueError, match=r"decision 'lr' is continuous"):
        ss.iterate(ss.Dict(a=ss.oneof([1, 2]), lr=ss.floatv(0.0, 1.0)))
    with pytest.raises(ValueError, match=r"only choices and intv are finite"):
        ss.iterate_dna(ss.dna_spec(conditional_space()))
    with pytest.raises(ValueError, match=r"decision 'e' is a custom evolve decision"):
        ss.iterate(ss.Dict(e=ss.evolve(1, step_mutator)))


def test_a_float_in_an_unchosen_branch_still_makes_the_space_infinite():
    space = ss.Dict(a=ss.oneof(["fixed", ss.Dict(x=ss.floatv(0, 1))]))
    with pytest.raises(ValueError, match=r"'a\[=1\]\.x' is continuous"):
        ss.iterate(space)
