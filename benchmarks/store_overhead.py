"""What the experiment store costs per trial: start_trial + finish_trial pairs per second.

    python benchmarks/store_overhead.py [--trials 20000] [--reports 0]

Each trial writes a realistic row (a 12-decision DNA, a short candidate JSON, two hashes and
three metrics); ``finish_trial`` commits, as in a search. SqliteStore runs on a file in a
temporary folder (WAL, synchronous=NORMAL).
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

from symsearch.store import MemoryStore, SqliteStore

DNA = [3, 0.125, "relu", 7, [0, 2, 5], 1e-3, 2, 0, 1, 0.5, "adam", 64]
CANDIDATE = '{"_type":"train","lr":0.001,"model":{"_type":"MLP","hidden":[128,64]}}'
METRICS = {"accuracy": 0.9375, "loss": 0.21875, "latency_ms": 1.5}


def run_trials(store, num_trials: int, num_reports: int) -> float:
    """Seconds for ``num_trials`` start/report/finish cycles."""
    begin = time.perf_counter()
    for i in range(num_trials):
        trial_id = store.start_trial(DNA, CANDIDATE, structural_hash=f"s{i:016x}",
                                     functional_hash=f"f{i:016x}", worker="local")
        for step in range(num_reports):
            store.add_report(trial_id, step, METRICS)
        store.finish_trial(trial_id, "done", metrics=METRICS)
    store.flush()
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20000)
    parser.add_argument("--reports", type=int, default=0, help="reports per trial")
    args = parser.parse_args()
    print(f"{args.trials} trials, {args.reports} reports each, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in [("MemoryStore", MemoryStore),
                           ("SqliteStore", lambda: SqliteStore(os.path.join(folder, "b.db")))]:
            store = make()
            run_trials(store, min(500, args.trials), args.reports)     # warm up
            seconds = run_trials(store, args.trials, args.reports)
            store.close()
            print(f"{name:12s} {args.trials / seconds:12,.0f} trials/s "
                  f"({seconds / args.trials * 1e6:7.1f} us per trial)")


if __name__ == "__main__":
    main()
