"""Builds the project's NAS table: every architecture of a cell space trained on digits.

The build is a symsearch experiment itself: a grid over
``cell_space(ops=TABLE_OPS)`` (4 nodes, 4 ops: 4,096 cells), with the functional cache keyed
by the cell's function-level canonical form (``spaces.nas_cell.cell_hasher("function")``), so
one representative of each of the 1,230 canonical classes is trained and the other cells are
recorded as cached. Each representative trains ``--seeds`` times
(:func:`symsearch.evaluators.nas_cell_net.train_cell`, all seeds as replicas of one module),
and the trials go to a SQLite store: kill the build and run it again and it resumes where
it stopped (``ss.search(resume=True)``). ``--workers N`` evaluates on N Ray workers.

When the grid is done, the store is exported to ``evaluators/data/nas_digits_table.npz``
(:mod:`symsearch.evaluators.nas_bench` reads it): per class its representative's
architecture string, per seed and epoch the validation accuracy and loss, final test
accuracy and loss, parameters, FLOPs and CPU seconds of training; the settings are in its
``meta`` entry. Then every class's per-layer statistics and hand-designed zero-cost proxy
scores at initialization go to ``evaluators/data/nas_digits_proxies.npz``
(:func:`symsearch.evaluators.proxy_fitness.build_proxy_data`, a few CPU minutes).

    python benchmarks/build_nas_table.py --workers 2                # ~32 min on 2 busy cores
    nice -n 10 python benchmarks/build_nas_table.py                 # ~20 CPU min on one core
    python benchmarks/build_nas_table.py --pilot 60 --epochs 8      # a recipe on 60 classes
    python benchmarks/build_nas_table.py --export-only              # store -> npz again
    python benchmarks/build_nas_table.py --proxies-only             # proxy data again

Everything is deterministic for a given setting on one machine (one thread per training).
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import symsearch as ss
from symsearch.cache import EvalCache
from symsearch.search.result import Result  # noqa: F401 (the return type of run_build)
from symsearch.spaces.nas_cell import Cell, canonical_key, cell_hasher, cell_space

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORE = ROOT / "runs" / "nas_table.db"
DEFAULT_OUT = ROOT / "evaluators" / "data" / "nas_digits_table.npz"
DEFAULT_PROXIES = ROOT / "evaluators" / "data" / "nas_digits_proxies.npz"
TABLE_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")
LEVEL = "function"
SETTINGS = {"epochs": 6, "channels": 8, "n_cells": 1, "batch_size": 64, "lr": 0.1,
            "seeds": [0, 1, 2]}


def train_entry(cell: Cell, epochs: int, channels: int, n_cells: int, batch_size: int,
                lr: float, seeds: list, val_size: int = 400, test_size: int = 400) -> dict:
    """The evaluator of the build: trains ``cell`` once per seed on one CPU thread.

    Metrics: ``val_accuracy`` and ``test_accuracy`` (means over seeds, after the last
    epoch; the search's objective is the first) and ``runs``, one dict per seed from
    :func:`train_cell` (curves, test scores, params, flops, train_time).
    """
    import torch
    from symsearch.evaluators.nas_cell_net import train_cell
    torch.set_num_threads(1)
    runs = train_cell(cell, epochs=epochs, seeds=seeds, channels=channels, n_cells=n_cells,
                      lr=lr, batch_size=batch_size, device="cpu", val_size=val_size,
                      test_size=test_size)
    return {"val_accuracy": float(np.mean([r["val_accuracy"][-1] for r in runs])),
            "test_accuracy": float(np.mean([r["test_accuracy"] for r in runs])),
            "runs": runs}


def run_build(store: Path, settings: dict, workers: int = 0, limit: int | None = None,
              ops: tuple = TABLE_OPS) -> "Result":
    """Runs (or resumes) the grid; returns the search's Result. ``limit``: the first N cells
    of the grid only (for a quick look or a test)."""
    store.parent.mkdir(parents=True, exist_ok=True)
    evaluator = functools.partial(train_entry, **settings)
    runner = {"type": "ray", "workers": workers} if workers else None
    return ss.search(cell_space(ops=ops), evaluator, objective="max:val_accuracy",
                     algorithm="grid", num_trials=limit, store=str(store),
                     resume=store.exists(), runner=runner, seed=0,
                     cache=EvalCache("functional", hasher=cell_hasher(LEVEL)),
                     config={"table_settings": settings, "table_ops": list(ops)})


def export_table(store: Path, out: Path, settings: dict, ops: tuple = TABLE_OPS) -> dict:
    """Writes the store's trained classes to ``out`` (compressed npz); returns a summary."""
    experiment = ss.load_experiment(str(store))
    # With several workers, two cells of one class can be in flight at once (the cache only
    # answers from finished trials), so a class may have been trained twice: keep the first.
    by_class: dict = {}
    for record in sorted(experiment.trials_with("done"), key=lambda r: r.id):
        cell = ss.from_json(json.loads(record.candidate_json))
        key = repr(canonical_key(tuple(cell.ops), cell.n_nodes, LEVEL))
        by_class.setdefault(key, (key, cell, record.metrics["runs"]))
    if not by_class:
        raise SystemExit(f"no finished trials in {store}; run the build first")
    rows = sorted(by_class.values(), key=lambda row: row[0])
    duplicates = len(experiment.trials_with("done")) - len(rows)
    rows = [(cell, runs) for _, cell, runs in rows]
    def stack(name, dtype):
        return np.array([[run[name] for run in runs] for _, runs in rows], dtype=dtype)
    table = {
        "arch": np.array([c.to_arch_str() for c, _ in rows]),
        "val_accuracy": stack("val_accuracy", np.float32),      # (archs, seeds, epochs)
        "val_loss": stack("val_loss", np.float32),
        "test_accuracy": stack("test_accuracy", np.float32),    # (archs, seeds)
        "test_loss": stack("test_loss", np.float32),
        "train_time": stack("train_time", np.float32),          # CPU s per seed
        "params": np.array([runs[0]["params"] for _, runs in rows], dtype=np.int64),
        "flops": np.array([runs[0]["flops"] for _, runs in rows], dtype=np.int64),
    }
    val_size, test_size = settings.get("val_size", 400), settings.get("test_size", 400)
    meta = {"format": 1, "dataset": f"sklearn digits ({1797 - val_size - test_size} train / "
                                    f"{val_size} val / {test_size} test)",
            "ops": list(ops), "n_nodes": 4, "level": LEVEL, "settings": settings,
            "cells_in_space": len(ops) ** 6, "classes": len(rows),
            "trained_twice": duplicates,
            "built": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "torch": __import__("torch").__version__}
    table["meta"] = np.array(json.dumps(meta))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **table)
    os.replace(tmp, out)
    return meta


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workers", type=int, default=0, help="Ray workers (0: in-process)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N cells")
    parser.add_argument("--export-only", action="store_true",
                        help="write the table (and proxy data) from the store, train nothing")
    parser.add_argument("--proxies-out", type=Path, default=DEFAULT_PROXIES)
    parser.add_argument("--proxies-only", action="store_true",
                        help="recompute the proxy data of the table at --out only")
    parser.add_argument("--pilot", type=int, default=0, metavar="N",
                        help="train a random sample of N classes with these settings, print "
                             "their discrimination and stop (no store, no table)")
    parser.add_argument("--no-proxies", action="store_true",
                        help="skip the proxy data (it depends on the network and the training "
                             "split at initialization, not on the training recipe)")
    for key in ("epochs", "channels", "n_cells", "batch_size"):
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=SETTINGS[key])
    parser.add_argument("--lr", type=float, default=SETTINGS["lr"])
    parser.add_argument("--seeds", type=int, default=len(SETTINGS["seeds"]))
    args = parser.parse_args(argv)
    settings = {"epochs": args.epochs, "channels": args.channels, "n_cells": args.n_cells,
                "batch_size": args.batch_size, "lr": args.lr, "seeds": list(range(args.seeds))}
    if args.pilot:
        print(json.dumps({"settings": settings, **pilot(settings, n=args.pilot)}))
        return 0
    if not args.proxies_only:
        build_and_export(args, settings)
    if args.no_proxies:
        return 0
    from symsearch.evaluators.nas_bench import NASTable
    from symsearch.evaluators.proxy_fitness import build_proxy_data
    meta = build_proxy_data(NASTable.load(args.out), args.proxies_out, progress=True)
    print(f"wrote {args.proxies_out}: layer statistics and {len(meta['proxies'])} proxies of "
          f"{meta['architectures']} architectures in {meta['seconds']} s")
    return 0


