"""Resume: rebuilding a driver's state from what its store recorded.

What makes a resumed search the same search as an uninterrupted one is an *event log*: the
driver numbers every call it makes into the algorithm (each ``propose()`` and each
``feedback()``) with one increasing sequence number, and the store keeps each trial's two
numbers (``proposal_seq``, ``feedback_seq``) in the same commit as the trial itself. An
algorithm snapshot records the sequence number it was taken at. On resume:

1. the snapshot is loaded (or, without one, the algorithm starts from its seed);
2. every event after the snapshot is replayed *in its original order* — a proposal by calling
   ``propose()`` again (its DNA is checked against the stored one and dropped), a feedback by
   feeding the stored result — so the algorithm is exactly where it was at the last durable
   event, whatever the interleaving of proposals and results was (Ray runs finish out of order);
3. trials still ``running`` (in flight at the crash) are evaluated again, under the same id
   and with the same DNA, after a poison check: a trial whose evaluation was under way in the
   driver's own process ``max_attempts`` times, and each time the process died, is recorded as
   failed instead of killing every resume.

Nothing is inferred from row counts, no row is ever deleted, and a proposal that was never
made durable (the process died between ``propose()`` and the store's commit) is simply made
again, with the same DNA, by the replayed algorithm.

Stores written before the event log existed (no sequence numbers) replay as if each trial's
proposal and feedback came in id order, from the algorithm's seed.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

from symsearch.geno.codec import dna_from_json, dna_to_json
from symsearch.store.base import dump_json
from symsearch.store.records import FAILED, FINISHED_STATUSES, RUNNING

#: Snapshot format with a sequence number (older snapshots had ``next_id``/``pending``).
SNAPSHOT_FORMAT = 2


def poison_reason(attempts: int) -> str:
    """The error recorded for a trial that killed its process ``attempts`` times."""
    return (f"the process died while evaluating it ({attempts} times); it is not retried "
            f"again (resume with retry_failed=True / --retry-failed to try once more)")


@dataclass
class ResumePlan:
    """What a resume found in the store and did to the algorithm."""

    finished: list = field(default_factory=list)       # finished records, id order
    reruns: list = field(default_factory=list)         # (trial_id, DNA) to evaluate again
    poisoned: list = field(default_factory=list)       # records to fail as poison trials
    seq: int = 0                                       # the last event number seen
    next_id: int = 0
    mismatched: int = 0                                # replayed proposals whose DNA differed


def _events(records: list, after: int, legacy: bool) -> list:
    """``(seq, kind, record)`` for every algorithm event after ``after``, in order."""
    events = []
    for r in records:
        if legacy:
            proposal, feedback = 2 * r.id, (2 * r.id + 1 if r.status in FINISHED_STATUSES
                                            else None)
        else:
            proposal, feedback = r.proposal_seq, r.feedback_seq
        if proposal is not None and proposal > after:
            events.append((proposal, 0, r))
        if feedback is not None and feedback > after and r.status in FINISHED_STATUSES:
            events.append((feedback, 1, r))
    events.sort(key=lambda e: (e[0], e[1], e[2].id))
    return events


def replay(driver: Any, *, retry_failed: bool = False,
           max_attempts: Optional[int] = None) -> ResumePlan:
    """Brings ``driver.algorithm`` to the state of the last durable event in
    ``driver.store`` and returns what else the driver has to do (see the module docstring)."""
    store, algorithm = driver.store, driver.algorithm
    records = store.trials()
    snapshot = store.load_algorithm_state()
    legacy = any(r.proposal_seq is None for r in records) or \
        (snapshot is not None and snapshot.get("format") != SNAPSHOT_FORMAT)
    after = -1
    if snapshot is not None and not legacy:
        algorithm.load_state_dict(snapshot["state"])
        after = int(snapshot["seq"])
    plan = ResumePlan()
    discard = getattr(algorithm, "discard", None)
    for _, kind, r in _events(records, after, legacy):
        if kind == 1:
            driver._feedback(dna_from_json(r.dna), r.id, r.status, r.metrics)
            continue
        try:
            dna = algorithm.propose()
        except StopIteration:
            continue
        if dump_json(dna_to_json(dna), "dna") != dump_json(r.dna, "dna"):
            # A non-deterministic algorithm: the stored trial keeps its own DNA, and the
            # proposal made now is closed so that it does not wait for a result forever.
            plan.mismatched += 1
            if discard is not None:
                discard(dna)
    if plan.mismatched:
        warnings.warn(f"resuming {getattr(store, 'path', 'the store')}: {plan.mismatched} "
                      f"replayed proposal(s) differed from the stored ones; the algorithm is "
                      f"not deterministic given its seed and state, so the resumed search may "
                      f"drift from an uninterrupted one", RuntimeWarning, stacklevel=3)
    seqs = [s for r in records for s in (r.proposal_seq, r.feedback_seq) if s is not None]
    plan.next_id = max((r.id for r in records), default=-1) + 1
    plan.seq = max([after, 2 * plan.next_id + 1 if legacy else -1, *seqs])
    for r in records:
        if r.status == RUNNING or r.status not in FINISHED_STATUSES or r.finished_at is None:
            if max_attempts is not None and r.attempts >= max_attempts:
                plan.poisoned.append(r)
            else:
                plan.reruns.append((r.id, dna_from_json(r.dna)))
        elif retry_failed and r.status == FAILED:
            plan.reruns.append((r.id, dna_from_json(r.dna)))
        else:
            plan.finished.append(r)
    plan.reruns.sort(key=lambda x: x[0])
    return plan
