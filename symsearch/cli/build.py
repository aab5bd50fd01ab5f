"""Builds what an experiment file describes: space, evaluator, algorithm and runner.

Each builder turns a failure into a :class:`~symsearch.cli.errors.ConfigError` naming the
file, line and key, and (for references) the reference that failed::

    experiments/x.yaml:3: key 'evaluator.ref': 'nosuchmodule:evaluate': cannot import module
    'nosuchmodule': no module named 'nosuchmodule'
"""
from __future__ import annotations

import functools
import inspect
import os
from typing import Any, Optional

from symsearch.cli.inline_space import build_inline_space
from symsearch.cli.references import ReferenceLookupError, add_import_paths, is_reference, resolve
from symsearch.cli.schema import ExperimentConfig, Located, is_reference_node, parse_reference


def prepare_imports(config: ExperimentConfig) -> None:
    """Lets references name modules beside the experiment file or in the current folder."""
    add_import_paths(os.getcwd(), os.path.dirname(os.path.abspath(config.file)))


def _resolve(config: ExperimentConfig, where: Located, reference: str) -> Any:
    try:
        return resolve(reference)
    except ReferenceLookupError as e:
        from symsearch.cli.requirements import (MissingDependencyError,
                                                missing_from_import_error, missing_message)
        package = missing_from_import_error(e)
        if package is not None:     # a dependency of the module, not the module itself
            module = reference.split(":", 1)[0]
            raise MissingDependencyError(str(config.error(missing_message(package, module),
                                                          where))) from None
        raise config.error(f"{reference!r}: {e}", where) from None


def _reference_parts(config: ExperimentConfig, where: Located) -> tuple:
    """(object, kwargs or None, where of ref, where of kwargs) for a checked reference."""
    node = where.value
    ref_where = Located(node["ref"], node["ref_key"], node["ref_line"])
    kwargs_where = Located(node["kwargs"], f"{where.key}.kwargs", node["kwargs_line"])
    return _resolve(config, ref_where, node["ref"]), node["kwargs"], ref_where, kwargs_where


def build_space(config: ExperimentConfig) -> Any:
    """The search space: a reference (called with ``kwargs`` when given, or when it is a
    plain factory function), or an inline space."""
    where = config.space
    if not is_reference_node(where.value):
        return build_inline_space(where.value, "space", config.file, where.line)
    checked = parse_reference(where, lambda message, at: config.error(message, at))
    target, kwargs, ref_where, kwargs_where = _reference_parts(config, checked)
    if kwargs is not None:
        if not callable(target):
            raise config.error(f"{checked.value['ref']!r} is a {type(target).__name__}, not "
                               f"callable, so it takes no kwargs", kwargs_where)
        return _call(config, target, kwargs, kwargs_where, checked.value["ref"])
    if inspect.isfunction(target) and not hasattr(target, "sym_init_args"):
        # A plain function is a space factory (a function is never a useful space itself).
        return _call(config, target, {}, ref_where, checked.value["ref"])
    return target


def _call(config: ExperimentConfig, target: Any, kwargs: dict, where: Located,
          reference: str) -> Any:
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        try:
            signature.bind(**kwargs)
        except TypeError as e:
            raise config.error(f"{reference} does not take these arguments: {e}", where) \
                from None
    try:
        return target(**kwargs)
    except (TypeError, ValueError) as e:
        raise config.error(f"calling {reference}(**kwargs) failed: {type(e).__name__}: {e}",
                           where) from None


def build_evaluator(config: ExperimentConfig) -> Optional[Any]:
    """The evaluator; with ``kwargs`` it is ``functools.partial(evaluator, **kwargs)`` so the
    search calls ``evaluator(candidate, **kwargs)``. None: the candidate is called."""
    if config.evaluator is None:
        return None
    target, kwargs, ref_where, kwargs_where = _reference_parts(config, config.evaluator)
    reference = config.evaluator.value["ref"]
    if not callable(target):
        raise config.error(f"{reference!r} is a {type(target).__name__}, not a callable "
                           f"evaluator", ref_where)
    if not kwargs:
        return target
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        # The search passes trial= itself to an evaluator that has that parameter.
        passed = dict(kwargs)
        if "trial" in signature.parameters and "trial" not in passed:
            passed["trial"] = None
        try:
            signature.bind(None, **passed)
        except TypeError as e:
            raise config.error(f"{reference} cannot be called as evaluator(candidate, "
                               f"**kwargs): {e}", kwargs_where) from None
    return functools.partial(target, **kwargs)


def build_cache(config: ExperimentConfig) -> Any:
    """``cache:`` as ``ss.search`` takes it; a ``hasher`` reference is resolved and, when it
    is a factory rather than a FunctionalHasher, called with its ``kwargs``."""
    cache = config.cache
    if not isinstance(cache, dict) or "hasher" not in cache:
        return cache
    from symsearch.cache import FunctionalHasher
    where = cache["hasher"]
    target, kwargs, ref_where, kwargs_where = _reference_parts(config, where)
    reference = where.value["ref"]
    if isinstance(target, FunctionalHasher):
        if kwargs:
            raise config.error(f"{reference!r} is a FunctionalHasher, not a factory, so it "
                               f"takes no kwargs", kwargs_where)
        hasher = target
    elif callable(target):
        hasher = _call(config, target, kwargs or {}, kwargs_where if kwargs else ref_where,
                       reference)
        if not isinstance(hasher, FunctionalHasher):
            raise config.error(f"{reference}() returned a {type(hasher).__name__}, not a "
                               f"FunctionalHasher", ref_where)
    else:
        raise config.error(f"{reference!r} is a {type(target).__name__}, neither a "
                           f"FunctionalHasher nor a factory of one", ref_where)
    return dict(cache, hasher=hasher)


