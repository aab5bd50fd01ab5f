"""The experiment file: a YAML mapping that ``symsearch run`` turns into ``ss.search(...)``.

::

    name: quickstart                        # store defaults to runs/<name>.db (current folder)
    space: symsearch.spaces.sklearn_digits:space      # a reference, {ref, kwargs}, or inline
    evaluator:
      ref: symsearch.evaluators.sklearn_digits:evaluate
      kwargs: {folds: 3}                     # evaluator(candidate, folds=3)
    objective: max:accuracy                  # or a list: [max:accuracy, min:fit_time]
    algorithm: random                        # or {type: random, ...}, or package.module:Class
    early_stopping: {type: asha, max_resource: 50}   # or a name, or package.module:Class
    budget: {trials: 30, time: 10m}          # either or both; time in seconds or 90s/10m/1h
    runner: inprocess                        # or {type: ray, workers: 4, cpus_per_trial: 1}
    cache: true
    store: runs/quickstart.db
    seed: 0

:func:`load_experiment_file` checks the file once and names file, line and key on any
mistake: ``experiments/x.yaml:12: key 'budget.trials': expected a positive int, got 'ten'``.
What it cannot check without importing user code (references, inline spaces, runner and
algorithm arguments) :mod:`symsearch.cli.build` checks with the same kind of message.
"""
from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from symsearch.cli.errors import ConfigError
from symsearch.cli.yaml_lines import LineDict, line_of, load_yaml_file

TOP_LEVEL_KEYS = ("name", "space", "evaluator", "objective", "algorithm", "early_stopping",
                  "budget", "runner", "cache", "store", "seed")
REQUIRED_KEYS = ("space", "objective")
BUDGET_KEYS = ("trials", "time")
REFERENCE_KEYS = ("ref", "kwargs")
RUNNER_TYPES = ("inprocess", "ray")
#: Keys users write at the top level that belong under another key (as ss.search names them).
MISPLACED_KEYS = {"num_trials": "budget.trials", "trials": "budget.trials",
                  "time_budget": "budget.time", "time": "budget.time",
                  "workers": "runner.workers", "address": "runner.address",
                  "kwargs": "evaluator.kwargs", "early_stop": "early_stopping",
                  "pruner": "early_stopping", "sampler": "algorithm"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*"
                       r"(?:(\d+(?:\.\d+)?)s?)?\s*$")


@dataclass
class Located:
    """A value from the file with where it was: for errors raised after validation."""

    value: Any
    key: str
    line: int


@dataclass
class ExperimentConfig:
    """A checked experiment file. ``space``/``evaluator``/``algorithm``/``runner`` keep
    their YAML form (with lines) until :mod:`symsearch.cli.build` builds them."""

    file: str
    name: str
    space: Located
    objective: list
    evaluator: Optional[Located] = None
    algorithm: Located = None
    early_stopping: Optional[Located] = None
    num_trials: Optional[int] = None
    time_budget: Optional[float] = None
    runner: Located = None
    cache: Any = False
    store: Optional[str] = None
    seed: Optional[int] = None
    raw: dict = field(default_factory=dict)

    def error(self, message: str, where: Located) -> ConfigError:
        return ConfigError(message, self.file, where.line, where.key)

    def summary(self) -> dict:
        """JSON-able settings, recorded in the store's config."""
        policy = None if self.early_stopping is None else self.early_stopping.value
        if isinstance(policy, dict):
            policy = dict(policy)
        cache = self.cache
        if isinstance(cache, dict) and isinstance(cache.get("hasher"), Located):
            hasher = cache["hasher"].value
            cache = dict(cache, hasher={"ref": hasher["ref"], "kwargs": hasher["kwargs"]})
        return {"name": self.name, "file": os.path.abspath(self.file),
                "objective": self.objective, "early_stopping": policy,
                "num_trials": self.num_trials, "time_budget": self.time_budget,
                "cache": cache, "seed": self.seed}


def load_experiment_file(path: str) -> ExperimentConfig:
    """Reads and checks an experiment file; ConfigError naming file, line and key."""
    doc = load_yaml_file(path)
    return parse_experiment(doc, path)


