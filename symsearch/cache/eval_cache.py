"""EvalCache: never score the same function twice.

Keys, by ``mode``:

- ``"structural"``: ``"s:" + ss.hash(candidate)`` (after ``normalize`` when given, e.g.
  ``symsearch.programs.normal_form``);
- ``"functional"``: ``"f:" + hasher.hash(candidate)`` (a :class:`FunctionalHasher`);
- ``"both"``: the structural key is looked up first (no probing on a structural hit), then the
  functional one; a new result is recorded under both (the lookup key is ``"s:..|f:.."``).

Noise policies for noisy evaluators: ``"reuse"`` answers every hit from the cache;
``"average"`` re-evaluates a hit with probability ``reevaluate_prob`` (``lookup`` says so with
``should_reevaluate``) and ``record`` keeps the running mean of the metrics and a count.

With ``verify=True`` a functional hit is confirmed on a second, independent probe set; a
mismatch is a hash collision: the candidate is evaluated and cached under an extended key.

Entries live in memory, in the experiment store after ``attach(store)`` (so a resumed
experiment reuses them) and, with ``path=...``, in a separate SQLite file that several
experiments can share. The driver's protocol::

    look = cache.lookup(candidate)
    if look.hit and not look.should_reevaluate:
        metrics = look.entry["metrics"]                  # trial recorded as cached
    else:
        metrics = evaluate(candidate)                    # timed: eval_time
        cache.record(look.key, metrics, eval_time, trial_id)

>>> from symsearch.programs import Var, Const, Call
>>> cache = EvalCache(mode="functional")
>>> look = cache.lookup(Call("mul", [Var("a"), Var("b")]))
>>> look.hit
False
>>> cache.record(look.key, {"loss": 0.5}, eval_time=2.0, trial_id=0)
>>> again = cache.lookup(Call("mul", [Var("b"), Call("add", [Var("a"), Const(0.0)])]))
>>> again.hit, again.entry["metrics"], cache.stats()["hits"]
(True, {'loss': 0.5}, 1)
"""
from __future__ import annotations

import os
import random
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from symsearch.cache.hasher import FunctionalHasher, UnsupportedCandidate
from symsearch.symbolic.hashing import sym_hash

MODES = ("structural", "functional", "both")
NOISE_POLICIES = ("reuse", "average")
_VERIFY_PREFIX = "v:"


@dataclass
class CacheLookup:
    """The answer of :meth:`EvalCache.lookup`.

    ``key`` is what to pass to ``record`` (None when the candidate cannot be cached);
    ``entry`` is ``{"metrics", "count", "eval_time", "trial_id"}`` on a hit.
    """

    hit: bool
    key: Optional[str]
    entry: Optional[dict]
    should_reevaluate: bool
    hash_time: float
    structural_key: Optional[str] = None
    functional_key: Optional[str] = None

    @property
    def metrics(self) -> Optional[dict]:
        return None if self.entry is None else self.entry["metrics"]


