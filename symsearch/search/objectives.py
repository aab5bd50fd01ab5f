"""Objectives: which metrics a search optimizes, and in which direction.

>>> objs = Objectives.parse(["max:accuracy", "min:latency"])
>>> objs.names, objs.directions
(('accuracy', 'latency'), ('max', 'min'))
>>> Objectives.parse("min:loss").score({"loss": 0.25})
-0.25
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union


@dataclass(frozen=True)
class Objective:
    name: str
    direction: str  # "max" or "min"

    @property
    def sign(self) -> float:
        return 1.0 if self.direction == "max" else -1.0

    def __str__(self) -> str:
        return f"{self.direction}:{self.name}"


class ObjectiveError(ValueError):
    """A trial's metrics do not give a finite value for every objective."""


class Objectives:
    """An ordered set of objectives; single-objective searches have one."""

    def __init__(self, objectives: Sequence[Objective]):
        if not objectives:
            raise ValueError("At least one objective is required, e.g. 'max:accuracy'.")
        names = [o.name for o in objectives]
        if len(set(names)) != len(names):
            raise ValueError(f"Duplicate objective names in {names}")
        self.objectives = tuple(objectives)
        self.names = tuple(names)
        self.directions = tuple(o.direction for o in objectives)
        self.signs = tuple(o.sign for o in objectives)

    @classmethod
    def parse(cls, spec: Union[str, Sequence[str], "Objectives", None]) -> Optional["Objectives"]:
        """Parses ``"max:acc"``, ``"min:loss"``, a list of those, or passes through."""
        if spec is None or isinstance(spec, Objectives):
            return spec
        items = [spec] if isinstance(spec, (str, Objective)) else list(spec)
        out = []
        for item in items:
            if isinstance(item, Objective):
                out.append(item)
                continue
            if not isinstance(item, str) or ":" not in item:
                raise ValueError(f"Objective {item!r} must look like 'max:accuracy' or "
                                 f"'min:loss'")
            direction, name = item.split(":", 1)
            direction = direction.strip().lower()
            if direction not in ("max", "min") or not name.strip():
                raise ValueError(f"Objective {item!r} must look like 'max:accuracy' or "
                                 f"'min:loss' (direction 'max' or 'min', then a metric name)")
            out.append(Objective(name.strip(), direction))
        return cls(out)

    @property
    def is_multi(self) -> bool:
        return len(self.objectives) > 1

    def values(self, metrics: dict) -> tuple:
        """The objective values in ``metrics``; ObjectiveError when missing or not finite."""
        out = []
        for name in self.names:
            if name not in metrics:
                raise ObjectiveError(f"metrics have no objective {name!r} (got "
                                     f"{sorted(metrics)})")
            v = metrics[name]
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise ObjectiveError(f"objective {name!r} is not a number: {v!r}") from None
            if not math.isfinite(v):
                raise ObjectiveError(f"objective {name!r} is {v}")
            out.append(v)
        return tuple(out)

    def score(self, metrics: dict) -> float:
        """Single-objective score where larger is better (``-loss`` for ``min:loss``)."""
        return self.values(metrics)[0] * self.signs[0]

    def better(self, a: float, b: float) -> bool:
        """Whether raw value ``a`` of the first objective beats ``b``."""
        return a > b if self.directions[0] == "max" else a < b

    def dominates(self, a: tuple, b: tuple) -> bool:
        """Pareto dominance of raw value tuples."""
        at_least = all(x * s >= y * s for x, y, s in zip(a, b, self.signs))
        strictly = any(x * s > y * s for x, y, s in zip(a, b, self.signs))
        return at_least and strictly

    def to_list(self) -> list:
        return [str(o) for o in self.objectives]

    def __repr__(self) -> str:
        return f"Objectives({self.to_list()})"


def normalize_metrics(result: Any, objectives: Optional[Objectives]) -> dict:
    """An evaluator's return value as a metrics dict (a bare number -> first objective)."""
    if isinstance(result, dict):
        return dict(result)
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        name = objectives.names[0] if objectives is not None else "reward"
        return {name: result}
    if hasattr(result, "item") and callable(result.item):  # numpy / torch scalars
        return normalize_metrics(result.item(), objectives)
    raise ObjectiveError(f"evaluator returned {type(result).__name__} {result!r}; expected a "
                         f"dict of metrics or a number")
