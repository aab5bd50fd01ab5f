"""SIGTERM as an interruption: what schedulers and containers send behaves like Ctrl-C.

Inside :func:`terminate_as_interrupt`, SIGTERM raises
:class:`~symsearch.search.errors.SearchTerminated` (a ``KeyboardInterrupt``) in the main
thread, so ``ss.search`` unwinds as it does for Ctrl-C: finished trials are recorded, the
algorithm state is snapshotted, the store's lease is released, and the caller (the CLI) prints
a summary and exits with 143. A second SIGTERM while that cleanup runs is ignored, so the
cleanup finishes. Off the main thread (where Python cannot install handlers) nothing changes.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

from symsearch.search.errors import SearchTerminated


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises SearchTerminated once (see the module docstring)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = []

    def on_sigterm(signum, frame):
        if raised:
            return
        raised.append(signum)
        raise SearchTerminated(signum)

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
