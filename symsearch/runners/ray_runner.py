"""``Ray``: evaluates candidates as Ray tasks, on this machine or on a cluster.

Each trial is one Ray task with the resources ``cpus_per_trial``/``gpus_per_trial``. Ray does
the scheduling, the worker processes and the retries; this class only keeps at most
``workers`` trials dispatched, turns task outcomes into :class:`Completion` records, and
cancels trials that run past ``timeout_s``.

Failures are told apart the way Ray tells them apart:

- the evaluator raising is an *application* error: a wrapper on the worker catches it and
  sends back the traceback text (``reason="error"``). It is never retried: it would fail again.
- the worker process dying (a segfault, ``os._exit``, the OOM killer, a lost node) is a
  *system* failure: Ray runs the task again up to ``max_retries`` times, then the trial is
  reported with ``reason="worker_died"``.

>>> import symsearch as ss
>>> with ss.runners.Ray(workers=4, cpus_per_trial=0.5) as runner:  # doctest: +SKIP
...     for i in range(4):
...         runner.submit(i, lambda x: x * x, i)
...     done = []
...     while runner.num_in_flight:
...         done += runner.poll()
>>> sorted(c.result for c in done)  # doctest: +SKIP
[0, 1, 4, 9]
"""
from __future__ import annotations

import math
import os
import re
import time
import warnings
from collections import OrderedDict, deque
from typing import Any, Callable, Optional

from symsearch.runners.base import Completion, Runner, cancel_queued, check_number
from symsearch.runners.payload import encode_candidate
from symsearch.runners.ray_worker import evaluate_on_worker, hold_slot

_ADDRESS = re.compile(r"^(auto|local|ray://.+|[\w.\-\[\]:]+:\d+)$")
_EVALUATOR_CACHE_SIZE = 8


def import_ray():
    """The ``ray`` module, or an ImportError that says how to install it."""
    try:
        import ray
    except ImportError as e:
        raise ImportError('The Ray runner needs Ray, which is not installed. Install it with: '
                          'pip install "symsearch[ray]"') from e
    return ray


