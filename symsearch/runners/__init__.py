"""Runners: where candidates are evaluated.

``InProcess`` (the default) evaluates in the calling thread; ``Ray`` evaluates as Ray tasks on
this machine or a cluster. Both speak the :class:`Runner` verbs (``start``, ``submit``,
``poll``, ``cancel``, ``shutdown``) and report :class:`Completion` records.

>>> import symsearch as ss
>>> runner = ss.runners.make_runner({"type": "inprocess", "timeout_s": 60})
>>> runner
InProcess(timeout_s=60)
"""
from __future__ import annotations

from typing import Any

from symsearch.runners.base import Completion, Runner
from symsearch.runners.device import current_device
from symsearch.runners.inprocess import InProcess
from symsearch.runners.ray_runner import Ray

__all__ = ["Completion", "InProcess", "Ray", "Runner", "current_device", "make_runner",
           "RUNNERS"]

#: Runner names accepted by :func:`make_runner` (and the YAML ``runner:`` field).
RUNNERS = {"inprocess": InProcess, "ray": Ray}


def make_runner(spec: Any = None) -> Runner:
    """A runner from a specification.

    ``spec`` is None (an :class:`InProcess` runner), a :class:`Runner` (returned as is), a name
    (``"inprocess"`` or ``"ray"``) or a dict with ``"type"`` naming the runner and its other
    keys as constructor arguments, as written in YAML::

        runner: {type: ray, workers: 8, gpus_per_trial: 1}

    >>> make_runner({"type": "ray", "workers": 8})  # doctest: +ELLIPSIS
    Ray(workers=8, address=None, cpus_per_trial=1, ...)
    """
    if spec is None:
        return InProcess()
    if isinstance(spec, Runner):
        return spec
    if isinstance(spec, str):
        return _runner_class(spec, spec)()
    if isinstance(spec, dict):
        kwargs = dict(spec)
        name = kwargs.pop("type", None)
        if name is None:
            raise ValueError(f"Runner spec {spec!r} has no 'type' key; expected one of "
                             f"{sorted(RUNNERS)}.")
        cls = _runner_class(name, spec)
        try:
            return cls(**kwargs)
        except TypeError as e:
            if "unexpected keyword argument" not in str(e):
                raise
            raise ValueError(f"Runner spec {spec!r}: {e}") from None
    raise TypeError(f"A runner spec must be None, a Runner, a name or a dict. "
                    f"Got {spec!r} instead.")


def _runner_class(name: Any, spec: Any) -> type:
    key = name.lower().replace("_", "").replace("-", "") if isinstance(name, str) else name
    if key not in RUNNERS:
        raise ValueError(f"Unknown runner {name!r} in spec {spec!r}; valid names are "
                         f"{sorted(RUNNERS)}.")
    return RUNNERS[key]