def parse_experiment(doc: Any, file: str) -> ExperimentConfig:
    """Checks parsed YAML (from :func:`symsearch.cli.yaml_lines.load_yaml`)."""
    if doc is None:
        raise ConfigError("the experiment file is empty; it needs at least 'space' and "
                          "'objective'", file, 1)
    if not isinstance(doc, dict):
        raise ConfigError(f"an experiment file is a mapping of keys "
                          f"({', '.join(TOP_LEVEL_KEYS)}), got a {_kind(doc)}", file,
                          getattr(doc, "line", 1) or 1)

    def at(key: str) -> Located:
        return Located(doc[key], key, line_of(doc, key, 1))

    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(_unknown(key, TOP_LEVEL_KEYS, MISPLACED_KEYS.get(str(key))),
                              file, line_of(doc, key, 1), str(key))
    for key in REQUIRED_KEYS:
        if key not in doc or doc[key] is None:
            raise ConfigError(f"missing required key {key!r}", file,
                              line_of(doc, key, getattr(doc, "line", 1) or 1))

    def fail(message: str, where: Located) -> ConfigError:
        return ConfigError(message, file, where.line, where.key)

    name = _parse_name(at("name"), fail) if "name" in doc else \
        os.path.splitext(os.path.basename(file))[0]
    config = ExperimentConfig(file=file, name=name, space=at("space"),
                              objective=_parse_objective(doc, fail), raw=doc)
    config.evaluator = parse_reference(at("evaluator"), fail) \
        if doc.get("evaluator") is not None else None
    config.algorithm = at("algorithm") if doc.get("algorithm") is not None else \
        Located("random", "algorithm", 0)
    _check_algorithm_shape(config.algorithm, fail)
    if doc.get("early_stopping") is not None:
        config.early_stopping = _parse_early_stopping(at("early_stopping"), fail)
    if doc.get("budget") is not None:
        config.num_trials, config.time_budget = _parse_budget(at("budget"), fail)
    config.runner = _parse_runner(at("runner"), fail) if doc.get("runner") is not None else \
        Located({"type": "inprocess"}, "runner", 0)
    if "cache" in doc:
        config.cache = _parse_cache(at("cache"), fail)
    if doc.get("store") is not None:
        store = at("store")
        if not isinstance(store.value, str) or not store.value.strip():
            raise fail(f"expected a file path, got {_show(store.value)}", store)
        config.store = store.value
    if doc.get("seed") is not None:
        seed = at("seed")
        if isinstance(seed.value, bool) or not isinstance(seed.value, int):
            raise fail(f"expected an int, got {_show(seed.value)}", seed)
        config.seed = seed.value
    return config


# ---- one function per key -------------------------------------------------------------------

def _parse_name(where: Located, fail) -> str:
    if not isinstance(where.value, str) or not _NAME.match(where.value):
        raise fail(f"expected a name of letters, digits, '.', '_' or '-' (it names the store "
                   f"file), got {_show(where.value)}", where)
    return where.value


def _parse_objective(doc: dict, fail) -> list:
    from symsearch.search.objectives import Objectives
    value, line = doc["objective"], line_of(doc, "objective", 1)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise fail(f"expected 'max:METRIC' or 'min:METRIC' or a list of them, got "
                   f"{_show(value)}", Located(value, "objective", line))
    for i, item in enumerate(items):
        where = Located(item, "objective" if items is not value else f"objective[{i}]",
                        line_of(items, i, line) if items is value else line)
        try:
            Objectives.parse(item)
        except (TypeError, ValueError) as e:
            raise fail(str(e), where) from None
    try:
        return Objectives.parse(items).to_list()
    except ValueError as e:
        raise fail(str(e), Located(value, "objective", line)) from None