class Ray(Runner):
    """Evaluates trials as Ray tasks, asynchronously.

    Args:
      workers: the most trials in flight at once (``max_concurrent``). None: as many as the
        cluster's CPUs allow, ``CPU / cpus_per_trial`` (or ``GPU / gpus_per_trial`` when
        trials take no CPU). When this runner starts Ray on this machine and ``workers *
        cpus_per_trial`` exceeds its CPU count, Ray is told it has that many CPUs, so the
        ``workers`` you asked for do run at once; and when that is more trials than CPUs
        (fractional ``cpus_per_trial``), Ray is told to keep a worker process per trial alive
        (``num_workers_soft_limit``) rather than restart them between trials.
      address: None (or ``"local"``) starts Ray on this machine unless it is running in this
        process already; ``"auto"``, ``"host:port"`` or ``"ray://host:port"`` connect to a
        cluster. Ray is only shut down by ``shutdown()`` when this runner started it.
      cpus_per_trial, gpus_per_trial: Ray resources each trial holds. Fractions pack several
        trials onto one CPU or GPU. With GPUs, Ray sets ``CUDA_VISIBLE_DEVICES`` for each trial;
        see :func:`symsearch.runners.current_device`.
      max_retries: how many times Ray re-runs a trial whose worker process died.
      timeout_s: seconds a trial may take, counted from when it was handed to Ray (so it
        includes waiting for a worker process to start), or None for no limit. A trial past it
        is cancelled with ``ray.cancel(force=True)``, which kills its worker process.
      runtime_env: Ray runtime environment (``pip``, ``env_vars``, ``working_dir``, ...), given
        to ``ray.init`` when this runner starts Ray, else to each task.
      init_kwargs: more keyword arguments for ``ray.init`` (``num_cpus``,
        ``include_dashboard``, ...), used when this runner starts Ray.

    Candidates travel as symbolic JSON when they can, else by cloudpickle (see
    :mod:`symsearch.runners.payload`); the evaluator travels once per runner through Ray's
    object store. Workers need symsearch and the modules defining the candidate's types.
    """

    def __init__(self, workers: Optional[int] = None, address: Optional[str] = None,
                 cpus_per_trial: float = 1, gpus_per_trial: float = 0, max_retries: int = 3,
                 timeout_s: Optional[float] = None, runtime_env: Optional[dict] = None,
                 init_kwargs: Optional[dict] = None):
        self.workers = check_number("Ray", "workers", workers, minimum=1, integer=True,
                                    allow_none=True)
        if address is not None and (not isinstance(address, str) or not _ADDRESS.match(address)):
            raise ValueError(f"The 'address' parameter of Ray must be None, 'auto', 'local', "
                             f"'host:port' or 'ray://host:port'. Got {address!r} instead.")
        self.address = address
        self.cpus_per_trial = check_number("Ray", "cpus_per_trial", cpus_per_trial)
        self.gpus_per_trial = check_number("Ray", "gpus_per_trial", gpus_per_trial)
        self.max_retries = check_number("Ray", "max_retries", max_retries, integer=True)
        self.timeout_s = check_number("Ray", "timeout_s", timeout_s, strict=True,
                                      allow_none=True)
        for name, value in (("runtime_env", runtime_env), ("init_kwargs", init_kwargs)):
            if value is not None and not isinstance(value, dict):
                raise TypeError(f"The {name!r} parameter of Ray must be a dict or None. "
                                f"Got {value!r} instead.")
        self.runtime_env = runtime_env
        self.init_kwargs = dict(init_kwargs or {})

        self._ray = None
        self._owns_ray = False
        self._task = None                 # the remote function, with this runner's options
        self._max_concurrent: Optional[int] = None
        self._queue: deque = deque()      # (trial_id, evaluator, payload) not yet handed to Ray
        self._running: dict = {}          # trial_id -> (ref, dispatch time)
        self._trial_of: dict = {}         # ref -> trial_id
        self._finished: list = []         # completions not yet returned (cancellations)
        self._evaluator_refs: OrderedDict = OrderedDict()   # id -> (evaluator, object ref)

    def __repr__(self) -> str:
        return (f"Ray(workers={self.workers!r}, address={self.address!r}, "
                f"cpus_per_trial={self.cpus_per_trial!r}, gpus_per_trial={self.gpus_per_trial!r},"
                f" max_retries={self.max_retries!r}, timeout_s={self.timeout_s!r})")

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is not None:
            return
        ray = self._ray = import_ray()
        if not ray.is_initialized():
            ray.init(**self._init_arguments())
            self._owns_ray = True
        elif self.address not in (None, "local", "auto"):
            warnings.warn(f"Ray is already initialized in this process; Ray(address="
                          f"{self.address!r}) uses that connection instead.", RuntimeWarning,
                          stacklevel=2)
        options = dict(num_cpus=self.cpus_per_trial, num_gpus=self.gpus_per_trial,
                       max_retries=self.max_retries)
        if self.runtime_env and not self._owns_ray:
            options["runtime_env"] = self.runtime_env
        self._task = ray.remote(evaluate_on_worker).options(**options)
        self._max_concurrent = self._fit_to_cluster(ray.cluster_resources())

    def _init_arguments(self) -> dict:
        kwargs = dict(self.init_kwargs)
        if self.address is not None:
            kwargs.setdefault("address", self.address)
        # ray.init() without an address joins the cluster named by RAY_ADDRESS, if any.
        joining = kwargs.get("address", "local") != "local" or (
            "address" not in kwargs and os.environ.get("RAY_ADDRESS"))
        if not joining:
            # Explicitly local: without an address ray.init() would also join a cluster that
            # `ray start` (or a stale /tmp/ray/ray_current_cluster file) names, and hang when
            # that cluster is gone.
            kwargs["address"] = "local"
            cpus = kwargs.get("num_cpus") or os.cpu_count() or 1
            if self.workers is not None and "num_cpus" not in kwargs:
                needed = math.ceil(self.workers * self.cpus_per_trial - 1e-9)
                if needed > cpus:
                    kwargs["num_cpus"] = cpus = needed
            slots = self.workers or _trials_that_fit(cpus, 0.0, self.cpus_per_trial, 0.0) or 0
            if slots > cpus:
                # Ray keeps one idle worker process per CPU and kills the others after a second
                # idle. With fractional cpus_per_trial that restarts workers all through a
                # search (seconds each on a small machine); keep one per trial slot instead.
                config = dict(kwargs.get("_system_config") or {})
                config.setdefault("num_workers_soft_limit", slots)
                kwargs["_system_config"] = config
        if self.runtime_env:
            kwargs.setdefault("runtime_env", self.runtime_env)
        return kwargs

    def _fit_to_cluster(self, resources: dict) -> int:
        cpus, gpus = resources.get("CPU", 0.0), resources.get("GPU", 0.0)
        if self.gpus_per_trial > gpus:
            warnings.warn(f"Ray(gpus_per_trial={self.gpus_per_trial}) but the Ray cluster has "
                          f"{gpus:g} GPUs: trials will wait until GPU nodes join.",
                          RuntimeWarning, stacklevel=3)
        if self.workers is not None:
            fits = _trials_that_fit(cpus, gpus, self.cpus_per_trial, self.gpus_per_trial)
            if fits is not None and fits < self.workers:
                warnings.warn(f"Ray(workers={self.workers}) but the Ray cluster has resources "
                              f"for {fits} trials at once (CPU={cpus:g}, GPU={gpus:g}); the "
                              f"rest wait in Ray's queue.", RuntimeWarning, stacklevel=3)
            return self.workers
        fits = _trials_that_fit(cpus, gpus, self.cpus_per_trial, self.gpus_per_trial)
        return max(1, fits if fits is not None else int(cpus))

    def warm_up(self, max_seconds: float = 30.0, hold_s: float = 0.5) -> int:
        """Starts worker processes for ``max_concurrent`` trials before the first real one.

        Ray starts worker processes on demand, a few at a time, and each takes a while to
        import (seconds on a small machine): without a warm-up the first trials of a search
        wait for them. This runs rounds of ``max_concurrent`` tasks that each hold a trial's
        resources for ``hold_s`` seconds, until one round starts them all at once (so that
        many workers are up) or ``max_seconds`` pass. Returns how many started at once in the
        last round.

        Worker processes beyond one per CPU only stay up when Ray keeps them: a Ray this runner
        starts does (see ``workers``); a Ray started elsewhere with default settings kills
        them after a second idle, so a warm-up helps only when trials follow at once.
        """
        self.start()
        n = self.max_concurrent
        resources = self._ray.cluster_resources()
        fits = _trials_that_fit(resources.get("CPU", 0.0), resources.get("GPU", 0.0),
                                self.cpus_per_trial, self.gpus_per_trial)
        target = min(n, fits) if fits else n
        give_up = time.monotonic() + max_seconds
        while True:
            # The trial task itself holds the slot, so workers also load its code.
            hold = self._evaluator_ref(hold_slot)
            outcomes = self._ray.get([self._task.remote(hold, hold_s) for _ in range(n)])
            starts = sorted(started for ok, started, _, _ in outcomes if ok)
            together = sum(1 for t in starts if t - starts[0] < hold_s / 2)
            if not starts:
                raise RuntimeError(f"Ray warm-up tasks failed: {outcomes[0][1]}")
            if together >= target or time.monotonic() >= give_up:
                return together

    def shutdown(self) -> None:
        ray = self._ray
        if ray is not None and ray.is_initialized():
            for ref, _ in self._running.values():
                try:
                    ray.cancel(ref, force=True)
                except Exception:  # noqa: BLE001 - the task may have finished or its node gone
                    pass
            if self._owns_ray:
                ray.shutdown()
        self._queue.clear()
        self._running.clear()
        self._trial_of.clear()
        self._finished.clear()
        self._evaluator_refs.clear()
        self._task = None
        self._owns_ray = False
        self._max_concurrent = None

    # ---- the runner verbs ---------------------------------------------------------------------
    @property
    def max_concurrent(self) -> int:
        """``workers``; when that is None, what the cluster fits (this starts Ray if needed)."""
        if self.workers is not None:
            return self.workers
        self.start()
        return self._max_concurrent

    @property
    def num_in_flight(self) -> int:
        return len(self._queue) + len(self._running) + len(self._finished)

    def submit(self, trial_id: int, evaluator: Callable[[Any], Any], candidate: Any) -> None:
        if not callable(evaluator):
            raise TypeError(f"The 'evaluator' argument of Ray.submit must be callable. "
                            f"Got {evaluator!r} instead.")
        self.start()
        self._queue.append((trial_id, evaluator, encode_candidate(candidate)))
        self._dispatch()

    def poll(self, timeout: Optional[float] = None) -> list:
        out, self._finished = self._finished, []
        if self._task is None:
            return out
        self._dispatch()
        ray = self._ray
        give_up = None if timeout is None else time.monotonic() + max(timeout, 0.0)
        while True:
            now = time.monotonic()
            out.extend(self._expire(now))
            refs = list(self._trial_of)
            if not refs:
                break
            wait = 0.0 if out else _earliest(give_up, self._next_deadline(), now)
            if wait == 0.0:
                ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
            else:
                ready, _ = ray.wait(refs, num_returns=1, timeout=wait)
                if ready and len(refs) > 1:     # collect everything else that is done too
                    ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
            out.extend(self._collect(ready))
            if out or (give_up is not None and time.monotonic() >= give_up):
                break
        self._dispatch()
        return out

    def cancel(self, trial_id: int) -> bool:
        if cancel_queued(self._queue, self._finished, trial_id):
            return True
        if trial_id not in self._running:
            return False
        ref, dispatched = self._running.pop(trial_id)
        del self._trial_of[ref]
        self._ray.cancel(ref, force=True)
        self._finished.append(Completion(trial_id, False, error="cancelled", reason="cancelled",
                                         elapsed=time.monotonic() - dispatched))
        self._dispatch()
        return True

    # ---- internals ----------------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Hands queued trials to Ray while fewer than ``max_concurrent`` are running."""
        limit = self._max_concurrent
        while self._queue and len(self._running) < limit:
            trial_id, evaluator, payload = self._queue.popleft()
            ref = self._task.remote(self._evaluator_ref(evaluator), payload)
            self._running[trial_id] = (ref, time.monotonic())
            self._trial_of[ref] = trial_id

    def _evaluator_ref(self, evaluator: Callable) -> Any:
        """The evaluator in Ray's object store, put there once rather than pickled per task."""
        key = id(evaluator)
        entry = self._evaluator_refs.get(key)
        if entry is not None and entry[0] is evaluator:
            self._evaluator_refs.move_to_end(key)
            return entry[1]
        ref = self._ray.put(evaluator)
        self._evaluator_refs[key] = (evaluator, ref)   # holding it keeps its id from reuse
        if len(self._evaluator_refs) > _EVALUATOR_CACHE_SIZE:
            self._evaluator_refs.popitem(last=False)
        return ref

    def _next_deadline(self) -> Optional[float]:
        if self.timeout_s is None or not self._running:
            return None
        return min(dispatched for _, dispatched in self._running.values()) + self.timeout_s

    def _expire(self, now: float) -> list:
        """Cancels trials past ``timeout_s`` and returns their completions."""
        if self.timeout_s is None:
            return []
        late = [(trial_id, ref, dispatched) for trial_id, (ref, dispatched)
                in self._running.items() if now - dispatched >= self.timeout_s]
        out = []
        for trial_id, ref, dispatched in late:
            del self._running[trial_id]
            del self._trial_of[ref]
            self._ray.cancel(ref, force=True)
            out.append(Completion(trial_id, False, error=f"timeout after {self.timeout_s:g}s",
                                  reason="timeout", elapsed=now - dispatched))
        return out

    def _collect(self, refs: list) -> list:
        exceptions = self._ray.exceptions
        out = []
        for ref in refs:
            trial_id = self._trial_of.pop(ref)
            _, dispatched = self._running.pop(trial_id)
            try:
                ok, value, elapsed, worker = self._ray.get(ref)
            except exceptions.TaskCancelledError as e:
                out.append(_failed(trial_id, "cancelled", e, dispatched))
            except exceptions.RayTaskError as e:   # failed outside the evaluator: arguments
                out.append(_failed(trial_id, "error", e, dispatched))  # or result unpicklable
            except exceptions.RayError as e:       # worker or node died, retries spent
                out.append(_failed(trial_id, "worker_died", e, dispatched))
            else:
                if ok:
                    out.append(Completion(trial_id, True, value, elapsed=elapsed, worker=worker))
                else:
                    out.append(Completion(trial_id, False, error=value, reason="error",
                                          elapsed=elapsed, worker=worker))
        return out


def _failed(trial_id: int, reason: str, error: BaseException, dispatched: float) -> Completion:
    return Completion(trial_id, False, error=f"{type(error).__name__}: {error}", reason=reason,
                      elapsed=time.monotonic() - dispatched)


def _earliest(give_up: Optional[float], deadline: Optional[float], now: float) -> Optional[float]:
    """Seconds to wait: until the poll gives up or the next trial times out (None: forever)."""
    times = [t for t in (give_up, deadline) if t is not None]
    return max(min(times) - now, 0.0) if times else None


def _trials_that_fit(cpus: float, gpus: float, cpus_per_trial: float,
                     gpus_per_trial: float) -> Optional[int]:
    limits = [int(cpus / cpus_per_trial + 1e-9)] if cpus_per_trial else []
    if gpus_per_trial:
        limits.append(int(gpus / gpus_per_trial + 1e-9))
    return min(limits) if limits else None
