"""The pruning-metric space: known metrics as trees, the mask rule, the extra ops and the
mask hash (symsearch.spaces.pruning_metrics)."""
import random

import numpy as np
import pytest

import symsearch as ss
from symsearch.programs import REGISTRY, call, evaluate, lower_expr, run_numba, run_numpy
from symsearch.programs.mutation import to_tuple
from symsearch.spaces import pruning_metrics as pm


def layer(rows=16, cols=64, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(rows, cols))
    G = np.abs(rng.normal(size=(rows, cols))) * 1e-3
    X = np.exp(rng.normal(size=cols))
    return W, G, X


def direct_mask(scores, k):
    """An independent per-row rule: keep the weights above the row's k-th smallest score
    (continuous random scores have no ties)."""
    threshold = np.sort(scores, axis=1)[:, k - 1:k]
    return scores > threshold


def test_magnitude_and_wanda_trees_give_the_direct_masks():
    W, G, X = layer()
    k = W.shape[1] // 2
    magnitude = pm.PruningMetric(expr=pm.magnitude())
    wanda = pm.PruningMetric(expr=pm.wanda())
    assert np.array_equal(pm.prune_mask(magnitude.scores(W, G, X), 0.5),
                          direct_mask(np.abs(W), k))
    assert np.array_equal(pm.prune_mask(wanda.scores(W, G, X), 0.5),
                          direct_mask(np.abs(W) * X[None, :], k))
    gradient = pm.PruningMetric(expr=pm.gradient())
    assert np.array_equal(pm.prune_mask(gradient.scores(W, G, X), 0.5),
                          direct_mask(np.abs(W * G), k))
    assert magnitude.formula == "abs(W)" and wanda.formula == "mul(abs(W), X)"
    assert set(pm.known_metrics()) == {"magnitude", "wanda", "gradient"}


@pytest.mark.parametrize("cols,sparsity,pruned", [(64, 0.5, 32), (63, 0.5, 32), (10, 0.6, 6),
                                                  (7, 0.0, 0)])
def test_unstructured_sparsity_is_exact_per_row(cols, sparsity, pruned):
    W, G, X = layer(rows=9, cols=cols)
    keep = pm.prune_mask(np.abs(W), sparsity)
    assert keep.dtype == bool and keep.shape == W.shape
    assert (keep.shape[1] - keep.sum(axis=1) == pruned).all()


def test_two_four_keeps_two_of_every_four():
    W, _, _ = layer(rows=8, cols=32)
    keep = pm.prune_mask(np.abs(W), structure="2:4")
    assert (keep.reshape(8, -1, 4).sum(axis=-1) == 2).all()
    # the two largest magnitudes of each block survive
    blocks = np.abs(W).reshape(8, -1, 4)
    top = np.argsort(blocks, axis=-1)[..., 2:]
    assert np.take_along_axis(keep.reshape(8, -1, 4), top, axis=-1).all()
    with pytest.raises(ValueError, match="multiple of 4"):
        pm.prune_mask(np.ones((2, 6)), structure="2:4")
    with pytest.raises(ValueError, match="structure"):
        pm.prune_mask(np.ones((2, 8)), structure="4:2")
    with pytest.raises(ValueError, match="sparsity"):
        pm.prune_mask(np.ones((2, 8)), sparsity=1.5)


def test_nan_scores_are_lowest_and_ties_prune_lower_columns_first():
    scores = np.array([[np.nan, 5.0, 1.0, 3.0], [2.0, 2.0, 2.0, 2.0]])
    keep = pm.prune_mask(scores, 0.5)
    assert keep.tolist() == [[False, True, False, True], [False, False, True, True]]


def test_extra_ops_are_registered_with_matching_numba_snippets():
    for name in ("sigmoid", "minmax", "zscore"):
        assert name in REGISTRY and REGISTRY.get(name).numba_source
    assert REGISTRY.get("minmax").kind == "vector"
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(1, 5, 12)) * 3
    inputs[0, 0] = 2.0                   # a constant row: the protected branch
    for op in ("sigmoid", "minmax", "zscore"):
        low = lower_expr(call(op, "x"), ["x"])
        np.testing.assert_allclose(run_numba(low, inputs), run_numpy(low, inputs),
                                   rtol=1e-12, atol=1e-12)
    row = evaluate(call("minmax", "x"), {"x": np.array([[1.0, 3.0, 2.0]])})
    assert row.tolist() == [[0.0, 1.0, 0.5]]
    z = evaluate(call("zscore", "x"), {"x": np.array([[1.0, 2.0, 3.0]])})
    np.testing.assert_allclose(z.mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.std(), 1.0)


def test_mask_hash_groups_metrics_that_keep_the_same_weights():
    def h(expr):
        return pm.mask_hash(pm.PruningMetric(expr=expr))
    magnitude = h(pm.magnitude())
    # monotone transforms of |W| keep the same weights
    for same in (call("square", "W"), call("sqrt", "W"), call("mul", call("abs", "W"), 2.0),
                 call("exp", call("abs", "W")), call("log", "W")):
        assert h(same) == magnitude
    assert h(call("mul", "X", call("abs", "W"))) == h(pm.wanda())
    assert h(call("mul", call("abs", "W"), call("sqrt", "X"))) == \
        h(call("sqrt", call("mul", call("square", "W"), "X")))
    distinct = {magnitude, h(pm.wanda()), h(pm.gradient()), h(call("neg", call("abs", "W")))}
    assert len(distinct) == 4


def test_the_functional_cache_skips_mask_equivalent_metrics():
    cache = ss.cache.EvalCache(mode="functional")
    first = cache.lookup(pm.PruningMetric(expr=pm.wanda()))
    assert not first.hit
    cache.record(first.key, {"perplexity": 10.0}, eval_time=1.0)
    again = cache.lookup(pm.PruningMetric(expr=call("mul", call("square", "W"),
                                                    call("square", "X"))))
    assert again.hit and again.metrics == {"perplexity": 10.0}
    assert not cache.lookup(pm.PruningMetric(expr=pm.magnitude())).hit


def test_space_is_one_evolve_decision_whose_trees_respect_the_limits():
    space = pm.make_space(max_depth=4, max_size=9)
    spec = ss.dna_spec(space)
    assert [d.kind for d in spec.decisions] == ["custom"]
    assert ss.materialize(space, ss.DNA((pm.wanda(),))).formula == "mul(abs(W), X)"
    mutator = spec.decisions[0].hyper.mutator
    rng = random.Random(0)
    value = pm.magnitude()
    for _ in range(100):
        value = spec.decisions[0].hyper.mutate(value, rng)
        tree = to_tuple(value)
        assert ss.programs.depth(value) <= 4 and ss.programs.size(value) <= 9, tree
        assert set(ss.programs.variables(value)) <= set(pm.VARIABLES)
    assert mutator.max_depth == 4
    candidate = ss.random_sample(space, 1, seed=0)[0] if hasattr(ss, "random_sample") else None
    if candidate is not None:
        assert isinstance(candidate, pm.PruningMetric)


def test_as_expr_accepts_names_and_rejects_others():
    assert pm.as_expr("wanda") == pm.wanda()
    with pytest.raises(ValueError, match="unknown metric"):
        pm.as_expr("sparsegpt")
    with pytest.raises(TypeError):
        pm.as_expr(3)
