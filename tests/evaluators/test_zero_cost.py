"""Zero-cost proxies on real networks at initialization, and their rank correlations."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from symsearch.evaluators import zero_cost  # noqa: E402
from symsearch.evaluators.nas_cell_net import (CellNetwork, count_parameters,  # noqa: E402
                                               live_edges)

CONV = ["nor_conv_3x3", "nor_conv_1x1", "skip_connect", "nor_conv_3x3", "none",
        "nor_conv_3x3"]
ZERO = ["none"] * 6


def test_every_proxy_scores_a_conv_cell():
    scores = zero_cost.compute_proxies(CONV)
    assert set(scores) == set(zero_cost.PROXIES)
    assert all(math.isfinite(v) for v in scores.values())
    assert scores["grad_norm"] > 0 and scores["snip"] > 0 and scores["synflow"] > 0
    torch.manual_seed(0)
    assert scores["params"] == count_parameters(CellNetwork(CONV, channels=8, n_cells=1))
    assert scores["flops"] > zero_cost.compute_proxies(ZERO, ("flops",))["flops"]


def test_a_cell_that_outputs_zeros_scores_lowest_where_defined():
    scores = zero_cost.compute_proxies(ZERO)
    assert scores["grad_norm"] == 0.0 and scores["snip"] == 0.0 and scores["synflow"] == 0.0
    assert scores["naswot"] == -math.inf and scores["jacob_cov"] == -math.inf


def test_proxies_are_deterministic_and_leave_a_given_module_alone():
    names = ("snip", "naswot", "grasp")
    assert zero_cost.compute_proxies(CONV, names, seed=3) == \
        zero_cost.compute_proxies(CONV, names, seed=3)
    assert zero_cost.compute_proxies(CONV, ("snip",), seed=3) != \
        zero_cost.compute_proxies(CONV, ("snip",), seed=4)
    torch.manual_seed(0)
    model = CellNetwork(CONV, channels=8, n_cells=1)
    before = [p.detach().clone() for p in model.parameters()]
    scores = zero_cost.compute_proxies(model, ("synflow", "snip"))
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert all(p.grad is None for p in model.parameters())
    assert scores["synflow"] > 0


def test_more_convolutions_more_synflow_and_params():
    one = ["none", "none", "none", "nor_conv_3x3", "none", "none"]
    assert live_edges(one, 4) == ((0, 3, "nor_conv_3x3"),)
    small, big = (zero_cost.compute_proxies(c, ("synflow", "params")) for c in (one, CONV))
    assert big["params"] > small["params"] and big["synflow"] > small["synflow"]


def test_rank_correlations():
    accuracy = np.array([0.1, 0.5, 0.7, 0.9])
    assert zero_cost.rank_correlations([1, 2, 3, 4], accuracy) == \
        {"kendall_tau": 1.0, "spearman_rho": 1.0}
    assert zero_cost.rank_correlations([4, 3, 2, 1], accuracy)["kendall_tau"] == -1.0
    # non-finite scores rank lowest, which is right here
    assert zero_cost.rank_correlations([-np.inf, np.nan, 3, 4], accuracy)["spearman_rho"] > 0.9
    assert zero_cost.rank_correlations([2, 2, 2, 2], accuracy)["kendall_tau"] == 0.0
    with pytest.raises(ValueError, match="one length"):
        zero_cost.rank_correlations([1, 2], accuracy)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="unknown zero-cost proxies.*'fisher'"):
        zero_cost.compute_proxies(CONV, ("snip", "fisher"))
    with pytest.raises(ValueError, match="batch_size must be an int >= 2"):
        zero_cost.compute_proxies(CONV, ("snip",), batch_size=1)
    with pytest.raises(ValueError, match=r"Edge 1->2 has op 'conv5x5'"):
        zero_cost.compute_proxies(["none", "none", "conv5x5", "none", "none", "none"])


def test_evaluate_adds_the_table_accuracy_for_judging():
    from symsearch.evaluators import nas_bench
    if not nas_bench.DEFAULT_PATH.exists():
        pytest.skip("the table is not built yet")
    metrics = zero_cost.evaluate(CONV, proxy="naswot")
    assert metrics["score"] == metrics["naswot"]
    assert 0.0 < metrics["test_accuracy"] <= 1.0
    assert zero_cost.evaluate(ZERO, proxy="naswot", table=False)["score"] == -1e300
