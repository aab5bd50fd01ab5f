"""Loop overhead: trials/s of a whole search loop with a trivial evaluator.

Workload: the 13-hyper-value nested conditional model config of ``vs_pyglove.py``
(stem Conv, two Blocks with manyof ops, conditional head and optimizer, dropout),
random search, an evaluator that returns one metric at once. What is measured is the
framework: propose, materialize, hash, record, feed back.

Rows: symsearch ``ss.search`` in-process with a memory store and with a SQLite store,
``ss.sample`` (user-driven) with SQLite; Optuna (RandomSampler and TPESampler,
in-memory and SQLite storage) on the same space written define-by-run; PyGlove's
``pg.sample`` with ``pg.geno.Random``. Targets: symsearch with SQLite >= 2,000 trials/s
and symsearch (memory) faster than Optuna's RandomSampler in-memory.

    python benchmarks/loop_overhead.py [--quick]
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vs_pyglove import OPS, build_pyglove, build_symsearch  # noqa: E402


def run_symsearch(n: int, store_kind: str, style: str) -> float:
    import symsearch as ss
    w = build_symsearch()
    with tempfile.TemporaryDirectory() as tmp:
        store = ss.store.MemoryStore() if store_kind == "memory" else os.path.join(tmp, "x.db")
        t0 = time.perf_counter()
        if style == "search":
            result = ss.search(w.space, lambda c: {"acc": c.dropout}, objective="max:acc",
                               algorithm="random", num_trials=n, store=store, seed=0)
            assert len(result.trials) == n
        else:
            count = 0
            for trial in ss.sample(w.space, "random", num_trials=n, objective="max:acc",
                                   store=store, seed=0):
                trial.report(acc=trial.value.dropout)
                count += 1
            assert count == n
        return time.perf_counter() - t0


def optuna_objective(trial) -> float:
    trial.suggest_categorical("stem.filters", [16, 32, 64])
    trial.suggest_categorical("stem.kernel", [1, 3, 5, 7])
    trial.suggest_int("blocks[0].width", 32, 512, step=32)
    # Optuna needs fixed choices per parameter, so manyof(2, distinct) is two categoricals.
    trial.suggest_categorical("blocks[0].ops[0]", OPS)
    trial.suggest_categorical("blocks[0].ops[1]", OPS)
    trial.suggest_categorical("blocks[0].residual", [True, False])
    trial.suggest_categorical("blocks[1].ops[0]", OPS)
    trial.suggest_categorical("blocks[1].ops[1]", OPS)
    if trial.suggest_categorical("head", ["Dense", "GlobalPool"]) == "Dense":
        trial.suggest_categorical("head.units", [64, 128, 256])
    if trial.suggest_categorical("optimizer", ["Adam", "SGD"]) == "Adam":
        trial.suggest_float("optimizer.Adam.lr", 1e-5, 1e-1, log=True)
    else:
        trial.suggest_float("optimizer.SGD.lr", 1e-4, 1.0, log=True)
        trial.suggest_float("optimizer.SGD.momentum", 0.0, 0.99)
    return trial.suggest_float("dropout", 0.0, 0.5)


def run_optuna(n: int, sampler_name: str, storage_kind: str) -> float:
    import optuna
    optuna.logging.set_verbosity(logging.WARNING)
    sampler = (optuna.samplers.RandomSampler(seed=0) if sampler_name == "random"
               else optuna.samplers.TPESampler(seed=0))
    with tempfile.TemporaryDirectory() as tmp:
        storage = None if storage_kind == "memory" else f"sqlite:///{tmp}/optuna.db"
        t0 = time.perf_counter()
        study = optuna.create_study(direction="maximize", sampler=sampler, storage=storage)
        study.optimize(optuna_objective, n_trials=n)
        elapsed = time.perf_counter() - t0
        assert len(study.trials) == n
        return elapsed


def run_pyglove(n: int) -> float:
    import pyglove as pg
    w = build_pyglove()
    t0 = time.perf_counter()
    count = 0
    for example, feedback in pg.sample(w.space, pg.geno.Random(seed=0), num_examples=n):
        feedback(example.dropout)
        count += 1
    assert count == n
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny runs (smoke test)")
    args = parser.parse_args(argv)
    q = args.quick
    rows = [
        ("symsearch search, memory store", "ss_mem", lambda n: run_symsearch(n, "memory", "search"), 50 if q else 5000),
        ("symsearch search, SQLite store", "ss_sqlite", lambda n: run_symsearch(n, "sqlite", "search"), 50 if q else 5000),
        ("symsearch sample (user loop), SQLite", "ss_sample", lambda n: run_symsearch(n, "sqlite", "sample"), 50 if q else 5000),
        ("optuna RandomSampler, in-memory", "opt_rand_mem", lambda n: run_optuna(n, "random", "memory"), 50 if q else 2000),
        ("optuna RandomSampler, SQLite", "opt_rand_sql", lambda n: run_optuna(n, "random", "sqlite"), 20 if q else 300),
        ("optuna TPESampler, in-memory", "opt_tpe_mem", lambda n: run_optuna(n, "tpe", "memory"), 20 if q else 300),
        ("optuna TPESampler, SQLite", "opt_tpe_sql", lambda n: run_optuna(n, "tpe", "sqlite"), 20 if q else 200),
        ("pyglove pg.sample + Random", "pg", run_pyglove, 10 if q else 200),
    ]
    rates = {}
    print(f"{'loop':42s} {'trials':>7s} {'seconds':>9s} {'trials/s':>10s}")
    for label, key, fn, n in rows:
        seconds = fn(n)
        rates[key] = n / seconds
        print(f"{label:42s} {n:7d} {seconds:9.3f} {rates[key]:10.1f}", flush=True)
    ok_sqlite = rates["ss_sqlite"] >= 2000
    ratio = rates["ss_mem"] / rates["opt_rand_mem"]
    print()
    print(f"ratio symsearch(SQLite) vs target: {rates['ss_sqlite']:.0f} trials/s "
          f"(target >= 2000) {'OK' if ok_sqlite else 'MISSED'}")
    print(f"ratio symsearch(memory) / optuna RandomSampler(in-memory): {ratio:.1f}x "
          f"(target > 1x) {'OK' if ratio > 1 else 'MISSED'}")
    print(f"ratio symsearch(SQLite) / pyglove pg.sample: {rates['ss_sqlite'] / rates['pg']:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
