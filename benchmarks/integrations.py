"""Integrations against each library's own default searcher, at the same budget.

Ray Tune (one local Ray, ``num_cpus=2``): Hartmann-6 (``symsearch.evaluators.synthetic``,
minimized, known minimum -3.32237) as a Tune function trainable, ``N`` trials per run, two
trials at a time, for

- ``SymsearchSearcher(space, "tpe")`` and ``SymsearchSearcher(space, "evolution")`` over the
  symsearch space (an ``ss.Dict`` of six ``floatv(0, 1)``);
- Ray Tune's ``BasicVariantGenerator`` (its default: random sampling of ``tune.uniform``);
- Ray Tune's ``OptunaSearch`` (TPE) over the same ``tune.uniform`` box.

scikit-learn: the digits data (1,797 images; 75/25 train/test split fixed), an RBF SVM
(``C`` in [1e-2, 1e3], ``gamma`` in [1e-5, 1e-1], both log-uniform) behind a
``StandardScaler``, 3-fold CV on the training part, ``n_iter`` candidates, for
``SymsearchCV(algorithm="tpe")``, ``SymsearchCV(algorithm="evolution")`` and
``RandomizedSearchCV`` with ``scipy.stats.loguniform`` over the same box; the refit best is
scored on the held-out test part too.

Every method runs once per seed (the same seeds for all); the tables show the median and
range over seeds of the best value after the budget, and the wall time per run.

Targets (printed OK/MISSED):

- Ray Tune: SymsearchSearcher(tpe) and SymsearchSearcher(evolution) each reach a lower
  median best than BasicVariantGenerator;
- Ray Tune: SymsearchSearcher(tpe) is within noise of OptunaSearch (the same kind of
  sampler): its median lies inside OptunaSearch's range over seeds, or below it;
- scikit-learn: SymsearchCV(tpe) reaches a median best CV accuracy >= RandomizedSearchCV's.

    python benchmarks/integrations.py                    # 5 seeds, 30 Tune trials, 20 CV candidates
    python benchmarks/integrations.py --quick            # 2 seeds, 10 trials, 6 candidates
    nice -n 10 python benchmarks/integrations.py --seeds 10 --trials 60
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
import warnings
from typing import Any, Callable

import symsearch as ss
from symsearch.evaluators.synthetic import FUNCTIONS

HARTMANN = FUNCTIONS["hartmann6"]


# ---- Ray Tune ---------------------------------------------------------------------------------

def _tune_trainable(config: dict) -> None:
    from ray import tune
    value = HARTMANN([config[name] for name in HARTMANN.names])
    tune.report({"loss": value})


def _run_tune(search_alg: Any, param_space: dict, trials: int, storage: str, name: str) -> float:
    """One Tuner.fit; returns the best loss found."""
    from ray import tune
    tuner = tune.Tuner(
        _tune_trainable, param_space=param_space,
        tune_config=tune.TuneConfig(search_alg=search_alg, metric="loss", mode="min",
                                    num_samples=trials, max_concurrent_trials=2,
                                    reuse_actors=True),
        run_config=tune.RunConfig(storage_path=storage, name=name, verbose=0))
    results = tuner.fit()
    if results.errors:
        raise RuntimeError(f"{name}: {len(results.errors)} trials failed: {results.errors[0]}")
    return min(r.metrics["loss"] for r in results if r.metrics and "loss" in r.metrics)


def tune_methods(seed: int) -> dict:
    """name -> (search_alg factory, param_space) for one seed."""
    from ray import tune
    from ray.tune.search import BasicVariantGenerator
    from ray.tune.search.optuna import OptunaSearch

    from symsearch.integrations.ray_tune import SymsearchSearcher

    box = {name: tune.uniform(lo, hi) for name, (lo, hi) in zip(HARTMANN.names, HARTMANN.bounds)}
    return {
        "SymsearchSearcher(tpe)": (lambda: SymsearchSearcher(
            HARTMANN.space(), "tpe", metric="loss", mode="min", seed=seed), {}),
        "SymsearchSearcher(evolution)": (lambda: SymsearchSearcher(
            HARTMANN.space(), {"type": "evolution", "population_size": 10,
                               "tournament_size": 3},
            metric="loss", mode="min", seed=seed), {}),
        "BasicVariantGenerator": (lambda: BasicVariantGenerator(random_state=seed), box),
        "OptunaSearch(tpe)": (lambda: OptunaSearch(metric="loss", mode="min", seed=seed), box),
    }


def bench_tune(seeds: list, trials: int, storage: str) -> dict:
    import ray
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             logging_level=logging.ERROR)
    out: dict = {}
    try:
        for seed in seeds:
            for name, (make, param_space) in tune_methods(seed).items():
                start = time.perf_counter()
                best = _run_tune(make(), param_space, trials, storage,
                                 f"{name.replace('(', '_').replace(')', '')}-{seed}")
                out.setdefault(name, []).append((best, time.perf_counter() - start))
                print(f"  tune seed {seed} {name:<30} best {best:.4f}", flush=True)
    finally:
        ray.shutdown()
    return out


# ---- scikit-learn -----------------------------------------------------------------------------

def _digits_split() -> tuple:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def sklearn_methods(seed: int, n_iter: int) -> dict:
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from symsearch.integrations.sklearn import SymsearchCV

    def pipeline():
        return Pipeline([("scale", StandardScaler()), ("model", SVC())])

    space = {"model__C": ss.floatv(1e-2, 1e3, scale="log"),
             "model__gamma": ss.floatv(1e-5, 1e-1, scale="log")}
    common = dict(n_iter=n_iter, cv=3, random_state=seed, n_jobs=1)
    return {
        "SymsearchCV(tpe)": lambda: SymsearchCV(pipeline(), space, algorithm="tpe",
                                                batch_size=1, **common),
        "SymsearchCV(evolution)": lambda: SymsearchCV(
            pipeline(), space, algorithm={"type": "evolution", "population_size": 6,
                                          "tournament_size": 3}, batch_size=1, **common),
        "RandomizedSearchCV": lambda: RandomizedSearchCV(
            pipeline(), {"model__C": loguniform(1e-2, 1e3),
                         "model__gamma": loguniform(1e-5, 1e-1)}, **common),
    }


def bench_sklearn(seeds: list, n_iter: int) -> dict:
    X_train, X_test, y_train, y_test = _digits_split()
    out: dict = {}
    for seed in seeds:
        for name, make in sklearn_methods(seed, n_iter).items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                search = make().fit(X_train, y_train)
            elapsed = time.perf_counter() - start
            out.setdefault(name, []).append((search.best_score_, search.score(X_test, y_test),
                                             elapsed))
            print(f"  sklearn seed {seed} {name:<24} cv {search.best_score_:.4f}", flush=True)
    return out


# ---- reporting --------------------------------------------------------------------------------

def _summary(values: list) -> str:
    return f"{statistics.median(values):.4f} [{min(values):.4f}, {max(values):.4f}]"


def print_tune(results: dict, trials: int) -> None:
    print(f"\nRay Tune, Hartmann-6 (min -3.32237), best loss after {trials} trials: "
          f"median [min, max] over {len(next(iter(results.values())))} seeds")
    print(f"{'searcher':<30} {'best loss':<28} {'s/run':>7}")
    for name, runs in results.items():
        print(f"{name:<30} {_summary([b for b, _ in runs]):<28} "
              f"{statistics.median([t for _, t in runs]):>7.1f}")


def print_sklearn(results: dict, n_iter: int) -> None:
    print(f"\nscikit-learn, digits, RBF SVM (C, gamma), {n_iter} candidates, 3-fold CV: "
          f"median [min, max] over {len(next(iter(results.values())))} seeds")
    print(f"{'search':<24} {'best CV accuracy':<28} {'test accuracy':<28} {'s/run':>7}")
    for name, runs in results.items():
        print(f"{name:<24} {_summary([r[0] for r in runs]):<28} "
              f"{_summary([r[1] for r in runs]):<28} "
              f"{statistics.median([r[2] for r in runs]):>7.1f}")


def _target(ok: bool, text: str) -> None:
    print(f"{'OK' if ok else 'MISSED'}: {text}")


def print_targets(tune: dict, sk: dict) -> None:
    print()
    median: Callable = lambda runs, i=0: statistics.median([r[i] for r in runs])  # noqa: E731
    if tune:
        bvg = median(tune["BasicVariantGenerator"])
        for name in ("SymsearchSearcher(tpe)", "SymsearchSearcher(evolution)"):
            m = median(tune[name])
            _target(m < bvg, f"Ray Tune: {name} median best {m:.4f} < BasicVariantGenerator "
                             f"{bvg:.4f}")
        tpe = median(tune["SymsearchSearcher(tpe)"])
        optuna = [r[0] for r in tune["OptunaSearch(tpe)"]]
        _target(tpe <= max(optuna),
                f"Ray Tune: SymsearchSearcher(tpe) median {tpe:.4f} within or below "
                f"OptunaSearch's range [{min(optuna):.4f}, {max(optuna):.4f}]")
    if sk:
        ours, theirs = median(sk["SymsearchCV(tpe)"]), median(sk["RandomizedSearchCV"])
        _target(ours >= theirs, f"scikit-learn: SymsearchCV(tpe) median best CV accuracy "
                                f"{ours:.4f} >= RandomizedSearchCV {theirs:.4f}")


def main(argv: Any = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--trials", type=int, default=30, help="Ray Tune trials per run")
    parser.add_argument("--n-iter", type=int, default=20, help="CV candidates per search")
    parser.add_argument("--quick", action="store_true", help="2 seeds, 10 trials, 6 candidates")
    parser.add_argument("--skip-tune", action="store_true")
    parser.add_argument("--skip-sklearn", action="store_true")
    parser.add_argument("--storage", default="/tmp/symsearch_bench_integrations")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.trials, args.n_iter = 2, 10, 6
    seeds = list(range(args.seeds))
    logging.getLogger("optuna").setLevel(logging.WARNING)
    tune = {} if args.skip_tune else bench_tune(seeds, args.trials, args.storage)
    sk = {} if args.skip_sklearn else bench_sklearn(seeds, args.n_iter)
    if tune:
        print_tune(tune, args.trials)
    if sk:
        print_sklearn(sk, args.n_iter)
    print_targets(tune, sk)


if __name__ == "__main__":
    main()
