"""What the Ray runner runs inside a worker process.

Kept apart from :mod:`symsearch.runners.ray_runner` (the driver side): a worker imports only
this module and the payload decoder, not the driver's bookkeeping.
"""
from __future__ import annotations

import os
import time
import traceback
from typing import Any, Callable, Optional

from symsearch.runners.payload import decode_candidate

_WORKER_NAME: Optional[str] = None


def evaluate_on_worker(evaluator: Callable[[Any], Any], payload: Any) -> tuple:
    """Runs one trial: ``(ok, result or traceback text, elapsed seconds, worker name)``.

    The evaluator's exceptions are caught here so that Ray sees a task that returned: Ray then
    does not retry it (it would fail again), and the traceback text arrives intact whatever the
    exception type. Only the process dying is left for Ray to retry.
    """
    start = time.perf_counter()
    try:
        ok, value = True, evaluator(decode_candidate(payload))
    except (Exception, SystemExit):
        ok, value = False, traceback.format_exc()
    return ok, value, time.perf_counter() - start, worker_name()


def hold_slot(seconds: float) -> float:
    """A warm-up evaluator: holds its worker for ``seconds``; returns when it started."""
    started = time.time()
    time.sleep(seconds)
    return started


def worker_name() -> str:
    """``"<node id prefix>:<pid>"``: which node and process ran a trial."""
    global _WORKER_NAME
    if _WORKER_NAME is None:
        import ray
        node_id = ray.get_runtime_context().get_node_id()
        _WORKER_NAME = f"{node_id[:8]}:{os.getpid()}"
    return _WORKER_NAME
