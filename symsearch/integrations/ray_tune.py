"""Ray Tune: ``SymsearchSearcher`` runs any symsearch algorithm over any symsearch space.

Install with ``pip install "symsearch[tune]"``. The searcher plugs into Ray Tune where its own
searchers do, so Tune's schedulers (the tests run it with ASHA), its trial placement and its
fault tolerance all stay Tune's::

    from ray import tune
    from ray.tune.schedulers import ASHAScheduler
    import symsearch as ss
    from symsearch.integrations.ray_tune import SymsearchSearcher

    space = ss.Dict(lr=ss.floatv(1e-4, 1e-1, scale="log"), layers=ss.intv(1, 4))

    def trainable(config):            # config == {"lr": ..., "layers": ..., "symsearch_dna": [...]}
        for epoch in range(10):
            tune.report({"loss": train_one_epoch(config["lr"], config["layers"])})

    tuner = tune.Tuner(trainable, tune_config=tune.TuneConfig(
        search_alg=SymsearchSearcher(space, "evolution", metric="loss", mode="min"),
        scheduler=ASHAScheduler(), num_samples=50))
    tuner.fit()

What the trainable gets (``config_format``):
  ``"params"`` (default): the candidate's key-path parameters, ``{"model.lr": 0.01, ...}``
    (a choice as its value, or its compact text when it is not a plain scalar), plus
    ``"symsearch_dna"``, from which ``candidate_from_config(space, config)`` rebuilds the
    exact candidate (use it for spaces of objects, e.g. ``oneof`` over modules).
  ``"candidate"``: ``{"candidate": <materialized candidate>, "symsearch_dna": [...]}``.

Each finished trial's last result is fed back to the algorithm as the trial's value (a trial
a scheduler stopped early counts with the value it reached, as Tune's Optuna searcher does).
The searcher saves and restores through Tune's ``save``/``restore`` (and so
``Tuner.restore``): the algorithm's state and the suggestions still running round-trip.

Population Based Training: Ray Tune (2.x) refuses every ``Searcher`` beside PBT or PB2
("Search algorithms cannot be used with PopulationBasedTraining schedulers"), since PBT is the
search itself: it rewrites running trials' configs, which no searcher suggested. So the
searcher is never told a perturbed trial's result. To start PBT from a symsearch space, draw
its initial population with :func:`initial_population` and let Tune's own generator run it::

    param_space, search_alg = initial_population(space, 8, seed=0)
    tune.Tuner(trainable, param_space=param_space, tune_config=tune.TuneConfig(
        search_alg=search_alg, num_samples=8, metric="loss", mode="min",
        scheduler=PopulationBasedTraining(
            hyperparam_mutations={"lr": tune.loguniform(1e-4, 1e-1)})))

PBT then mutates the key-path parameters in the config; ``candidate_from_config`` rebuilds the
candidate from the DNA that PBT copies from the cloned trial, without the mutation, so with PBT
read the mutated values from the config keys.
"""
from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, Optional, Tuple

from symsearch.integrations._ask_tell import AskTell
from symsearch.integrations._require import require

logger = logging.getLogger(__name__)
DNA_KEY = "symsearch_dna"
CONFIG_FORMATS = ("params", "candidate")

_tune_search = require("ray.tune.search", "tune", feature="symsearch.integrations.ray_tune")
Searcher = _tune_search.Searcher


def candidate_from_config(space: Any, config: dict) -> Any:
    """The candidate a ``SymsearchSearcher`` suggested, rebuilt from its trial ``config``."""
    from symsearch.geno.codec import dna_from_json
    from symsearch.hyper.space import materialize
    if DNA_KEY not in config:
        raise KeyError(f"The trial config has no {DNA_KEY!r} key (keys: {sorted(config)[:10]}); "
                       f"was it suggested by SymsearchSearcher?")
    dna = config[DNA_KEY]
    if isinstance(dna, str):                 # initial_population's JSON text
        import json
        dna = json.loads(dna)
    return materialize(space, dna_from_json(dna))


def initial_population(space: Any, n: int, algorithm: Any = "random", *,
                       seed: Optional[int] = None) -> Tuple[dict, Any]:
    """``(param_space, search_alg)`` that start ``n`` trials from ``space``, for PBT and PB2.

    Ray Tune takes no ``Searcher`` beside PBT, so the population is drawn up front (the
    algorithm is only asked, never told: ``"random"`` or a space-filling algorithm fits) and
    run by Tune's ``BasicVariantGenerator(points_to_evaluate=...)``; use ``num_samples=n``.
    Each config is shaped as ``SymsearchSearcher``'s ``"params"`` format except that
    ``symsearch_dna`` is JSON text (Tune's preset points cannot hold lists);
    ``candidate_from_config`` reads both. ``param_space`` names every key with ``None``,
    which a candidate whose decision is inactive keeps.
    """
    import json
    BasicVariantGenerator = require("ray.tune.search", "tune",
                                    feature="initial_population").BasicVariantGenerator
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"initial_population: n must be a positive int, got {n!r}")
    searcher = SymsearchSearcher(space, algorithm, metric="objective", mode="min", seed=seed)
    configs = []
    for i in range(n):
        config = searcher.suggest(f"initial-{i}")
        if config is Searcher.FINISHED:
            raise ValueError(f"initial_population: {algorithm!r} gave only {len(configs)} "
                             f"candidates of the space; asked for n={n}")
        configs.append({**config, DNA_KEY: json.dumps(config[DNA_KEY])})
    param_space = {key: None for config in configs for key in config}
    return param_space, BasicVariantGenerator(points_to_evaluate=configs)


