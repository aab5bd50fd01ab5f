"""The algorithm interface: ``SearchAlgorithm``.

An algorithm sees only the :class:`~symsearch.DNASpec` and DNA, never the user's
objects, so every algorithm works on every space. The driver calls::

    algorithm.setup(spec, objectives, seed)
    dna = algorithm.propose()             # StopIteration when it has nothing left
    algorithm.feedback(dna, feedback)     # as each evaluation finishes, in any order
    state = algorithm.state_dict()        # JSON-compatible; saved in the store
    algorithm.load_state_dict(state)      # resume continues the same search

``Feedback.score`` is the single objective oriented so that larger is better
(``None`` for failed trials and for multi-objective searches, which read ``values``).
"""
from __future__ import annotations

import abc
import random
from dataclasses import dataclass
from typing import Any, ClassVar, Optional

from symsearch.geno.dna import DNA
from symsearch.geno.spec import DNASpec
from symsearch.search.objectives import Objectives


@dataclass(slots=True)
class Feedback:
    """What an algorithm learns from one finished trial."""

    trial_id: int
    status: str                      # done | failed | cached | pruned
    metrics: Optional[dict] = None
    values: Optional[tuple] = None   # raw objective values, in objective order
    score: Optional[float] = None    # single objective, larger is better

    @property
    def ok(self) -> bool:
        return self.values is not None


_REGISTRY: dict = {}


def register_algorithm(*names: str):
    """Class decorator: makes an algorithm selectable by name (YAML, ``algorithm=``)."""
    def decorate(cls):
        for name in names:
            _REGISTRY[name.lower()] = cls
        cls.names = tuple(names)
        return cls
    return decorate


def algorithm_names() -> list:
    return sorted(_REGISTRY)


def make_algorithm(spec: Any) -> "SearchAlgorithm":
    """An algorithm from an instance, a registered name, or ``{"type": name, **kwargs}``."""
    if isinstance(spec, SearchAlgorithm):
        return spec
    if spec is None:
        spec = "random"
    kwargs = {}
    if isinstance(spec, dict):
        kwargs = {k: v for k, v in spec.items() if k != "type"}
        if "type" not in spec:
            raise ValueError(f"algorithm {spec!r} needs a 'type' key naming the algorithm; "
                             f"known: {algorithm_names()}")
        spec = spec["type"]
    if not isinstance(spec, str):
        raise TypeError(f"algorithm must be a SearchAlgorithm, a name or a dict, got "
                        f"{type(spec).__name__}")
    cls = _REGISTRY.get(spec.lower())
    if cls is None:
        raise ValueError(f"Unknown algorithm {spec!r}; known: {algorithm_names()}")
    return cls(**kwargs)


class SearchAlgorithm(abc.ABC):
    """Base class; see the module docstring."""

    names: ClassVar[tuple] = ()
    #: Whether the algorithm needs objective values (random and grid do not).
    needs_objective: ClassVar[bool] = False
    #: Whether propose() eventually raises StopIteration by itself (grid search).
    finite: ClassVar[bool] = False

    def __init__(self, seed: Optional[int] = None):
        self.seed = seed
        self.spec: Optional[DNASpec] = None
        self.objectives: Optional[Objectives] = None
        self.rng = random.Random(seed)

    def setup(self, spec: DNASpec, objectives: Optional[Objectives] = None,
              seed: Optional[int] = None) -> None:
        """Binds the algorithm to a space. ``seed`` overrides the constructor's seed."""
        if self.needs_objective and objectives is None:
            raise ValueError(f"{type(self).__name__} needs an objective, e.g. "
                             f"objective='max:accuracy'")
        self.spec = spec
        self.objectives = objectives
        if seed is not None:
            self.seed = seed
        self.rng = random.Random(self.seed)

    @abc.abstractmethod
    def propose(self) -> DNA:
        """The next DNA to evaluate; StopIteration when the algorithm has nothing left."""

    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        """Default: nothing to learn (random search)."""

    def state_dict(self) -> dict:
        return {"rng": _rng_state(self.rng)}

    def load_state_dict(self, state: dict) -> None:
        self.rng.setstate(_rng_from_json(state["rng"]))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed})"


def _rng_state(rng: random.Random) -> list:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def _rng_from_json(state: list) -> tuple:
    version, internal, gauss = state
    return (version, tuple(internal), gauss)
