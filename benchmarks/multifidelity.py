"""Multi-fidelity: ASHA and Hyperband against full-budget random search on a real task.

Task: a PyTorch MLP on scikit-learn's digits (1197 training, 600 validation digits),
trained up to 50 epochs, validation accuracy reported after every epoch
(:mod:`symsearch.evaluators.digits_mlp`, space :mod:`symsearch.spaces.digits_mlp`: hidden
sizes, activation, dropout, optimizer, learning rate, weight decay, batch size). Every
method samples configurations with symsearch ``Random`` seeded alike, so for one seed all
methods see the same configurations in the same order, and training is deterministic, so a
configuration's curve is the same in every method; only how long each one trains differs.

Rows, per seed (each an ``ss.sample`` loop, the trainer reporting ``trial.report(epoch,
accuracy=...)`` and stopping when ``trial.should_stop()``):

- ``Random``: N configurations x 50 epochs (no early stopping);
- ``ASHA`` / ``Hyperband`` on the same N configurations
  (``min_resource=1, max_resource=50, reduction_factor=3``);
- ``ASHA`` / ``Hyperband`` given one third of Random's epochs, configurations drawn until
  it is spent (the trial running when the budget runs out is stopped there).

"Best accuracy" is the best validation accuracy any trial had after the last epoch it
trained (pruned trials included). Epochs are all epochs trained, pruned trials included.

Target: the same best accuracy with <= 1/3 of the epochs. "Same": the median over seeds of
the method's best accuracy is at least Random's median best minus 0.5 percentage points.
Judged on the 1/3-budget rows.

    python benchmarks/multifidelity.py            # 3 seeds, N=27: ~3 minutes on 2 CPU cores
    python benchmarks/multifidelity.py --quick    # 2 seeds, N=6, 9 epochs: a smoke test
    python benchmarks/multifidelity.py --seeds 5 --configs 40
"""
from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import sys
import time
from typing import Optional

METHODS = ("random", "asha", "hyperband", "asha_third", "hyperband_third")
LABELS = {
    "random": "Random, full budget",
    "asha": "ASHA, same configurations",
    "hyperband": "Hyperband, same configurations",
    "asha_third": "ASHA, 1/3 of Random's epochs",
    "hyperband_third": "Hyperband, 1/3 of Random's epochs",
}
SAME_PP = 0.5       # "same accuracy": within this many percentage points (or better)
BUDGET_FRACTION = 1 / 3


class BudgetedTrial:
    """Passes reports to the trial and says stop once the epoch budget is spent."""

    def __init__(self, trial, budget: dict):
        self.trial = trial
        self.budget = budget        # {"left": epochs}
        self.cut = False

    def report(self, step, **metrics) -> None:
        self.budget["left"] -= 1
        self.trial.report(step, **metrics)

    def should_stop(self) -> bool:
        if self.budget["left"] <= 0:
            self.cut = True
            return True
        return self.trial.should_stop()


def _policy(method: str, epochs: int):
    if method.startswith("asha"):
        from symsearch.algorithms.successive_halving import ASHA
        return ASHA(min_resource=1, max_resource=epochs, reduction_factor=3)
    if method.startswith("hyperband"):
        from symsearch.algorithms.hyperband import Hyperband
        return Hyperband(min_resource=1, max_resource=epochs, reduction_factor=3)
    return None


def run_method(method: str, seed: int, configs: int, epochs: int,
               epoch_budget: Optional[int], device: str = "auto") -> dict:
    """One search; returns best accuracy, epochs spent, configurations and statuses."""
    import symsearch as ss
    from symsearch.algorithms.random_search import Random
    from symsearch.evaluators.digits_mlp import evaluate
    from symsearch.spaces.digits_mlp import make_space

    start = time.perf_counter()
    budget = {"left": epoch_budget} if epoch_budget is not None else None
    best, best_value, spent, count = 0.0, None, 0, 0
    statuses: dict = {}
    num_trials = None if budget is not None else configs
    for trial in ss.sample(make_space(), Random(), num_trials=num_trials,
                           objective="max:accuracy", seed=seed,
                           early_stopping=_policy(method, epochs)):
        reporter = BudgetedTrial(trial, budget) if budget is not None else trial
        metrics = evaluate(trial.value, trial=reporter, epochs=epochs, device=device)
        if budget is not None and reporter.cut:
            trial.prune(**metrics)
        else:
            trial.report(**metrics)
        statuses[trial.status] = statuses.get(trial.status, 0) + 1
        spent += metrics["epochs"]
        count += 1
        if metrics["accuracy"] > best:
            best, best_value = metrics["accuracy"], trial.value
        if budget is not None and budget["left"] <= 0:
            break
    return {"method": method, "seed": seed, "best": best, "epochs": spent, "configs": count,
            "statuses": statuses, "seconds": time.perf_counter() - start,
            "best_config": ss.format(best_value, compact=True) if best_value is not None else ""}


def _init_worker() -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch
    torch.set_num_threads(1)


def _job(method, seed, configs, epochs, epoch_budget, device):
    return run_method(method, seed, configs, epochs, epoch_budget, device)