def class_representatives(ops: tuple = TABLE_OPS, n_nodes: int = 4) -> list:
    """One cell per function-level canonical class of the space, the first in grid order
    (the one the build trains)."""
    from symsearch.spaces.nas_cell import all_cells
    seen: dict = {}
    for cell in all_cells(n_nodes, ops):
        seen.setdefault(canonical_key(tuple(cell.ops), n_nodes, LEVEL), cell)
    return list(seen.values())


def pilot(settings: dict, n: int = 60, sample_seed: int = 0) -> dict:
    """Trains a random sample of ``n`` classes with ``settings`` and measures discrimination.

    Used to choose the table's recipe before the (long) build: the pooled seed-to-seed std
    of test accuracy, the median and top-5% (95th percentile) of the seed-mean test accuracy
    over the sample, their ratio, and the CPU seconds per seed. The sample is the same for
    every recipe at one ``sample_seed``.
    """
    reps = class_representatives()
    picks = np.random.default_rng(sample_seed).choice(len(reps), size=n, replace=False)
    tests, times = [], []
    for k in picks:
        runs = train_entry(reps[k], **settings)["runs"]
        tests.append([r["test_accuracy"] for r in runs])
        times.append(runs[0]["train_time"])
    tests = np.array(tests)
    mean = tests.mean(axis=1)
    noise = float(np.sqrt(np.mean(tests.var(axis=1, ddof=1))))
    median, top5 = float(np.median(mean)), float(np.percentile(mean, 95))
    return {"noise": noise, "median": median, "top5": top5, "ratio": (top5 - median) / noise,
            "cpu_per_seed": float(np.median(times)), "cpu_total": float(np.sum(times)) * len(
                settings["seeds"])}


def build_and_export(args: argparse.Namespace, settings: dict) -> None:
    """Runs the grid (unless --export-only) and writes the table."""
    if not args.export_only:
        start = time.time()
        result = run_build(args.store, settings, args.workers, args.limit)
        print(f"grid done in {time.time() - start:.0f} s: {result}", flush=True)
    meta = export_table(args.store, args.out, settings)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e3:.0f} kB): {meta['classes']} classes of "
          f"{meta['cells_in_space']} cells ({meta['trained_twice']} trained twice)")


if __name__ == "__main__":
    sys.exit(main())
