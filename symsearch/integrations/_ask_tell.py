"""``AskTell``: one symsearch search driven one suggestion at a time by another library.

Ray Tune, scikit-learn and the Transformers ``Trainer`` each own their training loop; they
need a search that answers "what next?" for a trial they name, and takes the result back
later, in any order. ``AskTell`` is that, over the ordinary
:class:`~symsearch.search.driver.SearchDriver`, so the algorithm, the store, the
early-stopping policy and the callbacks behave exactly as in ``ss.search``::

    >>> import symsearch as ss
    >>> space = ss.Dict(x=ss.floatv(-1.0, 1.0), act=ss.oneof(["relu", "gelu"]))
    >>> search = AskTell(space, "random", "min:loss", seed=0)
    >>> s = search.ask("a")
    >>> sorted(s.params)
    ['act', 'x']
    >>> search.tell("a", {"loss": s.candidate["x"] ** 2})
    'done'

``ask(key)`` returns a :class:`Suggestion` (the candidate, its DNA and its key-path
parameters); ``tell(key, metrics)`` (or ``tell(key, error=...)``) finishes it;
``report(key, step, metrics)`` feeds the early-stopping policy and answers whether to stop.
``state_dict()`` / ``load_state_dict()`` save and restore the algorithm's state and the
suggestions still out, so a restored search takes their results back.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Hashable, Optional

from symsearch.geno.codec import dna_from_json, dna_to_json
from symsearch.geno.dna import DNA

STATE_FORMAT = 1


@dataclass
class Suggestion:
    """One proposed trial: ``candidate`` (materialized), ``dna`` and ``params``
    (``{key path: value}`` of the active decisions; choices as their candidate, or its
    compact text when it is not a plain scalar)."""

    key: Hashable
    trial_id: int
    dna: DNA
    candidate: Any
    params: dict


def key_path_params(dna: DNA, spec: Any) -> dict:
    """``{key path: value}`` of the active decisions of ``dna`` (what trackers log)."""
    return dna.to_dict(spec, key="path", value="literal")


class AskTell:
    """See the module docstring.

    Args:
      space: any symsearch space.
      algorithm: an algorithm name (``"tpe"``, ``"evolution"``...), ``{"type": ...}`` dict or
        a ``SearchAlgorithm`` instance.
      objective: ``"max:accuracy"``, ``"min:loss"``...
      seed, store, cache, early_stopping, callbacks: as for ``ss.search``.
    """

    def __init__(self, space: Any, algorithm: Any = "random", objective: Any = None, *,
                 seed: Optional[int] = None, store: Any = None, cache: Any = False,
                 early_stopping: Any = None, callbacks: Optional[list] = None):
        from symsearch.algorithms.base import SearchAlgorithm
        from symsearch.search.driver import SearchDriver

        if objective is None:
            raise ValueError("AskTell needs an objective, e.g. objective='max:accuracy'")
        # A fresh copy of an algorithm instance, taken before it is set up, lets a pickled
        # search rebuild the same algorithm and load its state into it.
        self._algorithm_template = copy.deepcopy(algorithm) \
            if isinstance(algorithm, SearchAlgorithm) else algorithm
        self._settings = dict(space=space, objective=objective, seed=seed,
                              early_stopping=early_stopping)
        self.driver = SearchDriver(space, algorithm, objective, store=store, seed=seed,
                                   cache=cache, early_stopping=early_stopping,
                                   callbacks=callbacks)
        self._open: dict = {}        # key -> (trial id, DNA) of suggestions not yet told
        self._orphans: dict = {}     # key -> DNA of suggestions made before a restore

    # ---- the three verbs ------------------------------------------------------------------
    @property
    def space(self) -> Any:
        return self._settings["space"]

    @property
    def spec(self) -> Any:
        return self.driver.spec

    @property
    def exhausted(self) -> bool:
        """Whether the algorithm has nothing left to propose (a finished grid)."""
        return self.driver.exhausted

    def ask(self, key: Hashable) -> Optional[Suggestion]:
        """The next trial, under the caller's ``key``; None when the algorithm is exhausted.

        Candidates the evaluation cache already knows are recorded and skipped here, so
        every suggestion needs evaluating.
        """
        if key in self._open or key in self._orphans:
            raise ValueError(f"A suggestion for trial {key!r} is already out; tell() its "
                             f"result before asking again under the same key")
        while True:
            try:
                proposal = self.driver.propose()
            except StopIteration:
                return None
            if not proposal.cached:
                break
        self._open[key] = (proposal.trial_id, proposal.dna)
        return Suggestion(key, proposal.trial_id, proposal.dna, proposal.candidate,
                          key_path_params(proposal.dna, self.spec))

    def tell(self, key: Hashable, metrics: Optional[dict] = None, *,
             error: Optional[str] = None, status: Optional[str] = None) -> str:
        """Finishes the trial asked under ``key``; returns its status.

        ``metrics`` must hold the objective's metrics; ``error`` records a failure;
        ``status="pruned"`` records a trial stopped early (with the metrics it reached).
        """
        if key in self._orphans:
            return self._tell_orphan(key, metrics, error, status)
        if key not in self._open:
            raise KeyError(f"No suggestion is out for trial {key!r}; known: "
                           f"{sorted(map(str, self._open))[:10]}")
        trial_id, _ = self._open.pop(key)
        if error is not None:
            return self.driver.complete(trial_id, error=str(error), status="failed")
        if metrics is None and status != "pruned":
            return self.driver.complete(trial_id, error="the trial ended without metrics",
                                        status="failed")
        return self.driver.complete(trial_id, metrics, status=status)

    def report(self, key: Hashable, step: int, metrics: dict) -> bool:
        """Records an intermediate report; True when the early-stopping policy says stop."""
        if key not in self._open:
            return False
        return self.driver.report(self._open[key][0], step, metrics)

    def should_stop(self, key: Hashable) -> bool:
        return key in self._open and self.driver.should_stop(self._open[key][0])

    def is_out(self, key: Hashable) -> bool:
        """Whether a suggestion asked under ``key`` awaits its result."""
        return key in self._open or key in self._orphans

    def trial_id(self, key: Hashable) -> Optional[int]:
        entry = self._open.get(key)
        return entry[0] if entry else None

    def close(self) -> None:
        """Snapshots and releases the store; callbacks get ``on_search_end``."""
        self.driver.close()

    def result(self) -> Any:
        """The :class:`~symsearch.Result` of the trials told so far."""
        return self.driver.result()

    # ---- state ----------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """JSON-compatible: the algorithm's state and the suggestions still out."""
        out = {k: dna_to_json(dna) for k, (_, dna) in self._open.items()}
        out.update({k: dna_to_json(dna) for k, dna in self._orphans.items()})
        return {"format": STATE_FORMAT, "algorithm": self.driver.algorithm.state_dict(),
                "outstanding": [[k, d] for k, d in out.items()]}

    def load_state_dict(self, state: dict) -> None:
        """Continues from ``state_dict()``: the same algorithm state; results of the
        suggestions that were out then are fed back when they are told."""
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            raise ValueError(f"Not an AskTell state (format {STATE_FORMAT}): "
                             f"{str(state)[:200]!r}")
        self.driver.algorithm.load_state_dict(state["algorithm"])
        self._open.clear()
        self._orphans = {k: dna_from_json(d) for k, d in state["outstanding"]}

    def _tell_orphan(self, key, metrics, error, status) -> str:
        """A result for a suggestion made before a restore: fed straight to the algorithm
        (the driver of this process never proposed it, so it has no trial to finish)."""
        from symsearch.algorithms.base import Feedback
        from symsearch.search.objectives import ObjectiveError
        dna = self._orphans.pop(key)
        objectives = self.driver.objectives
        values = score = None
        if error is None and metrics is not None and status != "pruned":
            try:
                values = objectives.values(metrics)
                score = None if objectives.is_multi else values[0] * objectives.signs[0]
                status = "done"
            except ObjectiveError as e:
                error = str(e)
        status = status if values is not None or status == "pruned" else "failed"
        self.driver.algorithm.feedback(dna, Feedback(-1, status, metrics, values, score))
        return status

    def __getstate__(self) -> dict:
        return {"algorithm": self._algorithm_template, "settings": self._settings,
                "state": self.state_dict()}

    def __setstate__(self, saved: dict) -> None:
        self.__init__(saved["settings"]["space"], copy.deepcopy(saved["algorithm"]),
                      saved["settings"]["objective"], seed=saved["settings"]["seed"],
                      early_stopping=saved["settings"]["early_stopping"])
        self.load_state_dict(saved["state"])
