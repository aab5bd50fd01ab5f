"""Crash-loop soak: SIGKILL the search's process at random moments, resume, repeat.

    python benchmarks/crash_soak.py                         # random + evolution, 300 trials, 25 kills
    python benchmarks/crash_soak.py --algorithms evolution --trials 500 --kills 40
    python benchmarks/crash_soak.py --quick                 # 60 trials, 8 kills: a smoke test

For each algorithm it first runs the search once without interruption (the reference), then
again in a fresh store under a crash loop: a child process runs ``ss.search(..., resume=True)``
and the parent SIGKILLs it after a random delay (landing during start-up, resume, proposal,
evaluation, recording or snapshotting; snapshots are taken every 20 ms so that kills land
between and during them), until the number of kills is reached; a last run finishes the search.
The evaluator is deterministic and logs every evaluation it starts.

What must hold (the resume-exactness property):
- the crash-looped store holds the same trials as the reference: same ids, DNA, candidates,
  statuses and metrics;
- no candidate is recorded ``done`` more often than in the reference (duplicates = 0);
- evaluations beyond the reference's are at most one per kill (only a trial in flight at a kill
  runs again).

The soak disables the poison-trial limit (``max_attempts=None``): a random kill that lands twice
in one trial's evaluation is the operator's doing, not the trial's.
"""
from __future__ import annotations

import argparse
import collections
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- the child: one (resumed) search ------------------------------------------------------------

def soak_space():
    import symsearch as ss
    return ss.Dict(x=ss.floatv(-2.0, 2.0), y=ss.oneof([0.0, 1.0, 2.0]), z=ss.intv(0, 9))


def logged_evaluator(candidate, log_path: str, sleep_s: float):
    """Deterministic loss; appends the candidate to the log before evaluating it."""
    line = f"{candidate['x']!r} {candidate['y']!r} {candidate['z']!r}\n".encode()
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    time.sleep(sleep_s)
    return {"loss": (candidate["x"] - 0.3) ** 2 + candidate["y"] + 0.1 * candidate["z"]}


def make_algorithm(name: str):
    import symsearch as ss
    if name == "evolution":
        return ss.algorithms.RegularizedEvolution(population_size=12, tournament_size=3)
    return name


def run_child(store: str, log: str, algorithm: str, seed: int, trials: int,
              sleep_s: float) -> None:
    import functools

    import symsearch as ss
    evaluator = functools.partial(logged_evaluator, log_path=log, sleep_s=sleep_s)
    print("READY", flush=True)           # imports done: the parent's kill clock starts here
    ss.search(soak_space(), evaluator, objective="min:loss", algorithm=make_algorithm(algorithm),
              num_trials=trials, store=store, seed=seed, resume=True,
              cache=algorithm == "evolution", max_attempts=None, snapshot_every_s=0.02)


# ---- the parent: reference run, crash loop, comparison ----------------------------------------

def _spawn(store, log, algorithm, seed, trials, sleep_s) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", store, log,
                             algorithm, str(seed), str(trials), repr(sleep_s)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> None:
    _, err = proc.communicate(timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"the search process failed (exit {proc.returncode}):\n{err}")


def _trials(store: str) -> list:
    import symsearch as ss
    experiment = ss.load_experiment(store)
    return [(r.id, r.dna, r.candidate_json, r.status, r.metrics, r.cached_from)
            for r in experiment.trials]


def _log_counts(log: str) -> collections.Counter:
    if not os.path.exists(log):
        return collections.Counter()
    with open(log) as f:
        return collections.Counter(line.strip() for line in f if line.strip())


