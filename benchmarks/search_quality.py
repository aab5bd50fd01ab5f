"""Search quality: the best value found after 50/100/200 trials, symsearch vs its peers.

Problems (``symsearch.evaluators.synthetic``, all minimized, known optima):
Branin (2-d), Hartmann-6, Rosenbrock-10 and the conditional "CASH surrogate" (a top-level
choice of 3 model families with 2, 4 and 6 hyper-parameters; the SVM family holds the
global minimum 0.02 but has the worst random-sample mean).

Methods, each run once per seed for the largest budget, the best value read at each
checkpoint of that one run (so "after 50 trials" is the prefix of the 200-trial run):

- symsearch ``Random``, ``RegularizedEvolution(population_size=20, tournament_size=5)``
  (and, for reference, with its defaults 100/10), ``Bayesian("tpe")``, ``Bayesian("gp")``,
  all through ``ss.search`` in-process with a memory store;
- Optuna ``TPESampler`` and ``GPSampler`` directly (``study.optimize``; the CASH surrogate
  written define-by-run: the family first, then only its parameters);
- Nevergrad ``NGOpt`` (ask/tell, ``budget`` = the run's trials). Box functions are one
  bounded ``ng.p.Array``; the CASH surrogate is ``ng.p.Choice`` over one ``ng.p.Dict`` per
  family (log-scaled parameters ``ng.p.Log``, integers ``set_integer_casting()``,
  categoricals ``ng.p.Choice``), i.e. the same conditional structure, not a flat vector;
- symsearch ``ArmBandit(inner="tpe")`` on the CASH surrogate only.

GP rows are capped at ``--gp-trials`` (default 100) trials: Optuna's GP costs 20-50 s per
200-trial run on one core, which over 10 seeds x 4 problems x 2 GP rows is half an hour on
2 cores. Their 200-trial column shows "-".

Targets (printed OK/MISSED):

- Bayesian(tpe) within noise of Optuna TPE (the same sampler): at every checkpoint each
  median lies inside the other's interquartile range;
- RegularizedEvolution beats Random on every function at 200 trials: lower median;
- on the CASH surrogate ArmBandit(inner="tpe") reaches Bayesian(tpe)'s 200-trial median in
  <= 100 trials: its 100-trial median is <= TPE's 200-trial median.

    python benchmarks/search_quality.py              # 10 seeds, ~10 minutes on 2 cores
    python benchmarks/search_quality.py --quick      # 3 seeds, 10/20/40 trials; a smoke test
    python benchmarks/search_quality.py --seeds 20 --workers 4
"""
from __future__ import annotations

import argparse
import concurrent.futures
import math
import multiprocessing
import os
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Optional

PROBLEMS = ("branin", "hartmann6", "rosenbrock10", "cash")
PROBLEM_TITLES = {"branin": "Branin (2-d)", "hartmann6": "Hartmann-6",
                  "rosenbrock10": "Rosenbrock-10",
                  "cash": "CASH surrogate (3 families, 2/4/6 dims)"}


# ---- the methods ------------------------------------------------------------------------------

def _symsearch_algorithm(name: str):
    if name == "random":
        from symsearch.algorithms.random_search import Random
        return Random()
    if name == "evolution":
        from symsearch.algorithms.evolution import RegularizedEvolution
        return RegularizedEvolution(population_size=20, tournament_size=5)
    if name == "evolution_defaults":
        from symsearch.algorithms.evolution import RegularizedEvolution
        return RegularizedEvolution()
    if name in ("tpe", "gp"):
        from symsearch.algorithms.bayesian import Bayesian
        return Bayesian(name)
    if name == "bandit":
        from symsearch.algorithms.bandit import ArmBandit
        return ArmBandit(inner="tpe")
    raise ValueError(name)


def run_symsearch(algorithm: str, problem: str, seed: int, trials: int) -> list:
    import functools

    import symsearch as ss
    from symsearch.evaluators import synthetic
    evaluator = functools.partial(synthetic.evaluate, function=problem)
    result = ss.search(synthetic.space(problem), evaluator, objective="min:loss",
                       algorithm=_symsearch_algorithm(algorithm), num_trials=trials, seed=seed)
    return [r.metrics["loss"] if r.status in ("done", "cached") and r.metrics else math.inf
            for r in result.trials]


