"""Pruning metrics as expression trees (Pruner-Zero style), and the mask they induce.

A post-training pruning metric scores every weight of a linear layer from three tensors of
the weight's shape ``[out, in]``:

- ``W``: the weight itself;
- ``G``: its calibration gradient (the root mean square over calibration sequences, so
  ``G >= 0``; see :mod:`symsearch.evaluators.pruning`);
- ``X``: the L2 norm of input channel ``j`` over the calibration tokens, broadcast along
  the rows (``X[i, j] = ||x_j||``).

Within each comparison group (an output row, or each block of ``m`` weights for ``n:m``
semi-structured sparsity) the weights with the lowest scores are set to zero. Magnitude
pruning is ``abs(W)``; Wanda is ``mul(abs(W), X)``; a gradient metric is ``abs(mul(W, G))``.

Trees are ``symsearch.programs`` expressions (``Var``/``Const``/``Call``) wrapped in a
:class:`PruningMetric`; the ops are the registry's (add, sub, mul, div, max, min, abs,
square, sqrt, exp, log, neg, reciprocal, ...) plus three this module registers when absent:
``sigmoid`` and the group normalizations ``minmax`` and ``zscore`` (over the last axis, which
is the row: the ``"vector"`` op kind). NaN scores count as the lowest; ties go to the lower
column index, so a mask is a deterministic function of the scores.

The functional hash of a metric (the adapter registered here for :class:`PruningMetric`) is
the pruning **mask** it induces on fixed, seeded probe layers: metrics that keep the same
weights are the same for the search, so ``ss.search(..., cache="functional")`` skips them.

>>> m = PruningMetric(expr=wanda())
>>> m.formula
'mul(abs(W), X)'
>>> import numpy as np
>>> W = np.array([[1.0, -3.0, 2.0, 0.5]]); X = np.array([4.0, 0.1, 1.0, 1.0])
>>> prune_mask(m.scores(W, np.zeros_like(W), X), 0.5).astype(int).tolist()
[[1, 0, 1, 0]]
>>> mask_hash(PruningMetric(expr=magnitude())) == mask_hash(
...     PruningMetric(expr=call("square", "W")))
True
"""
from __future__ import annotations

import math
import random
from typing import Any, Optional, Sequence

import numpy as np

import symsearch as ss
from symsearch.cache.adapters import register_adapter
from symsearch.programs import (Call, Const, Expr, ExprMutator, Var, call, evaluate,
                                to_source)
from symsearch.programs.mutation import RandomExpr
from symsearch.symbolic.object import Object

VARIABLES = ("W", "G", "X")
UNARY_OPS = ("abs", "square", "sqrt", "exp", "log", "sigmoid", "neg", "reciprocal",
             "minmax", "zscore")
BINARY_OPS = ("add", "sub", "mul", "div", "max", "min")
CONSTANTS = (0.5, 1.0, 2.0)


# ---- ops this space needs ------------------------------------------------------------------
# sigmoid, minmax and zscore (row normalizations: "vector" ops over the last axis, i.e. over a
# row of W) are in symsearch.programs.ops' default registry, so that every process generates
# the same Numba interpreter.


# ---- metrics ---------------------------------------------------------------------------------

