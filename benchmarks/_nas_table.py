"""The project's NAS table: how well it discriminates, NAS algorithms on it, zero-cost proxies.

The table (``evaluators/data/nas_digits_table.npz``, built by
``benchmarks/build_nas_table.py``): every function-level canonical class of the 4-node,
4-op cell space (none, skip, conv 1x1, conv 3x3) trained on scikit-learn's digits with its
training seeds, learning curves included. Sections, in one process:

1. **Discrimination**: the seed-to-seed standard deviation of an architecture's final test
   accuracy (pooled over architectures) against the spread between the median architecture
   and the top 5%.
2. **Search on the table**, ``seeds`` seeds each: regularized evolution (with
   :class:`~symsearch.spaces.nas_mutation.CellMutation`, and with the plain one-point
   mutation), random search, TPE (Optuna) and ASHA (random sampling, epochs as the
   resource) for 1,000 evaluations. Search ``s`` sees the validation accuracy of the
   table's training seed ``s`` modulo the number of seeds (a noisy signal, as a real search
   would); the regret of a budget is the table's best mean test accuracy minus the mean
   test accuracy of the architecture with the best validation accuracy among the first
   100, 300 and 1,000 evaluations (full-budget evaluations only, for ASHA), as
   NAS-Bench-101's figure 7 measures it. Also the simulated training seconds charged.
3. **Zero-cost proxies**: every hand-designed proxy's Kendall tau and Spearman rho against
   test accuracy, on all architectures and on the held-out half; then LPZero-style proxy
   evolution (genetic programming over per-layer statistics, fitness = Kendall tau with
   validation accuracy on the training half) from 3 GP seeds, its held-out tau.

Targets: regularized evolution's median regret below random search's at 100, 300 and 1,000
evaluations; a 1,000-evaluation search under 10 s; the evolved proxy's held-out tau (median
over GP seeds) above the best hand-designed proxy's held-out tau.

    python benchmarks/_nas_table.py                 # 20 seeds, about 3 minutes on 2 cores
    python benchmarks/_nas_table.py --seeds 3 --gp-trials 300    # a smoke run
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import symsearch as ss  # noqa: E402

BUDGETS = (100, 300, 1000)
METHODS = ("evolution", "evolution, plain mutation", "random", "tpe", "asha")
#: Informational rows (no target): the same searches seeing the mean validation accuracy of
#: the table's seeds, a less noisy signal than one training seed's.
MEAN_METHODS = ("evolution, seed mean", "random, seed mean")
GP_SEEDS = (0, 1, 2)


def _line(ok: bool, text: str) -> str:
    return f"{'OK' if ok else 'MISSED'}: {text}"


# ---- 1. discrimination ------------------------------------------------------------------------

def discrimination(table) -> dict:
    """Seed noise against the spread of the table's final test (and validation) accuracy."""
    out = {}
    for name, values in (("test", table.test_accuracy), ("val", table.val_accuracy[:, :, -1])):
        mean = values.mean(axis=1)
        # unbiased per-architecture variance from its seeds, pooled over architectures
        noise = float(np.sqrt(np.mean(values.var(axis=1, ddof=1))))
        median, top5 = float(np.median(mean)), float(np.percentile(mean, 95))
        out[name] = {"noise": noise, "median": median, "top5": top5,
                     "best": float(mean.max()), "ratio": (top5 - median) / noise}
    return out


def print_discrimination(table, stats: dict) -> None:
    meta = table.meta
    s = meta["settings"]
    print(f"\n## The project's NAS table ({table.path})")
    print(f"{len(table)} canonical classes ({meta['level']} level) of {meta['cells_in_space']} "
          f"cells, ops {meta['ops']}; {len(table.seeds)} seeds x {table.epochs} epochs; "
          f"{s['channels']} channels, {s['n_cells']} cell(s), batch {s['batch_size']}, "
          f"lr {s['lr']}; {meta['dataset']}")
    print(f"train time per seed: median {np.median(table.train_time):.2f} CPU s, total "
          f"{table.train_time.sum() / 60:.0f} CPU min")
    print(f"{'accuracy':<10}{'seed std':>10}{'median':>9}{'top 5%':>9}{'best':>8}"
          f"{'(top5-median)/std':>20}")
    for name, row in stats.items():
        print(f"{name:<10}{row['noise']:>10.4f}{row['median']:>9.4f}{row['top5']:>9.4f}"
              f"{row['best']:>8.4f}{row['ratio']:>20.1f}")


# ---- 2. search on the table ---------------------------------------------------------------------

