"""Proxy expressions over per-layer statistics, their rank hash, and proxy evolution."""
import json

import numpy as np
import pytest

import symsearch as ss
from symsearch.programs import Var, call
from symsearch.spaces import zero_cost_proxies as zcp
from symsearch.spaces.zero_cost_proxies import VARIABLES, ZeroCostProxy


def test_a_proxy_is_a_masked_sum_over_layers():
    stats = {v: np.full((2, 3), 2.0) for v in VARIABLES}
    stats["G"] = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    mask = np.array([[True, True, False], [True, True, True]])
    assert zcp.proxy_scores(Var("G"), stats, mask).tolist() == [3.0, 15.0]
    # a layer that is absent contributes nothing, even where the expression is not finite
    stats["W"] = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    assert zcp.proxy_scores(call("div", "G", "W"), stats, mask).tolist() == [3.0, 15.0]
    with pytest.raises(ValueError, match=r"lack \['N'\]"):
        zcp.proxy_scores(Var("G"), {v: stats[v] for v in VARIABLES if v != "N"}, mask)


def test_known_proxies_and_names():
    assert {n: p.formula for n, p in zcp.known_proxies().items()} == \
        {"grad_norm": "G", "snip": "WG", "synflow": "S", "params": "N"}
    assert zcp.as_expr("snip") == Var("WG")
    with pytest.raises(ValueError, match="unknown proxy name 'fisher'"):
        zcp.as_expr("fisher")


def test_rank_hash_equates_proxies_that_order_networks_alike():
    assert zcp.rank_hash(call("mul", 3.0, "G")) == zcp.rank_hash(Var("G"))
    assert zcp.rank_hash(call("add", "G", "G")) == zcp.rank_hash(Var("G"))
    assert zcp.rank_hash(Var("G")) != zcp.rank_hash(Var("W"))
    assert zcp.rank_hash(call("neg", "G")) != zcp.rank_hash(Var("G"))


def test_space_round_trips_and_mutates_within_limits():
    space = zcp.make_space(max_depth=4, max_size=9)
    spec = ss.dna_spec(space)
    assert spec.decisions[0].kind == "custom"
    for proxy in ss.random_sample(space, 20, seed=0):
        assert isinstance(proxy, ZeroCostProxy)
        assert set(ss.programs.variables(proxy.expr)) <= set(VARIABLES)
        assert ss.programs.depth(proxy.expr) <= 4
        again = ss.from_json(json.loads(json.dumps(ss.to_json(proxy))))
        assert ss.eq(again, proxy)
    with pytest.raises(ValueError, match=r"ops \['relu'\] are not among"):
        zcp.proxy_mutator(ops=("add", "relu"))


class FakeTable:
    """What ProxyData reads from a NASTable, for made-up architectures."""

    def __init__(self, arch, val, test):
        self.arch, self.path = arch, "<fake>"
        self.val_accuracy = np.asarray(val, dtype=float)[:, None, None]
        self.test_accuracy = np.asarray(test, dtype=float)[:, None]

    def mean_test_accuracy(self):
        return self.test_accuracy.mean(axis=1)


def synthetic_data(n=200, layers=5, seed=0):
    """Architectures whose accuracy is a known function of their statistics: the sum over
    layers of G * N, plus noise; with WG (SNIP) a weaker signal."""
    from symsearch.evaluators.proxy_fitness import ProxyData
    rng = np.random.default_rng(seed)
    stats = {v: np.exp(rng.normal(size=(n, layers))) for v in VARIABLES}
    mask = np.arange(layers)[None, :] < rng.integers(2, layers + 1, size=n)[:, None]
    truth = np.where(mask, stats["G"] * stats["N"], 0).sum(1)
    accuracy = 1 - 1 / (1 + truth + rng.normal(0, 0.02, n))
    stats["WG"] = np.where(mask, stats["G"] * stats["N"] * np.exp(rng.normal(0, 1.0, (n, layers))), 0)
    arrays = {"arch": np.array([f"a{i}" for i in range(n)]), "mask": mask,
              "meta": np.array(json.dumps({"format": 1})),
              **{f"stat_{v}": s for v, s in stats.items()}, "proxy_snip": stats["WG"].sum(1)}
    return ProxyData(arrays, FakeTable(list(arrays["arch"]), accuracy, accuracy))


def test_fitness_is_rank_correlation_on_a_fixed_split():
    from symsearch.evaluators import proxy_fitness
    data = synthetic_data()
    train, held = data.rows("train"), data.rows("heldout")
    assert len(train) == len(held) == 100 and not set(train) & set(held)
    assert np.array_equal(train, data.rows("train"))
    exact = proxy_fitness.evaluate(call("mul", "G", "N"), data=data)
    assert exact["kendall_tau"] > 0.95 and exact["architectures"] == 100
    assert proxy_fitness.evaluate("snip", data=data)["kendall_tau"] < exact["kendall_tau"]
    assert set(proxy_fitness.hand_designed(data=data)) == {"snip"}
    with pytest.raises(ValueError, match="split must be one of"):
        data.rows("test")


def test_genetic_programming_finds_the_hidden_proxy():
    from symsearch.algorithms import GeneticProgramming
    from symsearch.evaluators import proxy_fitness
    data = synthetic_data()
    result = ss.search(zcp.make_space(), lambda c: proxy_fitness.evaluate(c, data=data),
                       objective="max:kendall_tau", num_trials=400, seed=0,
                       algorithm=GeneticProgramming(population_size=40, seed=0),
                       cache="functional")
    held = proxy_fitness.evaluate(result.best.value, split="heldout", data=data)
    snip = proxy_fitness.evaluate("snip", split="heldout", data=data)
    assert held["kendall_tau"] > snip["kendall_tau"] and held["kendall_tau"] > 0.9
    assert result.count("cached") > 0          # rank-equivalent proxies were looked up


def test_layer_statistics_agree_with_the_hand_designed_proxies():
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    from symsearch.evaluators import zero_cost
    from symsearch.evaluators.proxy_fitness import layer_statistics
    cell = ["nor_conv_3x3", "nor_conv_1x1", "skip_connect", "nor_conv_3x3", "none",
            "nor_conv_3x3"]
    stats = layer_statistics(cell, seed=2)
    assert set(stats) == set(VARIABLES) and len(stats["W"]) == 2 + 4     # stem, 4 convs, fc
    assert stats["N"].tolist() == [72.0, 576.0, 64.0, 576.0, 576.0, 80.0]
    proxies = zero_cost.compute_proxies(cell, ("grad_norm", "snip", "synflow"), seed=2)
    assert stats["G"].sum() == pytest.approx(proxies["grad_norm"], rel=1e-5)
    assert stats["WG"].sum() == pytest.approx(proxies["snip"], rel=1e-5)
    assert stats["S"].sum() == pytest.approx(proxies["synflow"], rel=1e-6)
    assert np.all(stats["A"] > 0) and np.all(stats["D"] > 0)