class EvalCache:
    """An evaluation cache keyed structurally, functionally or both; see the module docstring.

    Args:
      mode: "structural", "functional" or "both".
      hasher: the FunctionalHasher of the functional modes (default: ``FunctionalHasher()``,
        standard-normal scalar probes for any input name).
      noise: "reuse" or "average".
      reevaluate_prob: probability that a hit is re-evaluated under ``noise="average"``.
      verify: confirm functional hits on an independent probe set.
      path: a SQLite file holding entries shared across experiments.
      namespace: prefix of every key, to keep unrelated evaluators apart in a shared file.
      normalize: applied to a candidate before its structural hash.
      seed: seed of the re-evaluation coin.
    """

    def __init__(self, mode: str = "functional", hasher: Optional[FunctionalHasher] = None, *,
                 noise: str = "reuse", reevaluate_prob: float = 0.1, verify: bool = False,
                 path: Union[str, os.PathLike, None] = None, namespace: str = "",
                 normalize: Optional[Callable] = None, seed: Optional[int] = 0) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if noise not in NOISE_POLICIES:
            raise ValueError(f"noise must be one of {NOISE_POLICIES}, got {noise!r}")
        if isinstance(reevaluate_prob, bool) or not isinstance(reevaluate_prob, (int, float)) \
                or not 0.0 <= reevaluate_prob <= 1.0:
            raise ValueError(f"reevaluate_prob must be a number in [0, 1], got "
                             f"{reevaluate_prob!r}")
        if hasher is not None and not isinstance(hasher, FunctionalHasher):
            raise TypeError(f"hasher must be a FunctionalHasher, got {type(hasher).__name__}")
        if normalize is not None and not callable(normalize):
            raise TypeError(f"normalize must be callable, got {normalize!r}")
        if not isinstance(namespace, str) or any(c in namespace for c in "|"):
            raise ValueError(f"namespace must be a string without '|', got {namespace!r}")
        self.mode = mode
        self.hasher = hasher if hasher is not None or mode == "structural" \
            else FunctionalHasher()
        self.noise = noise
        self.reevaluate_prob = float(reevaluate_prob)
        self.verify = bool(verify)
        self.namespace = namespace
        self.normalize = normalize
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._entries: dict = {}
        self._verify_hashes: dict = {}       # functional key -> verification hash
        self._pending_verify: dict = {}      # functional key -> verification hash, until record
        self._store = None
        self._update_counters = False
        self._shared = None
        self._counters = {"hits": 0, "misses": 0, "reevaluations": 0, "collisions": 0,
                          "unhashable": 0, "hash_time": 0.0, "saved_time": 0.0,
                          "eval_time": 0.0, "evaluations": 0}
        self.path = None
        if path is not None:
            from symsearch.store.sqlite import SqliteStore
            self.path = os.fspath(path)
            self._shared = SqliteStore(self.path, commit_interval=1.0)
            self._load(self._shared)

    def __repr__(self) -> str:
        return (f"EvalCache(mode={self.mode!r}, noise={self.noise!r}, verify={self.verify}, "
                f"entries={len(self._entries)})")

    # ---- keys ----------------------------------------------------------------------------------
    def structural_key(self, candidate: Any) -> Optional[str]:
        try:
            value = self.normalize(candidate) if self.normalize is not None else candidate
            return f"{self.namespace}s:{sym_hash(value)}"
        except TypeError:
            return None

    def functional_key(self, candidate: Any) -> Optional[str]:
        try:
            return f"{self.namespace}f:{self.hasher.hash(candidate)}"
        except UnsupportedCandidate:
            raise
        except Exception as e:       # the candidate fails on the probes: it is not cached
            warnings.warn(f"functional hash failed ({type(e).__name__}: {e}); the candidate "
                          f"is evaluated without caching", RuntimeWarning, stacklevel=3)
            return None

    def key_of(self, candidate: Any) -> tuple:
        """``(structural_key, functional_key, hash_seconds)``; a key the mode does not use is
        None."""
        start = time.perf_counter()
        skey = self.structural_key(candidate) if self.mode != "functional" else None
        fkey = self._safe_functional_key(candidate) if self.mode != "structural" else None
        return skey, fkey, time.perf_counter() - start

    def _safe_functional_key(self, candidate: Any) -> Optional[str]:
        try:
            return self.functional_key(candidate)
        except UnsupportedCandidate as e:
            warnings.warn(str(e), RuntimeWarning, stacklevel=3)
            return None

    # ---- lookup and record ------------------------------------------------------------------------
    def lookup(self, candidate: Any) -> CacheLookup:
        """Looks ``candidate`` up; counts a hit or a miss (see the module docstring)."""
        start = time.perf_counter()
        skey = fkey = None
        entry = None
        key = None
        if self.mode != "functional":
            skey = key = self.structural_key(candidate)
            entry = self._get(skey)
        if entry is None and self.mode != "structural":
            fkey = self._safe_functional_key(candidate)
            if fkey is not None:
                entry = self._get(fkey)
                if self.verify:
                    fkey, entry = self._verified(candidate, fkey, entry)
            if self.mode == "both":
                key = "|".join(k for k in (skey, fkey) if k is not None) or None
            else:
                key = fkey
        hash_time = time.perf_counter() - start
        with self._lock:
            c = self._counters
            c["hash_time"] += hash_time
            if key is None:
                c["unhashable"] += 1
            reevaluate = False
            saved = 0.0
            if entry is not None:
                reevaluate = self.noise == "average" and self._rng.random() < self.reevaluate_prob
                if reevaluate:
                    c["reevaluations"] += 1
                else:
                    c["hits"] += 1
                    saved = self._mean_eval_time(entry)
                    c["saved_time"] += saved
            else:
                c["misses"] += 1
            if self._store is not None and self._update_counters:
                self._store.cache_stat_update(hits=int(entry is not None and not reevaluate),
                                              misses=int(entry is None), hash_time=hash_time,
                                              saved_time=saved)
        return CacheLookup(entry is not None, key, None if entry is None else dict(entry),
                           reevaluate, hash_time, skey, fkey)

    def _verified(self, candidate: Any, fkey: str, entry: Optional[dict]) -> tuple:
        """Confirms a functional hit on the independent probes; on a collision, the key is
        extended with the verification hash and looked up again."""
        try:
            check = self.hasher.verify_hash(candidate)
        except Exception:
            return fkey, entry
        if entry is not None:
            stored = self._verify_hashes.get(fkey)
            if stored is None and self._shared is not None:
                shared = self._shared.cache_get(_VERIFY_PREFIX + fkey)
                stored = shared["metrics"].get("verify") if shared else None
            if stored is not None and stored != check:
                with self._lock:
                    self._counters["collisions"] += 1
                fkey = f"{fkey}/{check[:16]}"
                entry = self._get(fkey)
                if entry is not None:
                    return fkey, entry
        if entry is None:             # remembered until record() stores it with the entry
            with self._lock:
                self._pending_verify[fkey] = check
        return fkey, entry

    def record(self, key: Optional[str], metrics: dict, eval_time: float,
               trial_id: Optional[int] = None) -> None:
        """Stores an evaluation's ``metrics`` under ``key`` (from ``lookup``). On an existing
        entry, numeric metrics become the running mean and the count grows."""
        if key is None or metrics is None:
            return
        if not isinstance(metrics, dict):
            raise TypeError(f"metrics must be a dict, got {type(metrics).__name__}")
        eval_time = float(eval_time)
        with self._lock:
            self._counters["eval_time"] += eval_time
            self._counters["evaluations"] += 1
            for part in key.split("|"):
                old = self._entries.get(part)
                if old is None:
                    entry = {"metrics": dict(metrics), "count": 1, "eval_time": eval_time,
                             "trial_id": trial_id}
                else:
                    entry = _running_mean(old, metrics, eval_time)
                self._entries[part] = entry
                for store in self._targets():
                    store.cache_put(part, entry["metrics"], entry["eval_time"], entry["count"],
                                    entry["trial_id"])
                check = self._pending_verify.pop(part, None)
                if check is not None and part not in self._verify_hashes:
                    self._verify_hashes[part] = check
                    for store in self._targets():
                        store.cache_put(_VERIFY_PREFIX + part, {"verify": check}, 0.0)

    def get(self, key: Optional[str]) -> Optional[dict]:
        """The entry under ``key`` (a copy), or None."""
        entry = self._get(key)
        return None if entry is None else dict(entry)

    def _get(self, key: Optional[str]) -> Optional[dict]:
        if key is None:
            return None
        entry = self._entries.get(key)
        if entry is None and self._shared is not None:
            # Another experiment sharing the file may have added it since we loaded.
            entry = self._shared.cache_get(key)
            if entry is not None:
                with self._lock:
                    self._entries[key] = entry
        return entry

    def entries(self) -> dict:
        """Every entry: key -> ``{"metrics", "count", "eval_time", "trial_id"}``."""
        with self._lock:
            return {k: dict(v) for k, v in self._entries.items()}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    # ---- statistics ------------------------------------------------------------------------------
    def _mean_eval_time(self, entry: dict) -> float:
        c = self._counters
        if c["evaluations"]:
            return c["eval_time"] / c["evaluations"]
        return float(entry.get("eval_time") or 0.0)

    def stats(self) -> dict:
        """This session's counters: hits, misses, hash_time, saved_time (hits times the mean
        evaluation time of misses), reevaluations, collisions, unhashable, entries,
        mean_eval_time, hit_rate."""
        with self._lock:
            c = dict(self._counters)
        lookups = c["hits"] + c["misses"] + c["reevaluations"]
        return {"hits": c["hits"], "misses": c["misses"], "hash_time": c["hash_time"],
                "saved_time": c["saved_time"], "reevaluations": c["reevaluations"],
                "collisions": c["collisions"], "unhashable": c["unhashable"],
                "entries": len(self._entries),
                "mean_eval_time": c["eval_time"] / c["evaluations"] if c["evaluations"] else 0.0,
                "hit_rate": c["hits"] / lookups if lookups else 0.0}

    # ---- persistence ---------------------------------------------------------------------------
    def attach(self, store, update_counters: bool = True) -> "EvalCache":
        """Loads the entries of the experiment ``store`` and writes new ones there from now on.

        With ``update_counters`` the store's cache counters (``store.cache_stats()``, shown
        by ``symsearch show``) are updated on every lookup, so the caller must not update
        them too.
        """
        with self._lock:
            self._store = store
            self._update_counters = bool(update_counters)
            self._load(store)
        return self

    def _load(self, store) -> None:
        for key, entry in store.cache_entries().items():
            if key.startswith(_VERIFY_PREFIX):
                verify = (entry.get("metrics") or {}).get("verify")
                if verify is not None:
                    self._verify_hashes.setdefault(key[len(_VERIFY_PREFIX):], verify)
            elif key not in self._entries:
                self._entries[key] = entry

    def _targets(self) -> list:
        return [s for s in (self._store, self._shared) if s is not None]

    def flush(self) -> None:
        for store in self._targets():
            store.flush()

    def close(self) -> None:
        """Flushes; closes the shared file (the experiment store belongs to its owner)."""
        if self._store is not None:
            self._store.flush()
        if self._shared is not None:
            self._shared.close()
            self._shared = None


def _running_mean(old: dict, metrics: dict, eval_time: float) -> dict:
    n = int(old.get("count") or 1)
    mean = dict(old["metrics"])
    for name, value in metrics.items():
        previous = mean.get(name)
        if _is_number(value) and _is_number(previous):
            mean[name] = previous + (value - previous) / (n + 1)
        elif name not in mean:
            mean[name] = value
    old_time = float(old.get("eval_time") or 0.0)
    return {"metrics": mean, "count": n + 1,
            "eval_time": old_time + (eval_time - old_time) / (n + 1),
            "trial_id": old.get("trial_id")}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