def _algorithm(method: str, seed: int, ops: tuple = ()):
    """``evolution`` mutates with :class:`~symsearch.spaces.nas_mutation.CellMutation` (a
    child is never an architecture the search already knows), ``evolution, plain
    mutation`` with the generic one-point mutation."""
    if method == "evolution":
        from symsearch.spaces.nas_mutation import CellMutation
        return ss.algorithms.RegularizedEvolution(population_size=50, tournament_size=10,
                                                  seed=seed, mutation=CellMutation(ops))
    if method == "evolution, plain mutation":
        return ss.algorithms.RegularizedEvolution(population_size=50, tournament_size=10,
                                                  seed=seed)
    if method == "tpe":
        return ss.algorithms.TPE(seed=seed)
    return ss.algorithms.Random(seed=seed)


def run_search(method: str, seed: int, table, trials: int = BUDGETS[-1]) -> dict:
    """One search on the table; ``{"picks": {budget: row}, "seconds", "charged"}``.
    A method ending in ", seed mean" sees the mean over the table's seeds."""
    from symsearch.algorithms import ASHA
    from symsearch.evaluators import nas_bench
    from symsearch.spaces.nas_cell import cell_space
    table_seed = table.seeds[seed % len(table.seeds)]
    if method.endswith(", seed mean"):
        method, table_seed = method[:-len(", seed mean")], None
    log: list = []                      # (row, val_accuracy, epochs, charged seconds)

    def record(candidate, metrics):
        log.append((table.row(candidate), metrics["val_accuracy"], metrics["epochs"],
                    metrics["train_time"]))
        return metrics

    if method == "asha":
        def evaluate(candidate, trial=None):
            return record(candidate, nas_bench.evaluate(candidate, trial, seed=table_seed,
                                                        table=table))
        early = ASHA(min_resource=1, max_resource=table.epochs, reduction_factor=2,
                     metric="max:val_accuracy")
    else:
        def evaluate(candidate):
            return record(candidate, nas_bench.evaluate(candidate, seed=table_seed, table=table))
        early = None
    start = time.perf_counter()
    ss.search(cell_space(ops=table.ops), evaluate, objective="max:val_accuracy",
              algorithm=_algorithm(method, seed, table.ops), num_trials=trials, seed=seed,
              early_stopping=early)
    seconds = time.perf_counter() - start
    picks, distinct = {}, {}
    for budget in BUDGETS:
        full = [(val, row) for row, val, epochs, _ in log[:budget] if epochs == table.epochs]
        picks[budget] = max(full)[1] if full else None
        distinct[budget] = len({row for row, *_ in log[:budget]})
    return {"picks": picks, "distinct": distinct, "seconds": seconds,
            "charged": sum(t for *_, t in log)}


def search_section(table, seeds: int) -> tuple:
    test = table.mean_test_accuracy()
    best = float(test.max())
    methods = METHODS + MEAN_METHODS
    regrets = {m: {b: [] for b in BUDGETS} for m in methods}
    seconds = {m: [] for m in methods}
    charged = {m: [] for m in methods}
    distinct = {m: [] for m in methods}
    for method in methods:
        for seed in range(seeds):
            run = run_search(method, seed, table)
            seconds[method].append(run["seconds"])
            charged[method].append(run["charged"])
            distinct[method].append(run["distinct"][BUDGETS[-1]])
            for budget, row in run["picks"].items():
                regrets[method][budget].append(best - test[row] if row is not None else 1.0)
    print(f"\n## Search on the project's table: median regret (percentage points of test "
          f"accuracy) over {seeds} seeds; table best {100 * best:.2f}%")
    header = "".join(f"{f'@{b}':>10}" for b in BUDGETS)
    print(f"{'method':<28}{header}{'mean @1000':>12}{'classes @1000':>15}{'s/search':>10}"
          f"{'charged CPU s':>15}")
    for method in methods:
        cells = "".join(f"{100 * statistics.median(regrets[method][b]):>10.2f}" for b in BUDGETS)
        print(f"{method:<28}{cells}{100 * statistics.mean(regrets[method][BUDGETS[-1]]):>12.2f}"
              f"{statistics.median(distinct[method]):>15.0f}"
              f"{statistics.median(seconds[method]):>10.2f}"
              f"{statistics.median(charged[method]):>15.0f}")
    print(f"(classes @1000: median number of distinct architectures among the 1,000 "
          f"evaluations; the table has {len(table)})")
    lines = []
    for budget in BUDGETS:
        evo = statistics.median(regrets["evolution"][budget])
        plain = statistics.median(regrets["evolution, plain mutation"][budget])
        rnd = statistics.median(regrets["random"][budget])
        lines.append(_line(evo < rnd, f"NAS table, {budget} evaluations: regularized "
                                      f"evolution's median regret {100 * evo:.2f} pp "
                                      f"(cell mutation; {100 * plain:.2f} with the plain "
                                      f"mutation) vs random search's {100 * rnd:.2f} pp "
                                      f"(target: below; {seeds} seeds)"))
    slowest = max(seconds["evolution"])
    lines.append(_line(slowest < 10.0, f"NAS table: a 1,000-evaluation regularized evolution "
                                       f"search takes {slowest:.2f} s (slowest of {seeds}; "
                                       f"target < 10 s)"))
    return lines, regrets


