"""Optimizer discovery under Lion's memory budget: one state buffer, warm start SGD-momentum.

The previous benchmark (``optimizer_discovery.py``) found that, from AdamW on well-scaled
tasks, every search only retunes AdamW's constants. Here structure has to matter:

1. **The task suite is checked first** (``symsearch.evaluators.optimizer_family``): per
   held-out task, the paired gap between tuned SGD-momentum and tuned AdamW over the seeds
   with its 95% interval, with one lr for the whole tier (the protocol below) and with each
   optimizer tuned for the task itself (so the gap is the update's structure, not how one lr
   transfers); tasks without a per-task gap were replaced before any search.
2. **Searches, several seeds each, at equal evaluations**: regularized evolution over
   ``space("sgd_momentum", state_slots=1)`` (programs may keep ``m`` only; Lion fits,
   AdamW does not; no known program is ever injected), and the constants-only evolution of
   SGD-momentum (the best a one-buffer search can do without new structure). Both minimize
   the family funnel's ``score`` (proxy tier, ~10 ms; programs that beat SGD-momentum there
   are re-scored on the selection tier) with a fresh functional cache per search.
3. **Handover and scoring**: each search's ten best programs are re-scored on the selection
   tier over three seeds and the best is handed over; every contender (handed-over programs,
   SGD, SGD-momentum, Lion, C-Lion, AdamW) gets its lr multiplier (and, for the known
   programs, weight decay) tuned on the selection tier over the same grid, then held-out
   scores over ``--seeds`` seeds; paired differences with 95% t-intervals.
4. **Multi-objective**: NSGA-II over ``space("sgd_momentum", state_slots=2)`` with
   objectives (score, state buffers); its Pareto front, tuned and scored on held-out tasks,
   is plotted with SGD, SGD-momentum, Lion and AdamW as reference points.

    python benchmarks/optimizer_budget.py                  # ~18 minutes (2 shared cores)
    python benchmarks/optimizer_budget.py --quick          # smoke test, numbers meaningless
    python benchmarks/optimizer_budget.py --check-suite    # step 1 only
    python benchmarks/optimizer_budget.py --mo-only --mo-trials 4000   # step 4 only
"""
from __future__ import annotations

import argparse
import functools
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import symsearch as ss  # noqa: E402
from symsearch.algorithms import RegularizedEvolution  # noqa: E402
from symsearch.algorithms.nsga2 import NSGA2  # noqa: E402
from symsearch.cache import EvalCache  # noqa: E402
from symsearch.evaluators import optimizer_family as family  # noqa: E402
from symsearch.evaluators import optimizer_proxy as proxy  # noqa: E402
from symsearch.evaluators import optimizer_tuning as tuning  # noqa: E402
from symsearch.geno.codec import dna_from_json  # noqa: E402
from symsearch.programs.program import live_statements  # noqa: E402
from symsearch.spaces import optimizers as opt  # noqa: E402
from symsearch.spaces.optimizer_hash import optimizer_hasher  # noqa: E402
from symsearch.spaces.optimizer_structure import lion_like  # noqa: E402

SUITE = family.FAMILY_SUITE
METRIC = "score"
#: The Lion paper's figures for its search (cache hit rate, redundant statements), as
#: quoted by ``optimizer_discovery.py``.
PAPER_HIT_RATE, PAPER_REDUNDANT = 0.89, 0.70


# ---- searches ---------------------------------------------------------------------------------

