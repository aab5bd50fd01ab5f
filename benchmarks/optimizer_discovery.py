"""Optimizer discovery benchmark (and the report of ``experiments/lion_discovery.yaml``).

Starting from AdamW (no bias correction, no ε), regularized evolution searches the space of
update programs ``train(w, g, m, v, lr) -> (update, m, v)`` (``symsearch.spaces.optimizers``)
on the Numba proxy tasks (``symsearch.evaluators.optimizer_proxy``), with the funnel (programs
that beat the warm start on the proxy tier are re-scored on a larger tier, ~20x its cost;
only those that beat it there too are discoveries) and the functional cache
(``optimizer_hasher``: programs that make the same updates on probe problems are not
evaluated twice).

Then, as in Chen et al., "Symbolic Discovery of Optimization Algorithms":

- the paper's baselines at equal evaluations: the same evolution mutating only AdamW's
  constants, and random program search;
- every search minimizes the funnel's ``score``: the large-tier fitness of promoted programs
  (the proxy only gates them), because among a search's programs large-tier fitness ranks
  held-out scores well (Spearman +0.85) and proxy fitness does not (+0.38); minimizing proxy
  fitness over-fitted it;
- the program each search hands over, selected on the larger tasks as in the paper (the ten
  discoveries with the best large-tier fitness, or the ten best-scoring programs when there is
  no discovery, re-scored on the large tier over three seeds); the program search's is
  printed as simplified source, with whether it is Lion-like (the sign of an interpolation of
  momentum and gradient);
- held-out tasks that selection never saw (breast_cancer and wine classifiers, teacher-student
  regression, new quadratic seeds, digits with a 8x larger batch), for the discovered program
  and for AdamW, Lion, C-Lion and SGD-momentum, each with its learning rate (and, for the
  known programs, weight decay) tuned over the same log grid on the large tier, where the
  programs were selected; ``--seeds`` seeds, with the mean paired difference to tuned AdamW
  and its 95% t-interval;
- cache hit rate and the fraction of redundant (dead) statements (the paper: 89% and 70%);
- evaluations/s of the Numba proxy against the same proxy in NumPy (target >= 10x);
- a PNG of the objective (score) and the held-out score (3 seeds, lr as found) of the
  program and constants-only searches' incumbents over their evaluations.

    python benchmarks/optimizer_discovery.py                 # ~40 minutes on one core
    python benchmarks/optimizer_discovery.py --workers 2     # searches on two Ray workers
    python benchmarks/optimizer_discovery.py --quick         # a smoke test, numbers meaningless
    python benchmarks/optimizer_discovery.py --store runs/lion_discovery.db   # report only
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import symsearch as ss  # noqa: E402
from symsearch.algorithms import Random, RegularizedEvolution  # noqa: E402
from symsearch.cache import EvalCache  # noqa: E402
from symsearch.evaluators import optimizer_proxy as proxy  # noqa: E402
from symsearch.evaluators import optimizer_tuning as tuning  # noqa: E402
from symsearch.evaluators.optimizer_tuning import paired_interval  # noqa: E402
from symsearch.geno.codec import dna_from_json  # noqa: E402
from symsearch.programs.program import live_statements  # noqa: E402
from symsearch.spaces import optimizers as opt  # noqa: E402
from symsearch.spaces.optimizer_hash import optimizer_hasher  # noqa: E402
from symsearch.spaces.optimizer_structure import lion_like  # noqa: E402

#: The metric every search minimizes (the FunnelEvaluator's "score"; see its docstring).
METRIC = "score"

#: The shared tuning grid: lr multipliers (half decades) and weight decays.
LR_GRID = tuple(10.0 ** (k / 2) for k in range(-6, 3))       # 1e-3 .. 10
WD_GRID = (0.0, 1e-3, 1e-2, 1e-1)


# ---- the searches -------------------------------------------------------------------------------

def evolution(args, seed: int) -> RegularizedEvolution:
    return RegularizedEvolution(population_size=args.population,
                                tournament_size=args.tournament,
                                restart_after=args.restart_after, seed=seed)


RUNNER: list = [None]       # set from --workers


def run_search(space, evaluator, algorithm, num_trials: int, seed: int,
               cache: bool = True) -> dict:
    """One search with a memory store (in-process, or on Ray with ``--workers`` > 1);
    returns its records and timings."""
    start = time.perf_counter()
    result = ss.search(space, evaluator, objective=f"min:{METRIC}", algorithm=algorithm,
                       num_trials=num_trials, seed=seed, runner=RUNNER[0],
                       cache=EvalCache("functional", hasher=optimizer_hasher()) if cache
                       else False,
                       store=ss.store.MemoryStore())
    wall = time.perf_counter() - start
    return summarize(result.records, wall, result.stats)


def program_of(record):
    return dna_from_json(record.dna)[0]


def summarize(records, wall: float, stats: dict) -> dict:
    records = sorted(records, key=lambda r: r.id)
    ok = [r for r in records if r.status in ("done", "cached") and r.metrics]
    done = [r for r in records if r.status == "done" and r.metrics]
    cached = [r for r in records if r.status == "cached"]
    best = min(ok, key=lambda r: r.metrics[METRIC]) if ok else None
    discoveries = [r for r in done if r.metrics.get("discovery")]
    redundant = [1.0 - len(live_statements(p)) / len(p.statements)
                 for p in (program_of(r) for r in done) if len(p.statements)]
    eval_times = [r.finished_at - r.started_at for r in done if r.finished_at]
    return {"records": records, "best": best, "discoveries": discoveries,
            "trials": len(records), "evaluated": len(done), "cached": len(cached),
            "hit_rate": len(cached) / max(1, len(records)),
            "redundant": statistics.fmean(redundant) if redundant else float("nan"),
            "eval_mean": statistics.fmean(eval_times) if eval_times else float("nan"),
            "hash_per_trial": stats.get("hash_time_s", 0.0) / max(1, len(records)),
            "wall": wall}


def incumbents(records, checkpoints: int) -> list:
    """``(evaluations so far, best objective so far, incumbent program)`` at ``checkpoints``
    geometrically spaced evaluation counts (searches improve most early; cache hits cost no
    evaluation), and at the end."""
    total = sum(r.status == "done" for r in records)
    marks = sorted({max(1, round(total ** (k / max(1, checkpoints - 1))))
                    for k in range(checkpoints)})
    best, program, out, evaluations = math.inf, None, [], 0
    for r in records:
        evaluations += r.status == "done"
        if r.status in ("done", "cached") and r.metrics and r.metrics[METRIC] < best:
            best, program = r.metrics[METRIC], program_of(r)
        if marks and evaluations >= marks[0] and program is not None:
            while marks and evaluations >= marks[0]:
                marks.pop(0)
            out.append((evaluations, best, program))
    if program is not None and (not out or out[-1][0] != evaluations):
        out.append((evaluations, best, program))
    return out


def select(summary: dict, top: int = 10, seeds=(0, 1, 2)) -> tuple:
    """The program a search hands over, chosen as the paper chooses (on larger tasks): the
    ``top`` discoveries with the best large-tier fitness (or, without discoveries, the
    ``top`` best-scoring programs) are re-scored on the large tier over ``seeds``, and the best
    mean wins. Returns ``(program, is_discovery, large fitness)``."""
    pool = sorted(summary["discoveries"], key=lambda r: r.metrics["large_fitness"])
    is_discovery = bool(pool)
    if not pool:
        pool = sorted((r for r in summary["records"]
                       if r.status in ("done", "cached") and r.metrics),
                      key=lambda r: r.metrics[METRIC])
    program, fitness = tuning.best_distinct((program_of(r) for r in pool), top, seeds)
    return program, is_discovery, fitness


# ---- tuning and held-out scores ------------------------------------------------------------------

#: Where lr multipliers and weight decays are tuned: the selection tier (see the docstring).
TUNE_TIER = "large"


def tune(build, weight_decays, seeds=(0,), tier: str = TUNE_TIER) -> tuning.Tuned:
    """``(program, lr multiplier, weight decay, fitness)`` of the best grid point on
    ``tier`` over this benchmark's :data:`LR_GRID` (read at call time: ``--quick`` shrinks
    it); ``build(wd)`` makes the program (``wd`` is None for programs whose weight decay is
    not a separate argument). The shared :func:`~symsearch.evaluators.optimizer_tuning.tune`
    with this benchmark's grid and tier."""
    return tuning.tune(build, weight_decays, tier=tier, seeds=seeds, lr_grid=LR_GRID)


