"""TrialRecord: one trial as the experiment store keeps it, and the trial statuses.

A record is plain data (JSON-able lists and dicts, no symbolic objects) so that writing one costs
little on the hot path and reading one back needs nothing but ``json``.

>>> record = TrialRecord(id=0, dna=[1, 0.5], status=DONE, metrics={"accuracy": 0.9},
...                      started_at=10.0, finished_at=12.5)
>>> record.is_finished, record.duration
(True, 2.5)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

RUNNING = "running"
DONE = "done"
FAILED = "failed"
CACHED = "cached"    # metrics reused from an earlier trial with the same functional hash
PRUNED = "pruned"    # stopped early by an early-stopping policy; metrics are the last report

STATUSES = (RUNNING, DONE, FAILED, CACHED, PRUNED)
FINISHED_STATUSES = frozenset((DONE, FAILED, CACHED, PRUNED))
# Statuses whose metrics are complete and may be compared when ranking trials.
SCORED_STATUSES = frozenset((DONE, CACHED))


def check_status(status: str, allowed=STATUSES, argument: str = "status") -> str:
    """Returns ``status`` or raises ValueError naming the argument and the allowed values."""
    if status not in allowed:
        allowed_text = ", ".join(repr(s) for s in STATUSES if s in allowed)
        raise ValueError(f"{argument}={status!r} is not a trial status; expected one of "
                         f"{allowed_text}")
    return status


@dataclass(slots=True)
class TrialRecord:
    """One trial: its decisions, what it was, how it ended, and when.

    Attributes:
      id: assigned by the store, 0-based and increasing; never reused within a store.
      dna: the decision values as a JSON-able list.
      candidate_json: the materialized candidate as JSON text, when the caller keeps it.
      structural_hash / functional_hash: the candidate's hashes, when computed.
      status: one of ``STATUSES``.
      metrics: the final metrics (``None`` while running or when it failed).
      error: the error text of a failed trial.
      reports: intermediate reports, each ``{"step": int | None, "metrics": dict, "time": float}``.
      started_at / finished_at: wall-clock times (``time.time()``).
      worker: the worker that evaluated it, when known.
      cached_from: the id of the trial whose metrics a cached trial reused.
      attempts: how many times its evaluation was started (0 for a cached trial); more than 1
        means the process died while evaluating it and a resume ran it again.
      proposal_seq / feedback_seq: the numbers of the driver's calls into the search algorithm
        that proposed it and fed its result back (what an exact resume replays), or None.
    """

    id: int
    dna: list
    candidate_json: Optional[str] = None
    structural_hash: Optional[str] = None
    functional_hash: Optional[str] = None
    status: str = RUNNING
    metrics: Optional[dict] = None
    error: Optional[str] = None
    reports: list = field(default_factory=list)
    started_at: float = 0.0
    finished_at: Optional[float] = None
    worker: Optional[str] = None
    cached_from: Optional[int] = None
    attempts: int = 0
    proposal_seq: Optional[int] = None
    feedback_seq: Optional[int] = None

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def duration(self) -> Optional[float]:
        """Seconds from start to finish, ``None`` while running."""
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    def copy(self) -> "TrialRecord":
        """A copy whose lists and dicts can be changed without touching this record."""
        return TrialRecord(
            self.id, list(self.dna), self.candidate_json, self.structural_hash,
            self.functional_hash, self.status,
            None if self.metrics is None else dict(self.metrics), self.error,
            [dict(r) for r in self.reports], self.started_at, self.finished_at, self.worker,
            self.cached_from, self.attempts, self.proposal_seq, self.feedback_seq)

    def to_dict(self) -> dict:
        """The record as a plain dict (field name -> value)."""
        return {
            "id": self.id, "dna": self.dna, "candidate_json": self.candidate_json,
            "structural_hash": self.structural_hash, "functional_hash": self.functional_hash,
            "status": self.status, "metrics": self.metrics, "error": self.error,
            "reports": self.reports, "started_at": self.started_at,
            "finished_at": self.finished_at, "worker": self.worker,
            "cached_from": self.cached_from, "attempts": self.attempts,
            "proposal_seq": self.proposal_seq, "feedback_seq": self.feedback_seq,
        }
