"""``ss.search``: a search driven by an evaluator and a runner.

>>> result = ss.search(space, evaluator=lambda f: f(), objective="max:accuracy",
...                    algorithm="random", num_trials=50, store="runs/mlp.db")  # doctest: +SKIP
>>> result.best.value, result.best.metrics                                    # doctest: +SKIP

Evaluations run on the runner (in-process by default, or ``ss.runners.Ray(...)``) with
up to ``max_concurrent`` in flight; results are fed back as they finish. An evaluator
that raises, times out, dies or returns a non-finite objective makes that trial
``failed`` (with the reason) and the search goes on. Interrupting (Ctrl-C) keeps every
finished trial; ``resume=True`` continues.

An evaluator with a ``trial`` parameter is called as ``evaluator(candidate, trial=...)``
and may report intermediate metrics for early stopping (``early_stopping=ASHA(...)`` or a
name such as ``"asha"``); see :mod:`symsearch.search.reporting`.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Optional

from symsearch.search.driver import SearchDriver
from symsearch.search.reporting import open_channel, wants_trial
from symsearch.search.result import Result


def _default_evaluator(candidate: Any) -> Any:
    if not callable(candidate):
        raise TypeError(f"No evaluator was given and the candidate ({type(candidate).__name__}) "
                        f"is not callable; pass evaluator=...")
    return candidate()


def search(space: Any, evaluator: Optional[Callable[[Any], Any]] = None, *,
           objective: Any = None, algorithm: Any = "random",
           num_trials: Optional[int] = None, time_budget: Optional[float] = None,
           runner: Any = None, cache: Any = False, store: Any = None,
           seed: Optional[int] = None, resume: bool = False,
           max_concurrent: Optional[int] = None, early_stopping: Any = None,
           callbacks: Optional[list] = None, config: Optional[dict] = None) -> Result:
    """Runs a search and returns its :class:`~symsearch.search.result.Result`.

    ``num_trials`` counts finished trials including cached ones and those of a resumed
    run; ``time_budget`` (seconds) stops proposing new trials once spent. At least one of
    them is required unless the algorithm runs out by itself (grid).
    """
    from symsearch.runners import make_runner

    if num_trials is not None and (not isinstance(num_trials, int) or num_trials < 0):
        raise ValueError(f"num_trials must be a non-negative int, got {num_trials!r}")
    if time_budget is not None and not time_budget > 0:
        raise ValueError(f"time_budget must be a positive number of seconds, got {time_budget!r}")
    if objective is None:
        raise ValueError("search() needs an objective, e.g. objective='max:accuracy'")
    evaluator = evaluator or _default_evaluator
    driver = SearchDriver(space, algorithm, objective, store=store, seed=seed, resume=resume,
                          cache=cache, early_stopping=early_stopping, callbacks=callbacks,
                          config=config)
    if num_trials is None and time_budget is None and not driver.algorithm.finite:
        driver.close()
        raise ValueError(f"search() needs num_trials or time_budget: "
                         f"{type(driver.algorithm).__name__} does not end by itself")
    runner = make_runner(runner)
    for cb in driver.callbacks:
        if hasattr(cb, "on_search_start"):
            cb.on_search_start(driver, num_trials, time_budget)
    deadline = time.monotonic() + time_budget if time_budget else None
    channel = None
    runner.start()
    try:
        if wants_trial(evaluator):
            channel = open_channel(driver, runner)
        limit = runner.max_concurrent if max_concurrent is None else \
            min(max_concurrent, runner.max_concurrent)
        while True:
            out_of_time = deadline is not None and time.monotonic() >= deadline
            while (not out_of_time and not driver.exhausted
                   and runner.num_in_flight < limit
                   and (num_trials is None or driver.num_started < num_trials)):
                try:
                    proposal = driver.propose()
                except StopIteration:
                    break
                if not proposal.cached:
                    call = evaluator if channel is None else \
                        channel.wrap(proposal.trial_id, evaluator)
                    runner.submit(proposal.trial_id, call, proposal.candidate)
            if runner.num_in_flight == 0:
                if out_of_time or driver.exhausted or \
                        (num_trials is not None and driver.num_started >= num_trials):
                    break
                continue
            wait = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
            if channel is not None and channel.poll_interval is not None:
                wait = min(wait, channel.poll_interval)
            completions = runner.poll(timeout=wait)
            if channel is not None:
                # After the poll: every report a finished trial made is queued by now.
                channel.deliver()
            for c in completions:
                if c.ok:
                    driver.complete(c.trial_id, c.result, elapsed=c.elapsed, worker=c.worker)
                else:
                    reason = c.reason or "error"
                    message = c.error or reason
                    if reason == "timeout" and not message.startswith("timeout"):
                        message = f"timeout: {message}"
                    driver.complete(c.trial_id, error=message, status="failed",
                                    elapsed=c.elapsed, worker=c.worker)
                if channel is not None:
                    channel.finished(c.trial_id)
    finally:
        if channel is not None:
            channel.close()
        runner.shutdown()
        driver.close()
    return driver.result()
