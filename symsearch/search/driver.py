"""The search driver: owns the algorithm, the cache and the store.

Both loop styles (``ss.sample`` driven by the user, ``ss.search`` driven by a runner)
use one driver, so proposals, caching, recording, feedback and resume behave the same.
Workers never touch the store: the driver is its single writer, and holds the store's
lease while it runs so that no second driver writes to it.

Resume is exact: every call into the algorithm is numbered, the numbers are stored with the
trials, and a resume replays the events after the last algorithm snapshot in their original
order (see :mod:`symsearch.search.resume`). Trials that were running when the process died are
evaluated again under their own ids; a trial that was being evaluated in this process
``max_attempts`` times, each time dying with it, is recorded as failed instead. An
early-stopping policy is rebuilt by replaying the reports of the finished trials.
"""
from __future__ import annotations

import collections
import json
import time
from typing import Any, Optional

from symsearch.geno.codec import dna_from_json, dna_to_json
from symsearch.hyper.evolve import Evolve
from symsearch.hyper.space import compiled
from symsearch.search.objectives import ObjectiveError, Objectives, normalize_metrics
from symsearch.search.resume import SNAPSHOT_FORMAT, poison_reason, replay
from symsearch.search.errors import ExperimentExistsError
from symsearch.search.heap import HeapFreezer
from symsearch.search.result import Result
from symsearch.symbolic.hashing import sym_hash
from symsearch.store.base import dump_json
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
                 snapshot_every_s: float = 2.0, retry_failed: bool = False,
                 max_attempts: Optional[int] = 2, freeze_heap: bool = False):
        from symsearch.algorithms import make_algorithm
        from symsearch.algorithms.base import Feedback
        from symsearch.algorithms.early_stopping import make_policy
        from symsearch.store import open_store

        self.space = space
        self.compiled = compiled(space)
        self._candidate_is_value = isinstance(space, Evolve)
        self.spec = self.compiled.spec
        self.objectives = Objectives.parse(objective)
        self.algorithm = make_algorithm(algorithm)
        self.algorithm.setup(self.spec, self.objectives, seed)
        self.cache = make_cache(cache)
        self.policy = make_policy(early_stopping)
        if self.policy is not None and hasattr(self.policy, "setup"):
            self.policy.setup(self.objectives)
        self.callbacks = list(callbacks or [])
        self._feedback_type = Feedback       # imported here: the core does not import it at load
        self._policy_complete = getattr(self.policy, "complete", None)
        if max_attempts is not None and (isinstance(max_attempts, bool)
                                         or not isinstance(max_attempts, int)
                                         or max_attempts < 1):
            raise ValueError(f"max_attempts must be an int >= 1 or None, got {max_attempts!r}")
        self.max_attempts = max_attempts
        self.store = open_store(store)
        self.snapshot_every_s = snapshot_every_s
        if self.cache is not None:
            # Entries of this experiment (a resumed one has some) are reused and new ones
            # are written to its store, so a repeated experiment never re-evaluates.
            self.cache.attach(self.store)
        self.in_flight: dict = {}
        self.pending_reruns: collections.deque = collections.deque()   # (trial_id, DNA)
        self.stop_flags: dict = {}
        self.last_reports: dict = {}      # trial_id -> metrics of its latest report
        self.counts = {DONE: 0, FAILED: 0, CACHED: 0, PRUNED: 0}
        self._num_finished = 0            # the sum of counts, read on every trial
        self.eval_time_total = 0.0
        self.eval_count = 0
        self.best_score: Optional[float] = None
        self.best_metrics: Optional[dict] = None
        self.best_trial_id: Optional[int] = None
        self.exhausted = False
        self.last_error: Optional[str] = None   # of the latest trial to finish
        self._seq = -1                 # number of the last call into the algorithm
        # True from the start of a proposal or completion until its end: an exception
        # in between leaves the algorithm ahead of the store, so no snapshot is taken.
        self._busy = False
        self._last_snapshot = time.monotonic()
        self._closed = False
        self._heap = HeapFreezer(freeze_heap)
        acquire = getattr(self.store, "acquire_lease", None)
        if acquire is not None:
            acquire()
        try:
            self._open(resume, dict(config or {}), seed, retry_failed)
        except BaseException:
            self._release_lease()
            raise

    def start_heap_freezer(self) -> None:
        """Starts freezing the heap (``freeze_heap``, see search/heap.py); close() undoes it."""
        self._heap.start()

    # ---- opening and resuming ---------------------------------------------------------
    def _open(self, resume: bool, config: dict, seed: Optional[int],
              retry_failed: bool) -> None:
        store = self.store
        if store.is_initialized():
            if not resume:
                n = store.num_trials()
                raise ExperimentExistsError(
                    f"The store {getattr(store, 'path', '<memory>')} already holds an experiment "
                    f"with {n} trials. Pass resume=True to continue it, or use another "
                    f"store path.")
            old = store.spec_fingerprint()
            if old and self.spec.fingerprint and old != self.spec.fingerprint:
                raise ValueError(
                    f"Cannot resume {getattr(store, 'path', '<memory>')}: its search space "
                    f"differs from the one given (fingerprint {old[:12]} vs "
                    f"{self.spec.fingerprint[:12]}).")
            self._resume(retry_failed)
            return
        config.setdefault("objective", self.objectives.to_list() if self.objectives else None)
        config.setdefault("algorithm", type(self.algorithm).__name__)
        config.setdefault("seed", seed)
        try:
            space_json = to_json_str(self.space)
        except TypeError:
            space_json = None
        store.initialize(config, space_json, self.spec.fingerprint)

    def _resume(self, retry_failed: bool) -> None:
        plan = replay(self, retry_failed=retry_failed, max_attempts=self.max_attempts)
        self._seq = plan.seq
        for r in plan.finished:
            self.counts[r.status] += 1
            self._num_finished += 1
            if r.status == DONE and r.metrics is not None:
                self._note_best(r.metrics, r.id)
        if self.policy is not None:
            self._replay_reports(plan.finished)
        for r in plan.poisoned:
            self._finish(r.id, dna_from_json(r.dna), FAILED, None, poison_reason(r.attempts))
        self.pending_reruns.extend(plan.reruns)
        # From here on the algorithm's state covers every event so far: a crash before the
        # next periodic snapshot replays only what comes after this one.
        self.snapshot()

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
        return self._num_finished

    @property
    def num_started(self) -> int:
        return self._num_finished + len(self.in_flight)

    # ---- proposals ------------------------------------------------------------------------
    def propose(self) -> Proposal:
        """The next trial: started (evaluate it) or cached. StopIteration when exhausted."""
        self._busy = True
        if self.pending_reruns:
            rerun_id, dna = self.pending_reruns.popleft()
        else:
            rerun_id = None
            try:
                dna = self.algorithm.propose()
            except StopIteration:
                self.exhausted = True
                self._busy = False
                raise
        candidate = self.compiled.build(dna)
        try:
            structural_hash = sym_hash(candidate)
        except TypeError:
            structural_hash = None
        now = time.time()
        key = functional_hash = None
        if self.cache is not None:
            look = self.cache.lookup(candidate)   # counts hits/misses in the store too
            key, functional_hash = look.key, look.functional_key
            if look.hit and not look.should_reevaluate:
                metrics = look.entry["metrics"]
                source = look.entry.get("trial_id")
                if rerun_id is None:
                    trial_id = self._start(dna, candidate, structural_hash, functional_hash,
                                           CACHED)
                else:
                    trial_id = rerun_id
                # A rerun whose own evaluation reached the cache before the crash is done:
                # its result was recorded, only the trial's status was not.
                status = DONE if source is not None and source == rerun_id else CACHED
                self._finish(trial_id, dna, status, metrics, None,
                             cached_from=source if status == CACHED else None)
                self._done_with_event()
                return Proposal(trial_id, dna, candidate, key, True, now)
        if rerun_id is None:
            trial_id = self._start(dna, candidate, structural_hash, functional_hash, RUNNING)
        else:
            trial_id = rerun_id
            self.store.restart_trial(trial_id)
        # Durable before evaluation starts: after a crash it is found 'running' and redone.
        self.store.flush()
        proposal = Proposal(trial_id, dna, candidate, key, False, now)
        self.in_flight[trial_id] = proposal
        self._busy = False
        return proposal

    def _start(self, dna, candidate, structural_hash, functional_hash, status: str) -> int:
        """Records a new trial with the number of the proposal event that made it."""
        dna_json = dna_to_json(dna)
        candidate_json = None
        if self._candidate_is_value:
            # The space is one evolve decision: the candidate is a copy of the DNA's value,
            # whose JSON was just written; the same JSON is not written twice.
            entry = dna_json[0]
            if type(entry) is dict and "_value" in entry:
                candidate_json = json.dumps(entry["_value"])
        if candidate_json is None:
            try:
                candidate_json = to_json_str(candidate)
            except (TypeError, ValueError):
                candidate_json = None
        seq = self._seq + 1
        trial_id = self.store.start_trial(dna_json, candidate_json, structural_hash,
                                          functional_hash, status=status, proposal_seq=seq)
        self._seq = seq
        return trial_id

    def _finish(self, trial_id: int, dna, status: str, metrics: Optional[dict],
                error: Optional[str], *, cached_from: Optional[int] = None,
                worker: Optional[str] = None, values: Optional[tuple] = None) -> None:
        """Records a trial's end, with the number of the feedback event, then feeds it back."""
        seq = self._seq + 1
        self.store.finish_trial(trial_id, status, metrics=metrics, error=error,
                                cached_from=cached_from, worker=worker, feedback_seq=seq)
        self._seq = seq
        self.last_error = error
        self.counts[status] += 1
        self._num_finished += 1
        if status == DONE:
            self._note_best(metrics, trial_id, values)
        self._feedback(dna, trial_id, status, metrics, values)
        if self._policy_complete is not None:
            self._policy_complete(trial_id)
        if self.callbacks:
            self._after_finish(trial_id, status, metrics, error)

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
        self._busy = True
        proposal = self.in_flight.pop(trial_id)
        last_report = self.last_reports.pop(trial_id, None)
        if error is None and status in (None, DONE) and self.stop_flags.get(trial_id):
            status = PRUNED
        metrics = values = None
        if error is None and status in (None, DONE):
            try:
                metrics = normalize_metrics(result, self.objectives)
                if self.objectives is not None:
                    values = self.objectives.values(metrics)   # checked once, used below
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
        if metrics is not None:
            problem = unstorable(metrics)
            if problem is not None:
                error, status, metrics = f"the metrics cannot be stored: {problem}", FAILED, None
                values = None
        elapsed = elapsed if elapsed is not None else time.time() - proposal.started_at
        if status == DONE and self.cache is not None and proposal.key is not None:
            # Written before finish_trial, whose commit makes both durable together.
            self.cache.record(proposal.key, metrics, elapsed, trial_id)
        if status == DONE:
            self.eval_time_total += elapsed
            self.eval_count += 1
        self.stop_flags.pop(trial_id, None)
        self._finish(trial_id, proposal.dna, status, metrics, error, worker=worker,
                     values=values if status == DONE else None)
        self._heap.after_trial(self._num_finished)
        self._done_with_event()
        return status

    def _feedback(self, dna, trial_id: int, status: str, metrics: Optional[dict],
                  known: Optional[tuple] = None) -> None:
        values = score = None
        if status in (DONE, CACHED) and metrics is not None:
            if self.objectives is not None:
                try:
                    values = known if known is not None else self.objectives.values(metrics)
                    score = None if self.objectives.is_multi else values[0] * self.objectives.signs[0]
                except ObjectiveError:
                    values = None
            elif len(metrics) == 1:
                (v,) = metrics.values()
                if isinstance(v, (int, float)):
                    values, score = (float(v),), float(v)
        self.algorithm.feedback(dna, self._feedback_type(trial_id, status, metrics, values,
                                                         score))

    def _note_best(self, metrics: Optional[dict], trial_id: int,
                   values: Optional[tuple] = None) -> None:
        if self.objectives is None or not metrics:
            return
        try:
            score = values[0] * self.objectives.signs[0] if values is not None \
                else self.objectives.score(metrics)
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

    def _done_with_event(self) -> None:
        """Ends a proposal or completion; takes the periodic snapshot when one is due."""
        self._busy = False
        if time.monotonic() - self._last_snapshot >= self.snapshot_every_s:
            self.snapshot()

    # ---- state and closing ---------------------------------------------------------------
    def snapshot(self) -> None:
        """Saves the algorithm state, with the number of the last event it covers, so that
        a resume continues the same search. Skipped while a proposal or completion was cut
        short (the algorithm may then be ahead of the store; the previous snapshot and the
        stored events still describe it exactly)."""
        if self._busy:
            return
        self.store.save_algorithm_state({
            "format": SNAPSHOT_FORMAT,
            "state": self.algorithm.state_dict(),
            "seq": self._seq,
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
            self._heap.close()
            self._release_lease()
            for cb in self.callbacks:
                handler = getattr(cb, "on_search_end", None)
                if handler is not None:
                    handler(self)

    def _release_lease(self) -> None:
        release = getattr(self.store, "release_lease", None)
        if release is not None:
            release()


_PLAIN = (str, int, float, bool, type(None))


def unstorable(metrics: dict) -> Optional[str]:
    """Why ``metrics`` cannot be written to a store, or None when they can.

    Flat dicts of numbers and strings (nearly every trial) pass without encoding anything.
    """
    for k, v in metrics.items():
        if type(k) is not str or type(v) not in _PLAIN:
            break
    else:
        return None
    try:
        dump_json(metrics, "metrics")
    except TypeError as e:
        return str(e)
    return None


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
