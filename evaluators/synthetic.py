"""Synthetic benchmark functions with known optima, and their search spaces.

Three classic test functions, written as minimization problems over a box:

============  ====  ==================  ============  =====================================
name          dims  domain              minimum       at
============  ====  ==================  ============  =====================================
branin        2     x0 in [-5, 10],     0.397887      (-pi, 12.275), (pi, 2.275),
                    x1 in [0, 15]                     (9.42478, 2.475)
hartmann6     6     [0, 1]^6            -3.32237      (0.20169, 0.150011, 0.476874,
                                                      0.275332, 0.311652, 0.6573)
rosenbrock10  10    [-5, 10]^10         0             (1, ..., 1)
============  ====  ==================  ============  =====================================

and a conditional "CASH surrogate" (see :func:`cash_surrogate_loss`): a top-level choice of
a model family, each with its own hyper-parameters, scored by a deterministic formula that
imitates a validation error.

Spaces are plain ``ss.Dict`` of ``floatv`` with keys ``x0, x1, ...``; the evaluators take the
materialized candidate and return ``{"loss": f(x), "regret": f(x) - minimum}``:

>>> import symsearch as ss
>>> fn = FUNCTIONS["branin"]
>>> round(fn([3.141592653589793, 2.275]), 6)
0.397887
>>> result = ss.search(fn.space(), fn.evaluate, objective="min:loss", num_trials=20, seed=0)
>>> result.best.metrics["loss"] >= fn.minimum
True

From an experiment file: ``space: {ref: symsearch.evaluators.synthetic:space, kwargs:
{function: branin}}`` and ``evaluator: {ref: symsearch.evaluators.synthetic:evaluate,
kwargs: {function: branin}}``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import symsearch as ss

# ---- the box functions ------------------------------------------------------------------------


def branin(x: Sequence[float]) -> float:
    """Branin-Hoo, the usual constants (a=1, b=5.1/(4 pi^2), c=5/pi, r=6, s=10, t=1/(8 pi))."""
    x0, x1 = x
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x1 - b * x0 ** 2 + c * x0 - 6) ** 2 + 10 * (1 - t) * math.cos(x0) + 10


_H6_ALPHA = (1.0, 1.2, 3.0, 3.2)
_H6_A = ((10, 3, 17, 3.5, 1.7, 8),
         (0.05, 10, 17, 0.1, 8, 14),
         (3, 3.5, 1.7, 10, 17, 8),
         (17, 8, 0.05, 10, 0.1, 14))
_H6_P = tuple(tuple(v * 1e-4 for v in row) for row in
              ((1312, 1696, 5569, 124, 8283, 5886),
               (2329, 4135, 8307, 3736, 1004, 9991),
               (2348, 1451, 3522, 2883, 3047, 6650),
               (4047, 8828, 8732, 5743, 1091, 381)))


def hartmann6(x: Sequence[float]) -> float:
    """Hartmann-6 (four local minima, one global)."""
    total = 0.0
    for alpha, a_row, p_row in zip(_H6_ALPHA, _H6_A, _H6_P):
        total += alpha * math.exp(-sum(a * (xj - p) ** 2 for a, xj, p in zip(a_row, x, p_row)))
    return -total


def rosenbrock(x: Sequence[float]) -> float:
    """Rosenbrock's valley in any dimension >= 2."""
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
               for i in range(len(x) - 1))


@dataclass(frozen=True)
class BoxFunction:
    """A test function on a box with its known minimum.

    ``space()`` is the matching symsearch space (``x0, x1, ...`` as ``floatv``);
    ``evaluate(candidate)`` scores a candidate of that space.
    """

    name: str
    function: Callable[[Sequence[float]], float]
    bounds: tuple          # ((lo, hi), ...) per dimension
    minimum: float
    argmin: tuple

    @property
    def dims(self) -> int:
        return len(self.bounds)

    @property
    def names(self) -> list:
        return [f"x{i}" for i in range(self.dims)]

    def __call__(self, x: Sequence[float]) -> float:
        return float(self.function(x))

    def space(self) -> Any:
        return ss.Dict({name: ss.floatv(float(lo), float(hi))
                        for name, (lo, hi) in zip(self.names, self.bounds)})

    def point(self, candidate: Any) -> list:
        """The coordinates of a candidate (a mapping ``x0, x1, ...``) or a sequence."""
        if hasattr(candidate, "keys"):
            try:
                return [float(candidate[name]) for name in self.names]
            except KeyError as e:
                raise ValueError(f"{self.name} needs a candidate with keys {self.names}; "
                                 f"missing {e}") from None
        point = [float(v) for v in candidate]
        if len(point) != self.dims:
            raise ValueError(f"{self.name} takes {self.dims} coordinates, got {len(point)}")
        return point

    def evaluate(self, candidate: Any) -> dict:
        value = self(self.point(candidate))
        return {"loss": value, "regret": value - self.minimum}