def run_search(space, algorithm, num_trials: int, seed: int, objective=f"min:{METRIC}",
               evaluations: int = 0) -> dict:
    """One search with a fresh functional cache and a memory store; its records and counts.
    With ``evaluations``, the search is resumed with more trials until that many were
    evaluated (cache hits are free), so baselines run at equal evaluations."""
    start, cpu = time.perf_counter(), time.process_time()
    store, cache = ss.store.MemoryStore(), EvalCache("functional", hasher=optimizer_hasher())
    trials, resume = num_trials, False
    for _ in range(20):
        result = ss.search(space, functools.partial(family.funnel,
                                                    update_scales=UPDATE_SCALES),
                           objective=objective, algorithm=algorithm,
                           num_trials=trials, seed=seed, cache=cache, store=store,
                           resume=resume)
        done = sum(r.status == "done" for r in result.records)
        if done >= evaluations:
            break
        trials, resume = len(result.records) + evaluations - done, True
    records = sorted(result.records, key=lambda r: r.id)
    done = [r for r in records if r.status == "done" and r.metrics]
    redundant = [1.0 - len(live_statements(p)) / len(p.statements)
                 for p in (program_of(r) for r in done) if len(p.statements)]
    return {"records": records, "result": result, "trials": len(records),
            "evaluated": len(done),
            "proxy_runs": int(sum(r.metrics.get("proxy_runs", 1.0) for r in done)),
            "large_runs": int(sum(r.metrics.get("promoted", 0.0) for r in done)), "cached": sum(r.status == "cached" for r in records),
            "redundant": statistics.fmean(redundant) if redundant else float("nan"),
            "saved_s": result.stats.get("eval_time_saved_s", 0.0),
            "wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def program_of(record):
    return dna_from_json(record.dna)[0]


def scaled_program_of(record):
    """The record's program with the update scale the funnel scored it at built in."""
    scale = (record.metrics or {}).get("update_scale", 1.0)
    return tuning.with_update_scale(program_of(record), scale)


def program_space(args, state_slots: int):
    """The program search space from SGD-momentum: the mutator's default weights, with the
    ``op`` mutation (a statement's op swapped for another of its arity) at ``--op-mutation``,
    as much as each other structural mutation by default."""
    weights = {"insert": 1.0, "delete": 1.0, "arg": 1.0, "constant": 3.0,
               "op": args.op_mutation}
    return opt.space("sgd_momentum", state_slots=state_slots, max_statements=20,
                     weights=weights)


def evolution(args, seed: int) -> RegularizedEvolution:
    return RegularizedEvolution(population_size=args.population,
                                tournament_size=args.tournament, seed=seed)


#: How many of a search's best programs are re-scored on the selection tier, over which seeds.
HANDOVER = {"top": 10, "seeds": (0, 1, 2)}


def handover(search: dict):
    """The ``top`` best-scoring distinct programs re-scored on the selection tier over
    ``seeds`` (:data:`HANDOVER`); returns (program, its selection fitness)."""
    ok = sorted((r for r in search["records"] if r.status in ("done", "cached") and r.metrics),
                key=lambda r: r.metrics[METRIC])
    return tuning.best_distinct((scaled_program_of(r) for r in ok), HANDOVER["top"],
                                HANDOVER["seeds"], suite=SUITE)


# ---- scoring ----------------------------------------------------------------------------------

def tune_known(name: str, args):
    build = opt.KNOWN_PROGRAMS[name]
    if name == "sgd":
        return tuning.tune(lambda wd: build(), [None], lr_grid=LR_GRID, suite=SUITE)
    return tuning.tune(lambda wd: build(weight_decay=wd), WD_GRID, lr_grid=LR_GRID,
                       suite=SUITE)


def tune_found(program):
    """Step size x weight decay (decoupled, added to the update) over the same grid as the
    known programs; the step is tuned by scaling the update (the lr multiplier for a
    program proportional to lr, as the known ones are), so a found program that uses lr
    otherwise, or not at all, is tuned too."""
    return tuning.tune(lambda wd: tuning.with_weight_decay(program, wd), WD_GRID,
                       lr_grid=LR_GRID, suite=SUITE, by="update_scale")


def heldout(tuned, seeds) -> list:
    return tuning.heldout_scores(tuned, seeds, SUITE)["mean"]


def interval_text(a, b) -> str:
    mean, half = tuning.paired_interval(a, b)
    return f"{mean:+.4f} ± {half:.4f}"


def excludes_zero_below(a, b) -> bool:
    """The 95% interval of mean(a - b) lies below zero (a is better: lower loss)."""
    mean, half = tuning.paired_interval(a, b)
    return math.isfinite(half) and mean + half < 0


# ---- reporting --------------------------------------------------------------------------------

def print_per_task(columns: list, num_seeds: int) -> None:
    """Held-out score per task (mean over seeds) of the handed-over programs (by search seed)
    and of references: where a found structure wins or loses against them."""
    tasks = [key for key in columns[0][1] if key != "mean"]
    print(f"per held-out task ({num_seeds} seeds; discovered by search seed, then references):")
    print(f"{'task':<34}" + "".join(f"{label:>14}" for label, _r in columns))
    for task in tasks + ["mean"]:
        print(f"{task:<34}" + "".join(f"{statistics.fmean(r[task]):>14.4f}"
                                      for _label, r in columns))


def plot_pareto(path: Path, front: list, references: list, winners: list = (),
                label: str = "Pareto front (searched)") -> None:
    """State buffers (x) against held-out score (y) for the front, the references and the
    single-objective searches' winners."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    if front:
        xs, ys = zip(*sorted((b, s) for b, s, _ in front))
        ax.plot(xs, ys, "o-", color="tab:blue", label=label)
    if winners:
        ax.scatter([b for b, _ in winners], [s for _, s in winners], marker="^", s=50,
                   color="tab:purple", zorder=3, label="one-buffer search winners")
    for name, buffers, score in references:
        ax.scatter([buffers], [score], marker="s", s=60, zorder=3)
        ax.annotate(name, (buffers, score), textcoords="offset points", xytext=(6, 4))
    ax.set_xticks([0, 1, 2])
    ax.set_xlabel("state buffers per parameter (memory)")
    ax.set_ylabel("held-out score, tuned lr/wd (lower is better)")
    ax.set_title("Optimizer programs: held-out score against memory")
    ax.legend(loc="upper right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def check_suite(args, seeds) -> bool:
    print("1. task suite check: tuned SGD-momentum against tuned AdamW, held-out candidates, "
          f"{len(seeds)} seeds (positive gap: AdamW better)")
    suite = family.CANDIDATE_SUITE
    gap = family.family_gap(suite, seeds, lr_grid=LR_GRID, weight_decays=WD_GRID)
    oracle = family.oracle_gap(suite, seeds, lr_grid=LR_GRID, weight_decays=WD_GRID)
    print(family.format_gap(gap, oracle))
    kept = [t.name for t in SUITE.tasks("heldout")]
    rejected = [t.name for t in suite.tasks("heldout") if t.name not in kept]
    print(f"held-out tasks kept: {', '.join(kept)}; replaced: {', '.join(rejected) or 'none'}")
    ok = all(oracle[name]["separates"] for name in kept)
    wrongly_kept = [n for n in kept if not oracle[n]["separates"]]
    print(f"target every kept held-out task separates the families (per-task lr): "
          f"{'OK' if ok else 'MISSED'} ({len(kept) - len(wrongly_kept)}/{len(kept)})")
    return ok


def multi_objective(args, known: dict, scores: dict, seeds: list, winners=()) -> tuple:
    """Step 4: the multi-objective search over (score, state buffers), once per search seed
    (``--mo-seeds``); each front tuned and scored on held-out tasks (3 seeds) beside the
    references, the first seed's front plotted; returns its target line (a front holds a
    program better than tuned SGD-momentum on every seed)."""
    mo_name = {"nsga2": "NSGA-II", "evolution": "regularized evolution (Pareto "
               "tournaments)"}[args.mo_algorithm]
    mo_seeds = list(range(args.mo_seeds))
    print(f"4. {mo_name} from SGD-momentum, budget 2 slots, objectives (score, state "
          f"buffers), {args.mo_trials} trials, search seeds {', '.join(map(str, mo_seeds))}")
    references = [(name, opt.state_buffers(known[name].program),
                   statistics.fmean(scores[name][:3]))
                  for name in ("SGD", "SGD-momentum", "Lion", "AdamW")]
    sgdm = statistics.fmean(scores["SGD-momentum"][:3])
    fronts, escaped = [], 0
    for seed in mo_seeds:
        mo_algorithm = NSGA2(population_size=args.population, seed=seed) \
            if args.mo_algorithm == "nsga2" else evolution(args, seed)
        mo = run_search(program_space(args, 2),
                        mo_algorithm, args.mo_trials, seed,
                        objective=[f"min:{METRIC}", "min:state_buffers"])
        done = [r for r in mo["records"] if r.metrics]
        warm = done[0].metrics["warm_start_large_fitness"]
        best_score = min(r.metrics[METRIC] for r in done)
        # leaving the warm start: a program 10% better than it on the selection tier
        left = best_score < 0.9 * warm
        escaped += left
        best_by_buffers, seen = {}, set()
        for trial in mo["result"].pareto:
            program = tuning.with_update_scale(trial.value,
                                               trial.metrics.get("update_scale", 1.0))
            key = ss.hash(opt.normal_form(program))
            if key in seen:                 # cached copies of one program: tune it once
                continue
            seen.add(key)
            buffers = opt.state_buffers(program)
            score = statistics.fmean(heldout(tune_found(program), seeds[:3]))
            if buffers not in best_by_buffers or score < best_by_buffers[buffers][0]:
                best_by_buffers[buffers] = (score, program)
        best = min(best_by_buffers.items(), key=lambda kv: kv[1][0])
        fronts.append((seed, best_by_buffers, best))
        print(f"seed {seed}: {mo['evaluated']} evaluations ({mo['proxy_runs']} proxy runs, "
              f"{mo['large_runs']} large), cache hits {mo['cached'] / max(1, mo['trials']):.1%},"
              f" cpu {mo['cpu']:.0f} s; best score {best_score:.4f} (warm start {warm:.4f}: "
              f"{'left it' if left else 'still at it'}); front: " + ", ".join(
                  f"{b} buffers {s:.4f} held-out" for b, (s, _p) in sorted(
                      best_by_buffers.items())))
    print(f"{'front point':<24} {'buffers':>7} {'held-out (3 seeds)':>18}  Lion-like")
    for seed, best_by_buffers, _best in fronts:
        for buffers in sorted(best_by_buffers):
            score, program = best_by_buffers[buffers]
            print(f"{f'searched, seed {seed}':<24} {buffers:>7} {score:>18.4f}  "
                  f"{lion_like(program)}")
    for name, buffers, score in references:
        print(f"{name:<24} {buffers:>7} {score:>18.4f}")
    for buffers, score in winners:
        print(f"{'one-buffer winner':<24} {buffers:>7} {score:>18.4f}")
    for seed, _front, best in fronts:
        print(f"seed {seed}: front's best held-out program, as source:")
        print(opt.to_source(opt.simplify(best[1][1])))
    plot_pareto(Path(args.plot), [(b, s, p) for b, (s, p) in fronts[0][1].items()],
                references, winners, label=f"{mo_name} front (seed {fronts[0][0]})")
    print(f"plot: {args.plot}; {escaped}/{len(fronts)} searches left the warm start")
    print()
    better = sum(best[1][0] < sgdm for _s, _f, best in fronts)
    return ("the multi-objective front holds a program better than tuned SGD-momentum "
            "(every search seed)", better == len(fronts),
            f"{better}/{len(fronts)} seeds; best front points " + ", ".join(
                f"{best[1][0]:.4f}" for _s, _f, best in fronts) + f" vs {sgdm:.4f}, 3 "
            f"held-out seeds; {escaped}/{len(fronts)} left the warm start")


#: The global step sizes every searched program is scored at (the best counts; see
#: ``FunnelEvaluator``'s ``update_scales``); ``--update-scales 1`` scores programs as written.
DEFAULT_UPDATE_SCALES = (1e-3, 1e-2, 1e-1, 1.0)
UPDATE_SCALES = DEFAULT_UPDATE_SCALES
REFERENCES = (("SGD", "sgd"), ("SGD-momentum", "sgd_momentum"), ("Lion", "lion"),
              ("C-Lion", "c_lion"), ("AdamW", "adamw"))
LR_GRID = tuning.LR_GRID
WD_GRID = tuning.WD_GRID


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-slots", type=int, default=1,
                        help="state budget of the program search (1: m only)")
    parser.add_argument("--trials", type=int, default=3000, help="trials per program search")
    parser.add_argument("--search-seeds", type=int, default=3)
    parser.add_argument("--population", type=int, default=50)
    parser.add_argument("--tournament", type=int, default=4)
    parser.add_argument("--mo-trials", type=int, default=2000,
                        help="trials of the multi-objective search")
    parser.add_argument("--mo-seeds", type=int, default=3,
                        help="search seeds of the multi-objective search")
    parser.add_argument("--mo-algorithm", choices=("nsga2", "evolution"), default="nsga2",
                        help="nsga2: native NSGA-II; evolution: regularized evolution with "
                        "Pareto tournaments")
    parser.add_argument("--seeds", type=int, default=10, help="held-out seeds")
    parser.add_argument("--update-scales", default=",".join(f"{x:g}" for x in DEFAULT_UPDATE_SCALES),
                        help="comma-separated global step sizes each searched program is "
                        "scored at, the best counting (1: as written)")
    parser.add_argument("--op-mutation", type=float, default=1.0,
                        help="weight of the op mutation (0: off, the mutator's default)")
    parser.add_argument("--search-seed-start", type=int, default=0,
                        help="first search seed (validation runs on further seeds)")
    parser.add_argument("--plot", default="runs/optimizer_budget_pareto.png")
    parser.add_argument("--check-suite", action="store_true",
                        help="only check the task suite (step 1)")
    parser.add_argument("--skip-suite-check", action="store_true")
    parser.add_argument("--mo-only", action="store_true",
                        help="only the multi-objective search (step 4) and the references")
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny budgets")
    args = parser.parse_args(argv)
    global LR_GRID, WD_GRID, UPDATE_SCALES
    try:
        UPDATE_SCALES = tuple(float(x) for x in args.update_scales.split(","))
        if not UPDATE_SCALES or not all(math.isfinite(x) and x > 0 for x in UPDATE_SCALES):
            raise ValueError
    except ValueError:
        parser.error(f"--update-scales must be comma-separated numbers above 0, got "
                     f"{args.update_scales!r}")
    if args.quick:
        args.trials, args.search_seeds, args.population, args.tournament = 24, 2, 6, 3
        args.mo_trials, args.seeds, args.mo_seeds = 24, 3, 1
        HANDOVER.update(top=3, seeds=(0,))
        LR_GRID, WD_GRID = (0.01, 0.3), (0.0, 0.1)
    seeds = list(range(args.seeds))
    search_seeds = list(range(args.search_seed_start,
                              args.search_seed_start + args.search_seeds))
    targets = []

    proxy_time = proxy.throughput(opt.sgd_momentum(), tier="proxy", seconds=0.5)
    print(f"symsearch optimizer discovery under a state budget of {args.state_slots} "
          f"(family suite; proxy evaluation {proxy_time['seconds_per_evaluation'] * 1e3:.1f} "
          f"ms with Numba)")
    if args.mo_only:
        known = {name: tune_known(key, args) for name, key in REFERENCES}
        scores = {name: heldout(t, seeds[:3]) for name, t in known.items()}
        name, passed, detail = multi_objective(args, known, scores, seeds)
        print(f"target {name}: {'OK' if passed else 'MISSED'} ({detail})")
        return 0
    if not args.skip_suite_check:
        suite_ok = check_suite(args, seeds)
        targets.append(("every held-out task separates SGD-momentum from AdamW", suite_ok,
                        "see the table"))
        if args.check_suite:
            return 0
    print()

    # 2. searches
    print(f"2. searches from SGD-momentum, budget {args.state_slots} state slot(s): "
          f"regularized evolution (population {args.population}, tournament "
          f"{args.tournament}), {args.trials} trials each, seeds {search_seeds[0]}.."
          f"{search_seeds[-1]}; constants-only evolution at equal evaluations; every program "
          f"scored at the best of update scales {', '.join(f'{x:g}' for x in UPDATE_SCALES)}")
    runs = []
    for seed in search_seeds:
        program = run_search(program_space(args, args.state_slots), evolution(args, seed),
                             args.trials, seed)
        constants = run_search(opt.constants_space("sgd_momentum",
                                                   state_slots=args.state_slots),
                               evolution(args, seed), program["evaluated"], seed,
                               evaluations=program["evaluated"])
        runs.append((seed, program, constants))
    header = (f"{'search':<20} {'seed':>4} {'trials':>6} {'evaluated':>9} {'cache hits':>10} "
              f"{'redundant':>9} {'proxy runs':>10} {'large runs':>10} {'cpu':>6} "
              f"{'best score':>10}")
    print(header)
    print("-" * len(header))
    for seed, program, constants in runs:
        for name, s in (("program evolution", program), ("constants-only", constants)):
            best = min(r.metrics[METRIC] for r in s["records"] if r.metrics)
            print(f"{name:<20} {seed:>4} {s['trials']:>6} {s['evaluated']:>9} "
                  f"{s['cached'] / max(1, s['trials']):>9.1%} {s['redundant']:>8.1%} "
                  f"{s['proxy_runs']:>10} {s['large_runs']:>10} {s['cpu']:>5.0f}s "
                  f"{best:>10.4f}")
    print()

    # 3. handover, tuning, held-out
    found, constants_best = [], []
    for seed, program, constants in runs:
        p, fit = handover(program)
        c, cfit = handover(constants)
        found.append((seed, p, fit, tune_found(p)))
        constants_best.append((seed, c, cfit, tune_found(c)))
    print("3. handed-over programs (best of ten on the selection tier, 3 seeds):")
    for seed, p, fit, _t in found:
        print(f"seed {seed}: selection fitness {fit:.4f}, state buffers "
              f"{opt.state_buffers(p)}, Lion-like: {lion_like(p)}")
        print("    " + "; ".join(line.strip() for line in
                                  opt.to_source(opt.simplify(p)).splitlines()[1:-1]))
    winner_seed, _p, _f, winner_tuned = min(found, key=lambda x: x[3].fitness)
    winner = winner_tuned.program
    print(f"winner (seed {winner_seed}, best tuned selection fitness), tuned step and weight "
          f"decay built in, as source:")
    print(opt.to_source(opt.simplify(winner)))
    try:
        exported = opt.to_torch_optimizer(opt.simplify(winner), name="DiscoveredOneBuffer")
        print(f"exported with to_torch_optimizer: {exported.__name__} (a torch.optim.Optimizer)")
    except ImportError:
        print("to_torch_optimizer: needs torch (pip install \"symsearch[torch]\")")
    print()

    known = {name: tune_known(key, args) for name, key in REFERENCES}
    known_tasks = {name: tuning.heldout_scores(t, seeds, SUITE) for name, t in known.items()}
    scores = {name: r["mean"] for name, r in known_tasks.items()}
    found_tasks = [tuning.heldout_scores(t, seeds, SUITE) for *_x, t in found]
    per_seed_found = [r["mean"] for r in found_tasks]
    per_seed_constants = [heldout(t, seeds) for *_x, t in constants_best]
    # one unit per held-out seed: the mean over search seeds
    scores["discovered (mean over searches)"] = [statistics.fmean(col) for col in
                                                 zip(*per_seed_found)]
    scores["constants-only (mean over searches)"] = [statistics.fmean(col) for col in
                                                     zip(*per_seed_constants)]
    disc = scores["discovered (mean over searches)"]
    const = scores["constants-only (mean over searches)"]
    print(f"held-out tasks ({len(SUITE.tasks('heldout'))}), {len(seeds)} seeds, mean "
          f"normalized loss (lower is better); lr (and wd) tuned on the selection tier over "
          f"{len(LR_GRID)} lrs x {len(WD_GRID)} wds")
    header = (f"{'optimizer':<36} {'buffers':>7} {'step x':>8} {'wd':>6} {'selection':>9} "
              f"{'held-out':>9} {'discovered - it (95%)':>22}")
    print(header)
    print("-" * len(header))
    rows = [(name, opt.state_buffers(t.program), t.step, t.weight_decay, t.fitness, name)
            for name, t in known.items()]
    for (seed, p, _f, t), sc in zip(found, per_seed_found):
        rows.append((f"discovered, search seed {seed}", opt.state_buffers(p), t.step,
                     t.weight_decay, t.fitness, sc))
    for (seed, p, _f, t), sc in zip(constants_best, per_seed_constants):
        rows.append((f"constants-only, search seed {seed}", opt.state_buffers(p), t.step,
                     t.weight_decay, t.fitness, sc))
    for name, buffers, lr, wd, fit, key in rows:
        values = scores[key] if isinstance(key, str) else key
        wd_text = "-" if wd is None else f"{wd:g}"
        print(f"{name:<36} {buffers:>7} {lr:>8.3g} {wd_text:>6} {fit:>9.4f} "
              f"{statistics.fmean(values):>9.4f} {interval_text(disc, values):>22}")
    for name in ("discovered (mean over searches)", "constants-only (mean over searches)"):
        print(f"{name:<36} {'':>7} {'':>8} {'':>6} {'':>9} {statistics.fmean(scores[name]):>9.4f}"
              f" {interval_text(disc, scores[name]):>22}")
    search_means = [statistics.fmean(s) for s in per_seed_found]
    constant_means = [statistics.fmean(s) for s in per_seed_constants]
    wins = sum(a < b for a, b in zip(search_means, constant_means))
    print(f"over search seeds (one unit per search): discovered - constants-only "
          f"{interval_text(search_means, constant_means)} ({wins}/{len(runs)} searches ahead); "
          f"discovered - SGD-momentum "
          f"{interval_text(search_means, [statistics.fmean(scores['SGD-momentum'])] * len(runs))}")
    lion_count = sum(lion_like(p).startswith("yes") for _s, p, _f, _t in found)
    print(f"Lion-like winners: {lion_count}/{len(found)}")
    print_per_task([(f"seed {seed}", r) for (seed, *_x), r in zip(found, found_tasks)] +
                   [(name, known_tasks[name]) for name in ("SGD-momentum", "Lion", "AdamW")],
                   len(seeds))
    print()

    # 4. multi-objective search
    winners = [(opt.state_buffers(p), statistics.fmean(sc[:3]))
               for (_s, p, _f, _t), sc in zip(found, per_seed_found)]
    if args.mo_seeds:
        targets.append(multi_objective(args, known, scores, seeds, winners))

    # cache figures
    trials = sum(p["trials"] for _s, p, _c in runs)
    cached = sum(p["cached"] for _s, p, _c in runs)
    saved = sum(p["saved_s"] for _s, p, _c in runs)
    redundant = statistics.fmean(p["redundant"] for _s, p, _c in runs)
    print(f"functional cache, program searches: hit rate {cached / max(1, trials):.1%} "
          f"({cached} of {trials} trials not evaluated; paper: {PAPER_HIT_RATE:.0%}), "
          f"evaluation time saved {saved:.0f} s; redundant statements {redundant:.1%} "
          f"(paper: {PAPER_REDUNDANT:.0%})")
    print()

    sgdm = scores["SGD-momentum"]
    targets += [
        ("proxy evaluation within tens of ms", proxy_time["seconds_per_evaluation"] < 0.05,
         f"{proxy_time['seconds_per_evaluation'] * 1e3:.1f} ms"),
        ("discovered beats tuned SGD-momentum (95% interval below 0)",
         excludes_zero_below(disc, sgdm), interval_text(disc, sgdm)),
        ("discovered beats constants-only at equal evaluations (95% interval below 0)",
         excludes_zero_below(disc, const), interval_text(disc, const)),
        ("discovered at or above tuned Lion", statistics.fmean(disc) <=
         statistics.fmean(scores["Lion"]), interval_text(disc, scores["Lion"])),
        ("discovered at or above tuned AdamW (not a goal under one buffer)",
         statistics.fmean(disc) <= statistics.fmean(scores["AdamW"]),
         interval_text(disc, scores["AdamW"])),
    ]
    for name, passed, detail in targets:
        print(f"target {name}: {'OK' if passed else 'MISSED'} ({detail})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
