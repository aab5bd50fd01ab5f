"""Quantization rules: tokens for NaN/inf, the sign of zero, significant digits."""
import numpy as np
import pytest

from symsearch.cache.quantize import (INF_EXPONENT, NAN_EXPONENT, quantize_array,
                                      quantize_bytes)

BACKENDS = ["numpy", "auto"]      # "auto" is the Numba kernel when numba is installed


@pytest.mark.parametrize("backend", BACKENDS)
def test_special_values_map_to_fixed_tokens(backend):
    m, e = quantize_array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0], 6, backend)
    assert m.tolist() == [0, 0, 1, -1, 0, 0]
    assert e.tolist() == [NAN_EXPONENT, NAN_EXPONENT, INF_EXPONENT, INF_EXPONENT, 0, 0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_sign_of_zero_is_ignored(backend):
    assert quantize_bytes([-0.0, 1.0], 6) == quantize_bytes([0.0, 1.0], 6)
    assert quantize_array([-0.0], 6, backend)[0].tolist() == [0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_significant_digits(backend):
    m, e = quantize_array([1.2345671, 1.2345674, 1.2345649, -98765.4321, 0.000123456789], 6,
                          backend)
    assert m.tolist() == [123457, 123457, 123456, -987654, 123457]
    assert e.tolist() == [0, 0, 0, 4, -4]
    m, e = quantize_array([1.2345671], 3, backend)
    assert (m.tolist(), e.tolist()) == ([123], [0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_rounding_carries_into_the_exponent_and_powers_of_ten(backend):
    m, e = quantize_array([9.9999996, -9.9999996, 1000.0, 0.001, 1e300, 1e-300], 6, backend)
    assert m.tolist() == [100000, -100000, 100000, 100000, 100000, 100000]
    assert e.tolist() == [1, 1, 3, -3, 300, -300]


@pytest.mark.parametrize("backend", BACKENDS)
def test_extremes_do_not_overflow(backend):
    m, e = quantize_array([5e-324, 1.7976931348623157e308, -2.2250738585072014e-308], 6, backend)
    assert e.tolist() == [-324, 308, -308]
    assert m.tolist() == [494066, 179769, -222507]


def test_rounding_errors_of_equivalent_computations_vanish():
    a = np.array([0.1, 0.7, 1e10 / 3])
    assert quantize_bytes((a + 0.2) + 0.3, 6) == quantize_bytes(a + (0.2 + 0.3), 6)
    assert quantize_bytes([0.1 + 0.2], 12) == quantize_bytes([0.3], 12)
    assert quantize_bytes([1.0], 6) != quantize_bytes([1.001], 6)


def test_numba_and_numpy_kernels_give_identical_results():
    rng = np.random.default_rng(0)
    values = rng.standard_normal(50_000) * 10.0 ** rng.integers(-320, 300, 50_000)
    values = np.concatenate([values, 10.0 ** np.arange(-300, 300), [np.nan, np.inf, -0.0]])
    for digits in (1, 6, 10, 15):
        a, b = quantize_array(values, digits, "numpy"), quantize_array(values, digits, "auto")
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]), digits


def test_digits_are_validated():
    with pytest.raises(ValueError, match="digits"):
        quantize_array([1.0], 0)
    with pytest.raises(ValueError, match="backend"):
        quantize_array([1.0], 6, "gpu")
