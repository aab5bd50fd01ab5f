"""Program search's hot path: symsearch's genetic programming against DEAP, and per-trial overhead.

1. DEAP's own symbolic-regression example (``examples/gp/symbreg.py``): Koza's quartic
   ``x^4 + x^3 + x^2 + x`` on the 20 points ``-1.0, -0.9, ..., 0.9``, ops add/sub/mul/protected
   div/neg/cos/sin, constants -1/0/1, population 300, tournaments of 3, 40 generations,
   crossover 0.5 and mutation 0.1. DEAP runs ``algorithms.eaSimple``; symsearch runs
   :class:`~symsearch.algorithms.genetic_programming.GeneticProgramming` with the same
   settings over ``ss.evolve(Var("x"), ExprMutator(...))`` (300 x 41 = 12,300 trials, memory
   store). Both in this process, same seeds. A run is solved when its best MSE < 1e-6. Time
   per evaluation is a run's wall time over the evaluations it made (DEAP evaluates only
   changed individuals; symsearch evaluates every trial).
2. Per-trial framework overhead with a trivial evaluator (random scores, memory store):
   optimizer-program evolution (``spaces.optimizers.space()``, AdamW warm start,
   RegularizedEvolution) and pruning-metric GP (``spaces.pruning_metrics.make_space()``,
   GeneticProgramming).
3. Store size per trial of that optimizer-program search with a SQLite store (file size,
   WAL included, over the trials).

Targets (issue 18): GP within 2x of DEAP per evaluation at the same or better solved rate;
optimizer-program per-trial overhead < 100 us; store size per trial < 1 KB. The fourth
target (no regression in ``loop_overhead.py`` and ``vs_pyglove.py``) is measured by those
scripts; see benchmarks/README.md.

    pip install deap
    python benchmarks/gp_vs_deap.py            # 5 seeds, about a minute (quiet machine)
    python benchmarks/gp_vs_deap.py --quick    # smoke test: 1 seed, 5 generations
    python benchmarks/gp_vs_deap.py --profile  # also cProfile one symsearch GP run
"""
from __future__ import annotations

import argparse
import math
import operator
import os
import random
import tempfile
import time

import numpy as np

POINTS = [x / 10.0 for x in range(-10, 10)]
OPS = ["add", "sub", "mul", "div", "neg", "cos", "sin"]


# ---- DEAP ---------------------------------------------------------------------------------------

def _deap_toolbox():
    from deap import base, creator, gp, tools

    def protected_div(left, right):
        try:
            return left / right
        except ZeroDivisionError:
            return 1

    pset = gp.PrimitiveSet("MAIN", 1)
    pset.addPrimitive(operator.add, 2)
    pset.addPrimitive(operator.sub, 2)
    pset.addPrimitive(operator.mul, 2)
    pset.addPrimitive(protected_div, 2)
    pset.addPrimitive(operator.neg, 1)
    pset.addPrimitive(math.cos, 1)
    pset.addPrimitive(math.sin, 1)
    pset.addEphemeralConstant("gp_vs_deap_rand101", random_int101)
    pset.renameArguments(ARG0="x")
    if not hasattr(creator, "FitnessMin"):
        creator.create("FitnessMin", base.Fitness, weights=(-1.0,))
    if not hasattr(creator, "Individual"):
        creator.create("Individual", gp.PrimitiveTree, fitness=creator.FitnessMin)

    toolbox = base.Toolbox()
    toolbox.register("expr", gp.genHalfAndHalf, pset=pset, min_=1, max_=2)
    toolbox.register("individual", tools.initIterate, creator.Individual, toolbox.expr)
    toolbox.register("population", tools.initRepeat, list, toolbox.individual)
    toolbox.register("compile", gp.compile, pset=pset)
    counter = [0]

    def eval_symb_reg(individual, points):
        counter[0] += 1
        func = toolbox.compile(expr=individual)
        sqerrors = ((func(x) - x ** 4 - x ** 3 - x ** 2 - x) ** 2 for x in points)
        return math.fsum(sqerrors) / len(points),

    toolbox.register("evaluate", eval_symb_reg, points=POINTS)
    toolbox.register("select", tools.selTournament, tournsize=3)
    toolbox.register("mate", gp.cxOnePoint)
    toolbox.register("expr_mut", gp.genFull, min_=0, max_=2)
    toolbox.register("mutate", gp.mutUniform, expr=toolbox.expr_mut, pset=pset)
    toolbox.decorate("mate", gp.staticLimit(key=operator.attrgetter("height"), max_value=17))
    toolbox.decorate("mutate", gp.staticLimit(key=operator.attrgetter("height"), max_value=17))
    return toolbox, counter


def random_int101():
    return random.randint(-1, 1)


def run_deap(seed: int, generations: int, population: int, toolbox, counter) -> dict:
    from deap import algorithms, tools
    random.seed(seed)
    counter[0] = 0
    pop = toolbox.population(n=population)
    hof = tools.HallOfFame(1)
    t0, c0 = time.perf_counter(), time.process_time()
    algorithms.eaSimple(pop, toolbox, 0.5, 0.1, generations, halloffame=hof, verbose=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"mse": hof[0].fitness.values[0], "wall": wall, "cpu": cpu, "evals": counter[0]}


