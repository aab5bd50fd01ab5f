"""Generic operations on symbolic trees: clone, eq, query, missing values."""
from __future__ import annotations

import copy
import math
import re
import types
from typing import Any, Callable, Optional

from symsearch.symbolic.base import MISSING, Symbolic, walk
from symsearch.symbolic.record import Record

_IMMUTABLE = (str, int, float, bool, type(None), bytes, complex, frozenset, type,
              types.FunctionType, types.BuiltinFunctionType)


def clone(value: Any, deep: bool = True) -> Any:
    """A copy of a symbolic tree (or any value).

    Symbolic nodes are always rebuilt (a node has one parent). With ``deep=True``
    non-symbolic mutable leaves (numpy arrays, user objects) are deep-copied too;
    with ``deep=False`` they are shared.
    """
    if isinstance(value, Symbolic):
        items = {k: _clone_child(v, deep) for k, v in value.sym_items()}
        new = value._sym_rebuild(items)
        cached = value.__dict__.get("_sym_hash_cache")
        if cached is not None:
            new.__dict__["_sym_hash_cache"] = cached
        return new
    return _clone_child(value, deep)


def _clone_child(v: Any, deep: bool) -> Any:
    if isinstance(v, _IMMUTABLE) or v is MISSING:
        return v
    if isinstance(v, Symbolic):
        return clone(v, deep)
    if type(v) is tuple:
        return tuple(_clone_child(x, deep) for x in v)
    if type(v) is list:
        return [_clone_child(x, deep) for x in v]
    if type(v) is dict:
        return {k: _clone_child(x, deep) for k, x in v.items()}
    return copy.deepcopy(v) if deep else v


def eq(a: Any, b: Any) -> bool:
    """Symbolic equality: same types and equal children, recursively.

    ``Dict``/``dict`` and ``List``/``list`` compare by content; NaN equals NaN; functions
    compare by identity key (name or normalized source); arrays element-wise. Values
    that are equal here have equal :func:`symsearch.hash`.
    """
    if a is b:
        return True
    ta = type(a)
    if ta is str or ta is bool or a is None:
        return type(b) is ta and a == b
    if ta is int or ta is float:
        tb = type(b)
        if tb is int or tb is float:
            return a == b or (a != a and b != b)
        if tb.__module__ == "numpy" and getattr(b, "dtype", None) is not None \
                and b.dtype.kind in "iuf" and getattr(b, "ndim", 1) == 0:
            return bool(a == b) or (a != a and b != b)  # symmetric with numpy == int
        return False
    # Records first: a symbolized dict/list subclass (``Counter``) is a record, compared
    # by its init arguments like it is hashed, not by its contents.
    if isinstance(a, Record):
        if type(b) is not ta:
            return False
        ca = a.__dict__.get("_sym_hash_cache")
        if ca is not None:
            cb = b.__dict__.get("_sym_hash_cache")
            if cb is not None:
                return ca == cb
        ia, ib = a._sym_args, b._sym_args
        if len(ia) != len(ib):
            return False
        for k, v in ia.items():
            if k not in ib or not eq(v, ib[k]):
                return False
        return True
    if isinstance(a, dict):
        if not isinstance(b, dict) or isinstance(b, Record) or len(a) != len(b):
            return False
        for k, v in a.items():
            if k not in b or not eq(v, b[k]):
                return False
        return True
    if isinstance(a, list):
        if not isinstance(b, list) or isinstance(b, Record) or len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if not eq(x, y):
                return False
        return True
    if ta is tuple:
        if type(b) is not tuple or len(a) != len(b):
            return False
        return all(eq(x, y) for x, y in zip(a, b))
    if isinstance(a, (types.FunctionType, types.BuiltinFunctionType)):
        if not callable(b):
            return False
        from symsearch.symbolic.hashing import function_key
        try:
            return function_key(a) == function_key(b)
        except Exception:
            return False
    if ta.__module__ == "numpy":
        import numpy as np
        if isinstance(a, np.ndarray):
            return isinstance(b, np.ndarray) and a.shape == b.shape and \
                a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except Exception:
        return False


def ne(a: Any, b: Any) -> bool:
    return not eq(a, b)


def missing_values(value: Any) -> dict:
    """``{key_path: MISSING}`` for every unbound field below ``value``."""
    found = {}

    def visit(path, v):
        if v is MISSING:
            found[path] = MISSING
    walk(value, visit)
    return found


def query(value: Any, path_regex: Optional[str] = None,
          where: Optional[Callable[[Any], bool]] = None,
          *, value_type: Optional[type] = None) -> dict:
    """Finds values in a tree: ``{key_path: value}`` for nodes that match all filters.

    >>> from symsearch.symbolic.dict import Dict
    >>> query(Dict(a=1, b={"c": 2.5}), where=lambda v: isinstance(v, float))
    {'b.c': 2.5}
    """
    pattern = re.compile(path_regex) if path_regex is not None else None
    found = {}

    def visit(path, v):
        if pattern is not None and not pattern.search(path):
            return
        if value_type is not None and not isinstance(v, value_type):
            return
        if where is not None and not where(v):
            return
        found[path] = v
    walk(value, visit)
    return found