def soak(algorithm: str, trials: int, kills: int, seed: int, folder: str,
         sleep_s: float = 0.002, rng_seed: int = 0) -> dict:
    """Runs the reference and the crash loop for one algorithm; returns the figures."""
    ref_store, ref_log = (os.path.join(folder, f"{algorithm}_ref.{ext}") for ext in ("db", "log"))
    store, log = (os.path.join(folder, f"{algorithm}_soak.{ext}") for ext in ("db", "log"))
    start = time.perf_counter()
    # Calibration, timed from the child's READY (its imports done): the set-up of a search of
    # no trials, then the reference run.
    def timed(*args) -> float:
        proc = _spawn(*args)
        proc.stdout.readline()
        t0 = time.perf_counter()
        _finish(proc)
        return time.perf_counter() - t0
    setup_s = timed(os.path.join(folder, f"{algorithm}_setup.db"), os.devnull, algorithm, seed,
                    0, sleep_s)
    per_trial_s = max(1e-4, (timed(ref_store, ref_log, algorithm, seed, trials, sleep_s)
                             - setup_s) / max(trials, 1))
    reference = _trials(ref_store)
    # Kills land from half-way through set-up (and the resume that follows it) to trials/kills
    # trials into the search loop, so the kills are spent before the search ends.
    earliest_s, latest_s = 0.5 * setup_s, setup_s + per_trial_s * trials / max(kills, 1)
    rng = random.Random(rng_seed)
    done_kills = lives = 0
    while done_kills < kills:
        proc = _spawn(store, log, algorithm, seed, trials, sleep_s)
        lives += 1
        proc.stdout.readline()
        try:
            proc.wait(timeout=rng.uniform(earliest_s, latest_s))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            done_kills += 1
            continue
        _finish(proc)               # it finished before the kill came
        break
    if done_kills == kills:
        _finish(_spawn(store, log, algorithm, seed, trials, sleep_s))
        lives += 1
    soaked = _trials(store)
    ref_done = collections.Counter(repr(t[1]) for t in reference if t[3] == "done")
    soak_done = collections.Counter(repr(t[1]) for t in soaked if t[3] == "done")
    duplicates = sum(max(0, n - ref_done.get(k, 0)) for k, n in soak_done.items())
    ref_evals, soak_evals = sum(_log_counts(ref_log).values()), sum(_log_counts(log).values())
    return {"algorithm": algorithm, "trials": len(soaked), "kills": done_kills, "lives": lives,
            "equal": soaked == reference, "duplicates": duplicates,
            "first_difference": next((i for i, (a, b) in enumerate(zip(soaked, reference))
                                      if a != b), None),
            "reference_evaluations": ref_evals, "evaluations": soak_evals,
            "extra_evaluations": soak_evals - ref_evals,
            "best_reference": min(t[4]["loss"] for t in reference if t[4]),
            "best": min(t[4]["loss"] for t in soaked if t[4]),
            "setup_s": setup_s, "per_trial_ms": per_trial_s * 1e3,
            "seconds": time.perf_counter() - start}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=6, metavar="ARG", help=argparse.SUPPRESS)
    parser.add_argument("--algorithms", nargs="+", default=["random", "evolution"],
                        choices=["random", "evolution"])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="60 trials, 8 kills")
    args = parser.parse_args(argv)
    if args.child:
        store, log, algorithm, seed, trials, sleep_s = args.child
        run_child(store, log, algorithm, int(seed), int(trials), float(sleep_s))
        return 0
    if args.quick:
        args.trials, args.kills = 60, 8
    rows = []
    with tempfile.TemporaryDirectory(prefix="symsearch-soak-") as folder:
        for algorithm in args.algorithms:
            rows.append(soak(algorithm, args.trials, args.kills, args.seed, folder))
    header = ("algorithm", "trials", "kills", "lives", "duplicates", "extra evals",
              "equal to uninterrupted", "best (uninterrupted)", "seconds")
    print(" | ".join(header))
    for r in rows:
        print(" | ".join(str(v) for v in (
            r["algorithm"], r["trials"], r["kills"], r["lives"], r["duplicates"],
            r["extra_evaluations"], r["equal"], f"{r['best']:.4f} ({r['best_reference']:.4f})",
            f"{r['seconds']:.1f}")))
    ok = True
    for r in rows:
        checks = [
            (r["duplicates"] == 0, f"{r['algorithm']}: duplicate 'done' records = "
                                   f"{r['duplicates']} (target 0)"),
            (r["equal"], f"{r['algorithm']}: store equals the uninterrupted run"
                         + ("" if r["equal"] else f" (first difference at trial "
                                                  f"{r['first_difference']})")),
            (r["extra_evaluations"] <= r["kills"],
             f"{r['algorithm']}: extra evaluations {r['extra_evaluations']} <= kills "
             f"{r['kills']}"),
        ]
        for passed, text in checks:
            ok &= passed
            print(f"[{'OK' if passed else 'MISSED'}] {text}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(HERE))
    sys.exit(main())
