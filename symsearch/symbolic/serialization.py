"""JSON and YAML for symbolic trees.

Symbolic objects are written as ``{"_type": "<registered name>", field: value, ...}``;
tuples as ``{"_tuple": [...]}``; unbound fields as ``{"_missing": true}``; registered
classes/functions used as values as ``{"_class": name}``/``{"_function": name}``;
numpy arrays as ``{"_ndarray": {...}}``.

Loading builds only registered types (see :mod:`symsearch.symbolic.registry`): it never
imports a module or unpickles. Errors name the key path of the offending value.

>>> from symsearch.symbolic.dict import Dict
>>> from_json(to_json(Dict(a=(1, 2)))) == {"a": (1, 2)}
True
"""
from __future__ import annotations

import json
import os
from typing import Any

from symsearch.symbolic import registry
from symsearch.symbolic.base import MISSING, Symbolic
from symsearch.symbolic.dict import Dict
from symsearch.symbolic.keypath import join_path
from symsearch.symbolic.list import List
from symsearch.symbolic.record import Record

_SPECIAL = ("_type", "_tuple", "_missing", "_class", "_function", "_ndarray", "_dict")


# Key paths are only needed for error messages, so they are not built while walking:
# an error raised deep inside travels up as ``_Located``, each level adding its key, and
# the public entry points turn it back into the original exception type with the path.
_WHERE = "\x00where\x00"


class _Located(Exception):
    def __init__(self, error_type: type, message: str):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.keys: list = []


def _relocate(e: _Located, prefix: str) -> Exception:
    path = prefix
    for key in reversed(e.keys):
        path = join_path(path, key)
    return e.error_type(e.message.replace(_WHERE, path or "<root>"))


def to_json(value: Any, path: str = "") -> Any:
    """A JSON-compatible structure (dicts, lists, str, numbers, bools, None)."""
    try:
        return _to_json(value)
    except _Located as e:
        raise _relocate(e, path) from None


def _to_json(value: Any) -> Any:
    cls = type(value)
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    if isinstance(value, Record):
        name = registry.name_of(cls)
        if name is None:
            raise _Located(TypeError, f"Cannot serialize {cls.__qualname__} at {_WHERE}: the "
                                      f"class is not registered.")
        out = {"_type": name}
        hidden = getattr(cls, "_sym_hide_default_fields", ())
        for k, v in value._sym_args.items():
            if v is None and k in hidden:
                continue
            if type(v) in _SCALARS:
                out[k] = v
                continue
            try:
                out[k] = _to_json(v)
            except _Located as e:
                e.keys.append(k)
                raise
        return out
    if isinstance(value, dict):
        plain = all(type(k) is str and k not in _SPECIAL for k in value)
        out = {} if plain else []
        for k, v in value.items():
            try:
                if plain:
                    out[k] = _to_json(v)
                else:
                    out.append([_to_json(k), _to_json(v)])
            except _Located as e:
                e.keys.append(k if isinstance(k, (str, int)) else str(k))
                raise
        return out if plain else {"_dict": out}
    if isinstance(value, (list, tuple)) and (cls is tuple or isinstance(value, list)):
        items = []
        for i, v in enumerate(value):
            try:
                items.append(_to_json(v))
            except _Located as e:
                e.keys.append(i)
                raise
        return {"_tuple": items} if cls is tuple else items
    if value is MISSING:
        return {"_missing": True}
    if isinstance(value, (bool, int, float, str)):  # numpy scalars, int/str subclasses
        return value.item() if hasattr(value, "item") else cls.__mro__[1](value)
    if cls.__module__ == "numpy":
        import numpy as np
        if isinstance(value, np.ndarray):
            return {"_ndarray": {"dtype": value.dtype.str, "shape": list(value.shape),
                                 "data": value.ravel().tolist()}}
        if isinstance(value, np.generic):
            return value.item()
    name = registry.name_of(value)
    if name is not None:
        return {"_class": name} if isinstance(value, type) else {"_function": name}
    what = "a lambda" if getattr(value, "__name__", "") == "<lambda>" else \
        f"a {cls.__name__} ({value!r})"
    raise _Located(TypeError, f"Cannot serialize {what} at {_WHERE}: register it with "
                              f"ss.allow(...) or make it symbolic.")


def from_json(data: Any, path: str = "") -> Any:
    """Builds symbolic values back from :func:`to_json` output (registered types only)."""
    try:
        return _from_json(data)
    except _Located as e:
        raise _relocate(e, path) from None


def _lookup(name: Any) -> Any:
    try:
        return registry.lookup(name, _WHERE)
    except ValueError as e:
        raise _Located(ValueError, str(e)) from None


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _load_items(pairs) -> dict:
    """Loads ``(key, data)`` pairs into a dict, adding the key to any error's path."""
    out = {}
    for k, v in pairs:
        if type(v) in _SCALARS:
            out[k] = v
            continue
        try:
            out[k] = _from_json(v)
        except _Located as e:
            e.keys.append(k)
            raise
    return out


def _from_json(data: Any) -> Any:
    cls = type(data)
    if cls is str or cls is int or cls is float or cls is bool or data is None:
        return data
    if cls is list:
        return List(_load_items(enumerate(data)).values())
    if cls is not dict:
        raise _Located(TypeError, f"Unexpected {cls.__name__} at {_WHERE} in serialized data.")
    type_name = data.get("_type")
    if type_name is not None:
        target = _lookup(type_name)
        if not (isinstance(target, type) and issubclass(target, Record)):
            raise _Located(ValueError, f"{type_name!r} at {_WHERE} is not a symbolic type; "
                                       f"only symbolic classes and functors can be built "
                                       f"from '_type'.")
        kwargs = _load_items(data.items())
        del kwargs["_type"]
        try:
            return target.partial(**kwargs)
        except (TypeError, ValueError, KeyError) as e:
            raise _Located(type(e), f"{e} [while loading {type_name} at {_WHERE}]") from None
    if len(data) == 1:
        (key, inner), = data.items()
        if key == "_tuple":
            return tuple(_load_items(enumerate(inner)).values())
        if key == "_missing":
            return MISSING
        if key in ("_class", "_function"):
            return _lookup(inner)
        if key == "_dict":
            values = _load_items((str(k), v) for k, v in inner).values()
            return Dict({_hashable(_from_json(k)): v for (k, _), v in zip(inner, values)})
        if key == "_ndarray":
            import numpy as np
            return np.asarray(inner["data"], dtype=np.dtype(inner["dtype"])).reshape(inner["shape"])
    return Dict(_load_items(data.items()))


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def to_json_str(value: Any, **kwargs) -> str:
    return json.dumps(to_json(value), **kwargs)


def from_json_str(text: str) -> Any:
    return from_json(json.loads(text))


def to_yaml(value: Any) -> str:
    import yaml
    return yaml.safe_dump(to_json(value), sort_keys=False)


def from_yaml(text: str) -> Any:
    import yaml
    return from_json(yaml.safe_load(text))


def save(value: Any, path: str) -> None:
    """Writes ``value`` as JSON (``.json``) or YAML (``.yaml``/``.yml``)."""
    ext = os.path.splitext(str(path))[1].lower()
    text = to_yaml(value) if ext in (".yaml", ".yml") else to_json_str(value, indent=2)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def load(path: str) -> Any:
    """Reads a value written by :func:`save` (format by file extension)."""
    ext = os.path.splitext(str(path))[1].lower()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return from_yaml(text) if ext in (".yaml", ".yml") else from_json_str(text)
    except (TypeError, ValueError, KeyError) as e:
        raise type(e)(f"{path}: {e}") from None
