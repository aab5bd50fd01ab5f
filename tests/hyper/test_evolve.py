"""evolve(initial, mutator): a custom decision whose values come from user code."""
import random

import pytest

import symsearch as ss
from tests.hyper._spaces import Conv, step_mutator


def grow(conv, rng):
    conv.rebind(width=conv.width * 2)
    return conv


def test_evolve_fields_and_default():
    h = ss.evolve(3, step_mutator, name="depth")
    assert isinstance(h, ss.Evolve) and isinstance(h, ss.HyperValue)
    assert h.initial == 3 and h.mutator is step_mutator and h.name == "depth"
    assert h.default_value() == 3


def test_evolve_mutate_runs_the_user_mutator():
    h = ss.evolve(3, step_mutator)
    values = {h.mutate(3, random.Random(seed)) for seed in range(20)}
    assert values == {2, 4}
    assert h.mutate(10, random.Random(0)) == step_mutator(10, random.Random(0))


def test_evolve_mutate_works_on_a_copy_of_symbolic_values():
    initial = Conv(width=8)
    h = ss.evolve(initial, grow)
    child = h.mutate(initial, random.Random(0))
    assert child == Conv(width=16)
    assert initial == Conv(width=8)  # parent untouched
    default = h.default_value()
    assert default == Conv(width=8) and default is not h.initial


def test_evolve_is_a_custom_decision():
    space = ss.Dict(prog=ss.evolve(Conv(width=8), grow, name="prog"), act=ss.oneof(["a", "b"]))
    spec = ss.dna_spec(space)
    d = spec["prog"]
    assert (d.path, d.kind, d.name) == ("prog", "custom", "prog")
    assert d.hyper is space["prog"]
    assert not spec.is_finite
    # random DNA starts from the initial value; mutation is the algorithm's job
    dna = ss.random_dna(spec, 0)
    assert dna[0] == Conv(width=8)


def test_evolve_materialize_copies_the_dna_value():
    space = ss.Dict(prog=ss.evolve(Conv(width=8), grow))
    value = Conv(width=32)
    dna = ss.DNA((value,))
    c = ss.materialize(space, dna)
    assert c == {"prog": Conv(width=32)}
    c["prog"].rebind(width=1)
    assert value == Conv(width=32)  # the DNA keeps its own value
    plain_dna = ss.DNA(([1, 2, 3],))
    plain = ss.materialize(ss.Dict(prog=ss.evolve([1, 2], step_mutator)), plain_dna)
    plain["prog"].append(4)
    assert plain_dna[0] == [1, 2, 3]


def test_evolve_encode_takes_the_candidate_value():
    space = ss.Dict(prog=ss.evolve(Conv(width=8), grow), act=ss.oneof(["a", "b"]))
    dna = ss.encode(space, {"prog": Conv(width=64), "act": "b"})
    assert dna == ss.DNA((Conv(width=64), 1))
    assert ss.materialize(space, dna) == {"prog": Conv(width=64), "act": "b"}


def test_evolve_inside_a_conditional_branch():
    space = ss.Dict(x=ss.oneof(["fixed", ss.Dict(expr=ss.evolve(1, step_mutator))]))
    spec = ss.dna_spec(space)
    assert spec["x[=1].expr"].condition == (0, 1)
    assert ss.materialize(space, ss.DNA((1, 5))) == {"x": {"expr": 5}}
    assert ss.encode(space, {"x": "fixed"}) == ss.DNA((0, None))


def test_evolve_spaces_cannot_be_iterated_or_vectorized():
    space = ss.Dict(prog=ss.evolve(1, step_mutator))
    spec = ss.dna_spec(space)
    with pytest.raises(ValueError, match=r"'prog' is a custom evolve decision"):
        ss.iterate(space)
    with pytest.raises(ValueError, match=r"'prog' is a custom \(evolve\) decision"):
        ss.to_vector(spec, ss.DNA((1,)))
    with pytest.raises(ValueError, match=r"'prog' is a custom \(evolve\) decision"):
        ss.from_vector(spec, [1.0])


def test_evolve_in_define_by_run_returns_the_initial_value_by_default():
    def fn():
        return ss.evolve(10, step_mutator, name="e") + 1

    space = ss.trace(fn)
    spec = ss.dna_spec(space)
    assert spec["e"].kind == "custom"
    candidate = ss.materialize(space, ss.DNA((41,)))
    assert candidate() == 42
    assert ss.random_sample(space, 1, seed=0)[0]() == 11


def test_random_sampling_uses_the_initializer_when_given():
    import random
    import symsearch as ss
    space = ss.Dict(v=ss.evolve(0, lambda v, rng: v + 1, initializer=lambda rng: rng.randint(1, 10**6)))
    values = {c["v"] for c in ss.random_sample(space, 20, seed=0)}
    assert len(values) > 15 and 0 not in values
    plain = ss.Dict(v=ss.evolve(0, lambda v, rng: v + 1))
    assert {c["v"] for c in ss.random_sample(plain, 5, seed=0)} == {0}
    assert ss.dna_spec(space)["v"].hyper.random_value(random.Random(1)) == \
        ss.dna_spec(space)["v"].hyper.random_value(random.Random(1))
