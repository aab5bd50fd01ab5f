"""Zero-cost NAS proxies as expression trees over per-layer statistics (LPZero style).

A proxy scores a network at initialization as the sum, over its weight layers (every
convolution and the classifier), of one expression of that layer's statistics, all taken
from one mini-batch (:func:`symsearch.evaluators.proxy_fitness.layer_statistics`):

- ``W``: the Frobenius norm of the layer's weights;
- ``G``: the Frobenius norm of the loss gradient with respect to them;
- ``WG``: ``sum |w * g|``, the layer's SNIP saliency;
- ``S``: ``sum w * dR/dw`` of the synaptic-flow pass (positive weights, all-ones input);
- ``A``: the root mean square of the layer's output activations;
- ``D``: the root mean square of the loss gradient with respect to those activations;
- ``H``: the log-determinant of the Hamming kernel of the sign patterns of the layer's input
  over the batch (NASWOT's kernel, one layer at a time);
- ``N``: the number of weights.

Several hand-designed proxies are points of this space: ``G`` is grad_norm, ``WG`` is SNIP,
``S`` is synflow and ``N`` counts parameters (convolution and classifier weights). Genetic
programming (``algorithm: genetic_programming``) searches it from scratch; the fitness is
a rank correlation with trained accuracy (:mod:`symsearch.evaluators.proxy_fitness`).

Since the fitness only sees the *order* a proxy puts architectures in, two proxies that
rank fixed probe architectures identically are the same for the search: the functional hash
registered here for :class:`ZeroCostProxy` hashes those ranks, so ``mul(2.0, G)`` and ``G`` share
one cache entry (``ss.search(..., cache="functional")``).

>>> proxy = ZeroCostProxy(expr=call("mul", "G", "W"))
>>> proxy.formula
'mul(G, W)'
>>> import numpy as np
>>> stats = {v: np.ones((2, 3)) for v in VARIABLES}
>>> proxy.scores(stats, mask=np.array([[1, 1, 0], [1, 1, 1]], dtype=bool)).tolist()
[2.0, 3.0]
>>> rank_hash(ZeroCostProxy(expr=call("mul", 2.0, "G"))) == rank_hash(ZeroCostProxy(expr=Var("G")))
True
"""
from __future__ import annotations

import random
from typing import Any, Optional, Sequence

import numpy as np

import symsearch as ss
from symsearch.cache.adapters import register_adapter
from symsearch.programs import Const, Expr, ExprMutator, Var, call, evaluate, to_source
from symsearch.programs.mutation import RandomExpr
from symsearch.symbolic.object import Object

VARIABLES = ("W", "G", "WG", "S", "A", "D", "H", "N")
UNARY_OPS = ("abs", "square", "sqrt", "exp", "log", "sigmoid", "neg", "reciprocal")
BINARY_OPS = ("add", "sub", "mul", "div", "max", "min")
CONSTANTS = (0.5, 1.0, 2.0)


class ZeroCostProxy(Object, type_name="symsearch.spaces.ZeroCostProxy"):
    """A zero-cost proxy: ``sum over layers of expr(W, G, WG, S, A, D, H, N)``."""

    expr: Any

    @property
    def formula(self) -> str:
        """The per-layer expression as source text, e.g. ``'mul(G, W)'``."""
        return to_source(self.expr)

    def scores(self, stats: dict, mask: Optional[np.ndarray] = None) -> np.ndarray:
        """The proxy of every network: ``stats`` maps each variable to an array
        ``(networks, layers)``; ``mask`` (same shape, bool) says which layers exist."""
        return proxy_scores(self.expr, stats, mask)

    def __str__(self) -> str:
        return self.formula


def proxy_scores(expr: Expr, stats: dict, mask: Optional[np.ndarray] = None) -> np.ndarray:
    """``sum(expr(stats) * mask, axis=-1)`` in float64; missing layers contribute nothing
    (also when the expression is not finite there)."""
    missing = [v for v in VARIABLES if v not in stats]
    if missing:
        raise ValueError(f"per-layer statistics lack {missing}; expected {list(VARIABLES)}")
    shape = np.shape(stats[VARIABLES[0]])
    env = {v: np.asarray(stats[v], dtype=np.float64) for v in VARIABLES}
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(evaluate(expr, env), dtype=np.float64), shape)
        if mask is not None:
            values = np.where(mask, values, 0.0)
        return values.sum(axis=-1)


def grad_norm() -> Expr:
    """``G``: the sum of per-layer gradient norms."""
    return Var("G")


def snip() -> Expr:
    """``WG``: SNIP."""
    return Var("WG")


def synflow() -> Expr:
    """``S``: synaptic flow."""
    return Var("S")


def params() -> Expr:
    """``N``: the weight count."""
    return Var("N")


def known_proxies() -> dict:
    """The hand-designed proxies this space contains, as :class:`ZeroCostProxy`, by name."""
    return {name: ZeroCostProxy(expr=make()) for name, make in
            (("grad_norm", grad_norm), ("snip", snip), ("synflow", synflow),
             ("params", params))}