# ---- symsearch ----------------------------------------------------------------------------------

def symsearch_space(max_depth: int, max_size: int):
    import symsearch as ss
    from symsearch.programs import ExprMutator, Var
    mutator = ExprMutator(variables=["x"], ops=OPS, constants=(-1.0, 0.0, 1.0),
                          const_prob=0.3, max_depth=max_depth, max_size=max_size)
    return ss.evolve(Var("x"), mutator)


def quartic_evaluator():
    from symsearch.programs import evaluate
    x = np.asarray(POINTS)
    target = x ** 4 + x ** 3 + x ** 2 + x

    def mse(expr) -> dict:
        y = evaluate(expr, {"x": x})
        return {"mse": float(np.mean((y - target) ** 2))}
    return mse


def run_symsearch(seed: int, generations: int, population: int, max_depth: int,
                  max_size: int) -> dict:
    import symsearch as ss
    from symsearch.algorithms import GeneticProgramming
    space = symsearch_space(max_depth, max_size)
    algorithm = GeneticProgramming(population_size=population, tournament_size=3,
                                   crossover_prob=0.5, mutation_prob=0.1, elitism=1,
                                   init_depth=(2, 3))
    n = population * (generations + 1)
    t0, c0 = time.perf_counter(), time.process_time()
    result = ss.search(space, quartic_evaluator(), objective="min:mse", algorithm=algorithm,
                       num_trials=n, seed=seed, store=ss.store.MemoryStore())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    best = result.best
    from symsearch.programs import Expr
    assert isinstance(best.value, Expr), type(best.value)
    return {"mse": best.metrics["mse"], "wall": wall, "cpu": cpu, "evals": len(result.trials),
            "best": best.value}


# ---- per-trial overhead and store size ----------------------------------------------------------

def optimizer_search(n: int, store, seed: int = 0):
    import symsearch as ss
    from symsearch.algorithms import RegularizedEvolution
    from symsearch.spaces import optimizers
    space = optimizers.space()
    scores = random.Random(seed)
    t0, c0 = time.perf_counter(), time.process_time()
    # Random scores: a trivial evaluator that, unlike one rewarding short programs, keeps
    # the programs the size of the warm start (AdamW, 9 statements), as a real search does.
    result = ss.search(space, lambda p: {"score": scores.random()}, objective="min:score",
                       algorithm=RegularizedEvolution(population_size=50, tournament_size=10),
                       num_trials=n, seed=seed, store=store)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert len(result.trials) == n
    return wall, cpu


def pruning_search(n: int, seed: int = 0):
    import symsearch as ss
    from symsearch.algorithms import GeneticProgramming
    from symsearch.spaces import pruning_metrics
    space = pruning_metrics.make_space()
    scores = random.Random(seed)
    t0, c0 = time.perf_counter(), time.process_time()
    result = ss.search(space, lambda m: {"loss": scores.random()}, objective="min:loss",
                       algorithm=GeneticProgramming(population_size=50), num_trials=n,
                       seed=seed, store=ss.store.MemoryStore())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert len(result.trials) == n
    return wall, cpu


def store_size_per_trial(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "opt.db")
        optimizer_search(n, path)
        total = sum(os.path.getsize(os.path.join(tmp, f)) for f in os.listdir(tmp))
    return total / n


