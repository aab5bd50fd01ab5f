"""The project's NAS table: lookups with the epoch budget as fidelity, errors, the build."""
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("networkx")

import symsearch as ss  # noqa: E402
from symsearch.evaluators import nas_bench  # noqa: E402
from symsearch.evaluators.nas_bench import (ArchitectureNotInTable, NASTable,  # noqa: E402
                                            NASTableError)
from symsearch.spaces.nas_cell import Cell, canonical_key, cell_space  # noqa: E402

SMALL_OPS = ("none", "skip_connect", "nor_conv_3x3")
ROOT = Path(__file__).resolve().parents[2]


def synthetic_arrays(ops=SMALL_OPS, n_nodes=3, epochs=4, seeds=(0, 1), seed=0) -> dict:
    """A complete table of ``cell_space(n_nodes, ops)`` with made-up curves: one row per
    function-level class, accuracy rising with the number of convolutions."""
    rng = np.random.default_rng(seed)
    rows = {}
    for combo in itertools.product(ops, repeat=n_nodes * (n_nodes - 1) // 2):
        rows.setdefault(repr(canonical_key(combo, n_nodes, "function")), combo)
    cells = [Cell(ops=list(c), n_nodes=n_nodes) for c in rows.values()]
    n = len(cells)
    quality = np.array([0.3 + 0.15 * sum(op == "nor_conv_3x3" for op in c.ops) for c in cells])
    final = np.clip(quality[:, None] + rng.normal(0, 0.01, (n, len(seeds))), 0, 1)
    growth = np.linspace(0.5, 1.0, epochs)
    meta = {"format": 1, "ops": list(ops), "n_nodes": n_nodes, "level": "function",
            "settings": {"epochs": epochs, "seeds": list(seeds)}, "cells_in_space":
            len(ops) ** len(cells[0].ops), "classes": n}
    return {"arch": np.array([c.to_arch_str() for c in cells]),
            "val_accuracy": final[:, :, None] * growth, "val_loss": 2.0 - final[:, :, None] * growth,
            "test_accuracy": final - 0.01, "test_loss": 1.0 - final,
            "train_time": np.full((n, len(seeds)), 2.0),
            "params": np.arange(n) + 100, "flops": np.arange(n) * 10 + 1000,
            "meta": np.array(json.dumps(meta))}


@pytest.fixture
def table_file(tmp_path):
    path = tmp_path / "table.npz"
    np.savez_compressed(path, **synthetic_arrays())
    return path


class Recorder:
    """A ``trial`` stand-in: records reports, asks to stop after ``stop_after`` of them."""

    def __init__(self, stop_after=None):
        self.reports, self.stop_after = [], stop_after

    def report(self, step, **metrics):
        self.reports.append((step, metrics))

    def should_stop(self):
        return self.stop_after is not None and len(self.reports) >= self.stop_after


def test_answers_curve_at_the_epoch_budget_and_charges_its_time(table_file):
    table = NASTable.load(table_file)
    cell = Cell(ops=["nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3"], n_nodes=3)
    row = table.row(cell)
    full = nas_bench.evaluate(cell, table=table_file, seed=1)
    assert full["epochs"] == 4 and full["val_accuracy"] == pytest.approx(table.val_accuracy[row, 1, 3])
    assert full["test_accuracy"] == pytest.approx(table.test_accuracy[row, 1])
    assert full["train_time"] == pytest.approx(2.0)
    half = nas_bench.evaluate(cell, epochs=2, seed=1, table=table)
    assert half["val_accuracy"] == pytest.approx(table.val_accuracy[row, 1, 1])
    assert half["train_time"] == pytest.approx(1.0) and "test_accuracy" not in half
    mean = nas_bench.evaluate(cell, table=table)            # seed=None: mean over seeds
    assert mean["val_accuracy"] == pytest.approx(table.val_accuracy[row, :, 3].mean())


def test_equivalent_cells_share_a_row(table_file):
    table = NASTable.load(table_file)
    plain = Cell(ops=["none", "nor_conv_3x3", "none"], n_nodes=3)           # 0->2 conv
    dead = Cell(ops=["nor_conv_3x3", "nor_conv_3x3", "none"], n_nodes=3)    # 0->1 leads nowhere
    via_skip = Cell(ops=["skip_connect", "none", "nor_conv_3x3"], n_nodes=3)  # conv(skip(x))
    assert table.row(plain) == table.row(dead) == table.row(via_skip) \
        == table.row(plain.to_arch_str())
    assert table.row(Cell(ops=["none"] * 3, n_nodes=3)) != table.row(plain)
    every = {table.row(c) for c in ss.iterate(cell_space(3, SMALL_OPS))}
    assert every == set(range(len(table)))


def test_reports_every_epoch_and_stops_when_asked(table_file):
    cell = ["nor_conv_3x3", "skip_connect", "nor_conv_3x3"]
    trial = Recorder(stop_after=2)
    metrics = nas_bench.evaluate({"ops": cell, "n_nodes": 3}, trial=trial, seed=0,
                                 table=table_file)
    assert [step for step, _ in trial.reports] == [1, 2]
    assert metrics["epochs"] == 2 and metrics["train_time"] == pytest.approx(1.0)
    assert trial.reports[-1][1]["val_accuracy"] == metrics["val_accuracy"]


def test_asha_runs_on_the_table(table_file):
    from symsearch.algorithms import ASHA
    table = NASTable.load(table_file)

    def evaluate(candidate, trial=None):
        return nas_bench.evaluate(candidate, trial, seed=0, table=table)

    result = ss.search(cell_space(3, SMALL_OPS), evaluate, objective="max:val_accuracy",
                       algorithm="random", num_trials=30, seed=0,
                       early_stopping=ASHA(min_resource=1, max_resource=4, reduction_factor=2))
    epochs = [t.metrics["epochs"] for t in result.trials]
    assert min(epochs) == 1 and max(epochs) == 4 and result.count("pruned") > 0


def test_bad_arguments_and_cells_are_named(table_file):
    table = NASTable.load(table_file)
    cell = ["nor_conv_3x3", "none", "none"]
    with pytest.raises(ValueError, match="epochs must be an int in 1..4"):
        table.query({"ops": cell, "n_nodes": 3}, epochs=5)
    with pytest.raises(ValueError, match=r"one of the table's seeds \[0, 1\]"):
        table.query({"ops": cell, "n_nodes": 3}, seed=7)
    with pytest.raises(ValueError, match="needs 3 ops"):
        table.row({"ops": cell + ["none"], "n_nodes": 3})
    with pytest.raises(ValueError, match=r"edge 0->2 should be 'op~0'"):
        table.row("|nor_conv_3x3~0|+|none~1|none~1|")
    with pytest.raises(ValueError, match=r"ops\[1\] must be an op name"):
        table.row({"ops": ["none", 3, "none"], "n_nodes": 3})


def test_architecture_not_in_table_is_named(table_file):
    table = NASTable.load(table_file)
    with pytest.raises(ArchitectureNotInTable) as error:
        table.row({"ops": ["avg_pool_3x3", "none", "none"], "n_nodes": 3})
    assert "|avg_pool_3x3~0|+|none~0|none~1|" in str(error.value)
    assert "avg_pool_3x3" in str(error.value) and str(table_file) in str(error.value)
    with pytest.raises(ArchitectureNotInTable, match="nodes"):
        table.row(Cell(ops=["none"] * 6))
    arrays = synthetic_arrays()
    partial = {k: (v[1:] if k != "meta" else v) for k, v in arrays.items()}
    missing = Cell.from_arch_str(str(arrays["arch"][0]))
    with pytest.raises(ArchitectureNotInTable, match="partial build"):
        NASTable(partial, "partial.npz").row(missing)


def test_missing_and_corrupt_files_name_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no NAS table at .*nowhere.npz"):
        NASTable.load(tmp_path / "nowhere.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(NASTableError, match="junk.npz is corrupt"):
        NASTable.load(junk)
    arrays = synthetic_arrays()
    del arrays["val_loss"]
    np.savez(tmp_path / "short.npz", **arrays)
    with pytest.raises(NASTableError, match=r"short.npz lacks \['val_loss'\]"):
        NASTable.load(tmp_path / "short.npz")
    arrays = synthetic_arrays()
    arrays["test_accuracy"] = arrays["test_accuracy"][:, :1]
    np.savez(tmp_path / "shape.npz", **arrays)
    with pytest.raises(NASTableError, match="'test_accuracy' has shape"):
        NASTable.load(tmp_path / "shape.npz")
    arrays = synthetic_arrays()
    arrays["val_accuracy"] = arrays["val_accuracy"] * 50
    with pytest.raises(NASTableError, match="outside"):
        NASTable(arrays, "scaled.npz")


@pytest.mark.skipif(not nas_bench.DEFAULT_PATH.exists(), reason="the table is not built yet")
def test_shipped_table_covers_the_whole_space():
    table = NASTable.load()
    assert len(table) >= 1000 and len(table.seeds) >= 2 and table.epochs >= 4
    assert nas_bench.DEFAULT_PATH.stat().st_size < 5_000_000
    rows = {table.row(c) for c in ss.iterate(cell_space(ops=table.ops))}
    assert rows == set(range(len(table)))
    assert np.all(table.params > 0) and np.all(table.train_time > 0)
    best = int(np.argmax(table.mean_test_accuracy()))
    assert table.mean_test_accuracy()[best] > 0.9


def test_build_is_a_resumable_grid_search(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import build_nas_table
    settings = {"epochs": 1, "channels": 4, "n_cells": 1, "batch_size": 256, "lr": 0.05,
                "seeds": [0, 1]}
    store, out = tmp_path / "build.db", tmp_path / "table.npz"
    first = build_nas_table.run_build(store, settings, limit=18)
    done, cached = first.count("done"), first.count("cached")
    assert done + cached == 18 and done >= 2
    again = build_nas_table.run_build(store, settings, limit=18)     # resumes: nothing to do
    assert (again.count("done"), again.count("cached")) == (done, cached)
    meta = build_nas_table.export_table(store, out, settings)
    table = NASTable.load(out)
    assert len(table) == meta["classes"] == done
    assert table.val_accuracy.shape == (len(table), 2, 1)
    zero = Cell(ops=["none"] * 6)
    assert nas_bench.evaluate(zero, table=table)["test_accuracy"] < 0.2


def test_pilot_measures_a_recipe_on_a_sample_of_classes():
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import build_nas_table
    assert len(build_nas_table.class_representatives()) == 1230
    settings = {"epochs": 1, "channels": 4, "n_cells": 1, "batch_size": 256, "lr": 0.05,
                "seeds": [0, 1]}
    out = build_nas_table.pilot(settings, n=3, sample_seed=0)
    assert set(out) == {"noise", "median", "top5", "ratio", "cpu_per_seed", "cpu_total"}
    assert 0.0 < out["median"] <= out["top5"] <= 1.0 and out["noise"] >= 0.0
    assert out["cpu_total"] > 0
