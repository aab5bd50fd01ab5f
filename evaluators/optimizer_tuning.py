"""Fair comparison of optimizer programs: the same lr / weight-decay grid for every contender,
tuned on the selection tier, then scored per seed on held-out tasks with paired intervals.

Every comparison in ``benchmarks/optimizer_budget.py`` and the family-gap check
(``optimizer_family.family_gap``) goes through these three functions, so no contender gets
a finer grid or a different tier than another.

>>> mean, half = paired_interval([1.0, 2.0, 3.0], [0.5, 1.5, 2.0])
>>> round(mean, 3), round(half, 3)
(0.667, 0.717)
"""
from __future__ import annotations

import math
import statistics
from typing import Callable, Iterable, NamedTuple, Optional, Sequence

from symsearch.evaluators import optimizer_proxy as proxy
from symsearch.programs.program import Program

#: The shared grid: lr multipliers in half decades from 1e-4 to 1e2 (every task's base lr is
#: multiplied by one of them), and weight decays up to 1, which covers the 3-10x larger
#: decay Lion's tuning rules ask for.
LR_GRID = tuple(10.0 ** (k / 2) for k in range(-8, 5))
WD_GRID = (0.0, 1e-3, 1e-2, 1e-1, 0.3, 1.0)


class Tuned(NamedTuple):
    """A contender after tuning: its program (weight decay built in, and the update scale
    when tuned by it), the lr multiplier it runs with, the weight decay (None when the
    program has no separate one), its selection fitness and the update scale (1 unless
    ``tune(..., by="update_scale")``)."""

    program: Program
    lr: float
    weight_decay: Optional[float]
    fitness: float
    update_scale: float = 1.0

    @property
    def step(self) -> float:
        """The tuned global step size: lr multiplier times update scale."""
        return self.lr * self.update_scale


def tune(build: Callable[[Optional[float]], Program], weight_decays: Sequence = (None,),
         tier: str = "large", seeds: Iterable[int] = (0,), lr_grid: Sequence[float] = LR_GRID,
         suite: Optional[proxy.ProxySuite] = None, by: str = "lr") -> Tuned:
    """The best ``(program, lr, wd)`` on ``tier`` over ``lr_grid`` x ``weight_decays``;
    ``build(wd)`` makes the program (``wd`` is None for a program whose weight decay is not a
    separate argument, such as a discovered one).

    ``by="lr"`` multiplies the program's ``lr`` input by each grid value; ``by=
    "update_scale"`` multiplies its update instead (:func:`with_update_scale`; the returned
    program has the best scale built in and runs at lr multiplier 1). The two are the same
    for a program whose update is proportional to ``lr`` (every known one, weight decay
    included); for a discovered program that uses ``lr`` otherwise or not at all, only the
    update scale tunes its step size."""
    if by not in ("lr", "update_scale"):
        raise ValueError(f"The 'by' parameter must be 'lr' or 'update_scale'. Got {by!r} "
                         f"instead.")
    if not lr_grid:
        raise ValueError("The 'lr_grid' parameter must hold at least one lr multiplier.")
    if not weight_decays:
        raise ValueError("The 'weight_decays' parameter must hold at least one value (None "
                         "for a program without a weight-decay argument).")
    seeds = tuple(seeds)
    best: Optional[Tuned] = None
    for wd in weight_decays:
        program = build(wd)
        for x in lr_grid:
            if by == "lr":
                candidate, lr, scale = program, float(x), 1.0
            else:
                candidate, lr, scale = with_update_scale(program, float(x)), 1.0, float(x)
            fitness = proxy.evaluate(candidate, tier=tier, seeds=seeds, lr_multiplier=lr,
                                     suite=suite)["fitness"]
            if best is None or fitness < best.fitness:
                best = Tuned(candidate, lr, wd, float(fitness), scale)
    return best