def _median_run(run, n: int, repeats: int) -> tuple:
    """Median wall and CPU microseconds per trial over ``run(seed)`` for seeds 0..repeats-1
    (each returns wall and CPU seconds for ``n`` trials): one run on a shared machine can be
    30% off, and another seed's search keeps programs of another size."""
    times = [run(seed) for seed in range(repeats)]
    walls = sorted(t[0] for t in times)
    cpus = sorted(t[1] for t in times)
    return walls[len(times) // 2] / n * 1e6, cpus[len(times) // 2] / n * 1e6


# ---- main ---------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 5 generations (smoke test)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--generations", type=int, default=40)
    parser.add_argument("--population", type=int, default=300)
    parser.add_argument("--max-depth", type=int, default=8)
    parser.add_argument("--max-size", type=int, default=40)
    parser.add_argument("--overhead-trials", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3,
                        help="searches per overhead figure (the median is reported)")
    parser.add_argument("--profile", action="store_true", help="cProfile one symsearch GP run")
    parser.add_argument("--skip-gp", action="store_true",
                        help="only the per-trial overhead and store size (no DEAP table)")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.generations, args.population = 1, 5, 100
        args.overhead_trials, args.repeats = 300, 1

    if args.profile:
        import cProfile
        import pstats
        cProfile.runctx("run_symsearch(0, args.generations, args.population, args.max_depth, "
                        "args.max_size)", globals(), {"args": args}, "/tmp/gp_vs_deap.prof")
        pstats.Stats("/tmp/gp_vs_deap.prof").sort_stats("cumulative").print_stats(40)
        return 0

    toolbox = None
    try:
        if not args.skip_gp:
            toolbox, counter = _deap_toolbox()
    except ImportError:
        print("DEAP is not installed (pip install deap): its row is missing")
    seeds = list(range(args.seeds)) if not args.skip_gp else []
    rows: dict = {"DEAP eaSimple": [], "symsearch GP": []} if toolbox is not None else \
        {"symsearch GP": []}
    if seeds:
        # Warm-up (imports, first calls), then the two side by side, seed by seed, so both
        # see the same machine load.
        if toolbox is not None:
            run_deap(99, 2, 50, toolbox, counter)
        run_symsearch(99, 2, 50, args.max_depth, args.max_size)
    for s in seeds:
        if toolbox is not None:
            rows["DEAP eaSimple"].append(run_deap(s, args.generations, args.population, toolbox,
                                                  counter))
        rows["symsearch GP"].append(run_symsearch(s, args.generations, args.population,
                                                  args.max_depth, args.max_size))
    runs = rows["symsearch GP"]

    print(f"\nKoza quartic, population {args.population}, {args.generations} generations, "
          f"{len(seeds)} seeds (CPU: this process's CPU time, which other processes' load "
          f"does not inflate as much as the wall clock)")
    print(f"| {'':15} | {'solved (MSE < 1e-6)':19} | {'time per run':12} | "
          f"{'time per evaluation':19} | {'CPU per evaluation':18} |")
    print(f"|{'-' * 17}|{'-' * 21}|{'-' * 14}|{'-' * 21}|{'-' * 20}|")
    per_eval, cpu_eval, solved = {}, {}, {}
    for name, rs in rows.items():
        if not rs:
            continue
        solved[name] = sum(r["mse"] < 1e-6 for r in rs)
        wall = sum(r["wall"] for r in rs) / len(rs)
        evals = sum(r["evals"] for r in rs)
        per_eval[name] = sum(r["wall"] for r in rs) / evals * 1e6
        cpu_eval[name] = sum(r["cpu"] for r in rs) / evals * 1e6
        print(f"| {name:15} | {f'{solved[name]}/{len(rs)}':19} | {f'{wall:.2f} s':12} | "
              f"{f'{per_eval[name]:,.0f} us':19} | {f'{cpu_eval[name]:,.0f} us':18} |")
    if runs:
        print(f"symsearch best of seed 0: {runs[0]['best']!r} (MSE {runs[0]['mse']:.3g})")

    n = args.overhead_trials
    optimizer_search(min(n, 300), None)                  # warm-up
    opt_wall, opt_cpu = _median_run(lambda seed: optimizer_search(n, None, seed), n,
                                    args.repeats)
    pruning_search(min(n, 300))
    prune_wall, prune_cpu = _median_run(lambda seed: pruning_search(n, seed), n, args.repeats)
    store_bytes = store_size_per_trial(n)
    print(f"\nPer-trial overhead, trivial evaluator, memory store, {n} trials, median of "
          f"{args.repeats} searches, seeds 0-{args.repeats - 1} (wall / CPU):")
    print(f"  optimizer-program evolution (RegularizedEvolution): {opt_wall:,.0f} / "
          f"{opt_cpu:,.0f} us/trial")
    print(f"  pruning-metric GP (GeneticProgramming):             {prune_wall:,.0f} / "
          f"{prune_cpu:,.0f} us/trial")
    print(f"Store size per trial, optimizer-program search, SQLite: {store_bytes:,.0f} bytes")

    def line(ok: bool, text: str) -> None:
        print(f"[{'OK' if ok else 'MISSED'}] {text}")

    print()
    if args.skip_gp:
        pass
    elif "DEAP eaSimple" in per_eval and "symsearch GP" in per_eval:
        ratio = cpu_eval["symsearch GP"] / cpu_eval["DEAP eaSimple"]
        wall_ratio = per_eval["symsearch GP"] / per_eval["DEAP eaSimple"]
        ok = ratio <= 2.0 and solved["symsearch GP"] >= solved["DEAP eaSimple"]
        line(ok, f"GP within 2x of DEAP per evaluation at same-or-better solved rate: "
                 f"{ratio:.2f}x CPU ({wall_ratio:.2f}x wall), solved "
                 f"{solved['symsearch GP']}/{len(seeds)} vs "
                 f"{solved['DEAP eaSimple']}/{len(seeds)}")
    else:
        line(False, "GP within 2x of DEAP: DEAP missing")
    line(opt_cpu < 100, f"optimizer-program per-trial overhead < 100 us: {opt_cpu:,.0f} us "
                        f"CPU ({opt_wall:,.0f} us wall)")
    line(store_bytes < 1024, f"store size per trial of a program search < 1 KB: "
                             f"{store_bytes:,.0f} bytes")
    print("[see loop_overhead.py / vs_pyglove.py] no regression: measured by those scripts "
          "(benchmarks/README.md has the before/after figures)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