def _optuna_objective(problem: str) -> Callable:
    from symsearch.evaluators import synthetic
    if problem != "cash":
        function = synthetic.FUNCTIONS[problem]

        def box(trial) -> float:
            return function([trial.suggest_float(name, lo, hi)
                             for name, (lo, hi) in zip(function.names, function.bounds)])
        return box

    def cash(trial) -> float:
        # Define-by-run: the family first, then only the parameters of that family.
        family = trial.suggest_categorical("model", list(synthetic.CASH_DOMAIN))
        params = {}
        for name, domain in synthetic.CASH_DOMAIN[family].items():
            key = f"{family}.{name}"
            if domain[0] == "choice":
                params[name] = trial.suggest_categorical(key, list(domain[1]))
            elif domain[0] == "int":
                params[name] = trial.suggest_int(key, domain[1], domain[2],
                                                 log=domain[3] == "log")
            else:
                params[name] = trial.suggest_float(key, domain[1], domain[2],
                                                   log=domain[3] == "log")
        return synthetic.cash_surrogate_loss(family, params)
    return cash


def run_optuna(sampler: str, problem: str, seed: int, trials: int) -> list:
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if sampler == "tpe":
        instance = optuna.samplers.TPESampler(seed=seed)
    else:
        instance = optuna.samplers.GPSampler(seed=seed)
    study = optuna.create_study(direction="minimize", sampler=instance)
    study.optimize(_optuna_objective(problem), n_trials=trials)
    return [t.value if t.value is not None else math.inf for t in study.trials]


def _nevergrad_parametrization(problem: str, seed: int):
    import nevergrad as ng
    import numpy as np

    from symsearch.evaluators import synthetic
    if problem != "cash":
        function = synthetic.FUNCTIONS[problem]
        lower = np.array([lo for lo, _ in function.bounds])
        upper = np.array([hi for _, hi in function.bounds])
        # A deterministic start (NGOpt often picks Cobyla or another local method from the
        # initial point) would make every seed the same run: start at a point drawn per seed.
        init = np.random.RandomState(seed).uniform(lower, upper)
        return ng.p.Array(init=init, lower=lower, upper=upper), \
            lambda value: function(list(value))

    def parameter(domain: tuple):
        if domain[0] == "choice":
            return ng.p.Choice(list(domain[1]))
        kind, lo, hi, scale = domain
        p = ng.p.Log(lower=lo, upper=hi) if scale == "log" else ng.p.Scalar(lower=lo, upper=hi)
        return p.set_integer_casting() if kind == "int" else p

    choice = ng.p.Choice([ng.p.Dict(model=family, **{k: parameter(v) for k, v in params.items()})
                          for family, params in synthetic.CASH_DOMAIN.items()])
    return choice, lambda value: synthetic.evaluate_cash_surrogate(value)["loss"]


def _patch_nevergrad_metamodels() -> None:
    """nevergrad 1.0.12's meta-models call ``float(model.predict(one_row))``, a 1-element
    array, which NumPy >= 2.4 refuses ("only 0-dimensional arrays can be converted to Python
    scalars"). Make the four scikit-learn regressors it uses return a scalar for one row."""
    import numpy as np
    import sklearn.ensemble
    import sklearn.linear_model
    import sklearn.neural_network
    import sklearn.svm
    if getattr(sklearn.linear_model.LinearRegression, "_one_row_scalar", False):
        return
    for module, name in ((sklearn.linear_model, "LinearRegression"),
                         (sklearn.neural_network, "MLPRegressor"), (sklearn.svm, "SVR"),
                         (sklearn.ensemble, "RandomForestRegressor")):
        base = getattr(module, name)

        def predict(self, X, _base=base):
            out = _base.predict(self, X)
            return out[0] if np.ndim(out) == 1 and len(out) == 1 else out
        setattr(module, name, type(name, (base,), {"predict": predict, "_one_row_scalar": True,
                                                  "__module__": base.__module__}))


