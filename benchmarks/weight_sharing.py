"""Weight sharing on the project's NAS table: how well a supernet ranks, what it finds, at what
compute, beside standalone search.

    pip install "symsearch[torch,examples,nas]"
    nice -n 10 python benchmarks/weight_sharing.py          # about 8 minutes on one core
    python benchmarks/weight_sharing.py --quick             # a smoke run, figures meaningless

The table (``evaluators/data/nas_digits_table.npz``, built by ``benchmarks/build_nas_table.py``)
holds every function-level class of the 4-node, 4-op cell space trained standalone on digits
(8 epochs, two seeds). Its mean test accuracy over seeds is the truth here. Sections, in one
process:

1. **Ranking.** One supernet of ``cell_space(ops=TABLE_OPS)`` (the model code of
   ``evaluators/weight_sharing/cell_model.py``, NAS-B's ops) trained ``--epochs`` epochs on
   uniformly sampled paths (single-path one-shot) per supernet seed; inherited-weight validation
   accuracy of ``--archs`` table architectures (a fixed random sample), its Kendall tau against
   the truth, beside the zero-cost proxies' (``evaluators/zero_cost.py``) and the parameter
   count's on the same architectures.
2. **Search at compute.** Standalone regularized evolution on the table (each evaluation one
   training run's validation accuracy after 8 epochs, charged 8 epochs), against single-path
   one-shot + regularized evolution on the supernet's inherited accuracies, and TuNAS trained
   jointly with the supernet, each charged its supernet training epochs; the true test
   accuracy of the architecture each picks, median over seeds.
3. **Controllers standalone.** TuNAS and REINFORCE against random search on the table.
4. **Cost.** Supernet parameters, peak memory of its training, seconds per supernet epoch on
   one and two threads.

Target lines: the supernet's tau above the parameter count's; one-shot within 1 pp of
standalone evolution's median at <= 1/10 of its training epochs; the controller's median
above random search's.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import symsearch as ss  # noqa: E402
from symsearch.algorithms import RegularizedEvolution, TuNAS, Random  # noqa: E402
from symsearch.algorithms.controller import Reinforce  # noqa: E402
from symsearch.evaluators import nas_bench  # noqa: E402
from symsearch.evaluators.weight_sharing import supernet  # noqa: E402
from symsearch.evaluators.weight_sharing.cell_model import cell_network  # noqa: E402
from symsearch.evaluators.weight_sharing.digits_cell import TABLE_OPS, has_output  # noqa: E402
from symsearch.evaluators.weight_sharing.one_shot import (PathTrainer, SupernetEvaluator,  # noqa: E402
                                                          default_data, torch_threads,
                                                          train_jointly, train_uniform)
from symsearch.search.objectives import Objectives  # noqa: E402
from symsearch.spaces.nas_cell import cell_space  # noqa: E402

PROXIES = ("grad_norm", "snip", "synflow", "naswot", "jacob_cov")


def kendall(scores, truth) -> float:
    from symsearch.evaluators.zero_cost import rank_correlations
    return rank_correlations(np.asarray(scores, dtype=float), np.asarray(truth))["kendall_tau"]


def truth_of(table, cell) -> float:
    return float(table.test_accuracy[table.row(cell)].mean())


def in_table(table, cell) -> bool:
    try:
        table.row(cell)
        return True
    except nas_bench.ArchitectureNotInTable:
        return False


def pick(table, result, metric, sign):
    """The best trial's cell among those the table holds (all of them on a full table)."""
    done = [t for t in result.trials if t.status in ("done", "cached") and t.metrics]
    for record in sorted(done, key=lambda t: -sign * t.metrics[metric]):
        cell = ss.from_json_str(record.candidate_json)
        if in_table(table, cell):
            return cell
    raise RuntimeError("no trial of the search is in the table")


def ranking(table, space, archs, seeds, epochs, lr):
    """Section 1: tau of inherited accuracy, zero-cost proxies and params on ``archs``."""
    from symsearch.evaluators.zero_cost import compute_proxies
    truth = [truth_of(table, c) for c in archs]
    rows, evaluators = [], []
    for seed in seeds:
        start = time.perf_counter()
        evaluator = SupernetEvaluator(space, cell_network, warmup_epochs=epochs, lr=lr,
                                      seed=seed, device="auto", accept=has_output)
        scores = evaluator.scores(archs)
        losses = evaluator.scores(archs, metric="loss")
        evaluators.append(evaluator)
        elapsed = time.perf_counter() - start
        rows.append((f"one-shot supernet, val accuracy (seed {seed})", kendall(scores, truth),
                     elapsed))
        rows.append((f"one-shot supernet, -val loss (seed {seed})",
                     kendall([-v for v in losses], truth), 0.0))
    start = time.perf_counter()
    with torch_threads(1):
        proxy_scores = [compute_proxies(c, names=PROXIES + ("params",)) for c in archs]
    elapsed = time.perf_counter() - start
    for name in PROXIES:
        rows.append((f"zero-cost {name}", kendall([s[name] for s in proxy_scores], truth),
                     elapsed / len(PROXIES)))
    rows.append(("parameter count (table)",
                 kendall([table.params[table.row(c)] for c in archs], truth), 0.0))
    return rows, evaluators


