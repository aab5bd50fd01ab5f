"""random_dna: deterministic per seed, valid, and distributed as promised."""
import collections
import math
import random

import pytest

import symsearch as ss
from symsearch.geno import ChoiceGroup, make_rng, sample_decision, sample_group
from tests.hyper._spaces import conditional_space, finite_space, step_mutator


@pytest.fixture(scope="module")
def spec():
    return ss.dna_spec(conditional_space())


def test_random_dna_is_deterministic_per_seed(spec):
    assert ss.random_dna(spec, 123) == ss.random_dna(spec, 123)
    assert [ss.random_dna(spec, s) for s in range(5)] == [ss.random_dna(spec, s) for s in range(5)]
    assert len({ss.random_dna(spec, s) for s in range(50)}) == 50


def test_random_dna_accepts_a_random_generator(spec):
    rng_a, rng_b = random.Random(9), random.Random(9)
    a = [ss.random_dna(spec, rng_a) for _ in range(5)]
    b = [ss.random_dna(spec, rng_b) for _ in range(5)]
    assert a == b and len(set(a)) == 5
    assert make_rng(rng_a) is rng_a
    assert isinstance(make_rng(None), random.Random)


def test_random_dna_without_seed_varies(spec):
    assert len({ss.random_dna(spec) for _ in range(20)}) > 1


def test_random_dna_is_valid_and_typed(spec):
    for seed in range(200):
        dna = ss.random_dna(spec, seed)
        assert type(dna) is ss.DNA and len(dna) == len(spec)
        spec.validate(dna)
        for d in spec:
            v = dna[d.index]
            if v is None:
                continue
            if d.kind in ("choice", "int"):
                assert type(v) is int
            elif d.kind == "float":
                assert type(v) is float


def test_choice_values_are_uniform():
    spec = ss.dna_spec(ss.Dict(x=ss.oneof(list("abcd"))))
    counts = collections.Counter(ss.random_dna(spec, s)[0] for s in range(4000))
    assert set(counts) == {0, 1, 2, 3}
    assert all(abs(c / 4000 - 0.25) < 0.03 for c in counts.values())


@pytest.mark.parametrize("distinct,sorted_", [(True, False), (True, True), (False, True),
                                              (False, False)])
def test_manyof_groups_respect_distinct_and_sorted(distinct, sorted_):
    space = ss.Dict(m=ss.manyof(3, list(range(4)), distinct=distinct, sorted=sorted_))
    spec = ss.dna_spec(space)
    seen = set()
    for seed in range(800):
        dna = ss.random_dna(spec, seed)
        spec.validate(dna)
        if distinct:
            assert len(set(dna)) == 3
        if sorted_:
            assert list(dna) == sorted(dna)
        seen.add(dna)
    assert len(seen) == spec.space_size  # every assignment is reachable


def test_manyof_slots_sample_their_own_conditional_children():
    space = ss.Dict(m=ss.manyof(2, [ss.intv(1, 100), "x"], distinct=False))
    spec = ss.dna_spec(space)
    pairs = [ss.random_dna(spec, s) for s in range(200)]
    both = [d for d in pairs if d[0] == 0 and d[2] == 0]
    assert both and any(d[1] != d[3] for d in both)  # independent per slot
    for d in pairs:
        assert (d[1] is None) == (d[0] != 0) and (d[3] is None) == (d[2] != 0)


def test_sample_group_directly():
    group = ChoiceGroup(slots=[None] * 3, num_candidates=5, distinct=True, sorted=True,
                        path="g")
    rng = random.Random(0)
    for _ in range(50):
        picks = sample_group(group, rng)
        assert picks == sorted(set(picks)) and len(picks) == 3
        assert all(0 <= p < 5 for p in picks)


def test_log_float_is_in_bounds_and_log_uniform():
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(1e-3, 1e3, scale="log")))
    xs = [ss.random_dna(spec, s)[0] for s in range(4000)]
    assert all(1e-3 <= x <= 1e3 for x in xs)
    below_one = sum(x < 1.0 for x in xs) / len(xs)
    assert below_one == pytest.approx(0.5, abs=0.03)  # geometric midpoint is 1
    logs = [math.log10(x) for x in xs]
    for lo in range(-3, 3):
        share = sum(lo <= v < lo + 1 for v in logs) / len(xs)
        assert share == pytest.approx(1 / 6, abs=0.03)


def test_linear_float_is_uniform():
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(1e-3, 1e3)))
    xs = [ss.random_dna(spec, s)[0] for s in range(2000)]
    assert sum(x < 1.0 for x in xs) / len(xs) < 0.01  # linear: almost none below 1
    assert sum(x < 500.0 for x in xs) / len(xs) == pytest.approx(0.5, abs=0.04)


def test_sample_decision_for_each_kind():
    spec = ss.dna_spec(ss.Dict(c=ss.oneof([1, 2, 3]), i=ss.intv(0, 9, step=3),
                               li=ss.intv(1, 1000, scale="log"),
                               e=ss.evolve("init", step_mutator)))
    rng = random.Random(1)
    assert {sample_decision(spec["c"], rng) for _ in range(100)} == {0, 1, 2}
    assert {sample_decision(spec["i"], rng) for _ in range(100)} == {0, 3, 6, 9}
    li = [sample_decision(spec["li"], rng) for _ in range(3000)]
    assert min(li) >= 1 and max(li) <= 1000
    assert sum(v < 32 for v in li) / len(li) == pytest.approx(0.5, abs=0.04)
    assert sample_decision(spec["e"], rng) == "init"


def test_random_dna_of_a_finite_space_reaches_every_candidate():
    spec = ss.dna_spec(ss.Dict(a=ss.oneof([ss.oneof([1, 2]), ss.intv(0, 2)]),
                               b=ss.manyof(2, ["x", "y", "z"], sorted=True)))
    seen = {ss.random_dna(spec, s) for s in range(400)}
    assert len(seen) == spec.space_size == 5 * 3


def test_random_dna_is_fast_enough_for_the_hot_path():
    import time
    spec = ss.dna_spec(finite_space())
    rng = random.Random(0)
    start = time.perf_counter()
    for _ in range(2000):
        ss.random_dna(spec, rng)
    assert time.perf_counter() - start < 2.0  # typically ~0.05 s
