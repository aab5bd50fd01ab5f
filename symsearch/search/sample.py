"""``ss.sample``: a search loop driven by the user's own code.

>>> for trial in ss.sample(space, "random", num_trials=20, objective="max:acc",
...                        store="runs/x.db"):                         # doctest: +SKIP
...     trial.report(acc=evaluate(trial.value))

Feedback reaches the algorithm when the body reports final metrics. A trial the body
leaves without a final report is recorded as failed (or as pruned when the
early-stopping policy had asked it to stop) — never silently repeated. Final metrics
reported after the policy asked to stop are recorded, as a pruned trial.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

from symsearch.search.driver import SearchDriver
from symsearch.search.trial import Trial

NO_REPORT = "the loop body ended the trial without a final report"


def sample(space: Any, algorithm: Any = None, num_trials: Optional[int] = None, *,
           objective: Any = None, store: Any = None, seed: Optional[int] = None,
           resume: bool = False, cache: Any = False, early_stopping: Any = None,
           callbacks: Optional[list] = None) -> Iterator[Trial]:
    """Yields trials until ``num_trials`` have finished (counting resumed ones)."""
    if num_trials is not None and (not isinstance(num_trials, int) or num_trials < 0):
        raise ValueError(f"num_trials must be a non-negative int or None, got {num_trials!r}")
    driver = SearchDriver(space, algorithm, objective, store=store, seed=seed, resume=resume,
                          cache=cache, early_stopping=early_stopping, callbacks=callbacks)
    trial: Optional[Trial] = None
    try:
        while num_trials is None or driver.num_finished < num_trials:
            try:
                proposal = driver.propose()
            except StopIteration:
                return
            if proposal.cached:
                continue
            trial = Trial(driver, proposal.trial_id, proposal.dna, proposal.candidate)
            yield trial
            _close_unreported(driver, trial)
            trial = None
    finally:
        if trial is not None:
            _close_unreported(driver, trial)
        driver.close()


def _close_unreported(driver: SearchDriver, trial: Trial) -> None:
    if trial.finished:
        return
    if driver.should_stop(trial.id):
        trial.prune()
    else:
        trial.fail(NO_REPORT)