class SymsearchSearcher(Searcher):
    """A Ray Tune ``Searcher`` over a symsearch space; see the module docstring.

    Args:
      space: any symsearch space (a symbolic object with hyper-values).
      algorithm: a symsearch algorithm name (``"random"``, ``"evolution"``, ``"tpe"``...),
        ``{"type": ..., **kwargs}`` or a ``SearchAlgorithm`` instance.
      metric, mode: the metric the trainable reports and ``"min"``/``"max"``. Pass them here:
        Ray Tune gives ``TuneConfig``'s metric and mode to a searcher only when the
        ``Tuner`` has a ``param_space`` (constants there are merged into every config).
      seed: the algorithm's seed.
      config_format: ``"params"`` or ``"candidate"`` (what the trainable's config holds).
    """

    def __init__(self, space: Any, algorithm: Any = "random", metric: Optional[str] = None,
                 mode: Optional[str] = None, *, seed: Optional[int] = None,
                 config_format: str = "params"):
        if mode is not None and mode not in ("min", "max"):
            raise ValueError(f"SymsearchSearcher: mode must be 'min' or 'max', got {mode!r}")
        if metric is not None and not isinstance(metric, str):
            raise TypeError(f"SymsearchSearcher: metric must be one metric name (str), got "
                            f"{metric!r}")
        if config_format not in CONFIG_FORMATS:
            raise ValueError(f"SymsearchSearcher: config_format must be one of "
                             f"{list(CONFIG_FORMATS)}, got {config_format!r}")
        super().__init__(metric=metric, mode=mode)
        self._space = space
        self._algorithm = algorithm
        self._seed = seed
        self._config_format = config_format
        self._search: Optional[AskTell] = None
        # Built now when metric and mode are known, so a bad space or algorithm fails here.
        if metric is not None and mode is not None:
            self._setup()

    # ---- Tune's interface ---------------------------------------------------------------
    def set_search_properties(self, metric: Optional[str], mode: Optional[str], config: Dict,
                              **spec: Any) -> bool:
        _reject_tune_domains(config)
        if self._search is not None:
            # Already set up; TuneConfig may only repeat what the searcher was given.
            for name, given, own in (("metric", metric, self._metric),
                                     ("mode", mode, self._mode)):
                if given is not None and given != own:
                    raise ValueError(f"SymsearchSearcher was built with {name}={own!r} but "
                                     f"TuneConfig says {name}={given!r}")
            return True
        self._metric = metric or self._metric
        self._mode = mode or self._mode
        self._setup()
        return True

    def suggest(self, trial_id: str) -> Optional[Dict]:
        search = self._require_search()
        suggestion = search.ask(trial_id)
        if suggestion is None:
            return Searcher.FINISHED
        dna = _dna_json(suggestion.dna)
        if self._config_format == "candidate":
            return {"candidate": suggestion.candidate, DNA_KEY: dna}
        return {**suggestion.params, DNA_KEY: dna}

    def on_trial_result(self, trial_id: str, result: Dict) -> None:
        """Intermediate results are Tune's scheduler's business; nothing to do here."""

    def on_trial_complete(self, trial_id: str, result: Optional[Dict] = None,
                          error: bool = False) -> None:
        search = self._require_search()
        if not search.is_out(trial_id):
            # Tune may report a trial this searcher never suggested (one restored from an
            # experiment older than the searcher's checkpoint): nothing to feed back.
            logger.warning("SymsearchSearcher: trial %s completed but was not suggested by "
                           "this searcher; its result is not fed back", trial_id)
            return
        if error or result is None:
            search.tell(trial_id, error="the Ray Tune trial raised an error" if error else
                        "the Ray Tune trial ended without a result")
            return
        value = result.get(self._metric)
        if value is None:
            search.tell(trial_id, error=f"the trial's last result has no {self._metric!r} "
                                        f"metric (it has {sorted(result)[:12]})")
            return
        search.tell(trial_id, {self._metric: value})

    def get_state(self) -> Dict:
        return {"metric": self._metric, "mode": self._mode,
                "search": self._require_search().state_dict()}

    def set_state(self, state: Dict) -> None:
        self._metric, self._mode = state["metric"], state["mode"]
        self._setup()
        self._search.load_state_dict(state["search"])

    def save(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "wb") as f:
            pickle.dump(self.get_state(), f)

    def restore(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "rb") as f:
            self.set_state(pickle.load(f))

    # ---- helpers --------------------------------------------------------------------------
    @property
    def search(self) -> AskTell:
        """The underlying ask/tell search (its ``result()`` holds every told trial)."""
        return self._require_search()

    def _setup(self) -> None:
        self._search = AskTell(self._space, self._algorithm, f"{self._mode}:{self._metric}",
                               seed=self._seed)

    def _require_search(self) -> AskTell:
        if self._search is None:
            raise RuntimeError("SymsearchSearcher has no metric/mode yet: pass "
                               "SymsearchSearcher(..., metric=..., mode=...) (Ray Tune hands "
                               "TuneConfig's metric and mode to a searcher only when the "
                               "Tuner has a param_space)")
        return self._search


def _dna_json(dna: Any) -> list:
    from symsearch.geno.codec import dna_to_json
    return dna_to_json(dna)


def _reject_tune_domains(config: Optional[dict], path: str = "") -> None:
    """Tune search domains in ``param_space`` would be ignored: say so instead."""
    Domain = require("ray.tune.search.sample", "tune", feature="SymsearchSearcher").Domain
    for key, value in (config or {}).items():
        where = f"{path}.{key}" if path else str(key)
        if isinstance(value, Domain):
            raise ValueError(f"param_space[{where!r}] is a Ray Tune search domain ({value}); "
                             f"SymsearchSearcher searches its symsearch space, so put the "
                             f"decision there (e.g. ss.floatv / ss.oneof) and keep only "
                             f"constants in param_space")
        if isinstance(value, dict):
            _reject_tune_domains(value, where)
