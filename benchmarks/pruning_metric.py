"""Pruning-metric evolution (Pruner-Zero style): an evolved metric against the hand-made ones.

Task: :mod:`symsearch.evaluators.pruning`: every linear layer of a small byte-level
transformer language model (trained by the project on Python standard-library source,
:mod:`symsearch.evaluators.tiny_lm`) is pruned by a metric of ``W`` (weight), ``G``
(calibration gradient RMS) and ``X`` (input-channel activation norm), per output row, and the
perplexity of the pruned model is measured.

1. The search: :class:`~symsearch.algorithms.genetic_programming.GeneticProgramming` from
   scratch (ramped half-and-half) over :func:`symsearch.spaces.pruning_metrics.make_space`,
   fitness = perplexity on the **valid** split at **50%** unstructured sparsity with the
   calibration set of seed 0, through ``ss.search`` with ``EvalCache(mode="functional")``,
   whose key is the pruning mask on fixed probe layers (metrics keeping the same weights are
   evaluated once). Reported: trials/s, evaluations/s (cache misses), cache hit rate.
2. The table: dense, magnitude ``abs(W)``, Wanda ``mul(abs(W), X)``, gradient
   ``abs(mul(W, G))`` and the evolved metric, at 50% and 60% unstructured and 2:4, on the
   valid split (the search's) and the held-out **test** split (never seen by the search),
   each the mean (and spread) over ``--seeds`` calibration samplings (seed 0 is the search's;
   the others are new calibration sets).

Target: the evolved metric beats magnitude clearly (perplexity at least 1% lower) and
matches or beats Wanda (at most 0.5% higher) at 50%; re-checked at 60% and on the held-out
test split, which the search did not use.

    python benchmarks/pruning_metric.py            # ~12 minutes on 2 CPU cores (first run:
                                                   #   +5 minutes to train the model)
    python benchmarks/pruning_metric.py --quick    # the tiny model, 40 trials: a smoke test
    python benchmarks/pruning_metric.py --trials 2000 --time 1200 --seeds 5
"""
from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time

CLEAR = 0.01        # "beats clearly": at least this much lower perplexity (relative)
MATCH = 0.005       # "matches": at most this much higher perplexity (relative)
SETTINGS = (("valid", 0.5, "unstructured"), ("test", 0.5, "unstructured"),
            ("valid", 0.6, "unstructured"), ("test", 0.6, "unstructured"),
            ("valid", 0.5, "2:4"), ("test", 0.5, "2:4"))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="the tiny model and a 40-trial search (numbers meaningless)")
    parser.add_argument("--model", default=None, help="small (default) or tiny")
    parser.add_argument("--trials", type=int, default=None, help="search trials (default 1500)")
    parser.add_argument("--time", type=float, default=None,
                        help="search time budget in seconds (default 720)")
    parser.add_argument("--population", type=int, default=None,
                        help="GP population size (default 50)")
    parser.add_argument("--seeds", type=int, default=3, help="calibration seeds (default 3)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--store", default=None,
                        help="report on an experiment store (e.g. runs/pruning_metric.db from "
                        "experiments/pruning_metric.yaml) instead of running the search")
    args = parser.parse_args(argv)
    quick = args.quick
    args.model = args.model or ("tiny" if quick else "small")
    args.trials = args.trials or (40 if quick else 1500)
    args.time = args.time or (120.0 if quick else 720.0)
    args.population = args.population or (10 if quick else 50)
    if args.seeds < 1:
        parser.error("--seeds must be >= 1")
    return args


def run_search(args) -> tuple:
    import symsearch as ss
    from symsearch.algorithms.genetic_programming import GeneticProgramming
    from symsearch.evaluators import pruning
    from symsearch.spaces.pruning_metrics import make_space

    evaluator = functools.partial(pruning.evaluate, model=args.model, sparsity=0.5,
                                  structure="unstructured", split="valid", calibration_seed=0,
                                  device=args.device)
    cache = ss.cache.EvalCache(mode="functional")
    algorithm = GeneticProgramming(population_size=args.population,
                                   tournament_size=min(5, args.population), seed=0)
    start = time.perf_counter()
    result = ss.search(make_space(), evaluator, objective="min:perplexity", algorithm=algorithm,
                       num_trials=args.trials, time_budget=args.time, cache=cache, seed=0)
    elapsed = time.perf_counter() - start
    stats = cache.stats()
    trials = stats["hits"] + stats["misses"]
    summary = {"trials": trials, "evaluations": stats["misses"], "seconds": elapsed,
               "hit_rate": stats["hit_rate"], "mean_eval_time": stats["mean_eval_time"],
               "generations": algorithm.generation}
    return result.best.value, result.best.metrics["perplexity"], summary


def from_store(path: str) -> tuple:
    """The best metric of an experiment store, as ``run_search`` returns it."""
    import symsearch as ss
    import symsearch.spaces.pruning_metrics  # noqa: F401  (registers PruningMetric)
    experiment = ss.load_experiment(path)
    best = experiment.best("min:perplexity")
    if best is None:
        raise SystemExit(f"{path}: no successful trial to report on")
    stats = experiment.cache_stats()
    trials = experiment.trials
    done = [t for t in trials if t.status == "done"]
    seconds = max((t.finished_at or 0.0) for t in trials) - min(t.started_at for t in trials)
    summary = {"trials": len(trials), "evaluations": len(done), "seconds": seconds,
               "hit_rate": stats["hit_rate"],
               "mean_eval_time": sum(t.finished_at - t.started_at for t in done) / len(done),
               "generations": "?"}
    return ss.from_json_str(best.candidate_json), best.metrics["perplexity"], summary


