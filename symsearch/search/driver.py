"""The search driver: owns the algorithm, the cache and the store.

Both loop styles (``ss.sample`` driven by the user, ``ss.search`` driven by a runner)
use one driver, so proposals, caching, recording, feedback and resume behave the same.
Workers never touch the store: the driver is its single writer.

Resume: the algorithm's state is snapshotted in the store (at most every
``snapshot_every_s`` seconds and at the end) with the next trial id and the ids still
in flight. On resume the snapshot is loaded, feedback of trials that finished after it
is replayed, proposals made after it are fast-forwarded, and trials that were running
when the process died are discarded and evaluated again with the same DNA. An
early-stopping policy is rebuilt by replaying the reports of the finished trials.
"""
from __future__ import annotations

import collections
import time
from typing import Any, Callable, Optional

from symsearch.geno.codec import dna_from_json, dna_to_json
from symsearch.hyper.space import compiled
from symsearch.search.objectives import ObjectiveError, Objectives, normalize_metrics
from symsearch.search.errors import ExperimentExistsError
from symsearch.search.result import Result
from symsearch.symbolic.hashing import sym_hash
from symsearch.symbolic.serialization import to_json_str

DONE, FAILED, CACHED, PRUNED, RUNNING = "done", "failed", "cached", "pruned", "running"
FINISHED = (DONE, FAILED, CACHED, PRUNED)


class Proposal:
    """A proposed trial: either started (to evaluate) or answered from the cache."""

    __slots__ = ("trial_id", "dna", "candidate", "key", "cached", "started_at")

    def __init__(self, trial_id, dna, candidate, key, cached, started_at):
        self.trial_id = trial_id
        self.dna = dna
        self.candidate = candidate
        self.key = key
        self.cached = cached
        self.started_at = started_at