def standalone_evolution(table, space, trials, seed):
    """Regularized evolution on one training run per evaluation; (true acc, epochs)."""
    n_seeds = len(table.seeds)
    result = ss.search(space, lambda c: nas_bench.evaluate(c, seed=table.seeds[seed % n_seeds], table=table),
                       objective="max:val_accuracy",
                       algorithm=RegularizedEvolution(population_size=20, tournament_size=5),
                       num_trials=trials, seed=seed, fail_fast=False)
    epochs = sum(t.metrics["epochs"] for t in result.trials if t.status == "done")
    return truth_of(table, result.best.value), epochs


def one_shot_evolution(table, space, evaluator, trials, seed, objective="max:val_accuracy"):
    """Regularized evolution on a trained supernet's inherited accuracy (or loss)."""
    result = ss.search(space, evaluator, objective=objective,
                       algorithm=RegularizedEvolution(population_size=20, tournament_size=5),
                       num_trials=trials, seed=seed)
    metric, sign = ("val_accuracy", 1) if objective.startswith("max") else ("val_loss", -1)
    return truth_of(table, pick(table, result, metric, sign)), evaluator.trainer.epochs_done


def tunas_joint(table, space, epochs, lr, seed):
    """TuNAS: a quarter of the epochs uniform warm-up, then alternating steps."""
    torch.manual_seed(seed)
    data = default_data()
    net = supernet(space, cell_network)
    trainer = PathTrainer(net, *data["train"], lr=lr, batch_size=32, seed=seed)
    steps = epochs * trainer.steps_per_epoch
    controller = TuNAS(warmup_trials=steps // 4, learning_rate=0.05, entropy_weight=0.01,
                       seed=seed)
    controller.setup(net.spec, Objectives.parse("max:val_accuracy"))
    train_jointly(net, trainer, controller, *data["val"], steps=steps, reward_batch=128,
                  seed=seed)
    best = ss.materialize(space, controller.most_likely())
    if not in_table(table, best):        # a partial table: the policy's likeliest cell it holds
        def log_p(cell):
            dna = ss.encode(space, cell)
            return sum(math.log(controller.probabilities(i)[v]) for i, v in enumerate(dna))
        best = max(table.cells(), key=log_p)
    return truth_of(table, best), trainer.epochs_done


def standalone_controller(table, space, algorithm, trials, seed):
    n_seeds = len(table.seeds)
    result = ss.search(space, lambda c: nas_bench.evaluate(c, seed=table.seeds[seed % n_seeds], table=table),
                       objective="max:val_accuracy", algorithm=algorithm, num_trials=trials,
                       seed=seed, fail_fast=False)
    return truth_of(table, result.best.value)


def cost(space, lr, threads_tried=(1, 2)):
    data = default_data()
    torch.manual_seed(0)
    net = supernet(space, cell_network, device="cpu")
    params = sum(p.numel() for p in net.parameters())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = []
    for threads in threads_tried:
        trainer = PathTrainer(net, *data["train"], lr=lr)
        with torch_threads(threads):
            stats = train_uniform(net, trainer, 2, lr, seed=threads)
        rows.append((threads, stats["seconds"] / 2))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return params, before, peak_kb, rows