def with_weight_decay(program: Program, weight_decay: Optional[float]) -> Program:
    """``program`` with decoupled weight decay added to its update, ``update += wd * lr *
    w`` (AdamW's form), so a discovered program is tuned over the same weight-decay grid as
    the known ones; ``program`` itself for 0 or None."""
    if not weight_decay:
        return program
    from symsearch.programs.expr import Const
    from symsearch.programs.program import Statement

    name = "wd_term"
    while name in program.inputs or any(st.target == name for st in program.statements):
        name += "_"
    statements = [Statement(st.target, st.op, list(st.args)) for st in program.statements]
    statements += [Statement(name, "mul", ["w", Const(float(weight_decay))]),
                   Statement(name, "mul", [name, "lr"]),
                   Statement("update", "add", ["update", name])]
    return Program(list(program.inputs), statements, list(program.outputs))


def with_update_scale(program: Program, scale: float) -> Program:
    """``program`` with its update multiplied by ``scale`` (``update = update * scale``
    appended); ``program`` itself for 1. This is the lr multiplier of a program whose
    update is proportional to ``lr`` (every known one), and the same global step size for a
    program that uses ``lr`` otherwise or not at all (``update = c * sign(m)``), so the
    search can score and hand over any program at its best step size."""
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"with_update_scale: the 'scale' parameter must be a finite number "
                         f"above 0. Got {scale!r} instead.")
    if scale == 1:
        return program
    from symsearch.programs.expr import Const
    from symsearch.programs.program import Statement

    statements = [Statement(st.target, st.op, list(st.args)) for st in program.statements]
    statements.append(Statement("update", "mul", ["update", Const(float(scale))]))
    return Program(list(program.inputs), statements, list(program.outputs))


def heldout_scores(tuned: Tuned, seeds: Iterable[int],
                   suite: Optional[proxy.ProxySuite] = None) -> dict:
    """Held-out scores of a tuned contender per seed: ``{"mean": [per seed], "<task>": [per
    seed] ...}`` (normalized losses, lower is better)."""
    result = proxy.evaluate_heldout(tuned.program, seeds=seeds, lr_multiplier=tuned.lr,
                                    suite=suite)
    out = {"mean": list(result["mean_per_seed"])}
    for row in result["per_seed"]:
        for key, value in row.items():
            if key.startswith("loss/"):
                out.setdefault(key[len("loss/"):], []).append(value)
    return out


def paired_interval(a: Sequence[float], b: Sequence[float]) -> tuple:
    """Mean of ``a - b`` over paired units and the half-width of its 95% t-interval (nan for
    fewer than two pairs)."""
    if len(a) != len(b) or not a:
        raise ValueError(f"paired_interval needs two equally long non-empty sequences, got "
                         f"lengths {len(a)} and {len(b)}")
    diffs = [x - y for x, y in zip(a, b)]
    mean = statistics.fmean(diffs)
    if len(diffs) < 2:
        return mean, float("nan")
    from scipy import stats
    half = stats.t.ppf(0.975, len(diffs) - 1) * statistics.stdev(diffs) / math.sqrt(len(diffs))
    return mean, float(half)


def best_distinct(programs: Iterable[Program], top: int, seeds: Iterable[int] = (0, 1, 2),
                  suite: Optional["proxy.ProxySuite"] = None) -> tuple:
    """A search's hand-over, as the Lion paper chooses: the first ``top`` programs of
    ``programs`` (best first) that differ after ``normal_form``, re-scored on the selection
    tier over ``seeds``; returns ``(program, its selection fitness)`` of the best of them."""
    import symsearch as ss
    from symsearch.spaces import optimizers as opt

    seeds = tuple(seeds)
    chosen, seen = [], set()
    for program in programs:
        key = ss.hash(opt.normal_form(program))
        if key not in seen:
            seen.add(key)
            chosen.append(program)
            if len(chosen) == top:
                break
    if not chosen:
        raise ValueError("best_distinct: no programs to choose from")
    scored = [(proxy.evaluate(p, tier="large", seeds=seeds, suite=suite)["fitness"], i)
              for i, p in enumerate(chosen)]
    fitness, best = min(scored)
    return chosen[best], fitness


__all__ = ["LR_GRID", "WD_GRID", "Tuned", "tune", "with_weight_decay", "with_update_scale",
           "heldout_scores",
           "paired_interval", "best_distinct"]
