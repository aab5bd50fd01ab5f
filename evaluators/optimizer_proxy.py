"""Proxy tasks that score a candidate optimizer update program (Lion-style search).

A candidate is a :class:`symsearch.programs.Program` with inputs ``["w", "g", "m", "v",
"lr"]`` and outputs ``["update", "m", "v"]``. Every training step runs it on the flat vector of
all the model's parameters (``lr`` broadcast, ``m`` and ``v`` starting at zero) and applies
``w = w - update``. Reductions (``norm``, ``dot``, ...) reduce over all parameters.

Tiers (task definitions, sizes and base lrs in ``_optimizer_tasks``):

- ``"proxy"``: what selection sees, about 5 ms per evaluation with Numba. Logistic
  regression (650 parameters, 150 steps) and a 64-16-10 relu MLP (1210 parameters, 150 steps)
  on scikit-learn's digits, batch 32; a 30-D quadratic with condition number 1e3 and gradient
  noise (300 steps); 4-D Rosenbrock (500 steps).
- ``"large"``: about 20x the proxy's compute (~110 ms), for promoted programs: logistic
  regression and 40-64-32-10 / 40-32-32-32-10 relu MLPs on ``make_classification`` data
  (batch 64, 500-600 steps), a 200-D quadratic with condition number 1e4 (1000 steps), 10-D
  Rosenbrock (2000).
- ``"heldout"``: never used by selection: tanh MLPs on breast_cancer and wine, a teacher-student
  regression (MSE), quadratics from new problem seeds, the proxy's digits MLP with batch 256.

Each task's score is its final loss (validation cross-entropy / MSE, or the function value)
divided by its loss at the initial parameters, so 1.0 means "no progress". A non-finite or
diverged result scores :data:`PENALTY` (2.0): every score lies in [0, 2], so results are always
finite. ``fitness`` is the mean over tasks and seeds (lower is better). Everything is
deterministic: the same program gives bit-identical results in any process (for one backend;
BLAS runs single-threaded during training). Numba and NumPy agree to ~1e-12 relative.

The whole training loop of a task (forward, backward, the program's interpreter, the update) is
one Numba ``@njit(cache=True)`` function; ``backend="numpy"`` runs the same code with NumPy
(see ``_optimizer_kernels``), and is what Numba's speed-up is measured against.

>>> from symsearch.programs import Program, Statement
>>> sgd = Program(["w", "g", "m", "v", "lr"], [Statement("update", "mul", ["g", "lr"])],
...               ["update", "m", "v"])
>>> result = evaluate(sgd)
>>> result["loss/logreg_digits"] < 1.0, result["loss/quadratic"]     # lr too large: diverges
(True, 2.0)
"""
from __future__ import annotations

import contextlib
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence

import numpy as np

from symsearch.evaluators import _optimizer_kernels as kernels
from symsearch.evaluators import _optimizer_tasks as tasks
from symsearch.programs.lowering import Lowered, lower_program
from symsearch.programs.program import Program
from symsearch.spaces.optimizer_budget import state_buffers

__all__ = ["PENALTY", "ProxySuite", "DEFAULT_SUITE", "evaluate", "evaluate_candidate",
           "evaluate_heldout", "FunnelEvaluator", "throughput", "check_program",
           "normalized_loss", "INPUT_NAMES", "OUTPUT_NAMES", "funnel"]

INPUT_NAMES = kernels.INPUT_NAMES
OUTPUT_NAMES = kernels.OUTPUT_NAMES
#: The score of a task whose loss diverged, became non-finite, or ended above twice its start.
PENALTY = 2.0
BACKENDS = ("auto", "numba", "numpy")


@dataclass(frozen=True)
class ProxySuite:
    """The task tiers and the normalization cap. ``tiers`` maps a tier name to its tasks
    (``MLPTask`` / ``FunctionTask`` from ``_optimizer_tasks``)."""

    tiers: Mapping[str, tuple] = field(default_factory=lambda: dict(tasks.TIERS))
    penalty: float = PENALTY

    def __post_init__(self) -> None:
        if not (isinstance(self.penalty, (int, float)) and math.isfinite(self.penalty)
                and self.penalty > 1.0):
            raise ValueError(f"The 'penalty' parameter must be a finite number above 1 (a "
                             f"task that made no progress scores 1). Got {self.penalty!r} "
                             f"instead.")
        for tier, task_list in self.tiers.items():
            if not task_list:
                raise ValueError(f"The 'tiers' parameter: tier {tier!r} has no tasks.")

    def tasks(self, tier: str) -> tuple:
        try:
            return tuple(self.tiers[tier])
        except KeyError:
            raise ValueError(f"The 'tier' parameter must be one of {sorted(self.tiers)}. "
                             f"Got {tier!r} instead.") from None


