"""The Numba twin of ``quantize.quantize_array`` (same steps, same results); imported only
when Numba is installed."""
import numpy as np
from numba import njit

from symsearch.cache.quantize import INF_EXPONENT, NAN_EXPONENT, POWERS_OF_TEN


@njit(cache=True, error_model="numpy")
def quantize_kernel(a, digits):
    n = a.shape[0]
    mantissa = np.zeros(n, dtype=np.int64)
    exponent = np.zeros(n, dtype=np.int64)
    powers = POWERS_OF_TEN
    scale = powers[digits - 1]
    limit = powers[digits]
    for i in range(n):
        x = a[i]
        if x != x:
            exponent[i] = NAN_EXPONENT
        elif x == np.inf:
            mantissa[i] = 1
            exponent[i] = INF_EXPONENT
        elif x == -np.inf:
            mantissa[i] = -1
            exponent[i] = INF_EXPONENT
        elif x != 0.0:
            ex = np.int64(np.floor(np.log10(abs(x))))
            if ex >= 0:
                m = x / powers[ex]
            elif ex >= -308:
                m = x * powers[-ex]
            else:
                m = x * powers[300] * powers[-ex - 300]
            if abs(m) >= 10.0:
                m /= 10.0
                ex += 1
            if abs(m) < 1.0:
                m *= 10.0
                ex -= 1
            q = np.rint(m * scale)
            if abs(q) >= limit:
                q = np.sign(q) * scale
                ex += 1
            mantissa[i] = np.int64(q)
            exponent[i] = ex
    return mantissa, exponent
