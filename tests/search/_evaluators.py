"""Importable evaluators and spaces for search tests (Ray workers and subprocesses import them)."""
import math
import os
import signal
import time

import symsearch as ss


def quadratic_space():
    return ss.Dict(x=ss.floatv(-2.0, 2.0), y=ss.oneof([0.0, 1.0, 2.0]))


def quadratic(candidate):
    return {"loss": (candidate["x"] - 0.5) ** 2 + candidate["y"], "extra": 1}


def raising(candidate):
    if candidate["y"] == 1.0:
        raise RuntimeError("boom from the evaluator")
    return {"loss": candidate["x"] ** 2}


def nan_for_y2(candidate):
    return {"loss": math.nan if candidate["y"] == 2.0 else candidate["x"] ** 2}


def logging_evaluator(candidate, log_path, kill_after=None, sleep=0.0):
    """Appends the candidate's x to a log; SIGKILLs its own process after N evaluations."""
    with open(log_path, "a") as f:
        f.write(f"{candidate['x']!r}\n")
    if kill_after is not None:
        with open(log_path) as f:
            if sum(1 for _ in f) >= kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(sleep)
    return {"loss": candidate["x"] ** 2}


def misbehaving(candidate):
    """y=0: fine; y=1: raises; y=2 with x<0: NaN; y=2 with x>=0: kills its worker; x>1.5: hangs."""
    if candidate["x"] > 1.5:
        time.sleep(30)
    if candidate["y"] == 1.0:
        raise ValueError("evaluator raised on purpose")
    if candidate["y"] == 2.0:
        if candidate["x"] < 0:
            return {"loss": math.nan}
        os._exit(1)
    return {"loss": candidate["x"] ** 2}


def reporting(candidate, trial):
    """Reports loss at steps 1..5 (x-dependent), stopping when asked; returns final metrics."""
    loss = None
    for step in range(1, 6):
        loss = (candidate["x"] - 0.5) ** 2 + candidate["y"] + 1.0 / step
        trial.report(step, loss=loss)
        if trial.should_stop():
            break
    return {"loss": loss, "steps": step}


def reporting_returns_nothing_when_stopped(candidate, *, trial):
    for step in range(1, 6):
        trial.report(step, loss=float(step))
        if trial.should_stop():
            return None
    return {"loss": 0.0}


class StopAtStep:
    """An early-stopping policy that stops every trial at ``step``."""

    def __init__(self, step):
        self.step = step
        self.completed = []

    def report(self, trial_id, step, metrics):
        return step >= self.step

    def complete(self, trial_id):
        self.completed.append(trial_id)
