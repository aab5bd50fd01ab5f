"""The registry of types and functions that serialized symbolic values may name.

Loading (``from_json``/``from_yaml``) only ever builds what is registered here, by
name: it never imports a module or unpickles anything. Symbolic classes register
themselves when defined (``ss.Object`` subclasses, ``@ss.symbolize``); other classes
or functions that appear as *values* in a tree are registered with ``ss.allow``.
"""
from __future__ import annotations

from typing import Any, Optional

_BY_NAME: dict = {}
_NAME_OF: dict = {}


def default_name(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def register(obj: Any, name: Optional[str] = None, *, alias: Optional[str] = None) -> Any:
    """Registers a class or function for serialization.

    It is written under ``alias`` when given (a short name such as ``"Adam"``), else
    under its qualified name; both names load it. Re-registering a name (module
    reloaded, class redefined in a notebook) replaces the earlier entry.
    """
    qualified = name or default_name(obj)
    _BY_NAME[qualified] = obj
    if alias:
        _BY_NAME[alias] = obj
    _NAME_OF[obj] = alias or qualified
    return obj


def allow(obj: Any = None, *, name: Optional[str] = None):
    """Allows a non-symbolic class or a named function to be serialized by reference.

    >>> import math
    >>> _ = allow(math.sqrt)
    """
    if obj is None:
        return lambda o: allow(o, name=name)
    if getattr(obj, "__name__", "") == "<lambda>":
        raise ValueError("A lambda has no importable name and cannot be allowed for "
                         "serialization; define it with `def` at module level.")
    return register(obj, name)


def name_of(obj: Any) -> Optional[str]:
    try:
        return _NAME_OF.get(obj)
    except TypeError:  # unhashable
        return None


def lookup(name: str, where: str = "") -> Any:
    hint = f" at {where}" if where else ""
    if not isinstance(name, str):
        raise ValueError(f"Expected a registered name (a string){hint}, got {name!r}.")
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"Unknown type or function {name!r}{hint}: it is not registered. Import the module "
            f"that defines it (symbolic classes register on definition) or call "
            f"ss.allow(...) on it before loading.") from None


def registered_names() -> list:
    return sorted(_BY_NAME)