def heldout(program, lr: float, seeds) -> list:
    return proxy.evaluate_heldout(program, seeds=seeds, lr_multiplier=lr)["mean_per_seed"]


# ---- reporting ---------------------------------------------------------------------------------

def print_searches(rows: list) -> None:
    header = (f"{'search':<26} {'trials':>7} {'evaluated':>9} {'cache hits':>10} "
              f"{'redundant':>9} {'hash/eval':>9} {'eval':>8} {'wall':>8} {'best score':>10} "
              f"{'discoveries':>11}")
    print(header)
    print("-" * len(header))
    for name, s in rows:
        ratio = s["hash_per_trial"] / s["eval_mean"] if s["eval_mean"] > 0 else float("nan")
        best = s["best"].metrics[METRIC] if s["best"] else float("nan")
        print(f"{name:<26} {s['trials']:>7} {s['evaluated']:>9} {s['hit_rate']:>9.1%} "
              f"{s['redundant']:>8.1%} {ratio:>8.3%} {s['eval_mean'] * 1e3:>6.1f}ms "
              f"{s['wall']:>7.1f}s {best:>10.4f} {len(s['discoveries']):>11}")
    print("(cache hits: trials answered by the functional cache; redundant: mean fraction of "
          "dead statements in evaluated programs; hash/eval: cache lookup time per trial over "
          "the mean evaluation time)")


