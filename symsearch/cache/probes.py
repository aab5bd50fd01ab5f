"""Probe inputs: the fixed, seeded inputs a candidate is run on to hash what it computes.

A :class:`ProbeSet` gives, for each input name, an array of shape ``(count, *shape)``: ``count``
probe cases drawn from the input's distribution. The draw depends only on the seed, the name
and the input's declaration, so an input gets the same values whichever other inputs exist,
in every process. Names that were not declared get the ``default`` declaration, so a hasher
works without any declaration for scalar inputs.

The first cases hold *edge values* (0, 1, -1 by default; those outside the distribution's
support are skipped), so functions that differ only there (``sign(x)`` and ``x / abs(x)`` at
0) hash differently.

>>> probes = ProbeSet({"w": ProbeInput(shape=(4,)), "lr": ProbeInput(distribution="positive")},
...                   count=8, seed=0)
>>> probes.array("w").shape, probes.array("lr").shape, probes.array("x").shape
((8, 4), (8,), (8,))
>>> bool((probes.array("lr") > 0).all())
True
>>> probes.stacked(["w", "lr"]).shape   # [inputs, cases, elements], scalars broadcast
(2, 8, 4)
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import numpy as np

DISTRIBUTIONS = ("normal", "uniform", "positive", "integers")
DEFAULT_EDGE_VALUES = (0.0, 1.0, -1.0)


@dataclass(frozen=True)
class ProbeInput:
    """How one input is probed.

    Args:
      shape: shape of one probe case (``()`` for a scalar).
      distribution: "normal" (``loc + scale * N(0, 1)``), "uniform" (``[low, high)``),
        "positive" (``scale * exp(N(0, 1))``, strictly positive) or "integers"
        (``[low, high)``); or a callable ``(rng, size) -> array``.
      loc, scale, low, high: the distribution's parameters.
      edge_values: values put in the first cases; None means the probe set's default.
    """

    shape: tuple = ()
    distribution: Union[str, Callable] = "normal"
    loc: float = 0.0
    scale: float = 1.0
    low: float = -1.0
    high: float = 1.0
    edge_values: Optional[tuple] = None

    def __post_init__(self) -> None:
        shape = self.shape
        if isinstance(shape, int):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)) or not all(
                isinstance(n, (int, np.integer)) and n > 0 for n in shape):
            raise ValueError(f"ProbeInput.shape must be a tuple of positive ints, got "
                             f"{self.shape!r}")
        object.__setattr__(self, "shape", tuple(int(n) for n in shape))
        if not callable(self.distribution) and self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"ProbeInput.distribution must be one of {DISTRIBUTIONS} or a "
                             f"callable (rng, size) -> array, got {self.distribution!r}")
        if self.distribution in ("uniform", "integers") and not self.low < self.high:
            raise ValueError(f"ProbeInput: low must be < high, got low={self.low!r}, "
                             f"high={self.high!r}")
        if self.edge_values is not None:
            object.__setattr__(self, "edge_values", tuple(float(v) for v in self.edge_values))

    def in_support(self, value: float) -> bool:
        d = self.distribution
        if d == "positive":
            return value > 0
        if d in ("uniform", "integers"):
            return self.low <= value < self.high
        return True

    def describe(self) -> str:
        d = self.distribution if isinstance(self.distribution, str) else \
            f"{getattr(self.distribution, '__module__', '')}.{getattr(self.distribution, '__qualname__', repr(self.distribution))}"
        return (f"{self.shape}|{d}|{self.loc!r}|{self.scale!r}|{self.low!r}|{self.high!r}|"
                f"{self.edge_values!r}")


def as_probe_input(spec: Any) -> ProbeInput:
    """A ProbeInput from a ProbeInput, a shape (tuple or int), a distribution name or a dict."""
    if isinstance(spec, ProbeInput):
        return spec
    if spec is None:
        return ProbeInput()
    if isinstance(spec, (tuple, list, int)) and not isinstance(spec, bool):
        return ProbeInput(shape=spec)
    if isinstance(spec, str) or callable(spec):
        return ProbeInput(distribution=spec)
    if isinstance(spec, Mapping):
        return ProbeInput(**spec)
    raise TypeError(f"a probe input is a ProbeInput, a shape, a distribution name or a dict, "
                    f"got {type(spec).__name__} {spec!r}")


class ProbeSet:
    """Seeded probe inputs by name; see the module docstring.

    Args:
      inputs: name -> ProbeInput (or a shape, a distribution name, or a dict of ProbeInput
        fields). Their order is the order torch modules and callables without named
        parameters receive them in.
      count: number of probe cases.
      seed: the seed every draw derives from.
      default: the declaration of names not in ``inputs``.
      edge_values: values put in the first cases of every input (where in support).
    """

    def __init__(self, inputs: Optional[Mapping[str, Any]] = None, count: int = 32,
                 seed: int = 0, default: Any = None,
                 edge_values: Sequence[float] = DEFAULT_EDGE_VALUES) -> None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be a positive int, got {count!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        self.inputs = {str(k): as_probe_input(v) for k, v in (inputs or {}).items()}
        self.count = count
        self.seed = seed
        self.default = as_probe_input(default)
        self.edge_values = tuple(float(v) for v in edge_values)
        self._arrays: dict = {}
        self._stacked: dict = {}
        self.fingerprint = hashlib.blake2b(repr((
            sorted((k, v.describe()) for k, v in self.inputs.items()), count, seed,
            self.default.describe(), self.edge_values)).encode(), digest_size=8).hexdigest()

    @property
    def names(self) -> list:
        """The declared input names, in declaration order."""
        return list(self.inputs)

    def declaration(self, name: str) -> ProbeInput:
        return self.inputs.get(name, self.default)

    def array(self, name: str) -> np.ndarray:
        """``(count, *shape)`` float64 probe values of ``name`` (read-only, cached)."""
        array = self._arrays.get(name)
        if array is None:
            array = self._arrays[name] = self._draw(name, self.declaration(name))
        return array

    def arrays(self, names: Sequence[str]) -> dict:
        return {n: self.array(n) for n in names}

    def stacked(self, names: Sequence[str]) -> np.ndarray:
        """``[len(names), count, elements]``: each input flattened per case, inputs with one
        element per case broadcast to the others' element count (cached: do not modify)."""
        key = tuple(names)
        out = self._stacked.get(key)
        if out is not None:
            return out
        flat = [self.array(n).reshape(self.count, -1) for n in key]
        sizes = {f.shape[1] for f in flat} - {1}
        if len(sizes) > 1:
            raise ValueError(f"probe inputs {list(key)} have incompatible element counts "
                             f"{[f.shape[1] for f in flat]}; interpreters need one element "
                             f"count (inputs with one element broadcast)")
        elements = sizes.pop() if sizes else 1
        out = np.empty((len(key), self.count, elements))
        for i, f in enumerate(flat):
            out[i] = f
        # Left writable: the compiled interpreter is specialized for writable arrays.
        self._stacked[key] = out
        return out

    def independent(self, offset: int = 1) -> "ProbeSet":
        """The same declarations with another seed: an independent probe set (for
        verifying hits)."""
        return ProbeSet(self.inputs, self.count, self.seed + offset + 7919, self.default,
                        self.edge_values)

    def _draw(self, name: str, spec: ProbeInput) -> np.ndarray:
        name_key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(),
                                  "little")
        rng = np.random.default_rng([self.seed, name_key])
        size = (self.count,) + spec.shape
        d = spec.distribution
        if callable(d):
            values = np.asarray(d(rng, size), dtype=np.float64).reshape(size)
        elif d == "normal":
            values = spec.loc + spec.scale * rng.standard_normal(size)
        elif d == "uniform":
            values = rng.uniform(spec.low, spec.high, size)
        elif d == "positive":
            values = spec.scale * np.exp(rng.standard_normal(size))
        else:  # integers
            values = rng.integers(int(spec.low), int(spec.high), size).astype(np.float64)
        edges = spec.edge_values if spec.edge_values is not None else self.edge_values
        edges = [v for v in edges if spec.in_support(v)]
        if edges:
            flat = values.reshape(-1)
            n = min(len(edges), flat.size)
            if values.ndim == 1:
                flat[:n] = edges[:n]
            else:
                # one edge value per case, filling that whole case
                for i, v in enumerate(edges[:self.count]):
                    values[i] = v
        values = np.ascontiguousarray(values, dtype=np.float64)
        values.setflags(write=False)
        return values