def run_nevergrad(problem: str, seed: int, trials: int) -> list:
    import nevergrad as ng
    import numpy as np
    _patch_nevergrad_metamodels()
    parametrization, function = _nevergrad_parametrization(problem, seed)
    parametrization.random_state = np.random.RandomState(seed)
    optimizer = ng.optimizers.NGOpt(parametrization=parametrization, budget=trials,
                                    num_workers=1)
    values = []
    for _ in range(trials):
        candidate = optimizer.ask()
        loss = float(function(candidate.value))
        optimizer.tell(candidate, loss)
        values.append(loss)
    return values


@dataclass(frozen=True)
class Method:
    label: str
    run: Callable                 # (problem, seed, trials) -> losses in trial order
    problems: tuple = PROBLEMS
    capped: bool = False          # limited to --gp-trials
    needs: str = ""               # module that must import, else the row says "missing"


def _partial(fn, *args):
    import functools
    return functools.partial(fn, *args)


METHODS = {
    "random": Method("symsearch Random", _partial(run_symsearch, "random")),
    "evolution": Method("symsearch RegularizedEvolution(20, 5)",
                        _partial(run_symsearch, "evolution"),
                        needs="symsearch.algorithms.evolution"),
    "evolution_defaults": Method("symsearch RegularizedEvolution() defaults 100/10",
                                 _partial(run_symsearch, "evolution_defaults"),
                                 needs="symsearch.algorithms.evolution"),
    "tpe": Method("symsearch Bayesian(tpe)", _partial(run_symsearch, "tpe"),
                  needs="symsearch.algorithms.bayesian"),
    "gp": Method("symsearch Bayesian(gp)", _partial(run_symsearch, "gp"), capped=True,
                 needs="symsearch.algorithms.bayesian"),
    "optuna_tpe": Method("Optuna TPESampler", _partial(run_optuna, "tpe"), needs="optuna"),
    "optuna_gp": Method("Optuna GPSampler", _partial(run_optuna, "gp"), capped=True,
                        needs="optuna"),
    "ngopt": Method("Nevergrad NGOpt", run_nevergrad, needs="nevergrad"),
    "bandit": Method("symsearch ArmBandit(inner=tpe)", _partial(run_symsearch, "bandit"),
                     problems=("cash",), needs="symsearch.algorithms.bandit"),
}


# ---- running ----------------------------------------------------------------------------------

def _init_worker() -> None:
    # One thread per process: the pool already uses every core.
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"
    warnings.filterwarnings("ignore")
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass
    try:
        # Imported here so that no run's time includes the import.
        import optuna
        import optuna.samplers._gp  # noqa: F401
        optuna.logging.set_verbosity(optuna.logging.ERROR)
    except ImportError:
        pass
    try:
        import nevergrad  # noqa: F401
    except ImportError:
        pass


def _job(method: str, problem: str, seed: int, trials: int) -> tuple:
    warnings.filterwarnings("ignore")
    start = time.perf_counter()
    losses = METHODS[method].run(problem, seed, trials)
    return method, problem, seed, losses, time.perf_counter() - start


def missing_modules(methods) -> dict:
    import importlib.util
    out = {}
    for key in methods:
        needs = METHODS[key].needs
        if needs:
            try:
                found = importlib.util.find_spec(needs) is not None
            except ModuleNotFoundError:
                found = False
            if not found:
                out[key] = needs
    return out


def run_all(methods, problems, seeds: int, checkpoints: tuple, gp_trials: int,
            workers: int) -> tuple:
    """{(method, problem): [losses per seed]}, {(method, problem): [seconds per seed]}."""
    jobs = []
    for key in methods:
        method = METHODS[key]
        trials = min(max(checkpoints), gp_trials) if method.capped else max(checkpoints)
        for problem in problems:
            if problem in method.problems:
                jobs.extend((key, problem, seed, trials) for seed in range(seeds))
    # The expensive (GP) jobs first, so the pool ends together.
    jobs.sort(key=lambda j: (not METHODS[j[0]].capped, j[0] == "random"))
    runs: dict = {}
    seconds: dict = {}
    done = 0
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                initializer=_init_worker) as pool:
        futures = [pool.submit(_job, *job) for job in jobs]
        for future in concurrent.futures.as_completed(futures):
            key, problem, seed, losses, elapsed = future.result()
            runs.setdefault((key, problem), []).append(losses)
            seconds.setdefault((key, problem), []).append(elapsed)
            done += 1
            if done % 20 == 0 or done == len(jobs):
                print(f"  {done}/{len(jobs)} runs", file=sys.stderr, flush=True)
    return runs, seconds


