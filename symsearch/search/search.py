"""``ss.search``: a search driven by an evaluator and a runner.

>>> result = ss.search(space, evaluator=lambda f: f(), objective="max:accuracy",
...                    algorithm="random", num_trials=50, store="runs/mlp.db")  # doctest: +SKIP
>>> result.best.value, result.best.metrics                                    # doctest: +SKIP

Evaluations run on the runner (in-process by default, or ``ss.runners.Ray(...)``) with
up to ``max_concurrent`` in flight; results are fed back as they finish. An evaluator
that raises, times out, dies or returns a non-finite objective makes that trial
``failed`` (with the reason) and the search goes on, unless the first trials all fail with
one error (``fail_fast``): then it stops with :class:`~symsearch.search.errors.AllTrialsFailedError`.
A metric that cannot be stored (not JSON) fails its trial. Interrupting (Ctrl-C, or SIGTERM
from a scheduler) keeps every finished trial; ``resume=True`` continues exactly where the
search was, and a trial that was in flight is evaluated again.

An evaluator with a ``trial`` parameter is called as ``evaluator(candidate, trial=...)``
and may report intermediate metrics for early stopping (``early_stopping=ASHA(...)`` or a
name such as ``"asha"``); see :mod:`symsearch.search.reporting`.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Optional

from symsearch.search.driver import SearchDriver
from symsearch.search.fail_fast import make_fail_fast
from symsearch.search.reporting import open_channel, wants_trial
from symsearch.search.result import Result
from symsearch.search.signals import terminate_as_interrupt


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
           callbacks: Optional[list] = None, config: Optional[dict] = None,
           retry_failed: bool = False, max_attempts: Optional[int] = 2,
           fail_fast: Any = True, snapshot_every_s: float = 2.0,
           freeze_heap: bool = True) -> Result:
    """Runs a search and returns its :class:`~symsearch.search.result.Result`.

    ``num_trials`` counts finished trials including cached ones and those of a resumed
    run; ``time_budget`` (seconds) stops proposing new trials once spent. At least one of
    them is required unless the algorithm runs out by itself (grid).

    Resume and failures:
      retry_failed: on resume, evaluate the failed trials again (under their ids); they stop
        counting toward ``num_trials`` until they finish again.
      max_attempts: a trial evaluated in this process (the in-process runner) that was in
        flight when the process died this many times is recorded as failed ("the process
        died while evaluating it (N times)") instead of being retried on every resume.
        None: retry forever. Ray isolates evaluations in workers, so it does not apply there.
      fail_fast: stop with AllTrialsFailedError when the first 3 (or N) trials all fail with
        the same error and none succeeded; False to run the budget regardless.
      snapshot_every_s: how often the algorithm state is saved (resume replays the stored
        trials since the last snapshot, so this trades write volume for replay time).
      freeze_heap: after 1,000, 2,000, 4,000, ... trials, collect garbage once and freeze
        what survives (``gc.freeze()``, undone when the search ends), so CPython's full
        collections stop re-walking the growing heap (``symsearch/search/heap.py``).
    """
    from symsearch.runners import make_runner

    if num_trials is not None and (not isinstance(num_trials, int) or num_trials < 0):
        raise ValueError(f"num_trials must be a non-negative int, got {num_trials!r}")
    if time_budget is not None and not time_budget > 0:
        raise ValueError(f"time_budget must be a positive number of seconds, got {time_budget!r}")
    if objective is None:
        raise ValueError("search() needs an objective, e.g. objective='max:accuracy'")
    evaluator = evaluator or _default_evaluator
    watch = make_fail_fast(fail_fast)
    runner = make_runner(runner)
    in_driver = getattr(runner, "evaluates_in_driver", False)
    driver = SearchDriver(space, algorithm, objective, store=store, seed=seed, resume=resume,
                          cache=cache, early_stopping=early_stopping, callbacks=callbacks,
                          config=config, retry_failed=retry_failed,
                          max_attempts=max_attempts if in_driver else None,
                          snapshot_every_s=snapshot_every_s, freeze_heap=freeze_heap)
    if num_trials is None and time_budget is None and not driver.algorithm.finite:
        driver.close()
        raise ValueError(f"search() needs num_trials or time_budget: "
                         f"{type(driver.algorithm).__name__} does not end by itself")
    for cb in driver.callbacks:
        if hasattr(cb, "on_search_start"):
            cb.on_search_start(driver, num_trials, time_budget)
    deadline = time.monotonic() + time_budget if time_budget else None
    channel = None
    with terminate_as_interrupt():
        try:
            driver.start_heap_freezer()            # undone by driver.close() below
            runner.start()
            if wants_trial(evaluator):
                channel = open_channel(driver, runner)
            limit = runner.max_concurrent if max_concurrent is None else \
                min(max_concurrent, runner.max_concurrent)
            _loop(driver, runner, evaluator, channel, limit, num_trials, deadline, watch)
        finally:
            if channel is not None:
                channel.close()
            runner.shutdown()
            driver.close()
    return driver.result()


def _successes(driver: SearchDriver) -> int:
    counts = driver.counts
    return counts["done"] + counts["cached"] + counts["pruned"]


def _loop(driver: SearchDriver, runner: Any, evaluator: Callable, channel: Any, limit: int,
          num_trials: Optional[int], deadline: Optional[float], watch: Any) -> None:
    """Proposes, submits and completes trials until the budget or the algorithm is spent."""
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
                status = driver.complete(c.trial_id, c.result, elapsed=c.elapsed,
                                         worker=c.worker)
            else:
                reason = c.reason or "error"
                message = c.error or reason
                if reason == "timeout" and not message.startswith("timeout"):
                    message = f"timeout: {message}"
                status = driver.complete(c.trial_id, error=message, status="failed",
                                         elapsed=c.elapsed, worker=c.worker)
            if channel is not None:
                channel.finished(c.trial_id)
            watch.observe(status, driver.last_error, _successes(driver))
