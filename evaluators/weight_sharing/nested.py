"""A search flow: an outer search whose every evaluation is an inner search.

PyGlove's "searching architectures within a loop of searching hardware configurations": the
outer search proposes, say, training hyper-parameters or a parameter budget; evaluating one
runs an ordinary ``ss.search`` over architectures under those settings; the inner search's
best result is the outer trial's metrics. Both levels are ordinary searches with their own
SQLite store: the outer's at ``store`` (``runs/outer.db``), each inner one beside it in a
folder named after it (``runs/outer/trial_<id>.db``), so every inner search can be shown,
plotted and exported like any other. An outer trial that is evaluated again after a crash
resumes its inner search from that store instead of starting over.

>>> import symsearch as ss, tempfile, os
>>> def inner(settings):                  # settings: the outer candidate
...     return dict(space=ss.Dict(x=ss.intv(0, 10)), objective="max:y", num_trials=5,
...                 evaluator=lambda c: {"y": -abs(c["x"] - settings["target"])},
...                 algorithm="random")
>>> folder = tempfile.mkdtemp()
>>> result = nested_search(ss.Dict(target=ss.oneof([3, 30])), inner, objective="max:y",
...                        num_trials=2, store=os.path.join(folder, "outer.db"), seed=0)
>>> sorted(os.listdir(os.path.join(folder, "outer")))
['trial_0.db', 'trial_1.db']
"""
from __future__ import annotations

import os
from typing import Any, Callable

import symsearch as ss

#: Keys ``make_inner`` must not set: the flow chooses the inner store and its resume.
_RESERVED = ("store", "resume")


def inner_folder(store: str) -> str:
    """Where the inner stores of the outer search stored at ``store`` go."""
    root, _ = os.path.splitext(os.fspath(store))
    return root


def inner_store(store: str, trial_id: int) -> str:
    """The store of outer trial ``trial_id``'s inner search."""
    return os.path.join(inner_folder(store), f"trial_{trial_id}.db")


def default_summary(result: Any) -> dict:
    """The inner search's best trial's metrics, plus how many trials it ran."""
    best = result.best
    if best is None:
        raise RuntimeError("the inner search has no successful trial")
    return {**dict(best.metrics), "inner_trials": len(result.trials),
            "inner_best_trial": best.id}


class InnerSearch:
    """The outer search's evaluator: ``make_inner(candidate)`` gives the inner ``ss.search``
    keyword arguments (space, evaluator, objective, algorithm, num_trials...), the flow adds
    the inner store; ``summarize(result)`` gives the outer trial's metrics."""

    def __init__(self, make_inner: Callable[[Any], dict], store: str,
                 summarize: Callable[[Any], dict] = default_summary):
        if not callable(make_inner):
            raise ValueError(f"InnerSearch: make_inner must be a function of the outer candidate "
                             f"returning ss.search keyword arguments, got {make_inner!r}")
        self.make_inner, self.store, self.summarize = make_inner, os.fspath(store), summarize

    def __call__(self, candidate: Any, trial: Any) -> dict:
        kwargs = self.make_inner(candidate)
        if not isinstance(kwargs, dict) or "space" not in kwargs:
            raise ValueError(f"make_inner must return a dict of ss.search keyword arguments "
                             f"with at least 'space'; got {kwargs!r}")
        reserved = [k for k in _RESERVED if k in kwargs]
        if reserved:
            raise ValueError(f"make_inner's {reserved} are chosen by the nested search (the "
                             f"inner store is {inner_store(self.store, trial.id)})")
        path = inner_store(self.store, trial.id)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        space = kwargs.pop("space")
        result = ss.search(space, store=path, resume=os.path.exists(path), **kwargs)
        return self.summarize(result)


def nested_search(outer_space: Any, make_inner: Callable[[Any], dict], *, store: str,
                  summarize: Callable[[Any], dict] = default_summary, **outer_kwargs: Any):
    """Runs the outer search (``ss.search(outer_space, ..., store=store, **outer_kwargs)``)
    with :class:`InnerSearch` as its evaluator; see the module docstring."""
    if store is None:
        raise ValueError("nested_search needs a store path for the outer search (the inner "
                         "stores go in a folder beside it)")
    store = os.fspath(store)
    if os.path.dirname(store):
        os.makedirs(os.path.dirname(store), exist_ok=True)
    return ss.search(outer_space, InnerSearch(make_inner, store, summarize), store=store,
                     **outer_kwargs)