FUNCTIONS = {
    "branin": BoxFunction("branin", branin, ((-5.0, 10.0), (0.0, 15.0)), 0.397887357729739,
                          (-math.pi, 12.275)),
    "hartmann6": BoxFunction("hartmann6", hartmann6, ((0.0, 1.0),) * 6, -3.32236801141551,
                             (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)),
    "rosenbrock10": BoxFunction("rosenbrock10", rosenbrock, ((-5.0, 10.0),) * 10, 0.0,
                                (1.0,) * 10),
}


# ---- the CASH surrogate ---------------------------------------------------------------------

CASH_MODELS = ("logistic", "svm", "mlp")
SVM_KERNELS = ("rbf", "poly", "linear", "sigmoid")
MLP_ACTIVATIONS = ("relu", "tanh", "gelu")
_SVM_KERNEL_PENALTY = {"rbf": 0.0, "poly": 0.03, "linear": 0.06, "sigmoid": 0.20}
_MLP_ACTIVATION_PENALTY = {"relu": 0.0, "tanh": 0.04, "gelu": 0.01}

#: The lowest loss each branch can reach, and where. The SVM branch is the best.
CASH_BRANCH_MINIMA = {
    "logistic": (0.12, {"C": 10 ** 0.72, "l1_ratio": 0.15}),
    "svm": (0.02, {"C": 10 ** 1.3, "gamma": 10 ** -2.3, "degree": 2, "kernel": "rbf"}),
    "mlp": (0.05, {"lr": 1e-2, "weight_decay": 1e-4, "width": 128, "depth": 2, "dropout": 0.2,
                   "activation": "relu"}),
}
CASH_MINIMUM = 0.02


#: The CASH domain as data, so that every framework searches the same space:
#: ``family -> {parameter: ("float"|"int", lo, hi, "linear"|"log") or ("choice", options)}``.
CASH_DOMAIN = {
    "logistic": {"C": ("float", 1e-3, 1e3, "log"), "l1_ratio": ("float", 0.0, 1.0, "linear")},
    "svm": {"C": ("float", 1e-2, 1e4, "log"), "gamma": ("float", 1e-5, 10.0, "log"),
            "degree": ("int", 1, 5, "linear"), "kernel": ("choice", SVM_KERNELS)},
    "mlp": {"lr": ("float", 1e-5, 1.0, "log"), "weight_decay": ("float", 1e-6, 0.1, "log"),
            "width": ("int", 16, 512, "log"), "depth": ("int", 1, 4, "linear"),
            "dropout": ("float", 0.0, 0.5, "linear"), "activation": ("choice", MLP_ACTIVATIONS)},
}


def cash_surrogate_space() -> Any:
    """A top-level ``oneof`` over three model families of different dimensionality
    (``CASH_DOMAIN``):

    * ``logistic`` (2 floats): ``C`` log in [1e-3, 1e3], ``l1_ratio`` in [0, 1];
    * ``svm`` (4 mixed): ``C`` log in [1e-2, 1e4], ``gamma`` log in [1e-5, 10], ``degree``
      int in [1, 5], ``kernel`` one of rbf/poly/linear/sigmoid;
    * ``mlp`` (6 mixed): ``lr`` log in [1e-5, 1], ``weight_decay`` log in [1e-6, 0.1],
      ``width`` int log in [16, 512], ``depth`` int in [1, 4], ``dropout`` in [0, 0.5],
      ``activation`` one of relu/tanh/gelu.

    Candidates are ``ss.Dict`` with a ``model`` key naming the family, e.g.
    ``{"model": "svm", "C": 20.0, "gamma": 0.005, "degree": 2, "kernel": "rbf"}``.
    """
    def hyper(domain: tuple) -> Any:
        if domain[0] == "choice":
            return ss.oneof(list(domain[1]))
        kind, lo, hi, scale = domain
        return ss.floatv(lo, hi, scale=scale) if kind == "float" else \
            ss.intv(lo, hi, scale=scale)
    return ss.oneof([ss.Dict(model=family, **{k: hyper(v) for k, v in params.items()})
                     for family, params in CASH_DOMAIN.items()], name="model")


def _unit_log(value: float, lo: float, hi: float) -> float:
    return (math.log10(value) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))


