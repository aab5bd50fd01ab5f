"""JSON and YAML for symbolic trees.

Symbolic objects are written as ``{"_type": "<registered name>", field: value, ...}``;
tuples as ``{"_tuple": [...]}``; unbound fields as ``{"_missing": true}``; registered
classes/functions used as values as ``{"_class": name}``/``{"_function": name}``;
numpy arrays as ``{"_ndarray": {...}}``.

Loading builds only registered types (see :mod:`symsearch.symbolic.registry`): it never
imports a module or unpickles, and what a value may allocate is bounded by the data given
(an ``_ndarray`` must hold as many numbers as its shape says, of a numeric dtype). Errors name
the key path of the offending value.

A document may name the modules that define its types (``symsearch export`` writes them)::

    _modules: [mypkg.models]
    _value: {_type: mypkg.models.MLP, hidden: 64}

``load(path, import_modules=True)`` (and ``from_json``/``from_yaml``) imports exactly those
modules before building; by default they are not imported and an unregistered type's error
names the module to import. Import only from files you trust: importing runs module code.

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

_SPECIAL = ("_type", "_tuple", "_missing", "_class", "_function", "_ndarray", "_dict",
            "_modules", "_value")
#: The two keys of a document that names its modules (see the module docstring).
_ENVELOPE = frozenset(("_modules", "_value"))
#: numpy dtype kinds an ``_ndarray`` may have: bool, signed and unsigned int, float.
_NDARRAY_KINDS = "biuf"
_NDARRAY_MAX_ITEMSIZE = 8


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


#: Record type -> function giving its JSON (exactly what the generic walk gives), for types
#: that know a faster way (expression trees encode from their cached tuple trees).
_JSON_ENCODERS: dict = {}


def register_json_encoder(cls: type, encode) -> None:
    """Makes ``to_json`` encode instances of ``cls`` (not subclasses) with ``encode(value)``,
    which must return what the generic walk would (or ``NotImplemented``: walk it)."""
    _JSON_ENCODERS[cls] = encode


_JSON_TEXT_ENCODERS: dict = {}


def register_json_text_encoder(cls: type, encode) -> None:
    """Makes ``to_json_str`` (without options) write instances of ``cls`` (not subclasses)
    as ``encode(value)``: exactly ``json.dumps(to_json(value))``, or ``NotImplemented``."""
    _JSON_TEXT_ENCODERS[cls] = encode


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
        if _JSON_ENCODERS:
            encode = _JSON_ENCODERS.get(cls)
            if encode is not None:
                out = encode(value)
                if out is not NotImplemented:
                    return out
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


def from_json(data: Any, path: str = "", *, import_modules: bool = False) -> Any:
    """Builds symbolic values back from :func:`to_json` output (registered types only).

    ``data`` may be a document ``{"_modules": [...], "_value": ...}``; with
    ``import_modules=True`` the modules it names are imported first (only for data you trust).
    """
    modules: list = []
    if isinstance(data, dict) and set(data) == _ENVELOPE:
        modules = _module_names(data["_modules"], path)
        data = data["_value"]
        if import_modules:
            _import_modules(modules, path)
    try:
        return _from_json(data)
    except _Located as e:
        error = _relocate(e, path)
        if isinstance(error, ValueError) and "is not registered" in str(error):
            error = ValueError(f"{error} {_import_hint(str(error), modules)}")
        raise error from None


def _module_names(value: Any, path: str) -> list:
    where = join_path(path, "_modules") or "_modules"
    if not isinstance(value, list) or not all(isinstance(m, str) and m for m in value):
        raise ValueError(f"{where}: expected a list of module names, got {value!r}")
    for name in value:
        if not all(part.isidentifier() for part in name.split(".")):
            raise ValueError(f"{where}: {name!r} is not a module name")
    return list(value)


def _import_modules(modules: list, path: str) -> None:
    import importlib
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as e:
            where = join_path(path, "_modules") or "_modules"
            raise ValueError(f"{where}: cannot import {name!r}, which defines types in this "
                             f"file: {e}") from None


def _import_hint(message: str, modules: list) -> str:
    """How to make an unregistered type loadable: the modules the file names, else the
    module its qualified name suggests."""
    if not modules:
        start = message.find("'") + 1
        name = message[start:message.find("'", start)] if start else ""
        modules = [name.rsplit(".", 1)[0]] if "." in name else []
    if not modules:
        return ""
    listed = ", ".join(repr(m) for m in modules)
    return (f"To load it, pass import_modules=True (imports {listed}; only for files you "
            f"trust), or import {listed} first.")


def modules_of(data: Any) -> list:
    """The modules defining the registered types and functions that :func:`to_json` output
    ``data`` names, in order of first use: a registered object's ``__module__`` when this
    process has it, else the qualified name without its last part."""
    names: list = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("_type", "_class", "_function"):
                if isinstance(node.get(key), str):
                    names.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    out: list = []
    for name in names:
        try:
            module = getattr(registry.lookup(name), "__module__", None)
        except ValueError:
            module = None
        module = module or (name.rsplit(".", 1)[0] if "." in name else None)
        if module and module not in out:
            out.append(module)
    return out


def with_modules(data: Any) -> dict:
    """``{"_modules": modules_of(data), "_value": data}``: a document that says what to import."""
    return {"_modules": modules_of(data), "_value": data}


def _lookup(name: Any) -> Any:
    try:
        return registry.lookup(name, _WHERE)
    except ValueError as e:
        raise _Located(ValueError, str(e)) from None


def _ndarray(inner: Any) -> Any:
    """An array from ``{"dtype", "shape", "data"}``, checked so that it allocates no more
    than the data given: a numeric dtype of at most 8 bytes, and one value per element."""
    import math

    import numpy as np
    if not isinstance(inner, dict) or set(inner) != {"dtype", "shape", "data"}:
        raise _Located(ValueError, f"_ndarray at {_WHERE}: expected a mapping with 'dtype', "
                                   f"'shape' and 'data', got {_preview(inner)}")
    dtype_text, shape, data = inner["dtype"], inner["shape"], inner["data"]
    try:
        dtype = np.dtype(dtype_text) if isinstance(dtype_text, str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in _NDARRAY_KINDS or dtype.subdtype is not None or \
            dtype.itemsize > _NDARRAY_MAX_ITEMSIZE:
        raise _Located(ValueError, f"_ndarray at {_WHERE}: dtype {_preview(dtype_text)} is not "
                                   f"allowed; expected a bool, int, uint or float dtype of at "
                                   f"most {_NDARRAY_MAX_ITEMSIZE} bytes, such as '<f8'")
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise _Located(ValueError, f"_ndarray at {_WHERE}: shape must be a list of "
                                   f"non-negative ints, got {_preview(shape)}")
    if not isinstance(data, list) or not all(type(v) in _NUMBERS for v in data):
        raise _Located(ValueError, f"_ndarray at {_WHERE}: data must be a flat list of "
                                   f"numbers, got {_preview(data)}")
    size = math.prod(shape)
    if size != len(data):
        raise _Located(ValueError, f"_ndarray at {_WHERE}: shape {shape} has {size} elements "
                                   f"but data has {len(data)} values")
    return np.asarray(data, dtype=dtype).reshape(shape)


_NUMBERS = frozenset((int, float, bool))


def _preview(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


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
            return _ndarray(inner)
    return Dict(_load_items(data.items()))


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def to_json_str(value: Any, **kwargs) -> str:
    if not kwargs and isinstance(value, Symbolic):
        # A node built with its JSON text (programs.trees); dropped when the node changes.
        text = value.__dict__.get("_sym_json_text")
        if text is not None:
            return text
        encode = _JSON_TEXT_ENCODERS.get(type(value))
        if encode is not None:
            text = encode(value)
            if text is not NotImplemented:
                return text
    return json.dumps(to_json(value), **kwargs)


def from_json_str(text: str, *, import_modules: bool = False) -> Any:
    return from_json(json.loads(text), import_modules=import_modules)


def to_yaml(value: Any) -> str:
    import yaml
    return yaml.safe_dump(to_json(value), sort_keys=False)


def from_yaml(text: str, *, import_modules: bool = False) -> Any:
    """Builds a value from YAML (``yaml.safe_load``, then as :func:`from_json`)."""
    import yaml
    return from_json(yaml.safe_load(text), import_modules=import_modules)


def save(value: Any, path: str) -> None:
    """Writes ``value`` as JSON (``.json``) or YAML (``.yaml``/``.yml``)."""
    ext = os.path.splitext(str(path))[1].lower()
    text = to_yaml(value) if ext in (".yaml", ".yml") else to_json_str(value, indent=2)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def load(path: str, *, import_modules: bool = False) -> Any:
    """Reads a value written by :func:`save` or ``symsearch export`` (format by file
    extension). ``import_modules=True`` imports the modules the file names in ``_modules``
    first (a file from ``symsearch export`` names them); only for files you trust.

    >>> best = ss.load("best.yaml", import_modules=True)    # doctest: +SKIP
    """
    ext = os.path.splitext(str(path))[1].lower()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        if ext in (".yaml", ".yml"):
            return from_yaml(text, import_modules=import_modules)
        return from_json_str(text, import_modules=import_modules)
    except (TypeError, ValueError, KeyError) as e:
        raise type(e)(f"{path}: {e}") from None