def median(values):
    return statistics.median(values)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: figures meaningless")
    parser.add_argument("--epochs", type=int, default=80,
                        help="supernet epochs: 1/10 of 100 standalone 8-epoch evaluations")
    parser.add_argument("--archs", type=int, default=300, help="architectures ranked")
    parser.add_argument("--supernet-seeds", type=int, default=2)
    parser.add_argument("--search-seeds", type=int, default=20)
    parser.add_argument("--trials", type=int, default=100, help="standalone evaluations")
    parser.add_argument("--lr", type=float, default=0.05,
                        help="supernet SGD learning rate (the table's own, standalone)")
    parser.add_argument("--table", default=None, help="NAS table path (default: shipped)")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.archs, args.supernet_seeds, args.search_seeds, args.trials = \
            1, 10, 1, 2, 12
    torch.set_num_threads(1)
    start = time.perf_counter()
    table = nas_bench.NASTable.load(args.table)
    space = cell_space(ops=TABLE_OPS)
    rng = random.Random(0)
    archs = rng.sample(table.cells(), min(args.archs, len(table)))
    best_possible = float(table.mean_test_accuracy().max())
    classes = table.meta.get("classes", len(table))
    print(f"NAS table {table.path}: {len(table)} architectures, {table.epochs} epochs, seeds "
          f"{table.seeds}; best mean test accuracy {best_possible:.4f}")
    if len(table) < 1230:
        print(f"  a PARTIAL table ({len(table)} of the space's 1,230 classes): standalone "
              f"evaluations of cells it lacks fail, and every method's pick is its best trial "
              f"the table holds")

    print(f"\n1. Ranking {len(archs)} architectures (Kendall tau vs mean test accuracy)")
    print(f"{'method':40s} {'tau':>7s} {'seconds':>8s}")
    rank_rows, supernets = ranking(table, space, archs, range(args.supernet_seeds), args.epochs,
                                   args.lr)
    for name, tau, seconds in rank_rows:
        print(f"{name:40s} {tau:7.3f} {seconds:8.1f}", flush=True)
    supernet_taus = [tau for name, tau, _ in rank_rows if name.startswith("one-shot supernet, val")]
    loss_taus = [tau for name, tau, _ in rank_rows if name.startswith("one-shot supernet, -val")]
    params_tau = [tau for name, tau, _ in rank_rows if name.startswith("parameter")][0]
    best_proxy = max((tau, name) for name, tau, _ in rank_rows if name.startswith("zero-cost"))

    print(f"\n2. Search at compute ({args.search_seeds} seeds standalone, "
          f"{args.supernet_seeds} weight-sharing); true test accuracy of the pick")
    standalone = [standalone_evolution(table, space, args.trials, s)
                  for s in range(args.search_seeds)]
    inherited = 300 if not args.quick else 20
    # the supernets of section 1 (trained once; scoring changes no weight)
    one_shot = [one_shot_evolution(table, space, e, inherited, s)
                for s, e in enumerate(supernets)]
    one_shot_loss = [one_shot_evolution(table, space, e, inherited, s, objective="min:val_loss")
                     for s, e in enumerate(supernets)]
    joint = [tunas_joint(table, space, args.epochs, args.lr, s)
             for s in range(args.supernet_seeds)]
    print(f"{'method':44s} {'median acc':>10s} {'regret':>7s} {'epochs':>8s}")
    results = {}
    for name, runs in ((f"standalone RegEvo, {args.trials} evaluations", standalone),
                       ("one-shot supernet + RegEvo (300 inherited)", one_shot),
                       ("one-shot + RegEvo on inherited val loss", one_shot_loss),
                       ("TuNAS trained jointly with the supernet", joint)):
        acc, epochs = median([a for a, _ in runs]), median([e for _, e in runs])
        results[name] = (acc, epochs)
        print(f"{name:44s} {acc:10.4f} {best_possible - acc:7.4f} {epochs:8.0f}")

    print(f"\n3. Controllers standalone on the table, {args.trials} evaluations, "
          f"{args.search_seeds} seeds")
    controllers = {
        "random": lambda: Random(),
        "reinforce": lambda: Reinforce(learning_rate=0.05),
        "tunas": lambda: TuNAS(warmup_trials=args.trials // 4, learning_rate=0.05),
    }
    controller_acc = {}
    for name, make in controllers.items():
        accs = [standalone_controller(table, space, make(), args.trials, s)
                for s in range(args.search_seeds)]
        controller_acc[name] = median(accs)
        print(f"{name:12s} median {controller_acc[name]:.4f}  mean {statistics.mean(accs):.4f}")

    print("\n4. Supernet cost (CPU)")
    params, rss_before, rss_peak, per_epoch = cost(space, args.lr,
                                                   (1,) if args.quick else (1, 2))
    print(f"parameters {params} ({params * 4 / 1024:.0f} KiB; SGD momentum doubles it); "
          f"process peak RSS {rss_peak / 1024:.0f} MiB (before its training "
          f"{rss_before / 1024:.0f} MiB)")
    for threads, seconds in per_epoch:
        print(f"seconds per supernet epoch, {threads} thread(s): {seconds:.2f}")

    ws_tau = median(supernet_taus)
    stand_acc, stand_epochs = results[f"standalone RegEvo, {args.trials} evaluations"]
    print()
    print(f"{'OK' if ws_tau > params_tau else 'MISSED'}: supernet Kendall tau {ws_tau:.3f} "
          f"(median of {len(supernet_taus)} supernets) vs parameter count's {params_tau:.3f} "
          f"(best zero-cost proxy: {best_proxy[1]} {best_proxy[0]:.3f})")
    loss_tau = median(loss_taus)
    print(f"{'OK' if loss_tau > params_tau else 'MISSED'}: supernet Kendall tau by inherited "
          f"val loss {loss_tau:.3f} vs parameter count's {params_tau:.3f}")
    for name in ("one-shot supernet + RegEvo (300 inherited)",
                 "one-shot + RegEvo on inherited val loss",
                 "TuNAS trained jointly with the supernet"):
        acc, epochs = results[name]
        ok = acc >= stand_acc - 0.01 and epochs <= stand_epochs / 10
        print(f"{'OK' if ok else 'MISSED'}: {name}: median true test accuracy {acc:.4f} vs "
              f"standalone RegEvo's {stand_acc:.4f} (within 1 pp: {acc >= stand_acc - 0.01}) "
              f"at {epochs:.0f} vs {stand_epochs:.0f} training epochs "
              f"(<= 1/10: {epochs <= stand_epochs / 10})")
    ok = controller_acc["tunas"] > controller_acc["random"]
    print(f"{'OK' if ok else 'MISSED'}: TuNAS standalone median {controller_acc['tunas']:.4f} "
          f"vs random search's {controller_acc['random']:.4f} (REINFORCE "
          f"{controller_acc['reinforce']:.4f})")
    print(f"total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
