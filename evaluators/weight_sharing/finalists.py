"""One-shot proposes, standalone decides: a search on inherited-weight scores, then its best
distinct candidates trained standalone, and the best of those by their standalone score.

Inherited-weight scores rank architectures coarsely (Kendall tau about 0.65 on the project's
NAS table): good enough to tell the top of the space from the rest, not to order the top.
A common remedy (Bender et al., "Understanding and simplifying one-shot architecture
search", ICML 2018, train the one-shot model's top candidates from scratch and choose among
them; SPOS and DARTS retrain their final pick) is to spend part of the budget on a short
standalone stage: train the ``finalists`` best distinct candidates of the inherited search
exactly as a standalone search would evaluate them, and answer the best by that signal. The
supernet then needs only to get good cells into its top ``k``.

:func:`one_shot_search` is the pipeline, usable with any space, supernet evaluator and
standalone evaluator::

    found = one_shot_search(space, supernet_evaluator, standalone_evaluate, finalists=5,
                            trials=300, objective="min:val_loss")
    found.best, found.epochs      # the pick; supernet epochs + the finalists' epochs

Compute is counted in training epochs: the supernet's (``supernet_evaluator.epochs_done``
when it has one) plus each finalist's ``metrics["epochs"]`` (the standalone evaluator's own
account of what it trained).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional

import symsearch as ss
from symsearch.search.objectives import Objectives


@dataclasses.dataclass
class Finalist:
    """One candidate of the standalone stage: its inherited metrics, and its standalone
    metrics (None with ``error`` set when the standalone evaluation failed)."""
    candidate: Any
    dna: tuple
    inherited: dict
    standalone: Optional[dict] = None
    error: Optional[str] = None


@dataclasses.dataclass
class OneShotResult:
    """What :func:`one_shot_search` found, and what it cost."""
    best: Any
    best_dna: tuple
    finalists: list
    search: Any
    supernet_epochs: float
    standalone_epochs: float

    @property
    def epochs(self) -> float:
        """Total training epochs: the supernet's plus the finalists'."""
        return self.supernet_epochs + self.standalone_epochs


def _check(name: str, value: Any, allow_zero: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        what = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"one_shot_search: {name!r} must be {what} int, got {value!r}")


def distinct_top(result: Any, objectives: Objectives, k: int,
                 distinct: Optional[Callable[[Any], Any]] = None) -> list:
    """The ``k`` best trials of ``result`` by ``objectives``' first objective, one per key of
    ``distinct`` (candidate -> hashable; default the DNA), best first; ties keep trial order."""
    sign = objectives.signs[0]
    scored = []
    for record in result.trials:
        if record.status not in ("done", "cached") or not record.metrics:
            continue
        try:
            value = objectives.values(record.metrics)[0]
        except Exception:
            continue
        scored.append((-sign * value, record.id, record))
    scored.sort(key=lambda item: item[:2])
    out, seen = [], set()
    for _, _, record in scored:
        candidate = ss.from_json_str(record.candidate_json)
        key = tuple(record.dna) if distinct is None else distinct(candidate)
        if key in seen:
            continue
        seen.add(key)
        out.append((candidate, tuple(record.dna), dict(record.metrics)))
        if len(out) == k:
            break
    return out


def one_shot_search(space: Any, inherited: Callable[[Any], dict],
                    standalone: Optional[Callable[[Any], dict]] = None, *,
                    finalists: int = 0, trials: int = 300, objective: str = "min:val_loss",
                    final_objective: str = "max:val_accuracy", algorithm: Any = None,
                    distinct: Optional[Callable[[Any], Any]] = None,
                    seed: int = 0, cache: Any = False) -> OneShotResult:
    """Searches ``space`` on ``inherited`` (a supernet evaluator: candidate -> metrics with
    inherited weights) with ``algorithm`` (default regularized evolution, population 20,
    tournaments of 5) for ``trials`` trials by ``objective``; with ``finalists`` = k > 0, the
    k best distinct candidates (``distinct``: candidate -> key, e.g. a functional hash, so
    two encodings of one network count once) are scored by ``standalone`` and the best by
    ``final_objective`` is the answer. ``finalists=0`` answers the inherited search's best.
    ``cache`` is ``ss.search``'s (e.g. ``"structural"``: a revisited cell is not scored again).
    A finalist whose standalone evaluation fails is kept with its ``error`` and skipped.

    >>> import symsearch as ss
    >>> space = ss.Dict(a=ss.oneof([0, 1, 2, 3]), b=ss.oneof([0, 1, 2]))
    >>> proxy = lambda c: {"val_loss": abs(c["a"] - 2) + abs(c["b"] - 1) * 0.1}
    >>> truth = lambda c: {"val_accuracy": c["a"] + c["b"], "epochs": 6}
    >>> found = one_shot_search(space, proxy, truth, finalists=3, trials=30,
    ...                         algorithm="random")
    >>> dict(found.best), found.standalone_epochs
    ({'a': 2, 'b': 2}, 18.0)
    """
    _check("finalists", finalists, allow_zero=True)
    _check("trials", trials, allow_zero=False)
    if finalists and standalone is None:
        raise ValueError(f"one_shot_search: finalists={finalists} needs a 'standalone' "
                         f"evaluator to score them")
    objectives = Objectives.parse(objective)
    finals = Objectives.parse(final_objective)
    if algorithm is None:
        from symsearch.algorithms import RegularizedEvolution
        algorithm = RegularizedEvolution(population_size=20, tournament_size=5)
    result = ss.search(space, inherited, objective=objective, algorithm=algorithm,
                       num_trials=trials, seed=seed, cache=cache)
    supernet_epochs = float(getattr(inherited, "epochs_done", 0.0))
    if not finalists:
        top = distinct_top(result, objectives, 1, distinct)
        if not top:
            raise RuntimeError("one_shot_search: no trial of the inherited search succeeded")
        candidate, dna, metrics = top[0]
        return OneShotResult(candidate, dna, [Finalist(candidate, dna, metrics)], result,
                             supernet_epochs, 0.0)
    stage = []
    for candidate, dna, metrics in distinct_top(result, objectives, finalists, distinct):
        finalist = Finalist(candidate, dna, metrics)
        try:
            finalist.standalone = dict(standalone(candidate))
            finals.values(finalist.standalone)          # the metric must be there
        except Exception as error:                      # one bad finalist does not end it
            finalist.standalone, finalist.error = None, f"{type(error).__name__}: {error}"
        stage.append(finalist)
    scored = [f for f in stage if f.standalone is not None]
    if not scored:
        raise RuntimeError(f"one_shot_search: every finalist's standalone evaluation failed: "
                           f"{[f.error for f in stage]}")
    sign = finals.signs[0]
    best = max(scored, key=lambda f: (sign * finals.values(f.standalone)[0],
                                      -stage.index(f)))
    spent = sum(float(f.standalone.get("epochs", 0.0)) for f in scored)
    return OneShotResult(best.candidate, best.dna, stage, result, supernet_epochs, spent)