def measure(args, evolved) -> dict:
    """``{metric name: {setting: [perplexity per seed]}}``, plus ``dense``."""
    from symsearch.evaluators import pruning
    from symsearch.spaces.pruning_metrics import known_metrics
    metrics = dict(known_metrics(), evolved=evolved)
    table = {name: {s: [] for s in SETTINGS} for name in ["dense", *metrics]}
    for seed in range(args.seeds):
        task = pruning.get_task(args.model, calibration_seed=seed, device=args.device)
        for setting in SETTINGS:
            split, sparsity, structure = setting
            table["dense"][setting].append(task.dense_perplexity(split))
            for name, metric in metrics.items():
                table[name][setting].append(task.perplexity(metric, sparsity, structure,
                                                            split)[0])
    return table


def _label(setting) -> str:
    split, sparsity, structure = setting
    return f"{split} {'2:4' if structure == '2:4' else f'{int(sparsity * 100)}%'}"


def _cell(values) -> str:
    mean = statistics.fmean(values)
    spread = (max(values) - min(values)) / 2
    return f"{mean:7.3f} ±{spread:5.3f}"


def print_table(table: dict, seeds: int) -> None:
    print(f"Perplexity after pruning every linear layer (mean ± half-range over {seeds} "
          f"calibration seed(s); lower is better)")
    header = f"{'metric':<10}" + "".join(f" | {_label(s):>14}" for s in SETTINGS)
    print(header)
    print("-" * len(header))
    for name, row in table.items():
        print(f"{name:<10}" + "".join(f" | {_cell(row[s]):>14}" for s in SETTINGS))


def judge(table: dict) -> bool:
    mean = {name: {s: statistics.fmean(v) for s, v in row.items()} for name, row in table.items()}
    ev, mag, wanda = mean["evolved"], mean["magnitude"], mean["wanda"]

    def line(ok: bool, text: str) -> bool:
        print(f"  [{'OK' if ok else 'MISSED'}] {text}")
        return ok

    print("\nTarget: at 50%, the evolved metric beats magnitude clearly (>= "
          f"{CLEAR:.0%} lower perplexity) and matches or beats Wanda (<= +{MATCH:.1%}); "
          "re-checked at 60% and on the held-out test split")
    search = ("valid", 0.5, "unstructured")
    held_out = ("test", 0.5, "unstructured")
    oks = [
        line(ev[search] <= mag[search] * (1 - CLEAR),
             f"valid 50% (the search's setting): evolved/magnitude = "
             f"{ev[search] / mag[search]:.3f}"),
        line(ev[search] <= wanda[search] * (1 + MATCH),
             f"valid 50%: evolved/Wanda = {ev[search] / wanda[search]:.3f}"),
        line(ev[held_out] <= mag[held_out] * (1 - CLEAR),
             f"held-out test 50%: evolved/magnitude = {ev[held_out] / mag[held_out]:.3f}"),
        line(ev[held_out] <= wanda[held_out] * (1 + MATCH),
             f"held-out test 50%: evolved/Wanda = {ev[held_out] / wanda[held_out]:.3f}"),
    ]
    for setting in (("test", 0.6, "unstructured"), ("test", 0.5, "2:4")):
        print(f"  [info] {_label(setting)} (not searched): evolved/magnitude = "
              f"{ev[setting] / mag[setting]:.3f}, evolved/Wanda = "
              f"{ev[setting] / wanda[setting]:.3f}")
    return all(oks)


def main(argv=None) -> int:
    args = parse_args(argv)
    from symsearch.evaluators import pruning
    start = time.perf_counter()
    search = f"the search of {args.store}" if args.store else \
        f"GP population {args.population}, {args.trials} trials / {args.time:.0f} s"
    print(f"pruning_metric: model {args.model!r}, {search}, {args.seeds} calibration seed(s)",
          flush=True)
    t0 = time.perf_counter()
    task = pruning.get_task(args.model, calibration_seed=0, device=args.device)
    print(f"model ready in {time.perf_counter() - t0:.1f} s on {task.device} "
          f"({sum(m.weight.numel() for _, m in task.layers)} prunable weights in "
          f"{len(task.layers)} linear layers)", flush=True)
    evolved, best, summary = from_store(args.store) if args.store else run_search(args)
    print(f"\nSearch: {summary['trials']} trials in {summary['seconds']:.0f} s "
          f"({summary['trials'] / summary['seconds']:.2f} trials/s), "
          f"{summary['evaluations']} evaluations ({summary['evaluations'] / summary['seconds']:.2f}"
          f" evaluations/s, {summary['mean_eval_time']:.3f} s each), cache hit rate "
          f"{summary['hit_rate']:.1%}, {summary['generations']} generations")
    print(f"Evolved metric: {evolved.formula}   (valid perplexity at 50%: {best:.3f})\n",
          flush=True)
    table = measure(args, evolved)
    print_table(table, args.seeds)
    ok = judge(table)
    print(f"\nEvolved formula: {evolved.formula}")
    print(f"Overall: {'target met' if ok else 'target missed'}")
    print(f"\nTotal wall time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