def parse_reference(where: Located, fail) -> Located:
    """A reference as a string or ``{ref, kwargs}``; returns it as a dict."""
    from symsearch.cli.references import FORMAT_HINT, is_reference
    value = where.value
    if isinstance(value, str):
        if not is_reference(value):
            raise fail(f"expected a reference, got {_show(value)}; {FORMAT_HINT}", where)
        return Located({"ref": value.strip(), "kwargs": None, "ref_key": where.key,
                        "ref_line": where.line, "kwargs_line": where.line},
                       where.key, where.line)
    if not isinstance(value, dict):
        raise fail(f"expected a reference 'package.module:attr' or a mapping {{ref, kwargs}}, "
                   f"got a {_kind(value)}", where)
    for key in value:
        if key not in REFERENCE_KEYS:
            raise fail(_unknown(key, REFERENCE_KEYS),
                       Located(value[key], f"{where.key}.{key}", line_of(value, key, where.line)))
    ref = Located(value.get("ref"), f"{where.key}.ref", line_of(value, "ref", where.line))
    if "ref" not in value:
        raise fail("missing required key 'ref' (a reference 'package.module:attr')", where)
    if not is_reference(ref.value):
        raise fail(f"expected a reference, got {_show(ref.value)}; {FORMAT_HINT}", ref)
    kwargs = value.get("kwargs")
    if kwargs is not None and not isinstance(kwargs, dict):
        raise fail(f"expected a mapping of keyword arguments, got a {_kind(kwargs)}",
                   Located(kwargs, f"{where.key}.kwargs", line_of(value, "kwargs", where.line)))
    if kwargs is not None:
        for key in kwargs:
            if not isinstance(key, str) or not key.isidentifier():
                raise fail(f"keyword argument names must be identifiers, got {key!r}",
                           Located(kwargs[key], f"{where.key}.kwargs",
                                   line_of(kwargs, key, where.line)))
    return Located({"ref": ref.value.strip(), "kwargs": kwargs, "ref_key": ref.key,
                    "ref_line": ref.line, "kwargs_line": line_of(value, "kwargs", where.line)},
                   where.key, where.line)


def is_reference_node(value: Any) -> bool:
    """Whether a ``space`` value is a reference (a string or a mapping with ``ref``)."""
    return isinstance(value, str) or (isinstance(value, dict) and "ref" in value)


def _check_algorithm_shape(where: Located, fail) -> None:
    value = where.value
    if isinstance(value, str) and value.strip():
        return
    if isinstance(value, dict):
        if "type" not in value:
            raise fail("an algorithm mapping needs 'type' (its name, e.g. 'random'), then its "
                       "arguments", where)
        if not isinstance(value["type"], str):
            raise fail(f"expected an algorithm name, got {_show(value['type'])}",
                       Located(value["type"], f"{where.key}.type",
                               line_of(value, "type", where.line)))
        return
    raise fail(f"expected an algorithm name (e.g. 'random') or a mapping with 'type', got "
               f"{_show(value)}", where)


def _parse_early_stopping(where: Located, fail) -> Optional[Located]:
    """A policy name (``asha``), ``{type: name, **arguments}`` or a reference
    ``package.module:Class``; ``none``/``off``/``false`` mean no early stopping (None).
    Names and arguments are checked when it is built."""
    value = where.value
    if value is False or (isinstance(value, str) and value.strip().lower() in ("none", "off")):
        return None
    if isinstance(value, str) and value.strip():
        return Located(value.strip(), where.key, where.line)
    if isinstance(value, dict):
        if "type" not in value:
            raise fail("an early_stopping mapping needs 'type' (a policy name such as 'asha', "
                       "'hyperband' or 'successive_halving'), then its arguments", where)
        if not isinstance(value["type"], str) or not value["type"].strip():
            raise fail(f"expected a policy name, got {_show(value['type'])}",
                       Located(value["type"], f"{where.key}.type",
                               line_of(value, "type", where.line)))
        for key in value:
            if not isinstance(key, str) or not key.isidentifier():
                raise fail(f"early_stopping argument names must be identifiers, got {key!r}",
                           where)
        return where
    raise fail(f"expected an early-stopping policy name (e.g. 'asha'), a mapping with 'type', "
               f"or 'none', got {_show(value)}", where)


