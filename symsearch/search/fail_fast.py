"""Stopping a search whose first trials all fail the same way.

A search whose evaluator cannot import its framework, or whose objective names a metric the
evaluator does not return, fails every trial with one error. Running the whole budget then only
hides the cause in the store. :class:`FailFast` watches the trials as they finish and raises
:class:`~symsearch.search.errors.AllTrialsFailedError` (with a fix, when one is known) once the
first ``after`` trials of a search that has no success yet failed with the same error.

>>> watch = FailFast(after=2)
>>> watch.observe("failed", "Traceback ...\\nModuleNotFoundError: No module named 'torch'", 0)
>>> watch.observe("failed", "Traceback ...\\nModuleNotFoundError: No module named 'torch'", 0)
Traceback (most recent call last):
...
symsearch.search.errors.AllTrialsFailedError: the first 2 trials all failed with the same error, so the search stopped: ModuleNotFoundError: No module named 'torch'
  hint: pip install "symsearch[torch]" (or: pip install torch)
"""
from __future__ import annotations

import re
from typing import Optional

from symsearch.search.errors import AllTrialsFailedError

#: Modules whose absence has a symsearch extra that installs them.
EXTRAS = {"torch": "torch", "ray": "ray", "optuna": "optuna", "cmaes": "optuna",
          "numba": "fast", "rich": "progress", "matplotlib": "plot", "sklearn": "examples",
          "networkx": "dev"}
#: Import names whose pip package is named differently.
PIP_NAMES = {"sklearn": "scikit-learn", "yaml": "pyyaml"}


def error_signature(error: Optional[str]) -> str:
    """The line that says what went wrong: the last non-empty line of a traceback."""
    lines = [line.strip() for line in (error or "").splitlines() if line.strip()]
    return lines[-1] if lines else "(no error text)"


def known_fix(signature: str) -> Optional[str]:
    """A fix for a few errors whose cause is certain."""
    match = re.search(r"No module named '([\w.]+)'", signature)
    if match:
        top = match.group(1).split(".")[0]
        package = PIP_NAMES.get(top, top)
        extra = EXTRAS.get(top)
        if extra:
            return f'pip install "symsearch[{extra}]" (or: pip install {package})'
        return f"pip install {package}"
    if signature.startswith("metrics have no objective"):
        return ("the objective names a metric the evaluator does not return: rename the "
                "objective (or the metric) so that they match")
    return None


class FailFast:
    """Raises once the first ``after`` finished trials failed with one error and none
    succeeded (see the module docstring). ``after=None`` or 0 turns it off."""

    def __init__(self, after: Optional[int] = 3):
        if after is not None and (isinstance(after, bool) or not isinstance(after, int)
                                  or after < 0):
            raise ValueError(f"fail_fast must be True, False or a number of trials >= 0, "
                             f"got {after!r}")
        self.after = after or 0
        self._signature: Optional[str] = None
        self._count = 0
        self._active = self.after > 0

    def observe(self, status: str, error: Optional[str], successes: int) -> None:
        """Notes one finished trial; ``successes`` counts the search's non-failed trials."""
        if not self._active:
            return
        if status != "failed" or successes > 0:
            self._active = False          # something worked: failures are the trials' own
            return
        signature = error_signature(error)
        if self._signature is None:
            self._signature = signature
        elif signature != self._signature:
            self._active = False          # different errors: not one systematic cause
            return
        self._count += 1
        if self._count >= self.after:
            raise AllTrialsFailedError(signature, self._count, known_fix(signature))


def make_fail_fast(fail_fast) -> FailFast:
    """A FailFast from ``search(fail_fast=...)``: True (3 trials), False/None/0 (off) or N."""
    if fail_fast is True:
        return FailFast(3)
    if fail_fast is False or fail_fast is None:
        return FailFast(None)
    return FailFast(fail_fast)
