"""Functors: a symbolized function whose call is a symbolic object.

>>> @symbolize
... def train(model, lr=1e-3, epochs=5):
...     return {"accuracy": 0.9}
>>> job = train(model="mlp", lr=0.1)     # binds: a symbolic call, nothing runs
>>> job.lr
0.1
>>> job()                                # runs the function
{'accuracy': 0.9}

``train.partial(...)`` leaves arguments ``MISSING`` (a functor may always be partially
bound); arguments given when calling override the bound ones for that call only.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from symsearch.symbolic import registry
from symsearch.symbolic.base import MISSING
from symsearch.symbolic.record import Fields, Record


class Functor(Record):
    """Base of classes made by :func:`wrap_function`."""

    _sym_fn: Callable = staticmethod(lambda: None)

    def __init__(self, *args, **kwargs):
        self._sym_bind(args, kwargs, allow_missing=True)
        self._sym_on_bound()

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: expose bound arguments as attributes.
        args = self.__dict__.get("_sym_args")
        if args is not None and name in args:
            return args[name]
        raise AttributeError(f"{type(self).__name__!r} functor has no argument {name!r}")

    def __call__(self, *args, **overrides) -> Any:
        values = dict(self._sym_args)
        fields = type(self)._sym_fields
        if args:
            free = [n for n in fields.names if values.get(n) is MISSING
                    and n != fields.var_positional and n not in fields.keyword_only]
            if len(args) > len(free):
                raise TypeError(f"{type(self).__name__}() got {len(args)} positional arguments "
                                f"but only {free} are unbound")
            values.update(zip(free, args))
        for key, value in overrides.items():
            values[key] = fields.check(key, value, key)
        missing = [k for k, v in values.items() if v is MISSING]
        if missing:
            raise TypeError(f"{type(self).__name__}() called with unbound arguments {missing}")
        positional = []
        if fields.var_positional is not None:
            head = fields.names[:fields.names.index(fields.var_positional)]
            positional = [values.pop(n) for n in head] + list(values.pop(fields.var_positional))
        for name in fields.positional_only:
            if name in values:
                positional.append(values.pop(name))
        return type(self)._sym_fn(*positional, **values)

    def __eq__(self, other: Any) -> bool:
        from symsearch.symbolic.ops import eq
        return eq(self, other)

    def __hash__(self) -> int:
        from symsearch.symbolic.hashing import sym_digest
        return int.from_bytes(sym_digest(self)[:8], "little")


def wrap_function(fn: Callable, type_name: Optional[str] = None) -> type:
    """Returns a functor class for ``fn`` (see the module docstring)."""
    fields = Fields.from_signature(fn, skip_first=False)
    namespace = {
        "__module__": fn.__module__,
        "__qualname__": fn.__qualname__,
        "__doc__": fn.__doc__,
        "_sym_fn": staticmethod(fn),
        "_sym_fields": fields,
        "__wrapped__": fn,
    }
    cls = type(fn.__name__, (Functor,), namespace)
    registry.register(cls, alias=type_name)
    return cls


def symbolize(target: Any = None, *, name: Optional[str] = None) -> Any:
    """Makes a class or function symbolic.

    - On a class: its ``__init__`` arguments become symbolic fields (works on classes you
      cannot edit: ``Linear = ss.symbolize(torch.nn.Linear)``).
    - On a function: returns a functor class; binding arguments creates a symbolic call
      and calling that runs the function.

    ``name=`` registers an extra short name for serialization and YAML (``"Adam"``).
    """
    if target is None:
        return functools.partial(symbolize, name=name)
    from symsearch.symbolic.wrapper import wrap_class
    if isinstance(target, type):
        return wrap_class(target, type_name=name)
    if callable(target):
        return wrap_function(target, type_name=name)
    raise TypeError(f"symbolize() takes a class or a function, got {type(target).__name__}")