def _parse_budget(where: Located, fail) -> tuple:
    value = where.value
    if not isinstance(value, dict):
        raise fail(f"expected a mapping with 'trials' and/or 'time', got {_show(value)}", where)
    for key in value:
        if key not in BUDGET_KEYS:
            raise fail(_unknown(key, BUDGET_KEYS),
                       Located(value[key], f"budget.{key}", line_of(value, key, where.line)))
    trials = time_budget = None
    if value.get("trials") is not None:
        item = Located(value["trials"], "budget.trials", line_of(value, "trials", where.line))
        if isinstance(item.value, bool) or not isinstance(item.value, int) or item.value < 1:
            raise fail(f"expected a positive int, got {_show(item.value)}", item)
        trials = item.value
    if value.get("time") is not None:
        item = Located(value["time"], "budget.time", line_of(value, "time", where.line))
        time_budget = parse_duration(item.value)
        if time_budget is None:
            raise fail(f"expected a positive number of seconds or a duration such as '90s', "
                       f"'10m', '1h30m', got {_show(item.value)}", item)
    if trials is None and time_budget is None:
        raise fail("give 'trials', 'time' or both", where)
    return trials, time_budget


def parse_duration(value: Any) -> Optional[float]:
    """Seconds from a number or ``"90s"``/``"10m"``/``"1h30m"``; None when not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) and value > 0 else None
    if not isinstance(value, str) or not value.strip():
        return None
    match = _DURATION.match(value)
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    return total if total > 0 else None


def _parse_runner(where: Located, fail) -> Located:
    value = where.value
    if isinstance(value, str):
        value = {"type": value}
        kind_where = where
    elif isinstance(value, dict):
        if "type" not in value:
            raise fail(f"a runner mapping needs 'type' ({' or '.join(RUNNER_TYPES)})", where)
        kind_where = Located(value["type"], "runner.type", line_of(value, "type", where.line))
    else:
        raise fail(f"expected {' or '.join(repr(t) for t in RUNNER_TYPES)} or a mapping with "
                   f"'type', got {_show(value)}", where)
    kind = value["type"]
    if not isinstance(kind, str) or kind.lower() not in RUNNER_TYPES:
        raise fail(f"unknown runner {_show(kind)}; expected one of "
                   f"{', '.join(RUNNER_TYPES)}", kind_where)
    out = LineDict(value)                   # keeps each option's line for later errors
    out.line, out.lines = where.line, dict(getattr(value, "lines", {}))
    out["type"] = kind.lower()
    for key in out:
        if not isinstance(key, str) or not key.isidentifier():
            raise fail(f"runner option names must be identifiers, got {key!r}", where)
    return Located(out, where.key, where.line)


_CACHE_MODES = ("structural", "functional", "both")
_CACHE_OPTIONS = ("mode", "noise", "reevaluate_prob", "verify", "path", "namespace", "seed",
                  "hasher")


def _parse_cache(where: Located, fail) -> Any:
    """``true``/``false``, a mode name, or a mapping of EvalCache options."""
    value = where.value
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        if value in _CACHE_MODES:
            return value
        raise fail(f"expected true, false, one of {list(_CACHE_MODES)} or a mapping, got "
                   f"{_show(value)}", where)
    if isinstance(value, dict):
        unknown = [k for k in value if k not in _CACHE_OPTIONS]
        if unknown:
            raise fail(f"unknown cache option {unknown[0]!r}; valid options are: "
                       f"{', '.join(_CACHE_OPTIONS)}", where)
        if value.get("mode", "functional") not in _CACHE_MODES:
            raise fail(f"cache mode must be one of {list(_CACHE_MODES)}, got "
                       f"{_show(value.get('mode'))}", where)
        out = dict(value)
        if "hasher" in value:
            # a reference to a FunctionalHasher or to a factory of one (built by cli.build)
            out["hasher"] = parse_reference(
                Located(value["hasher"], f"{where.key}.hasher",
                        line_of(value, "hasher", where.line)), fail)
        return out
    raise fail(f"expected true, false, one of {list(_CACHE_MODES)} or a mapping, got "
               f"{_show(value)}", where)


# ---- message helpers ------------------------------------------------------------------------

def _unknown(key: Any, valid, instead: Optional[str] = None) -> str:
    close = [instead] if instead else difflib.get_close_matches(str(key), list(valid), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key{hint}; valid keys are: {', '.join(valid)}"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
