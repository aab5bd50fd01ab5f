"""FunctionalHasher: a hash of what a candidate computes, not how it is written.

The candidate is run on a fixed, seeded :class:`ProbeSet` through the adapter registered for
its representation (``symsearch.cache.adapters``), its outputs are quantized to ``digits``
significant digits (``symsearch.cache.quantize``) and the bytes are hashed with BLAKE2b. The
hash depends only on the outputs, so it is equal across representations, processes and runs.

>>> from symsearch.programs import Var, Const, Call
>>> h = FunctionalHasher(ProbeSet(count=16, seed=0))
>>> a = Call("mul", [Var("x"), Var("y")])
>>> b = Call("mul", [Var("y"), Call("add", [Var("x"), Const(0.0)])])
>>> h.hash(a) == h.hash(b) == h.hash(lambda x, y: y * x)
True
>>> h.hash(a) == h.hash(Call("add", [Var("x"), Var("y")]))
False
"""
from __future__ import annotations

import hashlib
import struct
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from symsearch.cache.adapters import find_adapter
from symsearch.cache.probes import ProbeInput, ProbeSet
from symsearch.cache.quantize import quantize_array

_FORMAT = b"symsearch-ufh-1"
_SHAPE = struct.Struct("<qq")
BACKENDS = ("auto", "numba", "numpy")
CALLABLE_MODES = ("auto", "vectorized", "per_sample")


class UnsupportedCandidate(TypeError):
    """No adapter knows how to run the candidate."""


