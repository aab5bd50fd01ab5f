"""How close the Ray runner comes to perfect parallel scaling.

Each trial sleeps ``--sleep`` seconds (0.5) and holds ``--cpus-per-trial`` (0.125) of a CPU, so
``--concurrency`` (16) trials fit on a local Ray started with ``--num-cpus`` (2). The driver keeps
16 trials in flight, submitting a new one as each completes, the way the search loop does.
With no overhead the runner would finish ``concurrency / sleep`` = 32 trials per second;
parallel efficiency is the throughput measured over that ideal.

    python benchmarks/ray_scaling.py [--trials 96] [--no-warm-up] [--external-ray]

Sleeping evaluations measure the runner and Ray (dispatch, scheduling, result transfer), not
the CPU: 16 sleeping trials on 2 cores is the point.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time


def sleep_evaluator(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def run(runner, trials: int, sleep_s: float) -> dict:
    """Drives ``trials`` evaluations through ``runner``, ``max_concurrent`` in flight."""
    submitted = completed = failed = 0
    evaluation_s, driver_s = [], 0.0
    start = time.perf_counter()
    while completed < trials:
        t0 = time.perf_counter()
        while submitted < trials and runner.num_in_flight < runner.max_concurrent:
            runner.submit(submitted, sleep_evaluator, sleep_s)
            submitted += 1
        driver_s += time.perf_counter() - t0
        for completion in runner.poll(timeout=10.0):
            completed += 1
            if completion.ok:
                evaluation_s.append(completion.elapsed)
            else:
                failed += 1
                print(f"trial {completion.trial_id} failed: {completion.reason}: "
                      f"{completion.error}", file=sys.stderr)
    wall = time.perf_counter() - start
    return {"wall_s": wall, "failed": failed, "submit_s": driver_s,
            "mean_eval_s": statistics.fmean(evaluation_s) if evaluation_s else float("nan")}


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=96)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sleep", type=float, default=0.5)
    parser.add_argument("--cpus-per-trial", type=float, default=0.125)
    parser.add_argument("--num-cpus", type=int, default=2)
    parser.add_argument("--no-warm-up", action="store_true")
    parser.add_argument("--external-ray", action="store_true",
                        help="call ray.init() here rather than let the runner start Ray")
    args = parser.parse_args(argv)

    import ray
    from symsearch.runners import Ray

    # The runner starts the local Ray itself, so that it can keep a worker process per trial
    # slot alive (see Ray._init_arguments); --external-ray measures Ray started by hand.
    init_kwargs = dict(num_cpus=args.num_cpus, include_dashboard=False, logging_level="ERROR")
    t0 = time.perf_counter()
    if args.external_ray:
        ray.init(**init_kwargs)
    runner = Ray(workers=args.concurrency, cpus_per_trial=args.cpus_per_trial,
                 init_kwargs=init_kwargs)
    try:
        runner.start()
        init_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        warm = None if args.no_warm_up else runner.warm_up()
        warm_s = time.perf_counter() - t0
        stats = run(runner, args.trials, args.sleep)
    finally:
        runner.shutdown()
        ray.shutdown()

    throughput = args.trials / stats["wall_s"]
    ideal = args.concurrency / args.sleep
    efficiency = throughput / ideal
    rows = [
        ("ray.init (not timed below)", f"{init_s:.2f} s"),
        ("warm-up (not timed below)",
         "skipped" if warm is None else f"{warm_s:.2f} s, {warm} workers up at once"),
        ("trials", f"{args.trials} ({stats['failed']} failed)"),
        ("concurrency", f"{args.concurrency} x {args.cpus_per_trial} CPU on {args.num_cpus} CPUs"),
        ("evaluation",
         f"sleep {args.sleep} s (mean measured on worker {stats['mean_eval_s']:.3f} s)"),
        ("wall time", f"{stats['wall_s']:.3f} s (ideal {args.trials / ideal:.3f} s)"),
        ("driver time in submit", f"{stats['submit_s'] * 1e3:.1f} ms"),
        ("throughput", f"{throughput:.2f} trials/s"),
        ("ideal", f"{ideal:.2f} trials/s ({args.concurrency} / {args.sleep} s)"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    print(f"parallel efficiency: {efficiency * 100:.1f}% (target >= 90%)")
    return efficiency


if __name__ == "__main__":
    main()