# ---- statistics -------------------------------------------------------------------------------

def best_after(losses: list, k: int) -> Optional[float]:
    if len(losses) < k:
        return None
    return min(losses[:k])


def quartiles(values: list) -> tuple:
    import numpy as np
    q1, median, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75])
    return float(q1), float(median), float(q3)


def summarize(runs: dict, checkpoints: tuple) -> dict:
    """{(method, problem, k): (q1, median, q3)} over seeds."""
    out = {}
    for (key, problem), per_seed in runs.items():
        for k in checkpoints:
            values = [best_after(losses, k) for losses in per_seed]
            if values and all(v is not None for v in values):
                out[(key, problem, k)] = quartiles(values)
    return out


def within_noise(a: tuple, b: tuple) -> bool:
    """Each median inside the other's interquartile range."""
    return b[0] <= a[1] <= b[2] and a[0] <= b[1] <= a[2]


# ---- output -------------------------------------------------------------------------------------

def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.3g}"
    return f"{value:.4g}"


def _cell(stats: Optional[tuple]) -> str:
    if stats is None:
        return "-"
    q1, median, q3 = stats
    return f"{_fmt(median)} [{_fmt(q1)}, {_fmt(q3)}]"


def print_tables(summary: dict, seconds: dict, methods, problems, checkpoints, missing: dict,
                 seeds: int, gp_trials: int) -> None:
    from symsearch.evaluators import synthetic
    try:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
    except ImportError:
        Console = None
    for problem in problems:
        title = (f"{PROBLEM_TITLES[problem]}: best loss after N trials, median "
                 f"[q1, q3] over {seeds} seeds; minimum {_fmt(synthetic.minimum(problem))}")
        header = ["method"] + [f"{k} trials" for k in checkpoints] + ["s/run"]
        rows = []
        for key in methods:
            method = METHODS[key]
            if problem not in method.problems:
                continue
            if key in missing:
                rows.append([method.label] + [f"missing ({missing[key]})"] +
                            [""] * len(checkpoints))
                continue
            times = seconds.get((key, problem))
            label = method.label + (f" (capped at {gp_trials})" if method.capped and
                                    gp_trials < max(checkpoints) else "")
            rows.append([label] + [_cell(summary.get((key, problem, k))) for k in checkpoints]
                        + [f"{sorted(times)[len(times) // 2]:.2f}" if times else "-"])
        if Console is not None:
            # Text, not markup: "[q1, q3]" must print as written.
            table = Table(title=Text(title), title_justify="left")
            for i, name in enumerate(header):
                table.add_column(Text(name), justify="left" if i == 0 else "right")
            for row in rows:
                table.add_row(*(Text(cell) for cell in row))
            Console(width=160).print(table)
        else:
            print(title)
            print(" | ".join(header))
            for row in rows:
                print(" | ".join(row))
        print()


