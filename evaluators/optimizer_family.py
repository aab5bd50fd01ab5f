"""The family suite: optimizer proxy tasks on which the optimizer's structure matters, and the
check that it does, run before any search.

:data:`FAMILY_SUITE` is a :class:`~symsearch.evaluators.optimizer_proxy.ProxySuite` over the
tasks of ``_optimizer_family_tasks`` (sparse features, badly scaled inputs, axis-aligned
ill-conditioning, deep tanh networks, large batches). :func:`family_gap` tunes SGD-momentum
and AdamW (lr multiplier and weight decay over the same grid, on the selection tier) and
reports, per held-out task, the mean paired difference over seeds with its 95% interval: a
task whose interval holds zero does not separate the families and is replaced.

:func:`evaluate` and :func:`funnel` are the suite's evaluators for ``ss.search`` and for
experiment files (the funnel's warm start is SGD-momentum by default)::

    evaluator:
      ref: symsearch.evaluators.optimizer_family:funnel

>>> from symsearch.spaces import optimizers as opt
>>> result = evaluate(opt.sgd_momentum())
>>> sorted(k for k in result if k.startswith("loss/"))
['loss/logreg_sparse', 'loss/mlp_digits_scaled', 'loss/quadratic_diagonal']
>>> result["state_buffers"]
1.0
"""
from __future__ import annotations

import statistics
from typing import Iterable, Optional, Sequence

from symsearch.evaluators import _optimizer_family_tasks as family_tasks
from symsearch.evaluators import optimizer_proxy as proxy
from symsearch.evaluators.optimizer_tuning import (LR_GRID, WD_GRID, heldout_scores,
                                                   paired_interval, tune)
from symsearch.programs.program import Program

#: Proxy / selection / held-out tiers of the family tasks (see ``_optimizer_family_tasks``).
FAMILY_SUITE = proxy.ProxySuite(tiers=dict(family_tasks.TIERS))
#: The same, with every held-out candidate (the gap check's input).
CANDIDATE_SUITE = proxy.ProxySuite(tiers={**family_tasks.TIERS,
                                          "heldout": family_tasks.CANDIDATE_HELDOUT})


def evaluate(program: Program, tier: str = "proxy", seeds: Iterable[int] = (0,),
             lr_multiplier: float = 1.0, backend: str = "auto") -> dict:
    """``optimizer_proxy.evaluate`` on :data:`FAMILY_SUITE`; minimize ``"fitness"``."""
    return proxy.evaluate(program, tier=tier, backend=backend, seeds=seeds,
                          lr_multiplier=lr_multiplier, suite=FAMILY_SUITE)


_FUNNELS: dict = {}


def funnel(program: Program, warm_start="sgd_momentum", promote_margin: float = 0.0,
           discovery_margin: float = 0.0, backend: str = "auto",
           update_scales: Sequence[float] = (1.0,)) -> dict:
    """:class:`~symsearch.evaluators.optimizer_proxy.FunnelEvaluator` on the family suite:
    every program is scored on the proxy tier (at the best of ``update_scales``), those
    that beat ``warm_start`` there are re-scored on the selection tier; minimize
    ``"score"``. ``warm_start`` is a known program's name or a Program; one funnel per
    setting and process."""
    update_scales = tuple(update_scales)
    key = (warm_start if isinstance(warm_start, str) else id(warm_start), promote_margin,
           discovery_margin, backend, update_scales)
    evaluator = _FUNNELS.get(key)
    if evaluator is None:
        if isinstance(warm_start, str):
            from symsearch.spaces.optimizers import initial_program
            warm_start = initial_program(warm_start)
        evaluator = _FUNNELS[key] = proxy.FunnelEvaluator(
            warm_start, promote_margin=promote_margin, discovery_margin=discovery_margin,
            backend=backend, suite=FAMILY_SUITE, update_scales=update_scales)
    return evaluator(program)


