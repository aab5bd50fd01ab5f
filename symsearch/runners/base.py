"""The runner interface: where candidates are evaluated.

The search driver owns the algorithm, the cache and the store; a runner only evaluates.
The driver ``submit``s ``(trial_id, evaluator, candidate)`` and ``poll``s for
:class:`Completion` records. Every submitted trial yields exactly one completion, whether it
succeeded, raised, timed out, lost its worker or was cancelled, so a driver can account for
every trial it started.

>>> from symsearch.runners import InProcess
>>> with InProcess() as runner:
...     runner.submit(0, lambda x: x * 2, 21)
...     [(c.trial_id, c.ok, c.result) for c in runner.poll()]
[(0, True, 42)]
"""
from __future__ import annotations

import abc
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Optional

#: Why a trial did not succeed (``Completion.reason``).
REASONS = ("error", "timeout", "worker_died", "cancelled")


@dataclass(slots=True)
class Completion:
    """The outcome of one evaluation.

    ``ok`` is True when the evaluator returned; ``result`` is then what it returned (a NaN is
    passed through unchanged: the driver decides what a bad value means). Otherwise ``error``
    holds readable text (with the traceback when there is one) and ``reason`` is one of
    ``"error"`` (the evaluator raised), ``"timeout"``, ``"worker_died"`` (the process running
    it died and retries were spent) or ``"cancelled"``. ``elapsed`` is wall seconds spent on the
    evaluation; ``worker`` names where it ran (``None`` when unknown).
    """

    trial_id: int
    ok: bool
    result: Any = None
    error: Optional[str] = None
    reason: Optional[str] = None
    elapsed: float = 0.0
    worker: Optional[str] = None


class Runner(abc.ABC):
    """Base class of runners: evaluates candidates, in-process or on workers.

    Subclasses implement the verbs below. ``start()`` and ``shutdown()`` are idempotent, and a
    runner is a context manager that starts on entry and shuts down on exit.
    """

    #: Whether evaluations run in the driver's own process (so an evaluation that kills its
    #: process kills the search): the in-process runner. Ray's workers are separate.
    evaluates_in_driver = False

    @property
    @abc.abstractmethod
    def max_concurrent(self) -> int:
        """How many trials can usefully be in flight at once."""

    @property
    @abc.abstractmethod
    def num_in_flight(self) -> int:
        """Trials submitted whose completion ``poll()`` has not returned yet."""

    def start(self) -> None:
        """Acquires resources (processes, a cluster connection). Idempotent."""

    @abc.abstractmethod
    def submit(self, trial_id: int, evaluator: Callable[[Any], Any], candidate: Any) -> None:
        """Schedules ``evaluator(candidate)``; its outcome comes back from ``poll()``."""

    @abc.abstractmethod
    def poll(self, timeout: Optional[float] = None) -> list:
        """Returns the :class:`Completion` records of trials that finished since the last call.

        When something is in flight and nothing has finished yet, waits up to ``timeout``
        seconds (``None``: until one finishes) for at least one. Returns ``[]`` when nothing is
        in flight or the wait ran out.
        """

    @abc.abstractmethod
    def cancel(self, trial_id: int) -> bool:
        """Cancels a trial; it is reported by the next ``poll()`` with ``reason="cancelled"``.

        Returns False when the trial is unknown or already finished.
        """

    def shutdown(self) -> None:
        """Releases resources. Trials still in flight are abandoned. Idempotent."""

    def __enter__(self) -> "Runner":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()


# ---- argument validation (scikit-learn style: name the argument, the value, the expectation) --

def check_number(owner: str, name: str, value: Any, *, minimum: float = 0.0,
                 strict: bool = False, integer: bool = False, allow_none: bool = False) -> Any:
    """Returns ``value`` when it is a number in range, else raises naming the argument.

    >>> check_number("Ray", "workers", 0, minimum=1, integer=True)
    Traceback (most recent call last):
    ...
    ValueError: The 'workers' parameter of Ray must be an int >= 1. Got 0 instead.
    """
    if value is None and allow_none:
        return None
    kind = "an int" if integer else "a number"
    expected = f"{kind} {'>' if strict else '>='} {minimum:g}" + (" or None" if allow_none else "")
    message = f"The {name!r} parameter of {owner} must be {expected}. Got {value!r} instead."
    is_number = isinstance(value, numbers.Integral if integer else numbers.Real)
    if not is_number or isinstance(value, bool):
        raise TypeError(message)
    if math.isnan(value) or value < minimum or (strict and value == minimum):
        raise ValueError(message)
    return value


def cancel_queued(queue, finished: list, trial_id: int) -> bool:
    """Removes a not-yet-started trial from ``queue`` (``(trial_id, evaluator, candidate)``
    entries) and records its 'cancelled' Completion in ``finished``; False if not queued."""
    for i, (queued_id, _, _) in enumerate(queue):
        if queued_id == trial_id:
            del queue[i]
            finished.append(Completion(trial_id, False, error="cancelled", reason="cancelled"))
            return True
    return False