def _type_and_arguments(where: Located) -> tuple:
    """``(name, kwargs, location of the name)`` of a ``name`` or ``{type: name, ...}`` entry."""
    value = where.value
    if isinstance(value, str):
        return value, {}, where
    name = value["type"]
    kwargs = {k: v for k, v in value.items() if k != "type"}
    line = getattr(value, "lines", {}).get("type", where.line)
    return name, kwargs, Located(name, f"{where.key}.type", line)


def build_algorithm(config: ExperimentConfig) -> Any:
    """The search algorithm: a registered name, ``{type: name, **kwargs}``, or a reference to
    a SearchAlgorithm class or instance."""
    from symsearch.algorithms import algorithm_names, make_algorithm
    where = config.algorithm
    name, kwargs, name_where = _type_and_arguments(where)
    if is_reference(name):
        target = _resolve(config, name_where, name)
        if isinstance(target, type):
            return _call(config, target, kwargs, where, name)
        if kwargs:
            raise config.error(f"{name!r} is an instance; it takes no arguments", where)
        try:
            return make_algorithm(target)
        except (TypeError, ValueError) as e:
            raise config.error(str(e), name_where) from None
    if name.lower() not in algorithm_names():
        raise config.error(f"unknown algorithm {name!r}; known: {', '.join(algorithm_names())} "
                           f"(or a reference 'package.module:Class')", name_where)
    try:
        return make_algorithm({"type": name, **kwargs})
    except (TypeError, ValueError) as e:
        raise config.error(f"{name}: {e}", where) from None


def build_early_stopping(config: ExperimentConfig, evaluator: Any = None) -> Any:
    """The early-stopping policy, or None: a registered name (``asha``, ``hyperband``,
    ``successive_halving``), ``{type: name, **arguments}``, or a reference to a policy class
    or instance. ``evaluator`` (the built one) must take a ``trial`` argument, else no
    intermediate report would ever reach the policy."""
    where = config.early_stopping
    if where is None:
        return None
    from symsearch.algorithms.early_stopping import make_policy, policy_names
    from symsearch.search.reporting import wants_trial
    name, kwargs, name_where = _type_and_arguments(where)
    if is_reference(name):
        target = _resolve(config, name_where, name)
        if isinstance(target, type):
            policy = _call(config, target, kwargs, where, name)
        elif kwargs:
            raise config.error(f"{name!r} is an instance; it takes no arguments", where)
        else:
            policy = target
        if not callable(getattr(policy, "report", None)):
            raise config.error(f"{name!r} is a {type(policy).__name__}, not an early-stopping "
                               f"policy (it needs report(trial_id, step, metrics))", name_where)
    else:
        known = policy_names()
        if name.lower().replace("-", "_") not in known:
            raise config.error(f"unknown early-stopping policy {name!r}; known: "
                               f"{', '.join(known)} (or a reference 'package.module:Class')",
                               name_where)
        try:
            policy = make_policy({"type": name, **kwargs})
        except (TypeError, ValueError) as e:
            raise config.error(f"{name}: {e}", where) from None
    if callable(getattr(policy, "setup", None)):
        # The policy judges by the objective unless given metric=: check that it can, on a
        # copy (the search sets the real one up).
        import copy

        from symsearch.search.objectives import Objectives
        try:
            copy.deepcopy(policy).setup(Objectives.parse(config.objective))
        except (TypeError, ValueError) as e:
            raise config.error(f"{name}: {e}", where) from None
    if evaluator is None or not wants_trial(evaluator):
        what = "the candidate is called" if evaluator is None else \
            f"the evaluator {config.evaluator.value['ref']!r} has no 'trial' parameter"
        raise config.error(f"early stopping needs intermediate reports, but {what}; give an "
                           f"evaluator that takes a 'trial' argument and calls "
                           f"trial.report(step, metric=...)", where)
    return policy


def build_runner(config: ExperimentConfig, workers: Optional[int] = None,
                 address: Optional[str] = None) -> Any:
    """The runner; ``workers``/``address`` (command-line overrides) imply Ray."""
    where = config.runner
    options = dict(where.value)
    kind = options.pop("type")
    if workers is not None or address is not None:
        if kind != "ray":
            options = {}
        kind = "ray"
        if workers is not None:
            options["workers"] = workers
        if address is not None:
            options["address"] = address
    _check_runner_options(config, kind, options)
    from symsearch.runners import make_runner
    try:
        return make_runner({"type": kind, **options})
    except (TypeError, ValueError) as e:
        raise config.error(str(e), where) from None


def _check_runner_options(config: ExperimentConfig, kind: str, options: dict) -> None:
    """Names the runner key path and the valid keys for an option the runner does not take
    (rather than ``Ray.__init__() got an unexpected keyword argument``)."""
    import difflib

    from symsearch.runners import RUNNERS
    cls = RUNNERS.get(kind)
    if cls is None:
        return
    try:
        parameters = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    valid = [n for n in parameters if n != "self"]
    lines = getattr(config.runner.value, "lines", {})
    for key in options:
        if key in valid:
            continue
        close = difflib.get_close_matches(key, valid, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        where = Located(options[key], f"{config.runner.key}.{key}",
                        lines.get(key, config.runner.line))
        raise config.error(f"the {kind} runner has no option {key!r}{hint}; valid keys are: "
                           f"{', '.join(['type'] + valid)}", where)