DEFAULT_SUITE = ProxySuite()


def check_program(program: Program) -> None:
    """Raises ValueError unless ``program`` reads exactly ``w, g, m, v, lr`` and returns
    ``update, m, v`` (in that order)."""
    if not isinstance(program, Program):
        raise TypeError(f"an optimizer candidate must be a symsearch Program, got "
                        f"{type(program).__name__}")
    if tuple(program.inputs) != INPUT_NAMES:
        raise ValueError(f"an optimizer program's inputs must be {list(INPUT_NAMES)}, got "
                         f"{list(program.inputs)} (path=inputs)")
    if tuple(program.outputs) != OUTPUT_NAMES:
        raise ValueError(f"an optimizer program's outputs must be {list(OUTPUT_NAMES)}, got "
                         f"{list(program.outputs)} (path=outputs)")


def normalized_loss(final: float, reference: float, penalty: float = PENALTY) -> float:
    """``final / reference``, or ``penalty`` when that is not finite or exceeds it."""
    if not math.isfinite(final) or not math.isfinite(reference) or reference <= 0.0:
        return float(penalty)
    value = final / reference
    return float(value) if value <= penalty else float(penalty)


# ---- running -----------------------------------------------------------------------------------

_warned: set = set()
_blas: dict = {"controller": None}


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, RuntimeWarning, stacklevel=4)


def _backend_kernels(backend: str, lowered: Lowered):
    """(backend name actually used, kernels module)."""
    if backend not in BACKENDS:
        raise ValueError(f"The 'backend' parameter must be one of {list(BACKENDS)}. Got "
                         f"{backend!r} instead.")
    if backend == "numpy":
        return "numpy", kernels.get_kernels("numpy")
    if not lowered.numba_ok:
        if backend == "numba":
            _warn_once("the program uses an op without a Numba implementation: its proxy "
                       "tasks run with NumPy")
        return "numpy", kernels.get_kernels("numpy")
    module = kernels.get_kernels("numba")
    if module is None:
        return "numpy", kernels.get_kernels("numpy")
    return "numba", module


def single_threaded_blas():
    """Limits BLAS to one thread while training. The matrices are tiny, and NumPy's and
    SciPy's (Numba's) OpenBLAS pools otherwise spin against each other: 30x slower products
    on two cores. One thread also keeps the results bit-reproducible."""
    controller = _blas["controller"]
    if controller is None:
        try:
            import scipy.linalg.cython_blas  # noqa: F401  (loads the BLAS Numba calls)
            from threadpoolctl import ThreadpoolController
            controller = ThreadpoolController()
        except ImportError:
            controller = False
        _blas["controller"] = controller
    if controller is False:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


def _check_lr_multiplier(lr_multiplier: float) -> float:
    value = float(lr_multiplier)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"The 'lr_multiplier' parameter must be a positive finite number. "
                         f"Got {lr_multiplier!r} instead.")
    return value


def _check_seeds(seeds) -> tuple:
    if isinstance(seeds, int):
        seeds = (seeds,)
    seeds = tuple(int(s) for s in seeds)
    if not seeds or min(seeds) < 0:
        raise ValueError(f"The 'seeds' parameter must be a non-empty sequence of "
                         f"non-negative ints. Got {seeds!r} instead.")
    return seeds


def run_tasks(program: Program, task_list: Sequence, seeds: Sequence[int],
              lr_multiplier: float = 1.0, backend: str = "auto",
              penalty: float = PENALTY) -> dict:
    """Trains every task for every seed; returns ``{"scores": {task: [score per seed]},
    "losses": {...}, "steps": total steps, "seconds": wall time, "backend": name}``."""
    check_program(program)
    lr_multiplier = _check_lr_multiplier(lr_multiplier)
    seeds = _check_seeds(seeds)
    lowered = lower_program(program)
    backend_name, module = _backend_kernels(backend, lowered)
    scores: dict = {}
    losses: dict = {}
    total_steps = 0
    start = time.perf_counter()
    # Diverging candidates overflow by design; NumPy would warn where Numba stays silent.
    with single_threaded_blas(), np.errstate(all="ignore"):
        for task in task_list:
            for seed in seeds:
                reference = tasks.reference_loss(task, seed)
                loss, steps = tasks.train(task, seed, lowered, task.lr * lr_multiplier, module)
                total_steps += steps
                scores.setdefault(task.name, []).append(
                    normalized_loss(loss, reference, penalty))
                losses.setdefault(task.name, []).append(loss)
    return {"scores": scores, "losses": losses, "steps": total_steps,
            "seconds": time.perf_counter() - start, "backend": backend_name}


