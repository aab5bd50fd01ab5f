"""Intermediate reports from evaluators run by ``ss.search``.

An evaluator with a parameter named ``trial`` is called as ``evaluator(candidate,
trial=reporter)``; the reporter has the two verbs of :class:`~symsearch.search.Trial` an
evaluator needs for early stopping::

    def evaluate(model, trial):
        for epoch in range(1, 28):
            acc = train_one_epoch(model)
            trial.report(epoch, acc=acc)       # recorded; the policy may ask to stop
            if trial.should_stop():
                break
        return {"acc": acc}                    # recorded 'pruned' when it was asked to stop

A channel carries the reports from where the evaluator runs to the search driver, the
single writer of the store: with the in-process runner the reporter calls the driver
directly; with the Ray runner an asynchronous Ray actor queues the reports, the search
loop hands them to the driver every ``RayChannel.poll_interval`` seconds and sends back the
stop decisions. A Ray reporter's ``report()`` waits (up to ``wait_s``) until the driver has
judged it, so ``should_stop()`` right after it gives the policy's answer.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Optional


def wants_trial(evaluator: Callable) -> bool:
    """Whether ``evaluator`` takes a ``trial`` argument (by keyword)."""
    try:
        parameters = inspect.signature(evaluator).parameters
    except (TypeError, ValueError):     # builtins and some C callables have no signature
        return False
    p = parameters.get("trial")
    return p is not None and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                        inspect.Parameter.KEYWORD_ONLY)


def open_channel(driver: Any, runner: Any) -> "InProcessChannel":
    """The report channel for ``runner``: ValueError for runners that have none."""
    from symsearch.runners import InProcess, Ray
    if isinstance(runner, InProcess):
        return InProcessChannel(driver)
    if isinstance(runner, Ray):
        return RayChannel(driver)
    raise ValueError(f"The evaluator takes a 'trial' argument for intermediate reports, but "
                     f"the runner {type(runner).__name__} cannot carry them; use the "
                     f"in-process or the Ray runner, or drop the evaluator's 'trial' "
                     f"parameter.")


def _check_report(step: Any, metrics: dict) -> None:
    if step is None:
        raise ValueError("trial.report(step, **metrics) needs a step (the resource spent so "
                         "far, e.g. the epoch); an evaluator's final metrics are what it "
                         "returns")
    if not metrics:
        raise ValueError("trial.report() needs at least one metric, e.g. "
                         "trial.report(3, accuracy=0.9)")
    # Checked where the evaluator runs (a Ray worker too), so that a report the store
    # cannot hold fails this trial instead of reaching the driver and stopping the search.
    from symsearch.search.driver import unstorable
    problem = unstorable(metrics)
    if problem is not None:
        raise TypeError(f"trial.report({step!r}, ...): the metrics cannot be stored: {problem}")


class TrialReporter:
    """What an in-process evaluator gets as ``trial``: reports go straight to the driver."""

    __slots__ = ("_driver", "id")

    def __init__(self, driver: Any, trial_id: int):
        self._driver = driver
        self.id = trial_id

    def report(self, step: Any, **metrics: Any) -> None:
        """Records an intermediate report at ``step``; the policy may then ask to stop."""
        _check_report(step, metrics)
        self._driver.report(self.id, step, metrics)

    def should_stop(self) -> bool:
        """Whether the early-stopping policy asks this trial to stop."""
        return self._driver.should_stop(self.id)

    def __repr__(self) -> str:
        return f"TrialReporter(id={self.id})"


class _WithReporter:
    """``evaluator(candidate, trial=reporter)`` as a one-argument callable for a runner."""

    __slots__ = ("evaluator", "reporter")

    def __init__(self, evaluator: Callable, reporter: Any):
        self.evaluator = evaluator
        self.reporter = reporter

    def __call__(self, candidate: Any) -> Any:
        return self.evaluator(candidate, trial=self.reporter)


class InProcessChannel:
    """Reports of in-process evaluations: nothing to carry, the reporter calls the driver."""

    poll_interval: Optional[float] = None

    def __init__(self, driver: Any):
        self.driver = driver

    def wrap(self, trial_id: int, evaluator: Callable) -> Callable:
        return _WithReporter(evaluator, TrialReporter(self.driver, trial_id))

    def deliver(self) -> None:
        """Hands queued reports to the driver (none queue in-process)."""

    def finished(self, trial_id: int) -> None:
        """Forgets a trial the driver has completed."""

    def close(self) -> None:
        pass


class ReportQueue:
    """The Ray actor between reporters on workers and the driver (asyncio: one event loop)."""

    def __init__(self):
        self._queue: list = []
        self._waiting: dict = {}
        self._stop: set = set()
        self._seq = 0

    async def report(self, trial_id: int, step: Any, metrics: dict, wait_s: float) -> bool:
        import asyncio
        seq = self._seq
        self._seq += 1
        event = self._waiting[seq] = asyncio.Event()
        self._queue.append((seq, trial_id, step, metrics))
        try:
            await asyncio.wait_for(event.wait(), wait_s)
        except asyncio.TimeoutError:
            pass                        # judged later; should_stop() will tell
        finally:
            self._waiting.pop(seq, None)
        return trial_id in self._stop

    async def take(self) -> list:
        out, self._queue = self._queue, []
        return out

    async def answer(self, seqs: list, stop_ids: list, finished_ids: list) -> None:
        self._stop.update(stop_ids)
        self._stop.difference_update(finished_ids)
        for seq in seqs:
            event = self._waiting.get(seq)
            if event is not None:
                event.set()

    async def should_stop(self, trial_id: int) -> bool:
        return trial_id in self._stop


class RemoteReporter:
    """What an evaluator on a Ray worker gets as ``trial``; see the module docstring."""

    __slots__ = ("_queue", "id", "_wait_s", "_stop")

    def __init__(self, queue: Any, trial_id: int, wait_s: float):
        self._queue = queue
        self.id = trial_id
        self._wait_s = wait_s
        self._stop = False

    def report(self, step: Any, **metrics: Any) -> None:
        """Records an intermediate report at ``step``; waits until the driver judged it."""
        import ray
        _check_report(step, metrics)
        self._stop = ray.get(self._queue.report.remote(self.id, step, metrics, self._wait_s))

    def should_stop(self) -> bool:
        """Whether the early-stopping policy asks this trial to stop."""
        if not self._stop:
            import ray
            self._stop = ray.get(self._queue.should_stop.remote(self.id))
        return self._stop

    def __repr__(self) -> str:
        return f"RemoteReporter(id={self.id})"


class _WithRemoteReporter:
    """A picklable per-trial evaluator for Ray workers."""

    __slots__ = ("evaluator", "queue", "trial_id", "wait_s")

    def __init__(self, evaluator: Callable, queue: Any, trial_id: int, wait_s: float):
        self.evaluator = evaluator
        self.queue = queue
        self.trial_id = trial_id
        self.wait_s = wait_s

    def __call__(self, candidate: Any) -> Any:
        reporter = RemoteReporter(self.queue, self.trial_id, self.wait_s)
        return self.evaluator(candidate, trial=reporter)

    def __getstate__(self):
        return (self.evaluator, self.queue, self.trial_id, self.wait_s)

    def __setstate__(self, state):
        self.evaluator, self.queue, self.trial_id, self.wait_s = state


class RayChannel:
    """Reports from Ray workers through a :class:`ReportQueue` actor (started here).

    Needs Ray initialized (the runner's ``start()``). The actor takes no CPU, so it does not
    hold back a trial.
    """

    #: How often (seconds) the search loop hands queued reports to the driver.
    poll_interval: Optional[float] = 0.05

    def __init__(self, driver: Any, wait_s: float = 10.0):
        import ray
        self._ray = ray
        self.driver = driver
        self.wait_s = wait_s
        self._actor = ray.remote(num_cpus=0)(ReportQueue).remote()
        self._finished: list = []

    def wrap(self, trial_id: int, evaluator: Callable) -> Callable:
        return _WithRemoteReporter(evaluator, self._actor, trial_id, self.wait_s)

    def deliver(self) -> None:
        """Hands queued reports of running trials to the driver; sends back its answers."""
        driver = self.driver
        items = self._ray.get(self._actor.take.remote())
        if not items and not self._finished:
            return
        seqs, stops = [], []
        for seq, trial_id, step, metrics in items:
            seqs.append(seq)
            if trial_id in driver.in_flight:    # late reports of finished trials are dropped
                driver.report(trial_id, step, metrics)
                if driver.should_stop(trial_id):
                    stops.append(trial_id)
        finished, self._finished = self._finished, []
        self._actor.answer.remote(seqs, stops, finished)

    def finished(self, trial_id: int) -> None:
        self._finished.append(trial_id)

    def close(self) -> None:
        try:
            self._ray.kill(self._actor)
        except Exception:  # noqa: BLE001 - Ray may already be shut down
            pass