class FunctionalHasher:
    """Hashes candidates by their outputs on probe inputs.

    Args:
      probes: a ProbeSet, or a mapping name -> ProbeInput/shape/distribution (made into one
        with ``count`` and ``seed``), or None (every name gets standard-normal scalars).
      digits: significant digits kept by the quantization.
      count, seed: used when ``probes`` is not a ProbeSet.
      backend: interpreter for programs and expressions: "auto" (Numba when installed),
        "numba" or "numpy".
      select: what of a candidate to run: a key path (``"expr"``: ``candidate.sym_get(path)``)
        or a callable ``candidate -> runnable``. With a key path the rest of the candidate is
        hashed structurally into the key (``include_rest``), so candidates that run the same
        function with different other settings do not collide.
      callable_mode: how callables are called, see ``adapters.callable_outputs``.
      torch_init, torch_seed, torch_inputs: see ``adapters.torch_outputs``.
      verify_probes: the independent probe set of ``verify_hash`` (default: the main
        declarations with another seed, ``probes.independent(verify_offset)``).
    """

    def __init__(self, probes: Union[ProbeSet, dict, None] = None, digits: int = 6, *,
                 count: int = 32, seed: int = 0, backend: str = "auto",
                 select: Union[str, Callable, None] = None, include_rest: bool = True,
                 callable_mode: str = "auto", torch_init: Optional[str] = "by_signature",
                 torch_seed: int = 0, torch_inputs: Optional[Sequence[str]] = None,
                 verify_probes: Optional[ProbeSet] = None, verify_offset: int = 1) -> None:
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 15:
            raise ValueError(f"digits must be an int in [1, 15], got {digits!r}")
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        if callable_mode not in CALLABLE_MODES:
            raise ValueError(f"callable_mode must be one of {CALLABLE_MODES}, got "
                             f"{callable_mode!r}")
        if torch_init not in ("by_signature", "by_order", None):
            raise ValueError(f"torch_init must be 'by_signature', 'by_order' or None, got "
                             f"{torch_init!r}")
        if select is not None and not isinstance(select, str) and not callable(select):
            raise TypeError(f"select must be a key path, a callable or None, got {select!r}")
        if isinstance(probes, ProbeSet):
            self.probes = probes
        elif probes is None or isinstance(probes, dict):
            self.probes = ProbeSet(probes, count=count, seed=seed)
        else:
            raise TypeError(f"probes must be a ProbeSet, a dict of probe inputs or None, got "
                            f"{type(probes).__name__}")
        self.digits = digits
        self.backend = backend
        self.select = select
        self.include_rest = include_rest
        self.callable_mode = callable_mode
        self.torch_init = torch_init
        self.torch_seed = torch_seed
        self.torch_inputs = list(torch_inputs) if torch_inputs is not None else None
        if verify_probes is not None and not isinstance(verify_probes, ProbeSet):
            raise TypeError(f"verify_probes must be a ProbeSet, got "
                            f"{type(verify_probes).__name__}")
        self.verify_probes = verify_probes or self.probes.independent(verify_offset)

    def __repr__(self) -> str:
        return (f"FunctionalHasher(count={self.probes.count}, seed={self.probes.seed}, "
                f"digits={self.digits}, inputs={self.probes.names})")

    # ---- the pieces ------------------------------------------------------------------------
    def runnable(self, candidate: Any) -> Any:
        """The part of ``candidate`` that is run (see ``select``)."""
        select = self.select
        if select is None:
            return candidate
        if isinstance(select, str):
            return candidate.sym_get(select)
        return select(candidate)

    def outputs(self, candidate: Any, probes: Optional[ProbeSet] = None) -> list:
        """The runnable part's outputs on ``probes`` (default: the hasher's), each as a
        float64 array ``(count, k)``."""
        probes = probes or self.probes
        target = self.runnable(candidate)
        adapter = find_adapter(target)
        if adapter is None:
            raise UnsupportedCandidate(
                f"no functional-hash adapter for {type(target).__name__}; register one with "
                f"symsearch.cache.register_adapter({type(target).__name__}, fn)")
        count = probes.count
        outputs = []
        for out in adapter(target, probes, self):
            if type(out) is not np.ndarray or out.dtype != np.float64:
                out = np.asarray(out, dtype=np.float64)
            if out.ndim == 0 or out.shape[0] != count:
                if out.size != 1:
                    raise ValueError(f"an output of shape {out.shape} is not batched over the "
                                     f"{count} probe cases")
                out = np.full((count, 1), out.reshape(()))
            elif out.ndim != 2:
                out = out.reshape(count, -1)
            outputs.append(out)
        return outputs

    def digest(self, candidate: Any, probes: Optional[ProbeSet] = None) -> bytes:
        """16-byte digest of the quantized outputs (and of the unselected rest)."""
        outputs = self.outputs(candidate, probes)
        parts = [_FORMAT, len(outputs).to_bytes(2, "little")]
        digits = self.digits
        for out in outputs:
            count, width = out.shape
            mantissa, exponent = quantize_array(out, digits)
            if width > 1:
                mantissa = mantissa.reshape(count, width)
                exponent = exponent.reshape(count, width)
                # An output that is the same over each case's elements (a broadcast scalar)
                # is hashed as one column, whatever the representation broadcast it to.
                if (mantissa == mantissa[:, :1]).all() and (exponent == exponent[:, :1]).all():
                    mantissa, exponent, width = mantissa[:, 0], exponent[:, 0], 1
            parts.append(_SHAPE.pack(count, width))
            parts.append(mantissa.astype("<i8", copy=False).tobytes())
            parts.append(exponent.astype("<i2").tobytes())
        if isinstance(self.select, str) and self.include_rest:
            parts.append(_rest_digest(candidate, self.select))
        return hashlib.blake2b(b"".join(parts), digest_size=16).digest()

    def hash(self, candidate: Any) -> str:
        """Hex functional hash on the main probe set."""
        return self.digest(candidate).hex()

    __call__ = hash

    def verify_hash(self, candidate: Any) -> str:
        """Hex functional hash on the independent verification probe set."""
        return self.digest(candidate, self.verify_probes).hex()

    def warm_up(self) -> "FunctionalHasher":
        """Compiles (or loads from Numba's disk cache) the interpreter and the quantization
        kernel now, so the first hash is not slow."""
        from symsearch.cache.quantize import _kernel
        from symsearch.programs.compiled import warm_up
        if self.backend != "numpy":
            warm_up()
        kernel = _kernel()
        if kernel is not None:
            kernel(np.zeros(1), self.digits)
        return self

    def equivalent(self, a: Any, b: Any, verify: bool = True) -> bool:
        """Whether ``a`` and ``b`` hash equal (on both probe sets when ``verify``)."""
        if self.hash(a) != self.hash(b):
            return False
        return not verify or self.verify_hash(a) == self.verify_hash(b)


def _rest_digest(candidate: Any, path: str) -> bytes:
    from symsearch.symbolic.base import Symbolic
    from symsearch.symbolic.hashing import sym_digest
    from symsearch.symbolic.ops import clone
    if isinstance(candidate, Symbolic):
        try:
            items = dict(candidate.sym_items())
        except Exception:
            items = None
        if items is not None and path in items:
            return sym_digest({k: v for k, v in items.items() if k != path})
        rest = clone(candidate)
        rest.rebind({path: None})
        return sym_digest(rest)
    return b""


__all__ = ["FunctionalHasher", "ProbeSet", "ProbeInput", "UnsupportedCandidate"]
