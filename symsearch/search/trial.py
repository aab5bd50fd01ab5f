"""``Trial``: one candidate handed to the user's loop body by ``ss.sample``.

>>> for trial in ss.sample(space, "random", num_trials=10, objective="max:acc"):  # doctest: +SKIP
...     for epoch in range(5):
...         acc = train_one_epoch(trial.value)
...         trial.report(step=epoch, acc=acc)     # intermediate: early stopping may act
...         if trial.should_stop():
...             break
...     trial.report(acc=acc)                     # final: recorded and fed back
"""
from __future__ import annotations

from typing import Any, Optional


class Trial:
    """A proposed candidate in a user-driven loop; see the module docstring."""

    __slots__ = ("_driver", "id", "dna", "value", "status", "metrics", "error")

    def __init__(self, driver, trial_id: int, dna, value: Any):
        self._driver = driver
        self.id = trial_id
        self.dna = dna
        self.value = value
        self.status = "running"
        self.metrics: Optional[dict] = None
        self.error: Optional[str] = None

    @property
    def finished(self) -> bool:
        return self.status != "running"

    def report(self, step: Optional[int] = None, **metrics: Any) -> None:
        """``step=None``: final metrics (the trial ends); otherwise an intermediate report."""
        if self.finished:
            raise RuntimeError(f"Trial {self.id} already finished ({self.status}); it cannot "
                               f"report again.")
        if not metrics:
            raise ValueError("report() needs at least one metric, e.g. report(accuracy=0.9)")
        if step is not None:
            self._driver.report(self.id, step, metrics)
            return
        self.status = self._driver.complete(self.id, metrics)
        self.metrics = metrics
        if self.status == "failed":
            self.error = self._driver.store.trial(self.id).error

    def should_stop(self) -> bool:
        """Whether the early-stopping policy asks this trial to stop."""
        return self._driver.should_stop(self.id)

    def fail(self, reason: str) -> None:
        """Records the trial as failed with ``reason`` (the search goes on)."""
        if self.finished:
            raise RuntimeError(f"Trial {self.id} already finished ({self.status}).")
        self.status = self._driver.complete(self.id, error=str(reason), status="failed")
        self.error = str(reason)

    def prune(self, **metrics: Any) -> None:
        """Ends the trial early as 'pruned', keeping its last metrics if given."""
        if self.finished:
            raise RuntimeError(f"Trial {self.id} already finished ({self.status}).")
        self.status = self._driver.complete(self.id, metrics or None, status="pruned")
        self.metrics = metrics or None

    def __repr__(self) -> str:
        return f"Trial(id={self.id}, status={self.status!r}, value={self.value!r})"
