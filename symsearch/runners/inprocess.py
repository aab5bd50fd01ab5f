"""``InProcess``: evaluates candidates one at a time, in the calling thread.

It has no start-up cost and no serialization, which makes it the default runner, the one to
debug with (breakpoints and prints work), and the fastest for cheap evaluators.

>>> from symsearch.runners import InProcess
>>> runner = InProcess(timeout_s=10)
>>> runner.submit(7, len, "abc")
>>> completion, = runner.poll()
>>> completion.trial_id, completion.ok, completion.result
(7, True, 3)
"""
from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from collections import deque
from typing import Any, Callable, Optional

from symsearch.runners.base import Completion, Runner, cancel_queued, check_number


class _EvaluationTimeout(BaseException):
    """Raised inside the evaluator by SIGALRM. A BaseException so that an evaluator's
    ``except Exception`` does not swallow it."""


class InProcess(Runner):
    """Runs each evaluation synchronously inside ``poll()``, in the calling thread.

    ``max_concurrent`` is 1: ``submit`` only queues, and each ``poll()`` runs the oldest queued
    trial to the end, whatever its ``timeout`` argument, and returns its completion.

    Args:
      timeout_s: seconds an evaluation may take, or None for no limit. On the main thread
        (where Python delivers signals) the evaluation is interrupted by ``SIGALRM`` (set with
        ``signal.setitimer``), which Python checks between bytecodes: a long call into C code
        that does not return to Python is only interrupted when it returns. Off the main thread
        a signal cannot interrupt it, so the evaluation runs to its end and is reported as a
        timeout afterwards when it took longer than ``timeout_s``. A timer already armed by
        someone else (``pytest-timeout``, for one) is kept and re-armed afterwards.
    """

    #: Evaluations run in the driver's process: one that kills the process kills the search,
    #: so the driver counts attempts and gives up on a trial that does it repeatedly.
    evaluates_in_driver = True

    def __init__(self, timeout_s: Optional[float] = None):
        self.timeout_s = check_number("InProcess", "timeout_s", timeout_s, strict=True,
                                      allow_none=True)
        self._queue: deque = deque()      # (trial_id, evaluator, candidate), oldest first
        self._finished: list = []         # completions not yet returned (cancellations)
        self._worker = f"inprocess:{os.getpid()}"

    def __repr__(self) -> str:
        return f"InProcess(timeout_s={self.timeout_s!r})"

    @property
    def max_concurrent(self) -> int:
        return 1

    @property
    def num_in_flight(self) -> int:
        return len(self._queue) + len(self._finished)

    def submit(self, trial_id: int, evaluator: Callable[[Any], Any], candidate: Any) -> None:
        if not callable(evaluator):
            raise TypeError(f"The 'evaluator' argument of InProcess.submit must be callable. "
                            f"Got {evaluator!r} instead.")
        self._queue.append((trial_id, evaluator, candidate))

    def poll(self, timeout: Optional[float] = None) -> list:
        if self._finished:                 # something already finished: report without waiting
            out, self._finished = self._finished, []
            return out
        if not self._queue:
            return []
        trial_id, evaluator, candidate = self._queue.popleft()
        return [self.evaluate(trial_id, evaluator, candidate)]

    def cancel(self, trial_id: int) -> bool:
        return cancel_queued(self._queue, self._finished, trial_id)

    def shutdown(self) -> None:
        self._queue.clear()
        self._finished.clear()

    def evaluate(self, trial_id: int, evaluator: Callable[[Any], Any],
                 candidate: Any) -> Completion:
        """Runs one evaluation now and returns its completion (``submit`` + ``poll`` in one)."""
        timeout = self.timeout_s
        start = time.perf_counter()
        try:
            if timeout is not None and threading.current_thread() is threading.main_thread():
                result = _call_with_alarm(evaluator, candidate, timeout)
            else:
                result = evaluator(candidate)
        except _EvaluationTimeout:
            return self._timed_out(trial_id, time.perf_counter() - start)
        except (Exception, SystemExit):
            return Completion(trial_id, False, error=traceback.format_exc(), reason="error",
                              elapsed=time.perf_counter() - start, worker=self._worker)
        elapsed = time.perf_counter() - start
        if timeout is not None and elapsed > timeout:   # off the main thread, or swallowed
            return self._timed_out(trial_id, elapsed)
        return Completion(trial_id, True, result, elapsed=elapsed, worker=self._worker)

    def _timed_out(self, trial_id: int, elapsed: float) -> Completion:
        return Completion(trial_id, False, error=f"timeout after {self.timeout_s:g}s",
                          reason="timeout", elapsed=elapsed, worker=self._worker)


def _call_with_alarm(evaluator: Callable[[Any], Any], candidate: Any, timeout: float) -> Any:
    """``evaluator(candidate)``, interrupted by SIGALRM after ``timeout`` seconds.

    An interval timer that was already armed is honoured: its handler still runs when it is
    due, and the timer is re-armed for its remaining time afterwards.
    """
    now = time.monotonic()
    deadline = now + timeout
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_remaining, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    outer = {"deadline": now + outer_remaining if outer_remaining > 0 else None}

    def on_alarm(signum, frame):
        now = time.monotonic()
        outer_deadline = outer["deadline"]
        if outer_deadline is not None and now >= outer_deadline - 1e-4:
            outer["deadline"] = None
            if callable(outer_handler):
                outer_handler(signum, frame)
        if now >= deadline - 1e-4:
            raise _EvaluationTimeout()
        _arm(deadline, outer["deadline"], now)

    signal.signal(signal.SIGALRM, on_alarm)
    try:
        _arm(deadline, outer["deadline"], now)
        return evaluator(candidate)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer["deadline"] is not None:
            signal.setitimer(signal.ITIMER_REAL, max(outer["deadline"] - time.monotonic(), 1e-6),
                             outer_interval)
        elif outer_interval > 0:                       # a periodic outer timer that fired
            signal.setitimer(signal.ITIMER_REAL, outer_interval, outer_interval)


def _arm(deadline: float, outer_deadline: Optional[float], now: float) -> None:
    due = deadline if outer_deadline is None else min(deadline, outer_deadline)
    signal.setitimer(signal.ITIMER_REAL, max(due - now, 1e-6))
