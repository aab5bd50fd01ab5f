"""Bayesian optimization through Optuna samplers (TPE, GP, CMA-ES, NSGA-II, random).

The space is handed to Optuna define-by-run: each ``propose()`` asks an in-memory study
for a trial and walks the spec from its root units, suggesting one parameter per *active*
decision, named by its key path. A choice suggests a candidate index and only the chosen
candidate's sub-decisions are suggested next, so TPE sees the conditional structure and
inactive decisions are never sampled. Feedback is told back to the study.

How decisions map to Optuna parameters:

- ``oneof``: ``suggest_categorical(path, [0, ..., n-1])`` (candidate indices).
- ``floatv``: ``suggest_float(path, lo, hi, log=scale == "log")``.
- ``intv``: ``suggest_int(path, lo, hi, step=step, log=...)``; Optuna refuses a step on a
  log scale, so a log ``intv`` with ``step > 1`` is suggested on ``[lo, hi]`` with
  ``log=True`` and snapped to the grid.
- ``manyof(k, ...)``: one categorical per slot (``path[0]``, ``path[1]``, ...). Optuna needs
  fixed choices per parameter, so when the slots must be distinct slot ``s`` suggests an
  index into the ``n - s`` candidates *still unchosen* (in candidate order); a sorted
  manyof sorts the picks afterwards. Sub-decisions of the picked candidates follow.
- ``evolve``: not modelable; ``setup`` raises ValueError naming the decision.

On conditional spaces prefer TPE: Optuna's GPSampler models only the parameters every
trial shares (for a top-level ``oneof``, just the branch) and samples the rest at random,
so ``Bayesian("gp")`` can do worse than random search there.

Resume: Optuna samplers cannot be serialized portably, so ``state_dict`` holds the
history of finished trials (params, values, state, DNA) and ``load_state_dict`` rebuilds
the study from it, re-seeding a named sampler with ``seed + number of completed trials``
(a resumed search continues from the same evidence, but not with the exact proposals an
uninterrupted run would have made). Trials asked but not yet told are dropped; feedback
for a DNA this instance never proposed (trials replayed by the driver after a resume,
interrupted trials evaluated again) is added to the study as a finished trial built from
the DNA. Proposals the driver fast-forwards past on resume stay "running" in the study
for the rest of the session unless they are handed to :meth:`Bayesian.discard`.

>>> import symsearch as ss
>>> from symsearch.algorithms.bayesian import Bayesian
>>> space = ss.Dict(x=ss.floatv(-2.0, 2.0), act=ss.oneof(["relu", "tanh"]))
>>> result = ss.search(space, lambda c: {"loss": c["x"] ** 2}, objective="min:loss",
...                    algorithm=Bayesian("tpe"), num_trials=20, seed=0)   # doctest: +SKIP
>>> result.best.metrics["loss"] < 0.1                                      # doctest: +SKIP
True
"""
from __future__ import annotations

import collections
import contextlib
import importlib.util
import warnings
from typing import Any, Optional

from symsearch.algorithms.base import Feedback, SearchAlgorithm, register_algorithm
from symsearch.geno.codec import dna_to_json
from symsearch.geno.dna import DNA
from symsearch.geno.spec import CHOICE, CUSTOM, FLOAT, INT, ChoiceGroup, DNASpec

#: Named samplers and the packages each needs besides Optuna.
SAMPLERS = {
    "tpe": (),
    "gp": ("torch", "scipy"),
    "cmaes": ("cmaes",),
    "random": (),
    "nsga2": (),
}

_OPTUNA_HINT = 'Bayesian optimization needs Optuna: pip install "symsearch[optuna]"'


def _import_optuna():
    try:
        import optuna
    except ImportError as e:
        raise ImportError(_OPTUNA_HINT) from e
    return optuna


def _require(packages: tuple, sampler: str) -> None:
    for package in ("optuna",) + packages:
        if importlib.util.find_spec(package) is None:
            hint = _OPTUNA_HINT if package == "optuna" else f"pip install {package}"
            raise ImportError(f"Bayesian(sampler={sampler!r}) needs the {package!r} package: "
                              f"{hint}")


@contextlib.contextmanager
def _quiet_optuna(optuna):
    """Silences Optuna's per-trial INFO lines (a search has its own progress display)."""
    verbosity = optuna.logging.get_verbosity()
    if verbosity < optuna.logging.WARNING:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        if verbosity < optuna.logging.WARNING:
            optuna.logging.set_verbosity(verbosity)


def _param_name(d) -> str:
    return d.path or "<root>"