def cash_surrogate_loss(model: str, params: dict) -> float:
    """A deterministic imitation of a validation error for one model family.

    Each hyper-parameter is mapped to [0, 1] (log-scaled ones through their logarithm) and
    the loss is the branch's floor plus smooth penalties, zero at the branch's best point
    (``CASH_BRANCH_MINIMA``):

    * ``logistic``: ``0.12 + 0.25 ((u_C - 0.62)^2 + (u_l1 - 0.15)^2)``: easy, and the floor is
      high. Mean over random samples about 0.20.
    * ``svm``: ``0.02 + 1.2 (u_C + u_gamma - 1)^2 + 0.15 (u_C - u_gamma - 0.1)^2`` (the
      narrow C/gamma ridge of an RBF SVM) ``+ 0.01 (degree - 2)^2`` plus a kernel penalty
      (rbf 0, poly 0.03, linear 0.06, sigmoid 0.20). The lowest floor (0.02, the global
      minimum) but the worst random-sample mean (about 0.35): a family that looks bad on
      average and is best when tuned, as an RBF SVM on digits is.
    * ``mlp``: ``0.05 + 0.6 (u_lr - 0.6)^2 + 0.2 (u_wd - 0.4)^2 + 0.15 (u_width - 0.6)^2
      + 0.1 (u_depth - 1/3)^2 + 0.1 (u_dropout - 0.4)^2`` plus an activation penalty (relu 0,
      tanh 0.04, gelu 0.01). Floor 0.05, best random-sample mean (about 0.18).

    So a search that judges families by their average picks the MLP or logistic branch; one
    that finds the best value must tune the SVM branch.
    """
    p = params
    if model == "logistic":
        u_c = _unit_log(p["C"], 1e-3, 1e3)
        u_l1 = float(p["l1_ratio"])
        return 0.12 + 0.25 * ((u_c - 0.62) ** 2 + (u_l1 - 0.15) ** 2)
    if model == "svm":
        u_c = _unit_log(p["C"], 1e-2, 1e4)
        u_g = _unit_log(p["gamma"], 1e-5, 10.0)
        return (0.02 + 1.2 * (u_c + u_g - 1.0) ** 2 + 0.15 * (u_c - u_g - 0.1) ** 2
                + 0.01 * (int(p["degree"]) - 2) ** 2 + _SVM_KERNEL_PENALTY[p["kernel"]])
    if model == "mlp":
        u_lr = _unit_log(p["lr"], 1e-5, 1.0)
        u_wd = _unit_log(p["weight_decay"], 1e-6, 0.1)
        u_w = math.log2(p["width"] / 16) / 5
        u_d = (int(p["depth"]) - 1) / 3
        u_do = float(p["dropout"]) / 0.5
        return (0.05 + 0.6 * (u_lr - 0.6) ** 2 + 0.2 * (u_wd - 0.4) ** 2
                + 0.15 * (u_w - 0.6) ** 2 + 0.1 * (u_d - 1 / 3) ** 2 + 0.1 * (u_do - 0.4) ** 2
                + _MLP_ACTIVATION_PENALTY[p["activation"]])
    raise ValueError(f"model must be one of {list(CASH_MODELS)}, got {model!r}")


def evaluate_cash_surrogate(candidate: Any) -> dict:
    """``{"loss", "regret"}`` of a candidate of :func:`cash_surrogate_space` (any mapping
    ``{"model": family, **params}``)."""
    params = {k: candidate[k] for k in candidate.keys() if k != "model"}
    value = cash_surrogate_loss(candidate["model"], params)
    return {"loss": value, "regret": value - CASH_MINIMUM}


# ---- names for experiment files ---------------------------------------------------------------

ALL_NAMES = tuple(FUNCTIONS) + ("cash",)


def space(function: str = "branin") -> Any:
    """The space of a function by name: one of ``branin``, ``hartmann6``, ``rosenbrock10``,
    ``cash``."""
    if function == "cash":
        return cash_surrogate_space()
    return _function(function).space()


def evaluate(candidate: Any, function: str = "branin") -> dict:
    """Scores a candidate of ``space(function)``: ``{"loss", "regret"}`` (minimize)."""
    if function == "cash":
        return evaluate_cash_surrogate(candidate)
    return _function(function).evaluate(candidate)


def minimum(function: str) -> float:
    """The known minimum of a function by name."""
    return CASH_MINIMUM if function == "cash" else _function(function).minimum


def _function(name: str) -> BoxFunction:
    if name not in FUNCTIONS:
        raise ValueError(f"The 'function' parameter must be one of {list(ALL_NAMES)}. Got "
                         f"{name!r} instead.")
    return FUNCTIONS[name]
