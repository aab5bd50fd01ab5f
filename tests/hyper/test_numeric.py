"""floatv and intv: definition, spec, sampling distribution, materialize, encode."""
import collections
import math
import statistics

import pytest

import symsearch as ss


def test_floatv_fields_and_default():
    h = ss.floatv(1e-4, 1e-1, scale="log", name="lr")
    assert isinstance(h, ss.Float)
    assert (h.lo, h.hi, h.scale, h.name) == (1e-4, 1e-1, "log", "lr")
    assert h.default_value() == 1e-4
    assert repr(ss.floatv(0.0, 1.0)) == "floatv(lo=0.0, hi=1.0, scale='linear')"


def test_intv_fields_and_default():
    h = ss.intv(32, 512, step=32, name="width")
    assert isinstance(h, ss.Int)
    assert (h.lo, h.hi, h.step, h.scale, h.name) == (32, 512, 32, "linear", "width")
    assert h.num_values == 16
    assert h.default_value() == 32
    assert ss.intv(5, 5).num_values == 1


def test_numeric_decisions_in_spec():
    space = ss.Dict(lr=ss.floatv(1e-5, 1.0, scale="log"), width=ss.intv(8, 64, step=8),
                    n=ss.intv(1, 100, scale="log"))
    spec = ss.dna_spec(space)
    lr, width, n = spec.decisions
    assert (lr.kind, lr.lo, lr.hi, lr.scale) == ("float", 1e-5, 1.0, "log")
    assert (width.kind, width.lo, width.hi, width.step, width.scale) == ("int", 8, 64, 8,
                                                                         "linear")
    assert (n.kind, n.scale) == ("int", "log")
    assert lr.num_values == math.inf and width.num_values == 8 and n.num_values == 100
    assert spec.space_size == math.inf
    assert not spec.is_finite


def test_linear_float_samples_are_uniform_within_bounds():
    space = ss.Dict(x=ss.floatv(-2.0, 3.0))
    xs = [c["x"] for c in ss.random_sample(space, 4000, seed=0)]
    assert all(-2.0 <= x <= 3.0 and type(x) is float for x in xs)
    assert statistics.mean(xs) == pytest.approx(0.5, abs=0.1)
    quarter = sum(x < -0.75 for x in xs) / len(xs)
    assert quarter == pytest.approx(0.25, abs=0.03)


def test_log_float_samples_stay_in_bounds_and_are_log_uniform():
    lo, hi = 1e-6, 1e-1
    space = ss.Dict(lr=ss.floatv(lo, hi, scale="log"))
    xs = [c["lr"] for c in ss.random_sample(space, 5000, seed=1)]
    assert all(lo <= x <= hi and type(x) is float for x in xs)
    logs = [math.log10(x) for x in xs]
    # log10 is uniform on [-6, -1]: each decade holds about a fifth of the samples.
    counts = collections.Counter(min(int(-math.floor(v)), 6) for v in logs)
    for decade in (2, 3, 4, 5, 6):
        assert counts[decade] / len(xs) == pytest.approx(0.2, abs=0.03)
    assert statistics.median(logs) == pytest.approx(-3.5, abs=0.15)
    # a linear draw would put ~90% of the mass in the top decade
    assert sum(x > 1e-2 for x in xs) / len(xs) < 0.25


def test_log_float_sampling_clips_rounding_at_the_bounds():
    # exp(log(hi)) may exceed hi by an ulp; samples must still validate.
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(0.1, 0.3, scale="log")))
    for seed in range(300):
        spec.validate(ss.random_dna(spec, seed))


def test_int_samples_are_on_the_grid_and_cover_it():
    space = ss.Dict(w=ss.intv(8, 64, step=8))
    ws = [c["w"] for c in ss.random_sample(space, 800, seed=2)]
    assert set(ws) == set(range(8, 65, 8))
    assert all(type(w) is int for w in ws)


def test_log_int_samples_favour_small_values_and_cover_the_range():
    space = ss.Dict(k=ss.intv(1, 8, scale="log"))
    ks = [c["k"] for c in ss.random_sample(space, 8000, seed=3)]
    counts = collections.Counter(ks)
    assert set(counts) == set(range(1, 9))
    freqs = [counts[k] for k in range(1, 9)]
    assert freqs == sorted(freqs, reverse=True)  # log-uniform: decreasing in k
    # grid point k holds the mass of [k, k+1) under log-uniform [1, 9)
    for k in (1, 4, 8):
        expected = math.log((k + 1) / k) / math.log(9)
        assert counts[k] / len(ks) == pytest.approx(expected, abs=0.02)


def test_log_int_with_step_stays_on_the_grid():
    space = ss.Dict(k=ss.intv(4, 64, step=4, scale="log"))
    ks = {c["k"] for c in ss.random_sample(space, 2000, seed=4)}
    assert ks <= set(range(4, 65, 4))
    assert {4, 64} <= ks


def test_single_value_intv():
    space = ss.Dict(k=ss.intv(3, 3))
    assert ss.dna_spec(space).space_size == 1
    assert [c["k"] for c in ss.iterate(space)] == [3]
    assert ss.random_sample(space, 1, seed=0)[0]["k"] == 3


def test_numeric_materialize_and_encode():
    space = ss.Dict(lr=ss.floatv(0.0, 1.0), w=ss.intv(8, 64, step=8))
    c = ss.materialize(space, ss.DNA((0.25, 40)))
    assert c == {"lr": 0.25, "w": 40}
    assert ss.encode(space, c) == ss.DNA((0.25, 40))
    # ints are accepted for float decisions and stored as floats
    dna = ss.encode(space, {"lr": 1, "w": 64.0})
    assert dna == ss.DNA((1.0, 64)) and type(dna[0]) is float and type(dna[1]) is int


@pytest.mark.parametrize("candidate,message", [
    ({"lr": 1.5, "w": 8}, r"At lr: 1\.5 is outside \[0\.0, 1\.0\]"),
    ({"lr": 0.5, "w": 12}, r"At w: 12 is not on the grid 8\.\.64 step 8"),
    ({"lr": 0.5, "w": 72}, r"At w: 72 is outside \[8, 64\]"),
    ({"lr": "0.5", "w": 8}, r"At lr: expected a number, got '0\.5'"),
    ({"lr": True, "w": 8}, r"At lr: expected a number"),
    ({"lr": float("nan"), "w": 8}, r"At lr: nan is outside"),
])
def test_numeric_encode_rejects_values_outside_the_space(candidate, message):
    space = ss.Dict(lr=ss.floatv(0.0, 1.0), w=ss.intv(8, 64, step=8))
    with pytest.raises(ValueError, match=message):
        ss.encode(space, candidate)


def test_numeric_encode_snaps_values_within_rounding_of_a_bound():
    space = ss.Dict(x=ss.floatv(0.1, 0.3))
    dna = ss.encode(space, {"x": 0.3 + 1e-15})
    assert dna == ss.DNA((0.3,))
    ss.dna_spec(space).validate(dna)