def _summary(run: dict, penalty: float = PENALTY) -> dict:
    scores = run["scores"]
    result = {"fitness": float(sum(sum(v) for v in scores.values()) /
                               sum(len(v) for v in scores.values()))}
    for name, values in scores.items():
        result[f"loss/{name}"] = float(sum(values) / len(values))
    result["diverged"] = float(sum(v >= penalty for vs in scores.values() for v in vs))
    result["steps"] = float(run["steps"])
    result["seconds"] = float(run["seconds"])
    result["steps_per_s"] = float(run["steps"] / max(run["seconds"], 1e-12))
    result["numba"] = 1.0 if run["backend"] == "numba" else 0.0
    return result


def evaluate(program: Program, tier: str = "proxy", backend: str = "auto",
             seeds: Iterable[int] = (0,), lr_multiplier: float = 1.0,
             suite: Optional[ProxySuite] = None) -> dict:
    """Scores ``program`` on a tier; lower ``fitness`` is better.

    Returns ``{"fitness": mean normalized loss, "loss/<task>": mean over seeds of the task's
    normalized loss, "diverged": count of penalized runs, "steps", "seconds",
    "steps_per_s", "numba": 1.0 when the compiled loops ran, "state_buffers": how many
    per-parameter state buffers the program keeps (0 to 2, see
    ``symsearch.spaces.optimizer_budget``)}`` (all floats, all finite).

    Args:
      program: the update program (see the module docstring).
      tier: ``"proxy"``, ``"large"`` or ``"heldout"``.
      backend: ``"numba"``, ``"numpy"`` or ``"auto"`` (Numba when installed and every op of
        the program has a Numba implementation).
      seeds: the seeds of initialization, minibatch order and gradient noise.
      lr_multiplier: multiplies every task's base lr (the program's ``lr`` input).

    >>> from symsearch.programs import Program, Statement
    >>> sgd = Program(["w", "g", "m", "v", "lr"], [Statement("update", "mul", ["g", "lr"])],
    ...               ["update", "m", "v"])
    >>> sorted(k for k in evaluate(sgd) if k.startswith("loss/"))[:2]
    ['loss/logreg_digits', 'loss/mlp_digits']
    """
    suite = suite or DEFAULT_SUITE
    seeds = _check_seeds(seeds)
    run = run_tasks(program, suite.tasks(tier), seeds, lr_multiplier, backend, suite.penalty)
    result = _summary(run, suite.penalty)
    result["state_buffers"] = float(state_buffers(program))
    return result


def evaluate_candidate(program: Program, **kwargs) -> dict:
    """The evaluator for ``ss.search``: ``evaluate`` on the proxy tier; minimize
    ``"fitness"``. Keyword arguments are passed to :func:`evaluate`."""
    return evaluate(program, **kwargs)


def evaluate_heldout(program: Program, seeds: Iterable[int] = range(5),
                     lr_multiplier: float = 1.0, backend: str = "auto",
                     suite: Optional[ProxySuite] = None) -> dict:
    """Generalization: the held-out tasks, which selection never sees, per seed.

    Returns ``{"fitness"/"mean": mean over tasks and seeds, "loss/<task>": mean over seeds,
    "seeds": [...], "mean_per_seed": [mean over tasks for each seed], "per_seed": [{"seed",
    "mean", "loss/<task>"} ...]}``, so paired intervals across seeds can be computed.
    """
    suite = suite or DEFAULT_SUITE
    seeds = _check_seeds(seeds)
    run = run_tasks(program, suite.tasks("heldout"), seeds, lr_multiplier, backend,
                    suite.penalty)
    result = _summary(run, suite.penalty)
    result["state_buffers"] = float(state_buffers(program))
    result["mean"] = result["fitness"]
    per_seed = []
    for i, seed in enumerate(seeds):
        row = {f"loss/{name}": float(values[i]) for name, values in run["scores"].items()}
        row["mean"] = float(sum(row.values()) / len(row))
        row["seed"] = seed
        per_seed.append(row)
    result["seeds"] = list(seeds)
    result["per_seed"] = per_seed
    result["mean_per_seed"] = [row["mean"] for row in per_seed]
    return result


