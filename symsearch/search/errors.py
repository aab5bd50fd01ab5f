"""Exceptions the search loop raises to its caller (the CLI turns them into exit codes).

>>> from symsearch.search.errors import SearchTerminated
>>> issubclass(SearchTerminated, KeyboardInterrupt)
True
"""
from __future__ import annotations

import signal
from typing import Optional


class ExperimentExistsError(RuntimeError):
    """A store already holds an experiment and ``resume`` was not requested."""


class SearchTerminated(KeyboardInterrupt):
    """The process got SIGTERM (what schedulers and containers send to stop a job).

    ``ss.search`` raises it after the trials that finished were recorded and the algorithm
    state was snapshotted, as for Ctrl-C; ``exit_code`` is the conventional ``128 + signal``.
    """

    def __init__(self, signal_number: int = signal.SIGTERM):
        super().__init__(f"terminated by signal {signal_number}")
        self.signal_number = int(signal_number)
        self.exit_code = 128 + self.signal_number


class AllTrialsFailedError(RuntimeError):
    """The first trials of a search all failed with the same error, so it stopped early.

    ``error`` is that error's text (its last line, the exception message), ``count`` how many
    trials failed with it, and ``hint`` a fix when one is known (or None). The failed trials are
    in the store.
    """

    def __init__(self, error: str, count: int, hint: Optional[str] = None):
        self.error, self.count, self.hint = error, count, hint
        text = (f"the first {count} trials all failed with the same error, so the search "
                f"stopped: {error}")
        if hint:
            text += f"\n  hint: {hint}"
        super().__init__(text)