def print_targets(summary: dict, methods, problems, checkpoints, missing: dict) -> list:
    """Prints the target lines; returns them as (name, ok or None)."""
    lines = []
    last = max(checkpoints)
    mid = sorted(checkpoints)[len(checkpoints) // 2] if len(checkpoints) > 1 else last

    def line(text: str, ok: Optional[bool]) -> None:
        status = "OK" if ok else ("MISSED" if ok is not None else "n/a")
        print(f"  [{status}] {text}")
        lines.append((text, ok))

    print("Targets")
    print(f"Bayesian(tpe) within noise of Optuna TPE (it is the same sampler): at each of "
          f"{'/'.join(map(str, checkpoints))} trials, each median lies in the other's "
          f"interquartile range")
    for problem in problems:
        if "tpe" in missing or "optuna_tpe" in missing:
            absent = missing.get("tpe") or missing.get("optuna_tpe")
            line(f"{problem}: not measured (missing {absent})", None)
            continue
        failed = []
        for k in checkpoints:
            a, b = summary.get(("tpe", problem, k)), summary.get(("optuna_tpe", problem, k))
            if a is None or b is None or not within_noise(a, b):
                failed.append(k)
        identical = all(summary.get(("tpe", problem, k)) == summary.get(("optuna_tpe", problem, k))
                        for k in checkpoints)
        line(f"{problem}: " + ("within noise at every checkpoint" if not failed else
                               f"outside at {failed} trials")
             + (" (identical quartiles: the same proposals)" if identical else ""), not failed)
    print(f"RegularizedEvolution beats Random on every function at {last} trials (lower "
          f"median)")
    for problem in problems:
        if "evolution" in missing:
            line(f"{problem}: not measured (missing {missing['evolution']})", None)
            continue
        re_, rnd = summary.get(("evolution", problem, last)), summary.get(("random", problem, last))
        if re_ is None or rnd is None:
            line(f"{problem}: not measured", None)
            continue
        line(f"{problem}: evolution {_fmt(re_[1])} vs random {_fmt(rnd[1])} "
             f"({_ratio(re_[1], rnd[1], problem)})", re_[1] < rnd[1])
    if "cash" in problems:
        print(f"On the CASH surrogate the arm bandit reaches TPE's {last}-trial median in "
              f"<= {mid} trials")
        if "bandit" in missing or "tpe" in missing:
            line(f"cash: not measured (missing {missing.get('bandit') or missing.get('tpe')})",
                 None)
        else:
            bandit, tpe = summary.get(("bandit", "cash", mid)), summary.get(("tpe", "cash", last))
            if bandit is None or tpe is None:
                line("cash: not measured", None)
            else:
                optuna_tpe = summary.get(("optuna_tpe", "cash", last))
                extra = f"; Optuna TPE at {last}: {_fmt(optuna_tpe[1])}" if optuna_tpe else ""
                line(f"cash: bandit at {mid} trials {_fmt(bandit[1])} vs Bayesian(tpe) at "
                     f"{last} trials {_fmt(tpe[1])}{extra}", bandit[1] <= tpe[1])
    return lines


def _ratio(a: float, b: float, problem: str) -> str:
    from symsearch.evaluators import synthetic
    optimum = synthetic.minimum(problem)
    ra, rb = a - optimum, b - optimum
    if rb <= 0:
        return "regret ratio n/a"
    return f"regret ratio {ra / rb:.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 seeds, 10/20/40 trials, GP capped at 20: a smoke test")
    parser.add_argument("--seeds", type=int, help="number of seeds (default 10, quick 3)")
    parser.add_argument("--gp-trials", type=int,
                        help="cap on the GP rows' trials (default 100, quick 20)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes (default: one per core)")
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--problems", nargs="+", choices=PROBLEMS, default=list(PROBLEMS))
    args = parser.parse_args(argv)
    checkpoints = (10, 20, 40) if args.quick else (50, 100, 200)
    seeds = args.seeds or (3 if args.quick else 10)
    gp_trials = args.gp_trials or (20 if args.quick else 100)
    if seeds < 1 or gp_trials < 1 or args.workers < 1:
        parser.error("--seeds, --gp-trials and --workers must be positive")

    missing = missing_modules(args.methods)
    runnable = [m for m in args.methods if m not in missing]
    start = time.perf_counter()
    print(f"search_quality: {len(args.problems)} problems x {len(runnable)} methods x {seeds} "
          f"seeds, checkpoints {checkpoints}, GP rows capped at {gp_trials} trials, "
          f"{args.workers} processes", flush=True)
    runs, seconds = run_all(runnable, args.problems, seeds, checkpoints, gp_trials,
                            args.workers)
    summary = summarize(runs, checkpoints)
    print()
    print_tables(summary, seconds, args.methods, args.problems, checkpoints, missing, seeds,
                 gp_trials)
    if gp_trials < max(checkpoints):
        print(f"Note: GP rows (symsearch Bayesian(gp), Optuna GPSampler) ran {gp_trials} trials "
              f"per seed, not {max(checkpoints)}: GP proposals cost seconds each at "
              f"100-200 trials, too slow for the full grid on 2 cores (--gp-trials N "
              f"changes it).")
    print_targets(summary, args.methods, args.problems, checkpoints, missing)
    print(f"\nTotal wall time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