# ---- 3. zero-cost proxies -----------------------------------------------------------------------

def proxy_section(table, gp_trials: int = 2000) -> list:
    from symsearch.algorithms import GeneticProgramming
    from symsearch.evaluators import proxy_fitness
    from symsearch.spaces import zero_cost_proxies as zcp
    data = proxy_fitness.ProxyData.load(table=table)
    everything = proxy_fitness.hand_designed("all", data=data)
    heldout = proxy_fitness.hand_designed("heldout", data=data)
    n_train, n_held = len(data.rows("train")), len(data.rows("heldout"))
    print(f"\n## Zero-cost proxies at initialization (one batch of 64 digits) against final "
          f"test accuracy")
    print(f"{'proxy':<28}{'tau (all)':>10}{'rho (all)':>10}{'tau (held-out)':>16}")
    for name in everything:
        print(f"{name:<28}{everything[name]['kendall_tau']:>10.3f}"
              f"{everything[name]['spearman_rho']:>10.3f}{heldout[name]['kendall_tau']:>16.3f}")
    best_name = max(heldout, key=lambda n: heldout[n]["kendall_tau"])
    best_tau = heldout[best_name]["kendall_tau"]
    evolved = []
    for gp_seed in GP_SEEDS:
        start = time.perf_counter()
        result = ss.search(zcp.make_space(),
                           lambda c: proxy_fitness.evaluate(c, data=data),
                           objective="max:kendall_tau", num_trials=gp_trials, seed=gp_seed,
                           algorithm=GeneticProgramming(population_size=50, seed=gp_seed),
                           cache="functional")
        proxy = zcp.ZeroCostProxy(expr=result.best.value.expr)
        held = proxy_fitness.evaluate(proxy, split="heldout", data=data)
        every = proxy_fitness.evaluate(proxy, split="all", data=data)
        evolved.append(held["kendall_tau"])
        print(f"{'evolved, GP seed ' + str(gp_seed):<28}{every['kendall_tau']:>10.3f}"
              f"{every['spearman_rho']:>10.3f}{held['kendall_tau']:>16.3f}   "
              f"train tau {result.best.metrics['kendall_tau']:.3f}, {gp_trials} trials in "
              f"{time.perf_counter() - start:.1f} s: {proxy.formula}")
    print(f"(training half: {n_train} architectures, fitness against validation accuracy; "
          f"held-out half: {n_held}; 'all' includes the training half)")
    median = statistics.median(evolved)
    return [_line(median > best_tau,
                  f"NAS table: evolved proxy's held-out Kendall tau {median:.3f} (median of "
                  f"{len(GP_SEEDS)} GP seeds) vs the best hand-designed proxy's "
                  f"({best_name}) {best_tau:.3f}")]


def run_sections(seeds: int = 20, gp_trials: int = 2000, table_path: Optional[str] = None
                 ) -> list:
    """Prints every section; returns the target lines (each starting OK or MISSED)."""
    from symsearch.evaluators.nas_bench import NASTable
    table = NASTable.load(table_path)
    stats = discrimination(table)
    print_discrimination(table, stats)
    ratio = stats["test"]["ratio"]
    mean_ratio = ratio * np.sqrt(len(table.seeds))     # the noise of the seeds' mean
    lines = [_line(ratio >= 3.0, f"NAS table discriminates: (top 5% - median) / seed std of "
                                 f"test accuracy = {ratio:.2f} (target >= 3; "
                                 f"{mean_ratio:.1f} for the mean of the "
                                 f"{len(table.seeds)} seeds)")]
    search_lines, _ = search_section(table, seeds)
    lines += search_lines
    lines += proxy_section(table, gp_trials)
    return lines


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--gp-trials", type=int, default=2000)
    parser.add_argument("--table", default=None, help="a table .npz (default: the shipped one)")
    args = parser.parse_args(argv)
    lines = run_sections(args.seeds, args.gp_trials, args.table)
    print()
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