def run_all(seeds: int, configs: int, epochs: int, workers: int, device: str) -> list:
    budget = int(configs * epochs * BUDGET_FRACTION)
    jobs = [(m, s, configs, epochs, budget if m.endswith("_third") else None, device)
            for s in range(seeds) for m in METHODS]
    jobs.sort(key=lambda j: j[0] != "random")          # the long ones first
    out = []
    if workers == 1:
        _init_worker()
        return [_job(*job) for job in jobs]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                initializer=_init_worker) as pool:
        futures = [pool.submit(_job, *job) for job in jobs]
        for future in concurrent.futures.as_completed(futures):
            out.append(future.result())
            print(f"  {len(out)}/{len(jobs)} searches", file=sys.stderr, flush=True)
    return out


def _quartiles(values: list) -> tuple:
    import numpy as np
    q1, median, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75])
    return float(q1), float(median), float(q3)


def report(results: list, seeds: int, configs: int, epochs: int) -> list:
    by_method = {m: sorted((r for r in results if r["method"] == m), key=lambda r: r["seed"])
                 for m in METHODS}
    random_epochs = {r["seed"]: r["epochs"] for r in by_method["random"]}
    random_best = {r["seed"]: r["best"] for r in by_method["random"]}
    rows = []
    summary = {}
    for m in METHODS:
        rs = by_method[m]
        if not rs:
            continue
        q1, med, q3 = _quartiles([100 * r["best"] for r in rs])
        spent = _quartiles([r["epochs"] for r in rs])[1]
        ratio = _quartiles([r["epochs"] / random_epochs[r["seed"]] for r in rs])[1]
        diff = _quartiles([100 * (r["best"] - random_best[r["seed"]]) for r in rs])[1]
        n_configs = _quartiles([r["configs"] for r in rs])[1]
        pruned = _quartiles([r["statuses"].get("pruned", 0) for r in rs])[1]
        seconds = _quartiles([r["seconds"] for r in rs])[1]
        summary[m] = {"median": med, "ratio": ratio}
        rows.append([LABELS[m], f"{n_configs:.0f}", f"{pruned:.0f}", f"{spent:.0f}",
                     f"{ratio:.3f}", f"{med:.2f} [{q1:.2f}, {q3:.2f}]", f"{diff:+.2f}",
                     f"{seconds:.0f}"])
    header = ["method", "configs", "pruned", "epochs", "epochs / Random's",
              "best val acc % median [q1, q3]", "vs Random (pp, paired median)", "s/search"]
    title = (f"Digits MLP, up to {epochs} epochs, {seeds} seeds, Random's N = {configs} "
             f"configurations (medians over seeds)")
    try:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
        table = Table(title=Text(title), title_justify="left")
        for i, name in enumerate(header):
            table.add_column(Text(name), justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*(Text(c) for c in row))
        Console(width=170).print(table)
    except ImportError:
        print(title)
        print(" | ".join(header))
        for row in rows:
            print(" | ".join(row))

    print("\nBest configuration per seed (Random, full budget):")
    for r in by_method["random"]:
        print(f"  seed {r['seed']}: {100 * r['best']:.2f}%  {r['best_config']}")

    print(f"\nTarget: the same best accuracy with <= 1/3 of the epochs (same: median best "
          f"accuracy >= Random's median best - {SAME_PP} pp)")
    lines = []
    random_median = summary["random"]["median"]
    for m in ("asha_third", "hyperband_third"):
        if m not in summary:
            continue
        s = summary[m]
        ok = s["median"] >= random_median - SAME_PP and s["ratio"] <= BUDGET_FRACTION + 1e-9
        print(f"  [{'OK' if ok else 'MISSED'}] {LABELS[m]}: {s['median']:.2f}% vs Random's "
              f"{random_median:.2f}% ({s['median'] - random_median:+.2f} pp) with "
              f"{s['ratio']:.3f} of its epochs")
        lines.append((m, ok))
    for m in ("asha", "hyperband"):
        if m in summary:
            s = summary[m]
            print(f"  [info] {LABELS[m]}: {s['median']:.2f}% "
                  f"({s['median'] - random_median:+.2f} pp) with {s['ratio']:.3f} of the epochs")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 seeds, 6 configurations, 9 epochs: a smoke test")
    parser.add_argument("--seeds", type=int, help="seeds (default 3, quick 2)")
    parser.add_argument("--configs", type=int, help="Random's configurations (default 27)")
    parser.add_argument("--epochs", type=int, help="epochs of a full run (default 50)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--device", default="cpu",
                        help="'cpu' (default: many tiny models train fastest there), 'auto' "
                             "or 'cuda'")
    args = parser.parse_args(argv)
    seeds = args.seeds or (2 if args.quick else 3)
    configs = args.configs or (6 if args.quick else 27)
    epochs = args.epochs or (9 if args.quick else 50)
    if min(seeds, configs, epochs, args.workers) < 1:
        parser.error("--seeds, --configs, --epochs and --workers must be positive")
    if args.device != "cpu":
        args.workers = 1        # one process owns the GPU
    start = time.perf_counter()
    print(f"multifidelity: {seeds} seeds x {len(METHODS)} methods, {configs} configurations "
          f"x {epochs} epochs for Random, device {args.device}, {args.workers} processes",
          flush=True)
    results = run_all(seeds, configs, epochs, args.workers, args.device)
    print()
    report(results, seeds, configs, epochs)
    print(f"\nTotal wall time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