def throughput(program: Program, backend: str = "auto", seconds: float = 1.0,
               tier: str = "proxy", seeds: Iterable[int] = (0,)) -> dict:
    """Evaluations per second of ``evaluate(program, tier, backend)``, measured for at least
    ``seconds`` after one untimed warm-up evaluation (which compiles or loads the loops)."""
    evaluate(program, tier=tier, backend=backend, seeds=seeds)
    count = 0
    start = time.perf_counter()
    while True:
        evaluate(program, tier=tier, backend=backend, seeds=seeds)
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    return {"evaluations_per_s": count / elapsed, "seconds_per_evaluation": elapsed / count,
            "evaluations": count}


# ---- the funnel --------------------------------------------------------------------------------

class FunnelEvaluator:
    """Proxy tier for everyone; the larger tier only for programs that beat the warm start.

    Called on a program it returns ``{"score": the search objective (min, see below),
    "fitness": proxy fitness, "promoted": 1.0 if the proxy fitness is below the warm start's
    minus ``promote_margin``, "large_fitness": the program's large-tier fitness when
    promoted, else the warm start's (so the column is never NaN), "discovery": 1.0 if
    promoted and its large fitness is also below the warm start's minus
    ``discovery_margin``, "warm_start_fitness", "warm_start_large_fitness", "loss/<task>" of
    the proxy tier}``.

    ``score`` is what selection should minimize: the large-tier fitness of a promoted
    program, and for the others the warm start's large-tier fitness scaled by how much
    worse their proxy fitness is (``warm_large * fitness / warm_fitness``, never below
    ``warm_large`` with the default margin). So the proxy tier only gates and ranks the
    programs that failed it, and the search climbs the larger tier, which predicts the
    held-out tasks: among 400 programs of a search, Spearman +0.85 between large-tier
    fitness and held-out score, +0.38 for proxy fitness, whose digits-logistic task even
    ranks them backwards. A search that minimized proxy fitness over-fitted it (its
    incumbent's held-out score got worse as its proxy fitness improved).

    ``update_scales`` (default ``(1.0,)``: as written) scores every program, the warm start
    included, at the best of a few global step sizes: the proxy tier runs once per scale
    (``update = update * scale``), the large tier once, at the proxy's best; the result
    carries ``"update_scale"`` (hand the program over with it, ``optimizer_tuning.
    with_update_scale``) and ``"proxy_runs"``. Every contender is compared after lr tuning,
    so the search should rank structures at their best step size too: at one fixed scale a
    new op that changes the update's magnitude (``sign``: unit steps) scores as a
    divergence, and the search only keeps changes that preserve the scale.

    The large tier runs with PyTorch on the GPU when ``large_device`` resolves to CUDA
    (``"auto"`` or ``"cuda[:N]"``, see ``symsearch.runners.device.current_device``) and every
    op of the program has a PyTorch version; otherwise with the Numba loops on the CPU. The
    default is ``"cpu"``: these models are small enough that the GPU only waits on kernel
    launches, and on an H200 the tier took 10x longer with PyTorch on CUDA than with Numba
    on the CPU (the two agree to 1e-15; ``benchmarks/gpu_paths.py``). Large-tier numbers are
    only comparable on one kind of device (the warm start is measured on the same one).

    >>> from symsearch.programs import Program, Statement
    >>> sgd = Program(["w", "g", "m", "v", "lr"], [Statement("update", "mul", ["g", "lr"])],
    ...               ["update", "m", "v"])
    >>> funnel = FunnelEvaluator(warm_start=sgd, large_device="cpu")
    >>> funnel(sgd)["promoted"]
    0.0
    """

    def __init__(self, warm_start: Program, promote_margin: float = 0.0,
                 discovery_margin: float = 0.0, seeds: Iterable[int] = (0,),
                 large_seeds: Iterable[int] = (0,), backend: str = "auto",
                 large_device: str = "cpu", lr_multiplier: float = 1.0,
                 suite: Optional[ProxySuite] = None,
                 update_scales: Sequence[float] = (1.0,)) -> None:
        check_program(warm_start)
        update_scales = tuple(update_scales)
        if not update_scales or not all(
                isinstance(x, (int, float)) and math.isfinite(x) and x > 0
                for x in update_scales):
            raise ValueError(f"The 'update_scales' parameter must hold at least one finite "
                             f"number above 0. Got {update_scales!r} instead.")
        self.update_scales = tuple(float(x) for x in update_scales)
        for name, value in (("promote_margin", promote_margin),
                            ("discovery_margin", discovery_margin)):
            if not math.isfinite(float(value)):
                raise ValueError(f"The '{name}' parameter must be a finite number. Got "
                                 f"{value!r} instead.")
        if backend not in BACKENDS:
            raise ValueError(f"The 'backend' parameter must be one of {list(BACKENDS)}. Got "
                             f"{backend!r} instead.")
        from symsearch.runners.device import current_device
        self.large_device = current_device(large_device)
        self.warm_start = warm_start
        self.promote_margin = float(promote_margin)
        self.discovery_margin = float(discovery_margin)
        self.seeds = _check_seeds(seeds)
        self.large_seeds = _check_seeds(large_seeds)
        self.backend = backend
        self.lr_multiplier = _check_lr_multiplier(lr_multiplier)
        self.suite = suite or DEFAULT_SUITE
        self._warm_fitness: Optional[float] = None
        self._warm_large: Optional[float] = None
        self._warm_scale = 1.0

    @property
    def warm_start_fitness(self) -> float:
        if self._warm_fitness is None:
            result = self.best_proxy(self.warm_start)
            self._warm_fitness, self._warm_scale = result["fitness"], result["update_scale"]
        return self._warm_fitness

    @property
    def warm_start_large_fitness(self) -> float:
        if self._warm_large is None:
            self.warm_start_fitness
            self._warm_large = self.large(self.scaled(self.warm_start,
                                                      self._warm_scale))["fitness"]
        return self._warm_large

    @staticmethod
    def scaled(program: Program, scale: float) -> Program:
        from symsearch.evaluators.optimizer_tuning import with_update_scale
        return with_update_scale(program, scale)

    def best_proxy(self, program: Program) -> dict:
        """The proxy result at the best of ``update_scales`` (the first on ties), with
        ``"update_scale"``: that scale, and ``"proxy_runs"``: how many proxy evaluations it
        took (one per scale)."""
        best, best_scale = None, 1.0
        for scale in self.update_scales:
            result = self.proxy(self.scaled(program, scale))
            if best is None or result["fitness"] < best["fitness"]:
                best, best_scale = result, scale
        best.update(update_scale=best_scale, proxy_runs=float(len(self.update_scales)))
        return best

    def proxy(self, program: Program) -> dict:
        return evaluate(program, "proxy", self.backend, self.seeds, self.lr_multiplier,
                        self.suite)

    def large(self, program: Program) -> dict:
        """The large tier (PyTorch on CUDA when ``large_device`` is CUDA and the program
        has PyTorch twins, else the CPU loops)."""
        if self.large_device.startswith("cuda"):
            from symsearch.evaluators import _optimizer_torch
            if _optimizer_torch.supports(program):
                return _optimizer_torch.evaluate_torch(
                    program, self.suite.tasks("large"), self.large_seeds,
                    self.lr_multiplier, self.large_device, self.suite.penalty)
        return evaluate(program, "large", self.backend, self.large_seeds, self.lr_multiplier,
                        self.suite)

    def __call__(self, program: Program) -> dict:
        result = self.best_proxy(program)
        warm = self.warm_start_fitness
        promoted = result["fitness"] < warm - self.promote_margin
        warm_large = self.warm_start_large_fitness
        large_fitness = self.large(self.scaled(program, result["update_scale"]))["fitness"] \
            if promoted else warm_large
        result.update(
            score=float(large_fitness if promoted else
                        warm_large * result["fitness"] / max(warm, 1e-12)),
            promoted=1.0 if promoted else 0.0,
            large_fitness=float(large_fitness),
            discovery=1.0 if promoted and large_fitness < warm_large - self.discovery_margin
            else 0.0,
            warm_start_fitness=float(warm),
            warm_start_large_fitness=float(warm_large))
        return result


_FUNNELS: dict = {}


def funnel(program: Program, warm_start="adamw", promote_margin: float = 0.0,
           discovery_margin: float = 0.0, backend: str = "auto",
           large_device: str = "cpu") -> dict:
    """:class:`FunnelEvaluator` as a plain evaluator function, for experiment files::

        evaluator:
          ref: symsearch.evaluators.optimizer_proxy:funnel
          kwargs: {warm_start: adamw}

    ``warm_start`` is the name of a known program of ``symsearch.spaces.optimizers``
    (``adamw``, ``lion``, ...) or a Program. Each process keeps one FunnelEvaluator per
    setting, so the warm start is scored once per worker.
    """
    key = (warm_start if isinstance(warm_start, str) else id(warm_start), promote_margin,
           discovery_margin, backend, large_device)
    evaluator = _FUNNELS.get(key)
    if evaluator is None:
        if isinstance(warm_start, str):
            from symsearch.spaces.optimizers import initial_program
            warm_start = initial_program(warm_start)
        evaluator = _FUNNELS[key] = FunnelEvaluator(
            warm_start, promote_margin=promote_margin, discovery_margin=discovery_margin,
            backend=backend, large_device=large_device)
    return evaluator(program)
