"""Early stopping: the policy interface, rungs, and selection by name.

A policy watches the intermediate reports of running trials and says which should stop.
It is independent of the algorithm that proposed the trials, so any proposer works with
any policy. The search driver calls::

    policy.setup(objectives)                      # once; the metric to judge by
    stop = policy.report(trial_id, step, metrics) # each intermediate report
    policy.complete(trial_id)                     # when the trial ends, however it ends

``step`` is the resource spent so far (an epoch count, a number of samples...). The
metric is ``metric=`` ("max:acc") when given, else the search's single objective.

>>> from symsearch.algorithms.early_stopping import make_policy
>>> make_policy({"type": "asha", "min_resource": 1, "max_resource": 27})
ASHA(min_resource=1, max_resource=27, reduction_factor=3, metric=None)

Built-in policies: :class:`~symsearch.algorithms.successive_halving.ASHA`,
:class:`~symsearch.algorithms.successive_halving.SuccessiveHalving` and
:class:`~symsearch.algorithms.hyperband.Hyperband`.
"""
from __future__ import annotations

import abc

import bisect
import importlib
import math
from typing import Any, ClassVar, Optional

from symsearch.search.objectives import Objective, Objectives

# Built-in policies, imported on first use so that importing this module stays cheap.
_BUILTIN_MODULES = ("symsearch.algorithms.successive_halving", "symsearch.algorithms.hyperband")
_REGISTRY: dict = {}


def register_policy(*names: str):
    """Class decorator: makes an early-stopping policy selectable by name (YAML)."""
    def decorate(cls):
        for name in names:
            _REGISTRY[_key(name)] = cls
        cls.names = tuple(names)
        return cls
    return decorate


def policy_names() -> list:
    _import_builtins()
    return sorted(_REGISTRY)


def make_policy(spec: Any) -> Any:
    """A policy from an instance, a registered name, or ``{"type": name, **kwargs}``.

    ``None``, ``"none"`` and ``"off"`` mean no early stopping (``None``). Any object with
    a ``report(trial_id, step, metrics)`` method is taken as a policy as it is.
    """
    if spec is None or (isinstance(spec, str) and _key(spec) in ("none", "off")):
        return None
    if callable(getattr(spec, "report", None)) and not isinstance(spec, (str, dict)):
        return spec
    kwargs: dict = {}
    if isinstance(spec, dict):
        if "type" not in spec:
            raise ValueError(f"early_stopping {spec!r} needs a 'type' key naming the policy; "
                             f"known: {policy_names()}")
        kwargs = {k: v for k, v in spec.items() if k != "type"}
        spec = spec["type"]
    if not isinstance(spec, str):
        raise TypeError(f"early_stopping must be a policy, a name or a dict, got "
                        f"{type(spec).__name__} {spec!r}")
    _import_builtins()
    cls = _REGISTRY.get(_key(spec))
    if cls is None:
        raise ValueError(f"Unknown early-stopping policy {spec!r}; known: {policy_names()}")
    try:
        return cls(**kwargs)
    except TypeError as e:
        if "unexpected keyword argument" not in str(e):
            raise
        raise ValueError(f"early_stopping {spec!r}: {e}") from None


def _key(name: str) -> str:
    return name.lower().replace("-", "_")


def _import_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)