def as_expr(proxy: Any) -> Expr:
    """The expression of a ZeroCostProxy, an Expr, or a known proxy's name."""
    if isinstance(proxy, ZeroCostProxy):
        return proxy.expr
    if isinstance(proxy, Expr):
        return proxy
    if isinstance(proxy, str):
        known = known_proxies()
        if proxy in known:
            return known[proxy].expr
        raise ValueError(f"unknown proxy name {proxy!r}; known: {sorted(known)}")
    raise TypeError(f"expected a ZeroCostProxy, an expression or a proxy name, got "
                    f"{type(proxy).__name__}")


# ---- the rank hash -------------------------------------------------------------------------------

class RankProbes:
    """Fixed synthetic per-layer statistics of ``networks`` probe networks.

    Positive, log-normal values with per-network scale (as real statistics vary over
    orders of magnitude between architectures), ``N`` integer weight counts, ``H`` around
    the log-determinants a 64-sample batch gives, and a ragged layer mask.
    """

    def __init__(self, networks: int = 48, layers: int = 8, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        scale = rng.normal(0.0, 1.0, size=(networks, 1))
        self.stats = {v: np.exp(scale * rng.uniform(0.5, 1.5) +
                                rng.normal(0.0, 1.0, size=(networks, layers)))
                      for v in VARIABLES}
        self.stats["N"] = np.round(self.stats["N"] * 100.0) + 1.0
        self.stats["H"] = 150.0 + 20.0 * rng.normal(size=(networks, layers))
        counts = rng.integers(2, layers + 1, size=networks)
        self.mask = np.arange(layers)[None, :] < counts[:, None]

    def ranks(self, proxy: Any) -> np.ndarray:
        """The rank (0 = lowest) of every probe network under ``proxy``; non-finite
        scores share the lowest rank."""
        from scipy.stats import rankdata
        values = proxy_scores(as_expr(proxy), self.stats, self.mask)
        values = np.where(np.isfinite(values), values, -np.inf)
        return rankdata(values, method="min").astype(np.float64)


PROBES = RankProbes()


def _rank_outputs(proxy: ZeroCostProxy, probes, hasher) -> list:
    ranks = PROBES.ranks(proxy)
    return [np.tile(ranks, (probes.count, 1))]


register_adapter(ZeroCostProxy, _rank_outputs)


def rank_hash(proxy: Any) -> str:
    """The functional (rank) hash that ``EvalCache(mode="functional")`` uses."""
    from symsearch.cache import FunctionalHasher
    if not isinstance(proxy, ZeroCostProxy):
        proxy = ZeroCostProxy(expr=ss.clone(as_expr(proxy)))
    return FunctionalHasher().hash(proxy)


# ---- the search space ---------------------------------------------------------------------------

class ProxyMutator(ExprMutator):
    """An ``ExprMutator`` whose repr names its whole primitive set, so the space's
    fingerprint changes whenever the primitives do."""

    def __repr__(self) -> str:
        return (f"ProxyMutator(variables={self.variables}, ops={self.ops}, "
                f"constants={self.constants}, const_prob={self.const_prob}, "
                f"max_depth={self.max_depth}, max_size={self.max_size})")


class RandomProxy(RandomExpr):
    """Random sampling's initializer: a random proxy tree of depth 2..``max_depth``."""


def proxy_mutator(max_depth: int = 5, max_size: int = 16,
                  ops: Sequence[str] = UNARY_OPS + BINARY_OPS,
                  constants: Sequence[float] = CONSTANTS,
                  const_prob: float = 0.1) -> ProxyMutator:
    """The primitive set and size limits, which genetic programming reads."""
    unknown = [op for op in ops if op not in UNARY_OPS + BINARY_OPS]
    if unknown:
        raise ValueError(f"ops {unknown} are not among this space's "
                         f"{list(UNARY_OPS + BINARY_OPS)}")
    return ProxyMutator(variables=VARIABLES, ops=tuple(ops), constants=tuple(constants),
                        const_prob=const_prob, max_depth=max_depth, max_size=max_size,
                        weights={"point": 1.0, "subtree": 1.0}, subtree_depth=3)


def make_space(max_depth: int = 5, max_size: int = 16, initial: str = "snip",
               ops: Optional[Sequence[str]] = None, constants: Sequence[float] = CONSTANTS,
               const_prob: float = 0.1) -> ZeroCostProxy:
    """The space of proxies: ``ZeroCostProxy(expr=ss.evolve(...))``.

    ``initial`` is the warm start of mutation-based algorithms (genetic programming starts
    from random trees and ignores it).

    >>> ss.dna_spec(make_space()).decisions[0].kind
    'custom'
    """
    mutator = proxy_mutator(max_depth, max_size, tuple(ops) if ops else UNARY_OPS + BINARY_OPS,
                            constants, const_prob)
    return ZeroCostProxy(expr=ss.evolve(as_expr(initial), mutator,
                                        initializer=RandomProxy(mutator, 4), name="proxy"))


__all__ = ["VARIABLES", "UNARY_OPS", "BINARY_OPS", "CONSTANTS", "ZeroCostProxy",
           "proxy_scores", "grad_norm", "snip", "synflow", "params", "known_proxies", "as_expr",
           "RankProbes", "PROBES", "rank_hash", "ProxyMutator", "RandomProxy", "proxy_mutator",
           "make_space", "Var", "Const", "call"]
