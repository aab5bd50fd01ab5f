"""Search-space operations: spec, materialize, encode, sample, iterate.

>>> import symsearch as ss
>>> space = ss.Dict(act=ss.oneof(["relu", "gelu"]), width=ss.intv(32, 128, step=32))
>>> ss.materialize(space, ss.DNA((1, 64)))
{'act': 'gelu', 'width': 64}
>>> ss.encode(space, {"act": "relu", "width": 96})
DNA((0, 96))
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

from symsearch.geno.dna import DNA
from symsearch.geno.sampling import Seed, iterate_dna, make_rng
from symsearch.geno.sampling import random_dna as _random_dna
from symsearch.geno.spec import DNASpec
from symsearch.hyper.compile import CompiledSpace, Mismatch, compile_space
from symsearch.symbolic.base import Symbolic


def compiled(space: Any) -> CompiledSpace:
    """The compiled form of a space, cached on symbolic spaces until they change."""
    custom = getattr(space, "_sym_compiled_space", None)
    if custom is not None:
        return custom()
    if isinstance(space, Symbolic):
        cached = space.__dict__.get("_sym_space_cache")
        if cached is None:
            cached = compile_space(space)
            space.__dict__["_sym_space_cache"] = cached
        return cached
    return compile_space(space)


def dna_spec(space: Any) -> DNASpec:
    """The decisions of ``space`` (see :class:`~symsearch.geno.spec.DNASpec`)."""
    return compiled(space).spec


def materialize(space: Any, dna) -> Any:
    """The candidate that ``dna`` picks from ``space`` (a new tree, no hyper-values)."""
    c = compiled(space)
    if len(dna) != len(c.spec.decisions):
        raise ValueError(f"DNA has {len(dna)} values but the space has "
                         f"{len(c.spec.decisions)} decisions")
    try:
        return c.build(dna)
    except (TypeError, IndexError) as e:
        c.spec.validate(dna)  # names the offending decision
        raise ValueError(f"DNA {dna!r} does not fit the space: {e}") from e


def encode(space: Any, candidate: Any) -> DNA:
    """The DNA under which ``space`` materializes to ``candidate``.

    Raises ValueError naming the key path where the candidate leaves the space.
    """
    c = compiled(space)
    values: list = [None] * len(c.spec.decisions)
    try:
        c.encode_fn(candidate, values)
    except Mismatch as e:
        raise ValueError(f"Candidate is not in the search space. {e}") from None
    return DNA(values)


def random_dna(space_or_spec: Any, seed: Seed = None) -> DNA:
    """A random DNA of a space or of a DNASpec."""
    spec = space_or_spec if isinstance(space_or_spec, DNASpec) else dna_spec(space_or_spec)
    return _random_dna(spec, seed)


def random_sample(space: Any, n: int = 1, seed: Seed = None) -> list:
    """``n`` random candidates of ``space``."""
    c = compiled(space)
    rng = make_rng(seed)
    spec, build = c.spec, c.build
    return [build(_random_dna(spec, rng)) for _ in range(n)]


def iterate(space: Any, limit: Optional[int] = None) -> Iterator[Any]:
    """Every candidate of a finite space, in grid order.

    Raises ValueError right away (not at the first ``next``) for an infinite space.

    >>> import symsearch as ss
    >>> [c["a"] for c in ss.iterate(ss.Dict(a=ss.oneof([1, 2])))]
    [1, 2]
    """
    c = compiled(space)
    build = c.build
    return (build(dna) for dna in iterate_dna(c.spec, limit))