@register_algorithm("bayesian")
class Bayesian(SearchAlgorithm):
    """Bayesian optimization with an Optuna sampler (see the module docstring).

    ``sampler`` is ``"tpe"``, ``"gp"`` (needs torch and scipy), ``"cmaes"`` (needs the
    ``cmaes`` package; one objective), ``"random"``, ``"nsga2"`` (meant for several
    objectives) or an ``optuna.samplers.BaseSampler`` instance; ``sampler_kwargs`` go to
    a named sampler's constructor (``seed`` is set from ``seed``).

    >>> algo = Bayesian("tpe", seed=0, sampler_kwargs={"n_startup_trials": 5})
    >>> algo
    Bayesian(sampler='tpe', seed=0)
    """

    needs_objective = True

    def __init__(self, sampler: Any = "tpe", seed: Optional[int] = None,
                 sampler_kwargs: Optional[dict] = None):
        super().__init__(seed)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"Bayesian(seed=...) must be an int or None, got {seed!r}")
        if sampler_kwargs is not None and not isinstance(sampler_kwargs, dict):
            raise TypeError(f"Bayesian(sampler_kwargs=...) must be a dict or None, got "
                            f"{type(sampler_kwargs).__name__}")
        sampler_kwargs = dict(sampler_kwargs or {})
        if isinstance(sampler, str):
            name = sampler.lower()
            if name not in SAMPLERS:
                raise ValueError(f"Bayesian(sampler={sampler!r}): expected one of "
                                 f"{sorted(SAMPLERS)} or an optuna.samplers.BaseSampler")
            if "seed" in sampler_kwargs:
                raise ValueError("Bayesian(sampler_kwargs=...) must not hold 'seed'; pass "
                                 "Bayesian(seed=...) instead")
            _require(SAMPLERS[name], name)
            sampler = name
        else:
            optuna = _import_optuna()
            if not isinstance(sampler, optuna.samplers.BaseSampler):
                raise TypeError(f"Bayesian(sampler=...) must be a name in {sorted(SAMPLERS)} "
                                f"or an optuna.samplers.BaseSampler, got "
                                f"{type(sampler).__name__}")
            if sampler_kwargs:
                raise ValueError("Bayesian(sampler_kwargs=...) applies to a named sampler "
                                 "only; configure the sampler instance itself")
        self.sampler = sampler
        self.sampler_kwargs = sampler_kwargs
        self.study = None
        self._distributions: dict = {}
        self._choices: dict = {}
        self._pending: dict = {}
        self._history: list = []

    # ---- setting up --------------------------------------------------------------------
    def setup(self, spec: DNASpec, objectives=None, seed: Optional[int] = None) -> None:
        super().setup(spec, objectives, seed)
        for d in spec.decisions:
            if d.kind == CUSTOM:
                raise ValueError(f"Bayesian optimization cannot model evolve(...) decisions "
                                 f"at {_param_name(d)}; use RegularizedEvolution")
        if self.sampler == "cmaes" and objectives.is_multi:
            raise ValueError(f"Bayesian(sampler='cmaes') optimizes one objective, got "
                             f"{objectives.to_list()}; use 'nsga2' or 'tpe' for several")
        self._distributions, self._choices = self._make_distributions(spec)
        self._new_study(self.seed)

    def _make_distributions(self, spec: DNASpec) -> tuple:
        from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                          IntDistribution)
        distributions, choices = {}, {}
        for d in spec.decisions:
            name = _param_name(d)
            if d.kind == CHOICE:
                n = d.num_candidates
                if d.group is not None and d.group.distinct:
                    n -= d.group.slots.index(d)  # an index into the unchosen candidates
                choices[name] = tuple(range(n))
                distributions[name] = CategoricalDistribution(choices[name])
            elif d.kind == FLOAT:
                distributions[name] = FloatDistribution(float(d.lo), float(d.hi),
                                                        log=d.scale == "log")
            elif d.kind == INT:
                lo, step = int(d.lo), int(d.step)
                hi = lo + (int(d.hi) - lo) // step * step  # the last grid point
                log = d.scale == "log"
                distributions[name] = IntDistribution(lo, hi, log=log,
                                                      step=1 if log else step)
        return distributions, choices

    def _make_sampler(self, seed: Optional[int]):
        optuna = _import_optuna()
        if not isinstance(self.sampler, str):
            return self.sampler
        kwargs = dict(self.sampler_kwargs)
        samplers = optuna.samplers
        if self.sampler == "tpe":
            cls = samplers.TPESampler
        elif self.sampler == "random":
            cls = samplers.RandomSampler
        elif self.sampler == "nsga2":
            cls = samplers.NSGAIISampler
        else:
            # Conditional and categorical decisions fall back to independent sampling;
            # that is expected here, so don't warn on every trial.
            kwargs.setdefault("warn_independent_sampling", False)
            cls = samplers.GPSampler if self.sampler == "gp" else samplers.CmaEsSampler
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return cls(seed=seed, **kwargs)
        except TypeError as e:
            raise TypeError(f"Bayesian(sampler={self.sampler!r}, sampler_kwargs="
                            f"{self.sampler_kwargs!r}): {e}") from None

    def _new_study(self, seed: Optional[int]) -> None:
        optuna = _import_optuna()
        directions = ["maximize" if d == "max" else "minimize"
                      for d in self.objectives.directions]
        with _quiet_optuna(optuna):
            self.study = optuna.create_study(directions=directions,
                                             sampler=self._make_sampler(seed))
        self._pending = {}
        self._history = []

    def _check_setup(self) -> None:
        if self.study is None:
            raise RuntimeError(f"{type(self).__name__}.setup(spec, objectives) must be "
                               f"called first")

    # ---- proposing -----------------------------------------------------------------------
    def propose(self) -> DNA:
        self._check_setup()
        trial = self.study.ask()
        values: list = [None] * len(self.spec.decisions)
        self._suggest_units(trial, self.spec.units, values)
        dna = DNA(values)
        queue = self._pending.get(dna)
        if queue is None:
            queue = self._pending[dna] = collections.deque()
        queue.append(trial)
        return dna

    def _suggest_units(self, trial, units: list, values: list) -> None:
        for u in units:
            if type(u) is ChoiceGroup:
                picks = self._suggest_group(trial, u)
                for slot, i in zip(u.slots, picks):
                    values[slot.index] = i
                    if slot.children and slot.children[i]:
                        self._suggest_units(trial, slot.children[i], values)
            elif u.kind == CHOICE:
                i = trial.suggest_categorical(_param_name(u), self._choices[_param_name(u)])
                values[u.index] = i
                if u.children and u.children[i]:
                    self._suggest_units(trial, u.children[i], values)
            else:
                values[u.index] = self._suggest_number(trial, u)

    def _suggest_group(self, trial, group: ChoiceGroup) -> list:
        picks = []
        remaining = list(range(group.num_candidates))
        for slot in group.slots:
            name = _param_name(slot)
            j = trial.suggest_categorical(name, self._choices[name])
            picks.append(remaining.pop(j) if group.distinct else j)
        if group.sorted:
            picks.sort()
        return picks

    def _suggest_number(self, trial, d):
        name = _param_name(d)
        dist = self._distributions[name]
        if d.kind == FLOAT:
            v = trial.suggest_float(name, dist.low, dist.high, log=dist.log)
            return min(max(float(v), d.lo), d.hi)  # exp(log(x)) may be off by an ulp
        v = trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
        if d.step > 1 and dist.log:
            lo = dist.low
            v = lo + min(round((v - lo) / d.step) * d.step, dist.high - lo)
        return int(v)

    # ---- feedback ------------------------------------------------------------------------
    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        self._check_setup()
        optuna = _import_optuna()
        TrialState = optuna.trial.TrialState
        values = feedback.values
        if feedback.status in ("done", "cached") and values is not None and \
                len(values) == len(self.objectives.names):
            state, values = TrialState.COMPLETE, [float(v) for v in values]
        elif feedback.status == "pruned":
            state, values = TrialState.PRUNED, None
        else:
            state, values = TrialState.FAIL, None
        key = dna if type(dna) is DNA else DNA(dna)
        queue = self._pending.get(key)
        with _quiet_optuna(optuna):
            if queue:
                trial = queue.popleft()
                if not queue:
                    del self._pending[key]
                params = dict(trial.params)
                self.study.tell(trial, values, state=state)
            else:
                # Not proposed by this instance: replayed after a resume, or a rerun.
                params = self._params_from_dna(key)
                self.study.add_trial(self._frozen_trial(params, values, state))
        self._history.append([params, values, state.name, dna_to_json(key)])

    def discard(self, dna: DNA) -> None:
        """Forgets a proposal that will get no feedback (one the driver fast-forwards
        past on resume): its trial is closed as failed, which Optuna's samplers ignore, and
        kept out of ``state_dict``. Without this it would stay running, and TPE's constant
        liar would count it as a bad point."""
        self._check_setup()
        key = dna if type(dna) is DNA else DNA(dna)
        queue = self._pending.get(key)
        if not queue:
            return
        trial = queue.popleft()
        if not queue:
            del self._pending[key]
        optuna = _import_optuna()
        with _quiet_optuna(optuna):
            self.study.tell(trial, None, state=optuna.trial.TrialState.FAIL)

    def _params_from_dna(self, dna) -> dict:
        """The Optuna parameters that ``propose`` would have suggested for ``dna``."""
        params: dict = {}
        self._encode_units(self.spec.units, dna, params)
        return params

    def _encode_units(self, units: list, dna, params: dict) -> None:
        for u in units:
            if type(u) is ChoiceGroup:
                remaining = list(range(u.num_candidates))
                for slot in u.slots:
                    i = dna[slot.index]
                    if u.distinct:
                        if i not in remaining:
                            raise ValueError(f"Decision {u.path!r}: DNA {tuple(dna)} repeats "
                                             f"candidate {i!r} of a distinct manyof")
                        params[_param_name(slot)] = remaining.index(i)
                        remaining.remove(i)
                    else:
                        params[_param_name(slot)] = i
                for slot in u.slots:
                    i = dna[slot.index]
                    if slot.children and slot.children[i]:
                        self._encode_units(slot.children[i], dna, params)
            else:
                v = dna[u.index]
                if v is None:
                    raise ValueError(f"Decision {u.path!r} is active but DNA {tuple(dna)} "
                                     f"holds None there")
                params[_param_name(u)] = v
                if u.kind == CHOICE and u.children and u.children[v]:
                    self._encode_units(u.children[v], dna, params)

    def _frozen_trial(self, params: dict, values, state):
        optuna = _import_optuna()
        unknown = [name for name in params if name not in self._distributions]
        if unknown:
            raise ValueError(f"{type(self).__name__}: parameters {unknown} are not decisions "
                             f"of this search space (was the state saved for another one?)")
        distributions = {name: self._distributions[name] for name in params}
        return optuna.trial.create_trial(params=params, distributions=distributions,
                                         values=values, state=state)

    # ---- state ---------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Finished trials as ``[params, values or None, state, dna_json]``; see the module
        docstring for what a resume keeps."""
        return {"history": [list(entry) for entry in self._history]}

    def load_state_dict(self, state: dict) -> None:
        self._check_setup()
        optuna = _import_optuna()
        history = [list(entry) for entry in state.get("history", [])]
        completed = sum(1 for entry in history if entry[2] == "COMPLETE")
        self._new_study(None if self.seed is None else self.seed + completed)
        trials = [self._frozen_trial(dict(params), values, optuna.trial.TrialState[name])
                  for params, values, name, _ in history]
        with _quiet_optuna(optuna):
            self.study.add_trials(trials)
        self._history = history

    def __repr__(self) -> str:
        sampler = self.sampler if isinstance(self.sampler, str) else \
            type(self.sampler).__name__
        return f"{type(self).__name__}(sampler={sampler!r}, seed={self.seed})"


def _named(name: str, doc: str, sampler: Optional[str] = None,
           class_name: Optional[str] = None):
    """A ``Bayesian`` subclass fixing the sampler (``sampler``, default ``name``),
    selectable by ``name``.

    Extra keyword arguments are sampler options, so a YAML ``{type: tpe,
    n_startup_trials: 5}`` reads naturally.
    """
    sampler = sampler or name

    def __init__(self, seed: Optional[int] = None, sampler_kwargs: Optional[dict] = None,
                 **sampler_options):
        Bayesian.__init__(self, sampler, seed, {**(sampler_kwargs or {}), **sampler_options})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed})"

    cls = type(class_name or name.upper(), (Bayesian,), {"__init__": __init__, "__repr__": __repr__,
                                          "__doc__": doc, "__module__": __name__})
    return register_algorithm(name)(cls)


TPE = _named("tpe", "Bayesian optimization with Optuna's TPE sampler.")
GP = _named("gp", "Bayesian optimization with Optuna's Gaussian-process sampler.")
CMAES = _named("cmaes", "Optuna's CMA-ES sampler (one objective).")
#: Optuna's NSGA-II sampler. The ``nsga2`` name is the native NSGA-II
#: (:class:`symsearch.algorithms.nsga2.NSGA2`), which is faster per trial and uses SBX and
#: polynomial mutation; this one stays reachable as ``optuna_nsga2``.
OptunaNSGA2 = _named("optuna_nsga2", "Optuna's NSGA-II sampler, for several objectives "
                     "(the native one is ``nsga2``).", sampler="nsga2",
                     class_name="OptunaNSGA2")