class EarlyStoppingPolicy(abc.ABC):
    """Base class of early-stopping policies; see the module docstring.

    Subclasses implement :meth:`report` and may use :meth:`score` to read the metric of a
    report as a number where larger is better (NaN and infinities rank last).
    """

    names: ClassVar[tuple] = ()

    def __init__(self, metric: Optional[str] = None):
        self.metric = metric
        self.objective: Optional[Objective] = None
        if metric is not None:
            parsed = Objectives.parse(metric)
            if parsed.is_multi:
                raise ValueError(f"The 'metric' parameter of {type(self).__name__} must name "
                                 f"one metric such as 'max:accuracy'. Got {metric!r} instead.")
            self.objective = parsed.objectives[0]

    def setup(self, objectives: Optional[Objectives]) -> None:
        """Picks the metric: ``metric=`` when given, else the single objective."""
        if self.metric is not None:
            return
        if objectives is None:
            raise ValueError(f"{type(self).__name__} needs a metric to judge trials by: give "
                             f"the search an objective or pass metric='max:accuracy'")
        if objectives.is_multi:
            raise ValueError(f"{type(self).__name__} judges trials by one metric but the "
                             f"search has {len(objectives.names)} objectives "
                             f"{objectives.to_list()}; pass metric='max:...' to choose one")
        self.objective = objectives.objectives[0]

    @abc.abstractmethod
    def report(self, trial_id: int, step: Any, metrics: dict) -> bool:
        """Records an intermediate report; returns True when the trial should stop."""

    def complete(self, trial_id: int) -> None:
        """Forgets a finished trial's running state (its rung results are kept)."""

    def score(self, metrics: dict, step: Any = None) -> float:
        """The report's metric oriented so that larger is better."""
        objective = self.objective
        if objective is None:
            raise RuntimeError(f"{type(self).__name__}.setup(objectives) was not called and "
                               f"no metric= was given")
        if objective.name not in metrics:
            raise ValueError(f"{type(self).__name__} judges trials by {objective.name!r} but "
                             f"the report at step {step!r} has {sorted(metrics)}")
        value = metrics[objective.name]
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{type(self).__name__}: metric {objective.name!r} at step "
                             f"{step!r} is not a number: {value!r}") from None
        if math.isnan(value):
            return -math.inf
        return value * objective.sign


def check_resources(owner: str, min_resource: Any, max_resource: Any,
                    reduction_factor: Any, *, max_required: bool = False) -> None:
    """Validates the resource arguments shared by the successive-halving family."""
    def number(name, value, minimum, strict):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                math.isnan(value) or value < minimum or (strict and value == minimum):
            raise ValueError(f"The {name!r} parameter of {owner} must be a number "
                             f"{'>' if strict else '>='} {minimum:g}. Got {value!r} instead.")
    number("min_resource", min_resource, 0, True)
    number("reduction_factor", reduction_factor, 1, True)
    if max_resource is None:
        if max_required:
            raise ValueError(f"The 'max_resource' parameter of {owner} is required (the "
                             f"largest step a trial reports, e.g. the number of epochs).")
        return
    number("max_resource", max_resource, 0, True)
    if max_resource < min_resource:
        raise ValueError(f"The 'max_resource' parameter of {owner} must be >= min_resource "
                         f"({min_resource!r}). Got {max_resource!r} instead.")


def rung_resources(min_resource: float, max_resource: Optional[float],
                   reduction_factor: float, limit: int = 64) -> list:
    """``min_resource * eta**k`` for k = 0, 1, ... while below ``max_resource``.

    A trial at ``max_resource`` has finished, so no rung sits there. Without a maximum
    the list stops after ``limit`` rungs (more than any real budget reaches).
    """
    out = []
    k = 0
    while k < limit:
        r = min_resource * reduction_factor ** k
        if max_resource is not None and r >= max_resource * (1 - 1e-12):
            break
        out.append(int(r) if float(r).is_integer() else r)
        k += 1
    return out


class Rung:
    """The results recorded at one resource level: ``{trial_id: score}``, kept sorted."""

    __slots__ = ("resource", "scores", "_sorted")

    def __init__(self, resource: float):
        self.resource = resource
        self.scores: dict = {}
        self._sorted: list = []

    def record(self, trial_id: int, score: float) -> None:
        self.scores[trial_id] = score
        bisect.insort(self._sorted, score)

    def cutoff(self, reduction_factor: float) -> float:
        """The k-th best score, k = max(1, floor(n / eta)), n = results recorded here."""
        n = len(self._sorted)
        k = max(1, int(n // reduction_factor))
        return self._sorted[n - k]

    def in_top(self, score: float, reduction_factor: float) -> bool:
        """Whether ``score`` is among the top ``1/eta`` of the results recorded here."""
        return bool(self._sorted) and score >= self.cutoff(reduction_factor)

    def __len__(self) -> int:
        return len(self._sorted)

    def __repr__(self) -> str:
        return f"Rung(resource={self.resource!r}, results={len(self)})"
