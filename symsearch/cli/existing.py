"""An experiment store that already exists when ``symsearch run`` starts.

Running the same file again is the common case (the README's demo, a re-run after reading the
results), so it is not an error: a finished experiment whose settings match the file is shown,
not run again. A store made from different settings (another space, objective, algorithm, seed,
budget or early stopping) is refused with the options that would proceed, and ``--fresh``
moves a store aside (never deletes it) to start over.

>>> differences({"seed": 0, "objective": ["max:acc"]}, {"seed": 1, "objective": ["max:acc"]})
['seed: 0 in the store, 1 now']
"""
from __future__ import annotations

import json
import os
import time
from typing import Any, Optional

#: Settings (keys of the store's config) that make two runs different experiments.
COMPARED_SETTINGS = ("objective", "algorithm_spec", "early_stopping", "num_trials",
                     "time_budget", "seed")

#: Files SQLite keeps beside a store; they belong to it and move with it.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")


def plain(value: Any) -> Any:
    """``value`` as JSON would store it (YAML line-keeping dicts become plain dicts)."""
    return json.loads(json.dumps(value, default=str))


def differences(stored: dict, current: dict) -> list:
    """What differs between a store's recorded settings and the current ones, as text; keys
    an older store did not record are not compared."""
    out = []
    for key in COMPARED_SETTINGS:
        if key not in stored or key not in current:
            continue
        old, new = plain(stored[key]), plain(current[key])
        if old != new:
            out.append(f"{key.replace('_spec', '')}: {_show(old)} in the store, {_show(new)} now")
    return out


def _show(value: Any) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def finished_count(experiment: Any) -> int:
    return sum(1 for r in experiment.trials if r.status != "running")


def is_complete(experiment: Any, num_trials: Optional[int]) -> bool:
    """Whether a store holds a finished run: its trial budget is spent, or (a time budget or
    an algorithm that ends by itself) no trial was left running by an interruption."""
    if any(r.status == "running" for r in experiment.trials):
        return False
    if num_trials is not None:
        return finished_count(experiment) >= num_trials
    return bool(experiment.trials)


def move_aside(path: str, stamp: Optional[str] = None) -> str:
    """Renames the store ``runs/x.db`` (and its -wal/-shm companions) to
    ``runs/x.<timestamp>.db``; returns the new path. Never overwrites a file."""
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    base, ext = os.path.splitext(path)
    target, n = f"{base}.{stamp}{ext}", 1
    while any(os.path.exists(target + s) for s in ("",) + COMPANION_SUFFIXES):
        target, n = f"{base}.{stamp}-{n}{ext}", n + 1
    os.rename(path, target)
    for suffix in COMPANION_SUFFIXES:
        if os.path.exists(path + suffix):
            os.rename(path + suffix, target + suffix)
    return target
