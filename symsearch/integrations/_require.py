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
