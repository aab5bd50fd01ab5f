"""Value checks compiled once from type annotations.

``compile_checker(annotation)`` returns ``check(value, path) -> value`` which raises
``TypeError``/``ValueError`` naming the key path, e.g.
``ValueError: Value 2.0 is above the maximum 1 (path=optimizer.momentum)``.

Supported: ``int``, ``float`` (ints accepted), ``str``, ``bool``, ``Any``, classes,
``Optional``/``Union``/``X | Y``, ``list[X]``, ``tuple[X, ...]``, ``dict[K, V]``,
``Literal[...]``, ``Callable`` and ``Annotated[X, Range(lo, hi)]``. Hyper-values
(``oneof``, ``floatv``, ...) and ``MISSING`` are accepted where a concrete value is
expected: a search space is a partially decided value. Literal candidates of a
``oneof`` are checked against the annotation too, so a bad space fails at definition.
"""
from __future__ import annotations

import collections.abc
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable, Optional

from symsearch.symbolic.base import MISSING
from symsearch.symbolic.keypath import join_path

Checker = Callable[[Any, str], Any]


@dataclass(frozen=True)
class Range:
    """Inclusive numeric bounds for ``Annotated[int|float, Range(lo, hi)]``."""

    min: Optional[float] = None
    max: Optional[float] = None


def _where(path: str) -> str:
    return f" (path={path})" if path else ""


def _is_hyper(value: Any) -> bool:
    from symsearch.hyper.base import HyperValue
    return isinstance(value, HyperValue)


def _check_hyper(value: Any, path: str, check: Checker) -> Any:
    """Checks the literal candidates of a hyper-value against a field's annotation."""
    from symsearch.hyper.oneof import OneOf, ManyOf
    if isinstance(value, OneOf):
        for i, c in enumerate(value.candidates):
            if not _is_hyper(c):
                check(c, f"{path}.candidates[{i}]" if path else f"candidates[{i}]")
    elif isinstance(value, ManyOf):
        pass  # the field holds a list; its element annotation is checked per candidate.
    return value


def resolve_hints(annotations: dict, globalns: dict, localns: Optional[dict] = None) -> dict:
    """``typing.get_type_hints`` one annotation at a time, for when it fails as a whole.

    A forward reference that cannot be resolved (a class local to a function) is left as
    a string, which :func:`compile_checker` accepts unchecked; the other fields keep
    their checks.
    """
    hints = {}
    for name, annotation in annotations.items():
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, globalns, localns)  # what get_type_hints does
            except Exception:
                pass
        hints[name] = annotation
    return hints