def family_gap(suite: proxy.ProxySuite = CANDIDATE_SUITE, seeds: Iterable[int] = range(10),
               tune_tier: str = "large", tune_seeds: Iterable[int] = (0,),
               lr_grid: Sequence[float] = LR_GRID, weight_decays: Sequence[float] = WD_GRID,
               reference: str = "sgd_momentum", contender: str = "adamw") -> dict:
    """Per held-out task, how much tuned ``contender`` beats tuned ``reference``.

    Both are tuned (lr multiplier x weight decay, the same grid) on ``tune_tier``; then every
    held-out task is trained over ``seeds``. Returns ``{"reference": Tuned, "contender":
    Tuned, "tasks": {task: {"reference": mean, "contender": mean, "gap": mean paired
    difference reference - contender (positive: the contender is better), "half": 95%
    half-width, "separates": the interval excludes zero with the contender ahead}},
    "mean": the same for the mean over tasks}``.

    >>> from symsearch.evaluators._optimizer_tasks import MLPTask
    >>> task = MLPTask("tiny", "sparse", (), batch_size=16, steps=20, lr=0.01)
    >>> tiny = proxy.ProxySuite(tiers={"large": (task,), "heldout": (task,)})
    >>> gap = family_gap(tiny, seeds=range(3), lr_grid=(1.0,), weight_decays=(0.0,))
    >>> sorted(gap["tasks"]), sorted(gap["tasks"]["tiny"])
    (['tiny'], ['contender', 'gap', 'half', 'reference', 'separates'])
    """
    from symsearch.spaces.optimizers import KNOWN_PROGRAMS

    seeds = list(seeds)
    tuned = {}
    for role, name in (("reference", reference), ("contender", contender)):
        build = KNOWN_PROGRAMS[name]
        tuned[role] = tune(lambda wd, build=build: build(weight_decay=wd), weight_decays,
                           tier=tune_tier, seeds=tune_seeds, lr_grid=lr_grid, suite=suite)
    scores = {role: heldout_scores(t, seeds, suite) for role, t in tuned.items()}
    rows = {}
    for task in list(scores["reference"]):
        ref, con = scores["reference"][task], scores["contender"][task]
        gap, half = paired_interval(ref, con)
        rows[task] = {"reference": statistics.fmean(ref), "contender": statistics.fmean(con),
                      "gap": gap, "half": half, "separates": bool(gap - half > 0)}
    mean = rows.pop("mean")
    return {"reference": tuned["reference"], "contender": tuned["contender"], "tasks": rows,
            "mean": mean}


def oracle_gap(suite: proxy.ProxySuite = CANDIDATE_SUITE, seeds: Iterable[int] = range(10),
               tune_seeds: Iterable[int] = (100, 101), lr_grid: Sequence[float] = LR_GRID,
               weight_decays: Sequence[float] = WD_GRID, reference: str = "sgd_momentum",
               contender: str = "adamw") -> dict:
    """:func:`family_gap` with both optimizers tuned *per held-out task* (on ``tune_seeds``,
    disjoint from the scoring ``seeds``): the gap that remains when each gets its best lr and
    weight decay for that very task, so it comes from the update's structure and not from
    how well one lr transfers across tasks. The suite keeps a held-out task only when this
    gap separates the families. Returns ``{task: row}`` with :func:`family_gap`'s rows."""
    rows = {}
    for task in suite.tasks("heldout"):
        one = proxy.ProxySuite(tiers={"large": (task,), "heldout": (task,)},
                               penalty=suite.penalty)
        rows[task.name] = family_gap(one, seeds, "large", tune_seeds, lr_grid, weight_decays,
                                     reference, contender)["tasks"][task.name]
    return rows


def format_gap(gap: dict, oracle: Optional[dict] = None, reference: str = "SGD-momentum",
               contender: str = "AdamW") -> str:
    """The gap check as a table, one row per held-out task and one for the mean; with
    ``oracle`` (:func:`oracle_gap`) the per-task-tuned gap beside it."""
    header = (f"{'held-out task':<32} {reference[:12]:>12} {contender[:8]:>8} "
              f"{'gap, one lr (95%)':>19}")
    if oracle is not None:
        header += (f" {reference[:12]:>12} {contender[:8]:>8} {'gap, per-task lr (95%)':>22}"
                   f" {'keep':>4}")
    lines = [header, "-" * len(header)]
    for name, row in list(gap["tasks"].items()) + [("mean over tasks", gap["mean"])]:
        line = (f"{name:<32} {row['reference']:>12.4f} {row['contender']:>8.4f} "
                f"{row['gap']:>+10.4f} ± {row['half']:.4f}")
        if oracle is not None and name in oracle:
            o = oracle[name]
            line += (f" {o['reference']:>12.4f} {o['contender']:>8.4f} "
                     f"{o['gap']:>+13.4f} ± {o['half']:.4f} "
                     f"{'yes' if o['separates'] else 'NO':>4}")
        lines.append(line)
    ref, con = gap["reference"], gap["contender"]
    lines.append(f"tuned on the selection tier: {reference} lr x{ref.lr:.3g}, wd "
                 f"{ref.weight_decay:g}; {contender} lr x{con.lr:.3g}, wd "
                 f"{con.weight_decay:g}")
    return "\n".join(lines)


__all__ = ["FAMILY_SUITE", "CANDIDATE_SUITE", "evaluate", "funnel", "family_gap",
           "oracle_gap", "format_gap"]