class SearchDriver:
    """See the module docstring. Not thread-safe: call it from one thread."""

    def __init__(self, space: Any, algorithm: Any = None, objective: Any = None, *,
                 store: Any = None, seed: Optional[int] = None, resume: bool = False,
                 cache: Any = False, early_stopping: Any = None,
                 callbacks: Optional[list] = None, config: Optional[dict] = None,
                 snapshot_every_s: float = 2.0):
        from symsearch.algorithms import make_algorithm
        from symsearch.algorithms.early_stopping import make_policy
        from symsearch.store import open_store

        self.space = space
        self.compiled = compiled(space)
        self.spec = self.compiled.spec
        self.objectives = Objectives.parse(objective)
        self.algorithm = make_algorithm(algorithm)
        self.algorithm.setup(self.spec, self.objectives, seed)
        self.cache = make_cache(cache)
        self.policy = make_policy(early_stopping)
        if self.policy is not None and hasattr(self.policy, "setup"):
            self.policy.setup(self.objectives)
        self.callbacks = list(callbacks or [])
        self.store = open_store(store)
        self.snapshot_every_s = snapshot_every_s
        if self.cache is not None:
            # Entries of this experiment (a resumed one has some) are reused and new ones
            # are written to its store, so a repeated experiment never re-evaluates.
            self.cache.attach(self.store)
        self.in_flight: dict = {}
        self.pending_reruns: collections.deque = collections.deque()
        self.reruns: list = []
        self.stop_flags: dict = {}
        self.last_reports: dict = {}      # trial_id -> metrics of its latest report
        self.counts = {DONE: 0, FAILED: 0, CACHED: 0, PRUNED: 0}
        self.eval_time_total = 0.0
        self.eval_count = 0
        self.best_score: Optional[float] = None
        self.best_metrics: Optional[dict] = None
        self.best_trial_id: Optional[int] = None
        self.exhausted = False
        self._next_id = 0
        self._last_snapshot = time.monotonic()
        self._closed = False
        self._open(resume, dict(config or {}), seed)

    # ---- opening and resuming ---------------------------------------------------------
    def _open(self, resume: bool, config: dict, seed: Optional[int]) -> None:
        store = self.store
        if store.is_initialized():
            if not resume:
                n = store.num_trials()
                raise ExperimentExistsError(
                    f"The store {getattr(store, 'path', '<memory>')} already holds an experiment "
                    f"with {n} trials. Pass resume=True (CLI: --resume) to continue it, or use "
                    f"another store path.")
            old = store.spec_fingerprint()
            if old and self.spec.fingerprint and old != self.spec.fingerprint:
                raise ValueError(
                    f"Cannot resume {getattr(store, 'path', '<memory>')}: its search space "
                    f"differs from the one given (fingerprint {old[:12]} vs "
                    f"{self.spec.fingerprint[:12]}).")
            self._resume()
            return
        config.setdefault("objective", self.objectives.to_list() if self.objectives else None)
        config.setdefault("algorithm", type(self.algorithm).__name__)
        config.setdefault("seed", seed)
        try:
            space_json = to_json_str(self.space)
        except TypeError:
            space_json = None
        store.initialize(config, space_json, self.spec.fingerprint)

    def _resume(self) -> None:
        store = self.store
        records = store.trials()
        self.reruns = list(store.get_meta("reruns", []) or [])
        rerun_ids = set(self.reruns)
        finished = sorted((r for r in records if r.status in FINISHED),
                          key=lambda r: (r.finished_at or 0.0, r.id))
        interrupted = [r for r in records if r.status == RUNNING]
        snapshot = store.load_algorithm_state()
        if snapshot:
            self.algorithm.load_state_dict(snapshot["state"])
            next_id = snapshot["next_id"]
            pending = set(snapshot.get("pending", []))
            replay = [r for r in finished if r.id >= next_id or r.id in pending]
            forward = [r for r in records if r.id >= next_id and r.id not in rerun_ids]
        else:
            replay = finished
            forward = [r for r in records if r.id not in rerun_ids]
        discard = getattr(self.algorithm, "discard", None)
        for _ in sorted(forward, key=lambda r: r.id):
            try:
                dna = self.algorithm.propose()
            except StopIteration:
                break
            if discard is not None:  # e.g. Bayesian: close the re-proposed study trial
                discard(dna)
        for r in finished:
            self.counts[r.status] += 1
            if r.status == DONE and r.metrics is not None:
                self._note_best(r.metrics, r.id)
        for r in replay:
            self._feedback(dna_from_json(r.dna), r.id, r.status, r.metrics)
        if self.policy is not None:
            self._replay_reports(finished)
        for r in sorted(interrupted, key=lambda r: r.id):
            store.discard_trial(r.id)
            self.pending_reruns.append(dna_from_json(r.dna))
        self._next_id = max((r.id for r in records), default=-1) + 1

    def _replay_reports(self, records: list) -> None:
        """Rebuilds the early-stopping policy's state from finished trials' reports."""
        complete = getattr(self.policy, "complete", None)
        for r in records:
            for report in r.reports or ():
                if report.get("step") is None:
                    continue
                try:
                    self.policy.report(r.id, report["step"], report["metrics"])
                except (ValueError, KeyError, TypeError):
                    break               # reports it could not judge the first time either
            if complete is not None:
                complete(r.id)

    # ---- budget --------------------------------------------------------------------------
    @property
    def num_finished(self) -> int:
        return sum(self.counts.values())

    @property
    def num_started(self) -> int:
        return self.num_finished + len(self.in_flight)

    # ---- proposals ------------------------------------------------------------------------
    def propose(self) -> Proposal:
        """The next trial: started (evaluate it) or cached. StopIteration when exhausted."""
        if self.pending_reruns:
            dna = self.pending_reruns.popleft()
            rerun = True
        else:
            try:
                dna = self.algorithm.propose()
            except StopIteration:
                self.exhausted = True
                raise
            rerun = False
        candidate = self.compiled.build(dna)
        try:
            structural_hash = sym_hash(candidate)
        except TypeError:
            structural_hash = None
        try:
            candidate_json = to_json_str(candidate)
        except (TypeError, ValueError):
            candidate_json = None
        dna_json = dna_to_json(dna)
        now = time.time()
        key = functional_hash = None
        if self.cache is not None:
            look = self.cache.lookup(candidate)   # counts hits/misses in the store too
            key, functional_hash = look.key, look.functional_key
            if look.hit and not look.should_reevaluate:
                metrics = look.entry["metrics"]
                trial_id = self.store.start_trial(dna_json, candidate_json, structural_hash,
                                                  functional_hash, status=CACHED)
                self._track_id(trial_id, rerun)
                self.store.finish_trial(trial_id, CACHED, metrics=metrics,
                                        cached_from=look.entry.get("trial_id"))
                self.counts[CACHED] += 1
                self._feedback(dna, trial_id, CACHED, metrics)
                self._after_finish(trial_id, CACHED, metrics, None)
                return Proposal(trial_id, dna, candidate, key, True, now)
        trial_id = self.store.start_trial(dna_json, candidate_json, structural_hash,
                                          functional_hash)
        # Durable before evaluation starts: after a crash it is found 'running' and redone.
        self.store.flush()
        self._track_id(trial_id, rerun)
        proposal = Proposal(trial_id, dna, candidate, key, False, now)
        self.in_flight[trial_id] = proposal
        return proposal

    def _track_id(self, trial_id: int, rerun: bool) -> None:
        self._next_id = max(self._next_id, trial_id + 1)
        if rerun:
            self.reruns.append(trial_id)
            self.store.set_meta("reruns", self.reruns)

    # ---- reports and completion ------------------------------------------------------------
    def report(self, trial_id: int, step: Optional[int], metrics: dict) -> bool:
        """Records an intermediate report; returns whether the trial should stop."""
        self.store.add_report(trial_id, step, metrics)
        self.last_reports[trial_id] = metrics
        stop = False
        if self.policy is not None:
            stop = bool(self.policy.report(trial_id, step, metrics))
        if stop:
            self.stop_flags[trial_id] = True
        return stop

    def should_stop(self, trial_id: int) -> bool:
        return self.stop_flags.get(trial_id, False)

    def complete(self, trial_id: int, result: Any = None, *, error: Optional[str] = None,
                 status: Optional[str] = None, elapsed: Optional[float] = None,
                 worker: Optional[str] = None) -> str:
        """Finishes an in-flight trial with a result or an error; returns its status.

        A trial that returns normally after the early-stopping policy asked it to stop is
        recorded as pruned, with the metrics it returned (or, when it returned none, those
        of its latest report).
        """
        proposal = self.in_flight.pop(trial_id)
        last_report = self.last_reports.pop(trial_id, None)
        if error is None and status in (None, DONE) and self.stop_flags.get(trial_id):
            status = PRUNED
        metrics = None
        if error is None and status in (None, DONE):
            try:
                metrics = normalize_metrics(result, self.objectives)
                if self.objectives is not None:
                    self.objectives.values(metrics)
                status = DONE
            except ObjectiveError as e:
                error, status = str(e), FAILED
        elif status is None:
            status = FAILED
        if status == PRUNED and result is not None and metrics is None:
            try:
                metrics = normalize_metrics(result, self.objectives)
            except ObjectiveError:
                metrics = None
        if status == PRUNED and metrics is None:
            metrics = last_report
        elapsed = elapsed if elapsed is not None else time.time() - proposal.started_at
        if status == DONE and self.cache is not None and proposal.key is not None:
            # Written before finish_trial, whose commit makes both durable together.
            self.cache.record(proposal.key, metrics, elapsed, trial_id)
        self.store.finish_trial(trial_id, status, metrics=metrics, error=error, worker=worker)
        self.counts[status] += 1
        if status == DONE:
            self.eval_time_total += elapsed
            self.eval_count += 1
            self._note_best(metrics, trial_id)
        self._feedback(proposal.dna, trial_id, status, metrics)
        if self.policy is not None and hasattr(self.policy, "complete"):
            self.policy.complete(trial_id)
        self.stop_flags.pop(trial_id, None)
        self._after_finish(trial_id, status, metrics, error)
        return status

    def _feedback(self, dna, trial_id: int, status: str, metrics: Optional[dict]) -> None:
        from symsearch.algorithms.base import Feedback
        values = score = None
        if status in (DONE, CACHED) and metrics is not None:
            if self.objectives is not None:
                try:
                    values = self.objectives.values(metrics)
                    score = None if self.objectives.is_multi else values[0] * self.objectives.signs[0]
                except ObjectiveError:
                    values = None
            elif len(metrics) == 1:
                (v,) = metrics.values()
                if isinstance(v, (int, float)):
                    values, score = (float(v),), float(v)
        self.algorithm.feedback(dna, Feedback(trial_id, status, metrics, values, score))

    def _note_best(self, metrics: Optional[dict], trial_id: int) -> None:
        if self.objectives is None or not metrics:
            return
        try:
            score = self.objectives.score(metrics)
        except ObjectiveError:
            return
        if self.best_score is None or score > self.best_score:
            self.best_score, self.best_metrics, self.best_trial_id = score, metrics, trial_id

    def _after_finish(self, trial_id, status, metrics, error) -> None:
        for cb in self.callbacks:
            handler = getattr(cb, "on_trial_end", None)
            if handler is not None:
                handler(self, trial_id, status, metrics, error)
            elif callable(cb):
                cb(self, trial_id, status, metrics, error)
        if time.monotonic() - self._last_snapshot >= self.snapshot_every_s:
            self.snapshot()

    # ---- state and closing ---------------------------------------------------------------
    def snapshot(self) -> None:
        """Saves the algorithm state so a resume continues the same search."""
        self.store.save_algorithm_state({
            "state": self.algorithm.state_dict(),
            "next_id": self._next_id,
            "pending": sorted(self.in_flight),
        })
        self._last_snapshot = time.monotonic()

    @property
    def cache_hits(self) -> int:
        return self.cache.stats()["hits"] if self.cache is not None else 0

    def stats(self) -> dict:
        cache = self.cache.stats() if self.cache is not None else {}
        return {**self.counts, "cache_hits": cache.get("hits", 0),
                "eval_time_saved_s": cache.get("saved_time", 0.0),
                "hash_time_s": cache.get("hash_time", 0.0),
                "best_metrics": self.best_metrics, "best_trial_id": self.best_trial_id}

    def result(self) -> Result:
        records = [r for r in self.store.trials() if r.status in FINISHED]
        return Result(records, self.objectives, self._materialize_record, self.stats())

    def _materialize_record(self, record) -> Any:
        return self.compiled.build(dna_from_json(record.dna))

    def close(self) -> None:
        """Snapshots state and commits; in-flight trials stay 'running' for resume."""
        if self._closed:
            return
        self._closed = True
        try:
            self.snapshot()
            if self.cache is not None:
                self.cache.flush()
            self.store.flush()
        finally:
            for cb in self.callbacks:
                handler = getattr(cb, "on_search_end", None)
                if handler is not None:
                    handler(self)


def make_cache(cache: Any):
    """An EvalCache from ``cache=``: False/None (off), True or "structural", "functional",
    "both", a dict of EvalCache arguments (``{"mode": "functional", "noise": "average"}``)
    or an EvalCache."""
    if cache is None or cache is False or cache in ("off", "none"):
        return None
    from symsearch.cache import EvalCache
    if isinstance(cache, EvalCache):
        return cache
    if cache is True:
        return EvalCache("structural")
    if isinstance(cache, str):
        return EvalCache(cache)
    if isinstance(cache, dict):
        return EvalCache(**cache)
    raise ValueError(f"cache must be True/False, 'structural', 'functional', 'both', a dict "
                     f"of EvalCache arguments or an EvalCache; got {cache!r}")
