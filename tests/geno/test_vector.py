"""DNA <-> flat numeric vectors for model-based algorithms."""
import math

import numpy as np
import pytest

import symsearch as ss
from symsearch.geno import vector_bounds
from tests.hyper._spaces import conditional_space, finite_space


def space_and_spec():
    space = ss.Dict(act=ss.oneof(["relu", "gelu", ss.Dict(slope=ss.floatv(0.1, 0.5))]),
                    lr=ss.floatv(1e-5, 1e-1, scale="log"),
                    width=ss.intv(8, 64, step=8),
                    depth=ss.intv(1, 100, scale="log"),
                    ops=ss.manyof(2, ["a", "b", "c"]))
    return space, ss.dna_spec(space)


def test_to_vector_layout():
    _, spec = space_and_spec()
    dna = ss.DNA((2, 0.3, 1e-3, 24, 10, 2, 0))
    v = ss.to_vector(spec, dna)
    assert isinstance(v, np.ndarray) and v.dtype == np.float64 and v.shape == (7,)
    assert v[0] == 2 and v[1] == 0.3 and v[3] == 24 and v[5] == 2 and v[6] == 0
    assert v[2] == pytest.approx(math.log(1e-3))
    assert v[4] == pytest.approx(math.log(10))
    inactive = ss.to_vector(spec, ss.DNA((0, None, 1e-3, 24, 10, 2, 0)))
    assert math.isnan(inactive[1])


def test_vector_bounds():
    _, spec = space_and_spec()
    b = vector_bounds(spec)
    assert b.shape == (7, 2)
    assert b[0].tolist() == [0, 2] and b[1].tolist() == [0.1, 0.5]
    assert b[2] == pytest.approx([math.log(1e-5), math.log(1e-1)])
    assert b[3].tolist() == [8, 64]
    assert b[4] == pytest.approx([0.0, math.log(100)])
    assert b[5].tolist() == [0, 2] and b[6].tolist() == [0, 2]


def test_round_trip_on_random_dna():
    for make in (conditional_space, finite_space):
        spec = ss.dna_spec(make())
        for seed in range(200):
            dna = ss.random_dna(spec, seed)
            back = ss.from_vector(spec, ss.to_vector(spec, dna))
            assert len(back) == len(dna)
            for d in spec:
                a, b = dna[d.index], back[d.index]
                if d.kind == "float" and d.scale == "log":
                    assert b == pytest.approx(a, rel=1e-12)  # exp(log(x)) rounding
                else:
                    assert b == a and type(b) is type(a)
            spec.validate(back)


def test_round_trip_is_exact_for_choices_ints_and_linear_floats():
    space, spec = space_and_spec()
    dna = ss.DNA((2, 0.123456789, 0.01, 64, 100, 1, 2))
    back = ss.from_vector(spec, ss.to_vector(spec, dna))
    assert back[:2] == dna[:2] and back[3:] == dna[3:]
    assert back[2] == pytest.approx(0.01, rel=1e-14)
    assert ss.materialize(space, back)["act"] == {"slope": 0.123456789}


def test_any_random_vector_decodes_to_a_valid_dna():
    rng = np.random.default_rng(0)
    for make in (conditional_space, finite_space):
        spec = ss.dna_spec(make())
        bounds = vector_bounds(spec)
        lo, hi = bounds[:, 0], bounds[:, 1]
        span = hi - lo
        for _ in range(300):
            # up to 50% beyond the bounds on either side: from_vector must clip/repair
            v = lo - 0.5 * span + rng.random(len(spec)) * 2 * span
            dna = ss.from_vector(spec, v)
            spec.validate(dna)
            ss.materialize(make(), dna)


def test_arbitrary_garbage_vectors_decode_to_valid_dna():
    _, spec = space_and_spec()
    rng = np.random.default_rng(1)
    for _ in range(200):
        v = rng.normal(0, 1000, len(spec))
        spec.validate(ss.from_vector(spec, v))
    extreme = [np.inf, -np.inf, np.inf, -np.inf, 1e308, np.inf, np.inf]
    dna = ss.from_vector(spec, extreme)
    spec.validate(dna)
    assert dna == ss.DNA((2, 0.1, 0.1, 8, 100, 2, 0))  # duplicate slot repaired to 0


def test_nan_in_an_active_slot_reads_as_the_default():
    _, spec = space_and_spec()
    dna = ss.from_vector(spec, [np.nan] * len(spec))
    spec.validate(dna)
    assert dna == ss.DNA((0, None, 1e-5, 8, 1, 0, 1))
    # a slot that was inactive when the vector was made (nan) becomes active
    v = ss.to_vector(spec, ss.DNA((0, None, 1e-3, 24, 10, 2, 0)))
    v[0] = 2.0
    opened = ss.from_vector(spec, v)
    spec.validate(opened)
    assert opened[:2] == (2, 0.1)


def test_from_vector_rounds_and_clips():
    _, spec = space_and_spec()
    v = [1.4, 0.3, math.log(1e-3), 27.9, math.log(7.2), 1.6, 1.5]
    dna = ss.from_vector(spec, v)
    assert dna[0] == 1 and dna[1] is None          # 1.4 -> gelu; slope inactive
    assert dna[3] == 24                              # nearest grid point of step 8
    assert dna[4] == 7
    assert dna[5] == 2 and dna[6] != 2               # distinct slots are repaired
    spec.validate(dna)


def test_sorted_manyof_is_sorted_after_decoding():
    spec = ss.dna_spec(ss.Dict(m=ss.manyof(3, list(range(5)), sorted=True)))
    dna = ss.from_vector(spec, [4.0, 0.2, 2.2])
    assert dna == ss.DNA((0, 2, 4))
    dna = ss.from_vector(spec, [3.0, 3.0, 3.0])
    spec.validate(dna)
    assert len(set(dna)) == 3 and list(dna) == sorted(dna)


def test_from_vector_rejects_a_vector_of_the_wrong_length():
    _, spec = space_and_spec()
    with pytest.raises(ValueError, match="Vector has 3 values but the space has 7 decisions"):
        ss.from_vector(spec, [0.0, 0.0, 0.0])