def plot(path: Path, curves: dict) -> None:
    """Two panels over evaluations (log scale): the objective of each search's incumbent, and
    its held-out score. ``curves`` maps a search's name to ``(points, held-out scores)``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    for (name, (points, scores)), style in zip(curves.items(), ("-", "--", ":")):
        x = [p[0] for p in points]
        top.plot(x, [p[1] for p in points], linestyle=style, marker=".", label=name)
        bottom.plot(x, scores, linestyle=style, marker="o", label=name)
    top.set_ylabel(f"incumbent {METRIC}")
    top.set_title("Optimizer discovery from AdamW (lower is better)")
    top.legend()
    bottom.set_ylabel("incumbent held-out score")
    bottom.set_xlabel("evaluations (cache hits are free)")
    bottom.set_xscale("log")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def set_metric_from(experiment, path: str) -> None:
    """Makes the baselines minimize what the stored search minimized (``score``, or
    ``fitness`` in stores written before the funnel had a score)."""
    global METRIC
    objectives = (experiment.config or {}).get("objective") or [f"min:{METRIC}"]
    direction, _, metric = str(objectives[0]).partition(":")
    if direction != "min" or metric not in ("score", "fitness"):
        raise SystemExit(f"{path}: the search's objective is {objectives[0]!r}; this report "
                         f"compares searches that minimize the funnel's 'score' (or 'fitness')")
    if metric != METRIC:
        print(f"note: {path} minimized {metric!r}; the baselines do too")
    METRIC = metric


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20000,
                        help="trials of the program search")
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--tournament", type=int, default=4)
    parser.add_argument("--restart-after", type=int, default=3000,
                        help="results without improvement before a restart")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=10,
                        help="held-out seeds (>= 5; the held-out loss varies by 40%% from seed "
                        "to seed, so 10 by default)")
    parser.add_argument("--checkpoints", type=int, default=10,
                        help="points of the held-out curve in the plot")
    parser.add_argument("--plot", default="runs/optimizer_discovery.png")
    parser.add_argument("--store", help="report on an experiment store (e.g. "
                        "runs/lion_discovery.db from experiments/lion_discovery.yaml) instead "
                        "of running the program search")
    parser.add_argument("--workers", type=int, default=1,
                        help="Ray workers for the searches (1: in-process, deterministic)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: tiny budgets")
    args = parser.parse_args(argv)
    if args.workers > 1:
        RUNNER[0] = {"type": "ray", "workers": args.workers}
    global LR_GRID, WD_GRID
    if args.quick:
        args.trials, args.population, args.tournament = 60, 10, 3
        args.restart_after, args.seeds, args.checkpoints = 40, 2, 3
        LR_GRID, WD_GRID = (0.1, 1.0), (0.0, 0.01)
    seeds = list(range(args.seeds))

    # Numba compiles (or loads from its disk cache) outside the timed parts.
    warm = opt.adamw()
    proxy.evaluate(warm)
    optimizer_hasher().warm_up().hash(warm)
    funnel = proxy.FunnelEvaluator(warm_start=warm)

    print(f"symsearch optimizer discovery: warm start AdamW (proxy fitness "
          f"{funnel.warm_start_fitness:.4f}, large tier {funnel.warm_start_large_fitness:.4f})")
    if args.store:
        experiment = ss.load_experiment(args.store)
        set_metric_from(experiment, args.store)
        records = list(experiment)
        wall = max((r.finished_at or 0.0) for r in records) - min(r.started_at for r in records)
        program_search = summarize(records, wall=wall,
                                   stats={"hash_time_s": experiment.cache_stats()["hash_time"]})
        print(f"program search: read from {args.store} ({program_search['trials']} trials)")
    else:
        print(f"program search: regularized evolution (population {args.population}, "
              f"tournament {args.tournament}, restarts after {args.restart_after} results "
              f"without improvement), {args.trials} trials, seed {args.seed}")
        program_search = run_search(opt.space("adamw"), funnel, evolution(args, args.seed),
                                    args.trials, args.seed)
    budget = max(1, program_search["evaluated"])
    print(f"baselines at equal evaluations ({budget}): constants-only evolution of AdamW, "
          f"random program search")
    constants_search = run_search(opt.constants_space("adamw"), funnel,
                                  evolution(args, args.seed),
                                  budget + args.population, args.seed)
    random_search = run_search(opt.random_space(), funnel, Random(seed=args.seed), budget,
                               args.seed)
    print()
    print_searches([("program evolution", program_search),
                    ("constants-only evolution", constants_search),
                    ("random programs", random_search)])
    print()

    found, is_discovery, found_large = select(program_search)
    constants_best, _, _ = select(constants_search)
    random_best, _, _ = select(random_search)
    print("discovered program" + ("" if is_discovery else
                                  " (no discovery passed the large tier: best-scoring program)")
          + f" (large tier, 3 seeds: {found_large:.4f}):")
    print(opt.to_source(opt.simplify(found)))
    print(f"Lion-like: {lion_like(found)}")
    print()

    # Tuning on the proxy tasks, then the held-out tasks over the seeds.
    contenders = [
        ("discovered", tune(lambda wd: found, [None])),
        ("constants-only best", tune(lambda wd: constants_best, [None])),
        ("random-search best", tune(lambda wd: random_best, [None])),
        ("AdamW", tune(lambda wd: opt.adamw(weight_decay=wd), WD_GRID)),
        ("Lion", tune(lambda wd: opt.lion(weight_decay=wd), WD_GRID)),
        ("C-Lion", tune(lambda wd: opt.c_lion(weight_decay=wd), WD_GRID)),
        ("SGD-momentum", tune(lambda wd: opt.sgd_momentum(), [None])),
    ]
    scores = {name: heldout(t[0], t[1], seeds) for name, t in contenders}
    adamw_scores = scores["AdamW"]
    header = (f"{'optimizer':<22} {'lr mult':>8} {'wd':>7} {TUNE_TIER:>8} {'held-out':>9} "
              f"{'vs AdamW (paired, 95%)':>26}")
    print(f"held-out tasks, {len(seeds)} seeds (mean normalized loss, lower is better); lr "
          f"multiplier and weight decay tuned on the {TUNE_TIER} tier")
    print(header)
    print("-" * len(header))
    for name, tuned in contenders:
        lr, wd, fit = tuned.lr, tuned.weight_decay, tuned.fitness
        mean, half = paired_interval(scores[name], adamw_scores)
        wd_text = "-" if wd is None else f"{wd:g}"
        print(f"{name:<22} {lr:>8.3g} {wd_text:>7} {fit:>8.4f} "
              f"{statistics.fmean(scores[name]):>9.4f} {mean:>+14.4f} ± {half:.4f}")
    print()

    curves = {}
    for name, search in (("program evolution", program_search),
                         ("constants-only", constants_search)):
        points = incumbents(search["records"], args.checkpoints)
        curves[name] = (points, [statistics.fmean(heldout(p, 1.0, seeds[:3]))
                                 for _, _, p in points])
    plot(Path(args.plot), curves)
    print(f"plot: {args.plot}")

    numba = proxy.throughput(warm, backend="numba", seconds=2.0 if not args.quick else 0.3)
    numpy = proxy.throughput(warm, backend="numpy", seconds=2.0 if not args.quick else 0.3)
    speedup = numba["evaluations_per_s"] / numpy["evaluations_per_s"]
    print(f"proxy evaluations/s: numba {numba['evaluations_per_s']:.1f}, numpy "
          f"{numpy['evaluations_per_s']:.1f} ({speedup:.1f}x)")
    print(f"cache hit rate {program_search['hit_rate']:.1%} (paper: 89%), redundant statements "
          f"{program_search['redundant']:.1%} (paper: 70%)")
    print()

    ok = True
    found_mean = statistics.fmean(scores["discovered"])
    constants_mean = statistics.fmean(scores["constants-only best"])
    vs_constants, vs_constants_half = paired_interval(scores["discovered"],
                                                      scores["constants-only best"])
    checks = [
        ("discovered >= tuned AdamW on held-out", found_mean <= statistics.fmean(adamw_scores),
         f"{found_mean:.4f} vs {statistics.fmean(adamw_scores):.4f}"),
        ("discovered beats constants-only at equal evaluations", found_mean < constants_mean,
         f"{found_mean:.4f} vs {constants_mean:.4f}, paired difference "
         f"{vs_constants:+.4f} ± {vs_constants_half:.4f}"),
        ("numba proxy >= 10x numpy", speedup >= 10, f"{speedup:.1f}x"),
    ]
    for name, passed, detail in checks:
        ok &= passed
        print(f"target {name}: {'OK' if passed else 'MISSED'} ({detail})")
    print(f"ratio held-out discovered/AdamW: {found_mean / statistics.fmean(adamw_scores):.3f}")
    print(f"overall: {'all targets met' if ok else 'some targets missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