def compile_checker(annotation: Any) -> Checker:
    """Compiles an annotation into a fast check function (see module docstring)."""
    if annotation is Any or annotation is None or annotation is typing.Any:
        return _accept
    if isinstance(annotation, str):  # unresolved forward reference: cannot check
        return _accept
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)

    if origin is typing.Annotated:
        base = compile_checker(args[0])
        ranges = [a for a in args[1:] if isinstance(a, Range)]
        if not ranges:
            return base
        lo, hi = ranges[0].min, ranges[0].max

        def check_range(value, path):
            value = base(value, path)
            if value is MISSING or _is_hyper(value):
                return _check_hyper_range(value, path, lo, hi)
            if isinstance(value, (int, float)):
                if lo is not None and value < lo:
                    raise ValueError(f"Value {value!r} is below the minimum {lo}{_where(path)}")
                if hi is not None and value > hi:
                    raise ValueError(f"Value {value!r} is above the maximum {hi}{_where(path)}")
            return value
        return check_range

    if origin in (typing.Union, types.UnionType):
        subs = [compile_checker(a) for a in args]
        names = " | ".join(_type_name(a) for a in args)

        def check_union(value, path):
            if value is MISSING or _is_hyper(value):
                return value
            for sub in subs:
                try:
                    return sub(value, path)
                except (TypeError, ValueError):
                    continue
            raise TypeError(f"Expected {names}, got {type(value).__name__} {value!r}{_where(path)}")
        return check_union

    if origin is typing.Literal:
        allowed = args

        def check_literal(value, path):
            if value is MISSING or _is_hyper(value):
                return _check_hyper(value, path, check_literal) if _is_hyper(value) else value
            if value not in allowed:
                raise ValueError(f"Value {value!r} is not one of {list(allowed)}{_where(path)}")
            return value
        return check_literal

    if origin in (list, collections.abc.Sequence, collections.abc.MutableSequence):
        item = compile_checker(args[0]) if args else _accept
        return _sequence_checker((list,), item, "list")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence_checker((tuple, list), compile_checker(args[0]), "tuple")
        if args:
            items = [compile_checker(a) for a in args]

            def check_tuple(value, path):
                if value is MISSING or _is_hyper(value):
                    return value
                if not isinstance(value, (tuple, list)) or len(value) != len(items):
                    raise TypeError(f"Expected a tuple of {len(items)} items, got {value!r}{_where(path)}")
                for i, (c, v) in enumerate(zip(items, value)):
                    c(v, f"{path}[{i}]")
                return value
            return check_tuple
        return _sequence_checker((tuple, list), _accept, "tuple")
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        key_check = compile_checker(args[0]) if args else _accept
        value_check = compile_checker(args[1]) if len(args) > 1 else _accept

        def check_dict(value, path):
            if value is MISSING or _is_hyper(value):
                return value
            if not isinstance(value, dict):
                raise TypeError(f"Expected a dict, got {type(value).__name__} {value!r}{_where(path)}")
            for k, v in value.items():
                key_check(k, path)
                value_check(v, join_path(path, k) if isinstance(k, (str, int)) else path)
            return value
        return check_dict
    if origin is collections.abc.Callable or annotation is collections.abc.Callable \
            or annotation is typing.Callable:
        def check_callable(value, path):
            if value is MISSING or _is_hyper(value) or callable(value):
                return value
            raise TypeError(f"Expected a callable, got {value!r}{_where(path)}")
        return check_callable
    if origin is type:
        return _accept

    if annotation is float:
        def check_float(value, path):
            cls = type(value)
            if cls is float or (cls is int):
                return value
            if value is MISSING:
                return value
            if _is_hyper(value):
                return _check_hyper(value, path, check_float)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
            if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0 \
                    and value.dtype.kind in "iuf":
                return float(value)  # np.float32 / np.int64 scalars from array code
            raise TypeError(f"Expected float, got {type(value).__name__} {value!r}{_where(path)}")
        return check_float
    if annotation is int:
        def check_int(value, path):
            if type(value) is int or value is MISSING:
                return value
            if _is_hyper(value):
                return _check_hyper(value, path, check_int)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if hasattr(value, "__index__") and not isinstance(value, (bool, float)):
                return int(value)
            raise TypeError(f"Expected int, got {type(value).__name__} {value!r}{_where(path)}")
        return check_int
    if isinstance(annotation, type):
        cls = annotation
        if cls is list:
            return _sequence_checker((list,), _accept, "list")
        if cls is dict:
            return compile_checker(dict[Any, Any])
        if cls is tuple:
            return _sequence_checker((tuple, list), _accept, "tuple")

        def check_instance(value, path):
            if value is MISSING or isinstance(value, cls):
                return value
            if _is_hyper(value):
                return _check_hyper(value, path, check_instance)
            raise TypeError(f"Expected {cls.__name__}, got {type(value).__name__} {value!r}{_where(path)}")
        return check_instance
    return _accept


def _check_hyper_range(value, path, lo, hi):
    """A ``floatv``/``intv`` must fit inside the field's declared range."""
    from symsearch.hyper.numeric import Float, Int
    if isinstance(value, (Float, Int)):
        if lo is not None and value.lo < lo:
            raise ValueError(f"Search range [{value.lo}, {value.hi}] goes below the field's "
                             f"minimum {lo}{_where(path)}")
        if hi is not None and value.hi > hi:
            raise ValueError(f"Search range [{value.lo}, {value.hi}] goes above the field's "
                             f"maximum {hi}{_where(path)}")
    return value


def _sequence_checker(types_: tuple, item: Checker, name: str) -> Checker:
    def check_sequence(value, path):
        if value is MISSING or _is_hyper(value):
            return value
        if not isinstance(value, types_):
            raise TypeError(f"Expected a {name}, got {type(value).__name__} {value!r}{_where(path)}")
        if item is not _accept:
            for i, v in enumerate(value):
                item(v, f"{path}[{i}]")
        return value
    return check_sequence


def _accept(value, path):
    return value


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or repr(annotation)
