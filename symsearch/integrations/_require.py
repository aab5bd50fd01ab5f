"""Lazy imports of optional libraries, with an error that names the extra to install."""
from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str, *, feature: str) -> ModuleType:
    """Imports ``module`` or raises ImportError saying which symsearch extra provides it.

    >>> require("json", "none", feature="this example").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"{feature} needs the '{module.split('.')[0]}' package, which is not "
                          f"installed ({e}); install it with: pip install "
                          f"\"symsearch[{extra}]\"") from e


def check_trial(trial, owner: str) -> None:
    """TypeError unless ``trial`` is a symsearch trial (it can ``report()`` and say whether
    it ``should_stop()``): what a training-loop callback is handed.

    >>> check_trial(object(), "MyCallback")
    Traceback (most recent call last):
    TypeError: MyCallback: trial must be a symsearch trial (with report() and should_stop()), got object
    """
    for verb in ("report", "should_stop"):
        if not callable(getattr(trial, verb, None)):
            raise TypeError(f"{owner}: trial must be a symsearch trial (with report() and "
                            f"should_stop()), got {type(trial).__name__}")
