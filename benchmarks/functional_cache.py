"""Functional cache benchmark: regularized evolution with the cache off, structural, functional.

Two workloads (``--space``):

- ``optimizer`` (the default): the optimizer-program space of ``symsearch.spaces.optimizers``
  (``ss.evolve(AdamW, OptimizerMutator())``), scored as the optimizer-discovery search scores
  it: ``FunnelEvaluator`` of ``symsearch.evaluators.optimizer_proxy`` (the Numba proxy tier,
  about 5 ms; programs that beat AdamW there are re-scored on the 10x larger tier). The
  functional hash is ``optimizer_hasher()``: a program's updates over a few unrolled steps on
  probe quadratics. The warm-up population is copies of AdamW, as in the paper.
- ``expression``: an expression tree evolved by ``ss.evolve(initial, ExprMutator(...))`` and
  scored by symbolic regression (the tree is evaluated with NumPy on ``--points`` rows, linearly
  scaled to the target and scored by R^2); the warm-up population is random trees.

Every mode runs the same search (same seed, same algorithm, ``--candidates`` trials) through
``ss.search(..., cache=EvalCache(...))``: a hit is recorded as a cached trial, a miss is
evaluated and recorded. The evaluators are deterministic, so a hit returns what evaluating
would have returned (checked afterwards: the "wrong" column); the searches differ only in
what they skip.

    python benchmarks/functional_cache.py                      # 2,000 optimizer programs
    python benchmarks/functional_cache.py --space expression   # 2,000 expression trees
    python benchmarks/functional_cache.py --quick              # a smoke test

Printed: per mode, the fraction of candidates skipped, hashing time per candidate, mean
evaluation time, wall time and the best fitness; then the Numba vs NumPy probe-loop timing on
the candidates of the functional run, and one ``target ...`` line per target of the issue.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import symsearch as ss  # noqa: E402
from symsearch.cache import (EvalCache, FunctionalHasher, ProbeInput, ProbeSet,  # noqa: E402
                             quantize_array)
from symsearch.geno.codec import dna_from_json  # noqa: E402
from symsearch.programs import (ExprMutator, Var, lower_expr,  # noqa: E402
                                normal_form, to_source)
from symsearch.programs.compiled import run_numpy, run_prepared  # noqa: E402
from symsearch.programs.expr import evaluate as evaluate_expr  # noqa: E402

OPS = ["add", "sub", "mul", "div", "max", "min", "neg", "abs", "sin", "cos", "exp", "log",
       "square", "sqrt"]


class SymbolicRegression:
    """R^2 of the linearly scaled expression against ``x*y + sin(x) + x^2`` on ``points``
    rows of (x, y) ~ U(-2, 2)^2.

    The tree is evaluated in chunks of ``chunk`` rows into one preallocated buffer: whole-data
    temporaries would be fresh multi-megabyte allocations (page faults, flushed CPU caches)
    for every op of every candidate, which is not what a real evaluator's cost looks like.
    """

    def __init__(self, points: int, seed: int = 0, chunk: int = 4096):
        rng = np.random.default_rng(seed)
        self.x = rng.uniform(-2, 2, points)
        self.y = rng.uniform(-2, 2, points)
        self.target = self.x * self.y + np.sin(self.x) + self.x ** 2
        self.centered_target = self.target - self.target.mean()
        self.target_var = float(self.target.var())
        self.chunks = [(i, min(i + chunk, points)) for i in range(0, points, chunk)]
        self.pred = np.empty(points)

    def __call__(self, expr) -> dict:
        pred = self.pred
        with np.errstate(all="ignore"):
            for lo, hi in self.chunks:
                pred[lo:hi] = evaluate_expr(expr, {"x": self.x[lo:hi], "y": self.y[lo:hi]})
            if not np.isfinite(pred).all():
                return {"r2": -1.0}
            pred -= pred.mean()
            var_p = float(np.dot(pred, pred)) / len(pred)
            if var_p <= 1e-300:
                return {"r2": 0.0}
            cov = float(np.dot(pred, self.centered_target)) / len(pred)
        # R^2 of the least-squares line through (pred, target) = squared correlation
        return {"r2": max(-1.0, cov * cov / (var_p * self.target_var))}


def probe_set() -> ProbeSet:
    # The probes cover the data's domain: functions that differ only where the probes never
    # look (min(y, 1.65) vs y, with normal probes and data up to 2) would collide.
    domain = ProbeInput(distribution="uniform", low=-2.0, high=2.0)
    return ProbeSet({"x": domain, "y": domain}, count=PROBE_COUNT[0], seed=0)


PROBE_COUNT = [32]      # set from --probes


class ExpressionWorkload:
    """Symbolic regression over expression trees (candidates are ``{"expr": tree}``)."""

    name = "expression"
    objective, metric = "max:r2", "r2"

    def __init__(self, args):
        self.evaluator = SymbolicRegression(args.points, seed=args.seed)
        self.mutator = ExprMutator(variables=["x", "y"], ops=OPS, constants=(0.5, 1.0, 2.0),
                                   max_depth=7, max_size=31)
        self.description = (f"expression trees over x, y with {len(OPS)} ops; evaluator: "
                            f"symbolic regression on {args.points} rows")

    def space(self):
        mutator = self.mutator
        return ss.Dict(expr=ss.evolve(Var("x"), mutator, name="expr",
                                      initializer=lambda rng: mutator.random_expr(rng, depth=4)))

    def evaluate(self, candidate) -> dict:
        return self.evaluator(candidate["expr"])

    def runnable(self, candidate):
        return candidate["expr"]

    def make_cache(self, mode: str):
        if mode == "off":
            return False
        if mode == "structural+normal":
            return EvalCache(mode="structural", normalize=lambda c: normal_form(c["expr"]))
        if mode == "structural":
            return EvalCache(mode="structural")
        return EvalCache(mode=mode, hasher=FunctionalHasher(probe_set(), digits=6,
                                                            select="expr"))

    def source(self, candidate) -> str:
        return to_source(candidate["expr"])

    def probe_loop(self, runnable) -> tuple:
        """(compiled, numpy) callables running the hasher's probe loop for one candidate;
        each returns the outputs to quantize."""
        probes = probe_set()
        low = lower_expr(runnable)
        inputs = probes.stacked(low.input_names) if low.input_names \
            else np.zeros((0, probes.count, 1))
        return (lambda: run_prepared(low, inputs)), (lambda: run_numpy(low, inputs))


class OptimizerWorkload:
    """Optimizer update programs on the Numba proxy tasks (candidates are Programs)."""

    name = "optimizer"
    objective, metric = "min:fitness", "fitness"

    def __init__(self, args):
        from symsearch.evaluators import optimizer_proxy
        from symsearch.spaces import optimizers
        self.proxy, self.opt = optimizer_proxy, optimizers
        self.funnel = optimizer_proxy.FunnelEvaluator(warm_start=optimizers.adamw())
        self.description = (f"optimizer programs train(w, g, m, v, lr) from AdamW, "
                            f"{len(optimizers.OPTIMIZER_OPS)} ops; evaluator: the funnel of "
                            f"optimizer_proxy (4 proxy tasks; 5 larger ones for programs that "
                            f"beat AdamW; Numba)")

    def space(self):
        return self.opt.space("adamw")

    def evaluate(self, candidate) -> dict:
        return self.funnel(candidate)

    def runnable(self, candidate):
        return candidate

    def make_cache(self, mode: str):
        from symsearch.spaces.optimizer_hash import optimizer_hasher
        if mode == "off":
            return False
        if mode == "structural+normal":
            return EvalCache(mode="structural", normalize=self.opt.normal_form)
        if mode == "structural":
            return EvalCache(mode="structural")
        return EvalCache(mode=mode, hasher=optimizer_hasher(count=PROBE_COUNT[0] // 4 or 1))

    def source(self, candidate) -> str:
        return self.opt.to_source(self.opt.simplify(candidate))

    def probe_loop(self, runnable) -> tuple:
        """(compiled, numpy) callables running the hasher's unrolled probe loop (every step)
        for one candidate; each returns the outputs to quantize."""
        from symsearch.spaces.optimizer_hash import optimizer_hasher, unrolled_outputs
        compiled = optimizer_hasher(count=PROBE_COUNT[0] // 4 or 1)
        plain = optimizer_hasher(count=PROBE_COUNT[0] // 4 or 1, backend="numpy")
        target = compiled.runnable(runnable)
        return ((lambda: unrolled_outputs(target, compiled.probes, compiled)[0]),
                (lambda: unrolled_outputs(target, plain.probes, plain)[0]))


WORKLOADS = {"expression": ExpressionWorkload, "optimizer": OptimizerWorkload}


def run_mode(mode: str, args, workload) -> dict:
    """One search through ``ss.search`` (memory store, in-process), cache per ``mode``."""
    space = workload.space()
    algorithm = ss.algorithms.RegularizedEvolution(population_size=args.population,
                                                   tournament_size=args.tournament)
    start = time.perf_counter()
    result = ss.search(space, workload.evaluate, objective=workload.objective,
                       algorithm=algorithm, num_trials=args.candidates, seed=args.seed,
                       cache=workload.make_cache(mode), store=ss.store.MemoryStore())
    wall = time.perf_counter() - start
    records = result.trials
    candidates = {r.id: ss.materialize(space, dna_from_json(r.dna)) for r in records}
    done = [r for r in records if r.status == "done"]
    cached = [r for r in records if r.status == "cached"]
    metric = workload.metric
    # Untimed: would evaluating the candidates the cache answered have given its answers?
    # "wrong": a different answer (a collision); "rounding": the same up to 1e-4 relative,
    # i.e. a function equal in exact arithmetic whose rounding a long training run amplified
    # (``v / sqrt(v)`` for ``sqrt(v)``).
    wrong = rounding = 0
    if mode.startswith("functional"):
        for r in cached:
            actual, answer = workload.evaluate(candidates[r.id])[metric], r.metrics[metric]
            gap = abs(actual - answer)
            if gap > 1e-4 * max(1.0, abs(actual)):
                wrong += 1
            elif gap > 1e-9:
                rounding += 1
    best = result.best
    # What the hits replaced: the evaluation time of the trials whose answers they reused.
    eval_time = {r.id: r.finished_at - r.started_at for r in done}
    replaced = [eval_time[r.cached_from] for r in cached if r.cached_from in eval_time]
    return {"mode": mode, "skipped": len(cached) / args.candidates,
            "replaced_mean": statistics.fmean(replaced) if replaced else float("nan"),
            "hash_per_candidate": result.stats.get("hash_time_s", 0.0) / args.candidates,
            "eval_mean": statistics.fmean(r.finished_at - r.started_at for r in done),
            "evaluated": len(done), "wall": wall, "best": best.metrics[metric],
            "best_candidate": best.value,
            "runnables": [workload.runnable(c) for c in candidates.values()],
            "wrong": wrong, "rounding": rounding}


def probe_loop_timing(workload, runnables, repeats: int) -> dict:
    """Per-candidate time of the probe loop (the interpreter over all probe cases; for
    optimizer programs every unrolled step) with the compiled interpreter, called as the
    hasher calls it, and with the NumPy one, on the same candidates and probes."""
    unique = {ss.hash(e): e for e in runnables}
    loops = [workload.probe_loop(e) for e in unique.values()]
    for compiled, plain in loops:               # warm both paths; check they agree
        np.testing.assert_allclose(compiled(), plain(), rtol=1e-9, atol=1e-300,
                                   equal_nan=True)
    pipelines = {
        "numba": lambda loop: loop[0](),
        "numpy": lambda loop: loop[1](),
        "numba+quantize": lambda loop: quantize_array(loop[0](), 6),
        "numpy+quantize": lambda loop: quantize_array(loop[1](), 6, "numpy"),
    }
    times = {}
    for name, fn in pipelines.items():
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(repeats):
                for loop in loops:
                    fn(loop)
            best = min(best, (time.perf_counter() - t0) / (repeats * len(loops)))
        times[name] = best
    return {**times, "candidates": len(loops)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", choices=sorted(WORKLOADS), default="optimizer")
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--tournament", type=int, default=10)
    parser.add_argument("--points", type=int, default=600_000,
                        help="expression workload: rows of the regression data (sets the "
                        "evaluation cost)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--probes", type=int, default=32,
                        help="probe cases per input (more: fewer collisions, slower hashing); "
                        "the optimizer workload uses a quarter of them, each a 16-element "
                        "problem")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 300 candidates, "
                        "small data")
    parser.add_argument("--modes", nargs="+",
                        default=["off", "structural", "structural+normal", "functional"])
    args = parser.parse_args(argv)
    PROBE_COUNT[0] = args.probes
    if args.quick:
        args.candidates, args.points, args.population = 300, 5_000, 30
        args.tournament = min(args.tournament, 10)

    # Numba compiles (or loads from its disk cache) outside the timed loops.
    FunctionalHasher().warm_up()
    workload = WORKLOADS[args.space](args)
    if args.space == "optimizer":
        workload.evaluate(workload.opt.adamw())
    print(f"symsearch functional cache benchmark: regularized evolution (population "
          f"{args.population}, tournament {args.tournament}), {args.candidates} candidates per "
          f"mode, seed {args.seed}")
    print(f"space: {workload.description}")
    print()
    results = [run_mode(mode, args, workload) for mode in args.modes]

    header = (f"{'cache':<18} {'skipped':>8} {'wrong':>6} {'round':>6} {'hash/cand':>10} {'eval/cand':>10} "
              f"{'hash/eval':>10} {'evaluated':>9} {'wall':>8} {'best':>10}")
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = r["hash_per_candidate"] / r["eval_mean"]
        print(f"{r['mode']:<18} {r['skipped']:>7.1%} {r['wrong']:>6} {r['rounding']:>6} "
              f"{r['hash_per_candidate'] * 1e6:>8.1f}us "
              f"{r['eval_mean'] * 1e3:>8.2f}ms {ratio:>9.3%} {r['evaluated']:>9} "
              f"{r['wall']:>7.2f}s {r['best']:>10.6f}")
    print(f"(skipped: candidates answered from the cache; wrong: answers that differ from "
          f"evaluating the candidate by more than 1e-4 relative, i.e. collisions; round: answers "
          f"within 1e-4 but not 1e-9, functions equal up to rounding; hash/cand: mean lookup time, including "
          f"structural hashing; eval/cand: mean evaluation time; wall: whole search; best: "
          f"{workload.objective})")
    print()
    by_mode = {r["mode"]: r for r in results}
    for r in results:
        print(f"best {r['mode']}: {workload.metric}={r['best']:.6f}")
        print("    " + workload.source(r["best_candidate"]).replace("\n", "\n    "))
    print()

    functional = by_mode.get("functional")
    timing = None
    if functional is not None:
        timing = probe_loop_timing(workload, functional["runnables"],
                                   repeats=3 if args.quick else 10)
        print(f"probe loop ({timing['candidates']} distinct candidates of the functional run): "
              f"numba {timing['numba'] * 1e6:.2f}us, numpy {timing['numpy'] * 1e6:.2f}us per "
              f"candidate ({timing['numpy'] / timing['numba']:.1f}x); with the quantization: "
              f"numba {timing['numba+quantize'] * 1e6:.2f}us, numpy "
              f"{timing['numpy+quantize'] * 1e6:.2f}us "
              f"({timing['numpy+quantize'] / timing['numba+quantize']:.1f}x)")
        print()

    ok = True
    if functional is not None and "structural" in by_mode:
        s, f = by_mode["structural"]["skipped"], functional["skipped"]
        passed = f > s
        ok &= passed
        print(f"target functional skips > structural: {'PASS' if passed else 'FAIL'} "
              f"({f:.1%} vs {s:.1%})")
    if functional is not None:
        ratio = functional["hash_per_candidate"] / functional["replaced_mean"]
        passed = ratio <= 0.01
        ok &= passed
        saved = functional["skipped"] * args.candidates * functional["replaced_mean"]
        total_hash = functional["hash_per_candidate"] * args.candidates
        print(f"target hashing <= 1% of evaluation time: {'PASS' if passed else 'FAIL'} "
              f"({ratio:.3%}: {functional['hash_per_candidate'] * 1e6:.0f}us per candidate vs "
              f"{functional['replaced_mean'] * 1e3:.2f}ms per evaluation replaced; all hashing "
              f"{total_hash:.3f}s vs {saved:.2f}s of evaluation skipped)")
    if timing is not None:
        speedup = timing["numpy"] / timing["numba"]
        passed = speedup >= 10
        ok &= passed
        print(f"target numba probe loop >= 10x numpy: {'PASS' if passed else 'FAIL'} "
              f"({speedup:.1f}x)")
    if "off" in by_mode and functional is not None:
        print(f"ratio wall off/functional: {by_mode['off']['wall'] / functional['wall']:.2f}x")
    print(f"overall: {'all targets met' if ok else 'some targets missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
