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
from symsearch.symbolic.keypath import join_path

_SPECIAL = ("_type", "_tuple", "_missing", "_class", "_function", "_ndarray", "_dict")


def to_json(value: Any, path: str = "") -> Any:
    """A JSON-compatible structure (dicts, lists, str, numbers, bools, None)."""
    cls = type(value)
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    from symsearch.symbolic.record import Record
    if isinstance(value, Record):
        name = registry.name_of(cls)
        if name is None:
            raise TypeError(f"Cannot serialize {cls.__qualname__} at {path or '<root>'}: "
                            f"the class is not registered.")
        out = {"_type": name}
        hidden = getattr(cls, "_sym_hide_default_fields", ())
        for k, v in value._sym_args.items():
            if v is None and k in hidden:
                continue
            out[k] = to_json(v, join_path(path, k))
        return out
    if isinstance(value, dict):
        if all(type(k) is str and k not in _SPECIAL for k in value):
            return {k: to_json(v, join_path(path, k)) for k, v in value.items()}
        return {"_dict": [[to_json(k, path), to_json(v, join_path(path, str(k)))]
                          for k, v in value.items()]}
    if isinstance(value, list):
        return [to_json(v, join_path(path, i)) for i, v in enumerate(value)]
    if cls is tuple:
        return {"_tuple": [to_json(v, join_path(path, i)) for i, v in enumerate(value)]}
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
    raise TypeError(f"Cannot serialize {what} at {path or '<root>'}: register it with "
                    f"ss.allow(...) or make it symbolic.")


def from_json(data: Any, path: str = "") -> Any:
    """Builds symbolic values back from :func:`to_json` output (registered types only)."""
    cls = type(data)
    if cls is str or cls is int or cls is float or cls is bool or data is None:
        return data
    if cls is list:
        from symsearch.symbolic.list import List
        return List([from_json(v, join_path(path, i)) for i, v in enumerate(data)])
    if cls is not dict:
        raise TypeError(f"Unexpected {cls.__name__} at {path or '<root>'} in serialized data.")
    type_name = data.get("_type")
    if type_name is not None:
        target = registry.lookup(type_name, path or "<root>")
        from symsearch.symbolic.record import Record
        if not (isinstance(target, type) and issubclass(target, Record)):
            raise ValueError(f"{type_name!r} at {path or '<root>'} is not a symbolic type; "
                             f"only symbolic classes and functors can be built from '_type'.")
        kwargs = {k: from_json(v, join_path(path, k)) for k, v in data.items() if k != "_type"}
        try:
            return target.partial(**kwargs)
        except (TypeError, ValueError, KeyError) as e:
            raise type(e)(f"{e} [while loading {type_name} at {path or '<root>'}]") from None
    if len(data) == 1:
        (key, inner), = data.items()
        if key == "_tuple":
            return tuple(from_json(v, join_path(path, i)) for i, v in enumerate(inner))
        if key == "_missing":
            return MISSING
        if key in ("_class", "_function"):
            return registry.lookup(inner, path or "<root>")
        if key == "_dict":
            from symsearch.symbolic.dict import Dict
            return Dict({_hashable(from_json(k, path)): from_json(v, join_path(path, str(k)))
                         for k, v in inner})
        if key == "_ndarray":
            import numpy as np
            return np.asarray(inner["data"], dtype=np.dtype(inner["dtype"])).reshape(inner["shape"])
    from symsearch.symbolic.dict import Dict
    return Dict({k: from_json(v, join_path(path, k)) for k, v in data.items()})


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