class PruningMetric(Object, type_name="symsearch.spaces.PruningMetric"):
    """A pruning metric: an expression tree over ``W``, ``G`` and ``X`` (see the module
    docstring). The search space is one with an ``ss.evolve`` in place of ``expr``."""

    expr: Any

    @property
    def formula(self) -> str:
        """The expression as source text, e.g. ``'mul(abs(W), X)'``."""
        return to_source(self.expr)

    def scores(self, W: np.ndarray, G: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Scores (float64, ``W``'s shape) computed with NumPy; see :func:`metric_scores`."""
        return metric_scores(self.expr, W, G, X)

    def __str__(self) -> str:
        return self.formula


def metric_scores(expr: Expr, W: np.ndarray, G: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The scores of ``expr`` (float64, ``W``'s shape) computed with NumPy; ``X`` is per
    input channel (``[in]``) or already broadcast to ``W``'s shape."""
    W = np.asarray(W, dtype=np.float64)
    env = {"W": W, "G": np.broadcast_to(np.asarray(G, dtype=np.float64), W.shape),
           "X": np.broadcast_to(np.asarray(X, dtype=np.float64), W.shape)}
    return np.broadcast_to(np.asarray(evaluate(expr, env), dtype=np.float64), W.shape)


def magnitude() -> Expr:
    """``abs(W)``: magnitude pruning."""
    return call("abs", "W")


def wanda() -> Expr:
    """``mul(abs(W), X)``: Wanda (Sun et al., 2023)."""
    return call("mul", call("abs", "W"), "X")


def gradient() -> Expr:
    """``abs(mul(W, G))``: a first-order (gradient times weight) metric."""
    return call("abs", call("mul", "W", "G"))


def known_metrics() -> dict:
    """The hand-made metrics as :class:`PruningMetric`, by name."""
    return {"magnitude": PruningMetric(expr=magnitude()), "wanda": PruningMetric(expr=wanda()),
            "gradient": PruningMetric(expr=gradient())}


def as_expr(metric: Any) -> Expr:
    """The expression of a PruningMetric, an Expr, or a known metric's name."""
    if isinstance(metric, PruningMetric):
        return metric.expr
    if isinstance(metric, Expr):
        return metric
    if isinstance(metric, str):
        known = known_metrics()
        if metric in known:
            return known[metric].expr
        raise ValueError(f"unknown metric name {metric!r}; known: {sorted(known)}")
    raise TypeError(f"expected a PruningMetric, an expression or a metric name, got "
                    f"{type(metric).__name__}")


# ---- masks -----------------------------------------------------------------------------------

def parse_structure(structure: str) -> Optional[tuple]:
    """``"unstructured"`` -> None; ``"n:m"`` (keep n of every m, e.g. ``"2:4"``) -> (n, m)."""
    if structure == "unstructured":
        return None
    if isinstance(structure, str) and ":" in structure:
        n, m = structure.split(":", 1)
        if n.isdigit() and m.isdigit() and 0 < int(n) < int(m):
            return int(n), int(m)
    raise ValueError(f"structure must be 'unstructured' or 'n:m' with 0 < n < m (e.g. '2:4'), "
                     f"got {structure!r}")


def prune_mask(scores: np.ndarray, sparsity: float = 0.5,
               structure: str = "unstructured") -> np.ndarray:
    """The keep-mask (bool) of ``scores`` ``[out, in]``: per row, the ``round(in *
    sparsity)`` (half up) lowest scores are pruned (unstructured), or ``m - n`` of every ``m``
    consecutive weights (``"n:m"``, where ``sparsity`` is ignored). NaN counts as the lowest
    score; ties prune the lower column index first (a stable sort)."""
    scores = np.where(np.isnan(scores), -np.inf, np.asarray(scores, dtype=np.float64))
    rows, cols = scores.shape
    width, prune = comparison_groups(cols, sparsity, structure)
    groups = scores.reshape(-1, width)
    order = np.argsort(groups, axis=-1, kind="stable")
    keep = np.ones(groups.shape, dtype=bool)
    np.put_along_axis(keep, order[:, :prune], False, axis=-1)
    return keep.reshape(rows, cols)


def comparison_groups(cols: int, sparsity: float = 0.5,
                      structure: str = "unstructured") -> tuple:
    """``(group width, weights pruned per group)`` for rows of ``cols`` weights: whole rows
    (unstructured) or blocks of ``m`` (``"n:m"``). Shared by the NumPy and torch masks."""
    nm = parse_structure(structure)
    if nm is None:
        _check_sparsity(sparsity)
        return cols, pruned_per_row(cols, sparsity)
    n, m = nm
    if cols % m:
        raise ValueError(f"{structure} sparsity needs rows whose length ({cols}) is a "
                         f"multiple of {m}")
    return m, m - n


def pruned_per_row(cols: int, sparsity: float) -> int:
    """How many of ``cols`` weights a row loses at ``sparsity`` (rounded half up)."""
    return int(math.floor(cols * sparsity + 0.5))


def _check_sparsity(sparsity: float) -> None:
    if isinstance(sparsity, bool) or not isinstance(sparsity, (int, float)) \
            or not 0.0 <= sparsity < 1.0:
        raise ValueError(f"sparsity must be a number in [0, 1), got {sparsity!r}")


# ---- the mask hash -----------------------------------------------------------------------------

class MaskProbes:
    """Fixed synthetic layers on which metrics' masks are compared.

    Shaped like a transformer's linear layers: weights with heavy tails, per-channel input
    norms that are log-normal with a few outlier channels (as in language models, where
    this is what makes Wanda differ from magnitude pruning), and non-negative gradients
    that grow with the input norm.
    """

    def __init__(self, shapes: Sequence[tuple] = ((32, 64), (64, 32), (48, 96)),
                 seed: int = 0, sparsities: Sequence[float] = (0.5,),
                 structure: str = "unstructured") -> None:
        rng = np.random.default_rng(seed)
        self.layers = []
        for rows, cols in shapes:
            W = rng.standard_t(4, size=(rows, cols)) / math.sqrt(cols)
            X = np.exp(rng.normal(0.0, 0.7, size=cols))
            X[rng.choice(cols, size=max(1, cols // 32), replace=False)] *= 20.0
            G = np.abs(rng.normal(size=(rows, cols))) * 1e-3 * X / X.mean()
            self.layers.append((W, G, X))
        self.sparsities = tuple(sparsities)
        self.structure = structure

    def mask(self, metric: Any) -> np.ndarray:
        """The concatenated keep-masks (0/1 float64) of ``metric`` on every probe layer."""
        expr = as_expr(metric)
        parts = []
        for W, G, X in self.layers:
            scores = metric_scores(expr, W, G, X)
            for sparsity in self.sparsities:
                parts.append(prune_mask(scores, sparsity, self.structure).ravel())
        return np.concatenate(parts).astype(np.float64)


PROBES = MaskProbes()


def _mask_outputs(metric: PruningMetric, probes, hasher) -> list:
    mask = PROBES.mask(metric)
    count = probes.count
    padded = np.zeros(-(-mask.size // count) * count)
    padded[:mask.size] = mask
    return [padded.reshape(count, -1)]


register_adapter(PruningMetric, _mask_outputs)


def mask_hash(metric: Any) -> str:
    """The functional (mask) hash that ``EvalCache(mode="functional")`` uses."""
    from symsearch.cache import FunctionalHasher
    if not isinstance(metric, PruningMetric):
        metric = PruningMetric(expr=ss.clone(as_expr(metric)))
    return FunctionalHasher().hash(metric)


# ---- the search space ---------------------------------------------------------------------------

class MetricMutator(ExprMutator):
    """An ``ExprMutator`` (point and subtree mutation) whose repr names its whole primitive
    set, so the space's structural fingerprint changes whenever the primitives do."""

    def __repr__(self) -> str:
        return (f"MetricMutator(variables={self.variables}, ops={self.ops}, "
                f"constants={self.constants}, const_prob={self.const_prob}, "
                f"max_depth={self.max_depth}, max_size={self.max_size})")


class RandomMetric(RandomExpr):
    """Random sampling's initializer: a random metric tree of depth 2..``max_depth``."""


def metric_mutator(max_depth: int = 6, max_size: int = 20,
                   ops: Sequence[str] = UNARY_OPS + BINARY_OPS,
                   constants: Sequence[float] = CONSTANTS,
                   const_prob: float = 0.15) -> MetricMutator:
    """The primitive set and size limits as a :class:`MetricMutator`, which the
    genetic-programming algorithm reads its primitives from."""
    return MetricMutator(variables=VARIABLES, ops=ops, constants=constants,
                         const_prob=const_prob, max_depth=max_depth, max_size=max_size,
                         weights={"point": 1.0, "subtree": 1.0}, subtree_depth=3)


def make_space(max_depth: int = 6, max_size: int = 20, initial: str = "magnitude",
               ops: Optional[Sequence[str]] = None, constants: Sequence[float] = CONSTANTS,
               const_prob: float = 0.15) -> PruningMetric:
    """The space of pruning metrics: ``PruningMetric(expr=ss.evolve(...))``.

    ``initial`` names the warm start (``magnitude``, ``wanda`` or ``gradient``; algorithms
    that start from scratch, such as genetic programming, ignore it); random sampling draws
    random trees of depth 2..4.

    >>> space = make_space(max_depth=5)
    >>> ss.dna_spec(space).decisions[0].kind
    'custom'
    """
    mutator = metric_mutator(max_depth, max_size, tuple(ops) if ops else UNARY_OPS + BINARY_OPS,
                             constants, const_prob)
    return PruningMetric(expr=ss.evolve(as_expr(initial), mutator,
                                        initializer=RandomMetric(mutator, 4), name="metric"))


__all__ = ["VARIABLES", "UNARY_OPS", "BINARY_OPS", "CONSTANTS", "PruningMetric", "magnitude",
           "wanda", "gradient", "known_metrics", "as_expr", "metric_scores", "parse_structure",
           "prune_mask", "pruned_per_row", "MaskProbes", "PROBES", "mask_hash", "MetricMutator",
           "RandomMetric", "metric_mutator", "make_space", "Var", "Const",
           "Call"]
