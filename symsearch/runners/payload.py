"""How a candidate travels to a worker process.

A symbolic candidate whose types all live in importable modules travels as its symbolic JSON
(:func:`symsearch.to_json`) plus the names of those modules; the worker imports them (which
registers the types) and rebuilds the candidate with :func:`symsearch.from_json`. That form
is plain data: small, independent of pickle protocol details, and it rebuilds a fresh tree
(no parent links or caches carried over).

Anything else travels as the object itself, which Ray serializes with cloudpickle: plain
Python values, and symbolic candidates that use a type defined in ``__main__`` or inside a
function (which a worker cannot import), an unregistered type, or a value ``to_json`` cannot
write.

>>> from symsearch.runners.payload import decode_candidate, encode_candidate
>>> decode_candidate(encode_candidate({"lr": 0.1}))
{'lr': 0.1}
"""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any, Optional

from symsearch.symbolic import registry
from symsearch.symbolic.base import Symbolic
from symsearch.symbolic.serialization import from_json, to_json


@dataclass(frozen=True, slots=True)
class SymbolicPayload:
    """A symbolic candidate as JSON data and the modules that define its types."""

    data: Any
    modules: tuple


def encode_candidate(candidate: Any) -> Any:
    """A :class:`SymbolicPayload` for a symbolic candidate when possible, else the candidate."""
    if not isinstance(candidate, Symbolic):
        return candidate
    try:
        data = to_json(candidate)
    except Exception:            # unregistered value, lambda, ...: let cloudpickle carry it
        return candidate
    modules = _defining_modules(data)
    if modules is None:
        return candidate
    return SymbolicPayload(data, modules)


def decode_candidate(payload: Any) -> Any:
    """The candidate back from :func:`encode_candidate` output (on the worker)."""
    if type(payload) is not SymbolicPayload:
        return payload
    for module in payload.modules:
        importlib.import_module(module)
    return from_json(payload.data)


def _defining_modules(data: Any) -> Optional[tuple]:
    """Modules that define the registered names ``data`` uses; None when one is not importable."""
    names: set = set()
    _collect_names(data, names)
    modules = set()
    for name in names:
        try:
            obj = registry.lookup(name)
        except ValueError:
            return None
        module = _importable_module(obj)
        if module is None:
            return None
        modules.add(module)
    return tuple(sorted(modules))


def _importable_module(obj: Any) -> Optional[str]:
    """The module a worker imports to get ``obj`` registered, or None when there is none.

    The module must reach ``obj`` itself under its qualified name: a class symbolized from
    another module's class (``ss.symbolize(collections.Counter)``) carries that module's
    name, but importing that module gives the original class, not the registered wrapper.
    """
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not module or module == "__main__" or not qualname or "<locals>" in qualname:
        return None
    target = sys.modules.get(module)
    for part in qualname.split("."):
        target = getattr(target, part, None)
    return module if target is obj else None


def _collect_names(data: Any, names: set) -> None:
    if isinstance(data, dict):
        for key in ("_type", "_class", "_function"):
            name = data.get(key)
            if isinstance(name, str):
                names.add(name)
        for value in data.values():
            _collect_names(value, names)
    elif isinstance(data, list):
        for value in data:
            _collect_names(value, names)
