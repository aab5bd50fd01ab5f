"""Quantizing probe outputs before hashing.

Two computations of the same function rarely agree to the last bit (``(a + b) + c`` and
``a + (b + c)`` differ by an ulp), so outputs are rounded to ``digits`` significant digits
before they are hashed. Each value becomes a pair ``(mantissa, exponent)`` of integers with
``|mantissa| < 10**digits``; special values map to fixed tokens:

- ``0.0`` and ``-0.0`` -> ``(0, 0)`` (the sign of zero is ignored),
- NaN -> ``(0, NAN_EXPONENT)``, ``+inf`` -> ``(1, INF_EXPONENT)``, ``-inf`` -> ``(-1, INF_EXPONENT)``.

>>> m, e = quantize_array([1234567.0, -0.0, float("nan"), float("inf")], digits=3)
>>> m.tolist(), e.tolist()
([123, 0, 0, 1], [6, 0, -32768, 32767])
>>> quantize_bytes([0.1 + 0.2], 6) == quantize_bytes([0.3], 6)
True
"""
from __future__ import annotations

from typing import Any

import numpy as np

NAN_EXPONENT = -32768
INF_EXPONENT = 32767
# Correctly rounded powers of ten, so scaling is one IEEE multiply or divide by the same
# number in the NumPy and the Numba code (library pow() may differ by an ulp between them).
POWERS_OF_TEN = np.array([float(10 ** k) for k in range(309)])


def _scale(x: np.ndarray, ex: np.ndarray) -> np.ndarray:
    """``x / 10**ex``, to [1, 10) up to the off-by-one of log10."""
    m = np.empty_like(x)
    pos = ex >= 0
    m[pos] = x[pos] / POWERS_OF_TEN[ex[pos]]
    small = ~pos & (ex >= -308)
    m[small] = x[small] * POWERS_OF_TEN[-ex[small]]
    tiny = ex < -308                                    # subnormals: two steps, no overflow
    m[tiny] = x[tiny] * POWERS_OF_TEN[300] * POWERS_OF_TEN[-ex[tiny] - 300]
    return m


def quantize_array(values: Any, digits: int = 6, backend: str = "auto") -> tuple:
    """``(mantissas int64, exponents int64)`` for the flattened ``values``: value ~=
    ``mantissa * 10**(exponent - digits + 1)`` (see the module docstring). ``backend``:
    "numpy", or "auto" (the Numba kernel when Numba is installed; the same results)."""
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 15:
        raise ValueError(f"digits must be an int in [1, 15], got {digits!r}")
    a = np.ascontiguousarray(values, dtype=np.float64).ravel()
    if backend == "auto":
        kernel = _kernel()
        if kernel is not None:
            return kernel(a, digits)
    elif backend != "numpy":
        raise ValueError(f"backend must be 'auto' or 'numpy', got {backend!r}")
    mantissa = np.zeros(a.shape, dtype=np.int64)
    exponent = np.zeros(a.shape, dtype=np.int64)
    finite = np.isfinite(a)
    nonzero = finite & (a != 0.0)
    if nonzero.any():
        x = a[nonzero]
        ex = np.floor(np.log10(np.abs(x))).astype(np.int64)
        m = _scale(x, ex)
        # log10 can be off by one at exact powers of ten.
        high = np.abs(m) >= 10.0
        m[high] /= 10.0
        ex[high] += 1
        low = np.abs(m) < 1.0
        m[low] *= 10.0
        ex[low] -= 1
        q = np.rint(m * POWERS_OF_TEN[digits - 1])
        carry = np.abs(q) >= POWERS_OF_TEN[digits]      # 9.9999996 rounded up to 10.00000
        q[carry] = np.sign(q[carry]) * POWERS_OF_TEN[digits - 1]
        ex[carry] += 1
        mantissa[nonzero] = q.astype(np.int64)
        exponent[nonzero] = ex
    if not finite.all():
        nan = np.isnan(a)
        inf = ~finite & ~nan
        exponent[nan] = NAN_EXPONENT
        mantissa[inf] = np.sign(a[inf]).astype(np.int64)
        exponent[inf] = INF_EXPONENT
    return mantissa, exponent


_KERNEL: list = []


def _kernel():
    if not _KERNEL:
        import importlib.util
        kernel = None
        if importlib.util.find_spec("numba") is not None:
            try:
                from symsearch.cache.quantize_numba import quantize_kernel as kernel
            except Exception:       # a broken Numba install: NumPy still works
                kernel = None
        _KERNEL.append(kernel)
    return _KERNEL[0]


def quantize_bytes(values: Any, digits: int = 6) -> bytes:
    """The quantized values as bytes (mantissas then exponents, little-endian)."""
    mantissa, exponent = quantize_array(values, digits)
    return (mantissa.astype("<i8").tobytes() + exponent.astype("<i2").tobytes())
