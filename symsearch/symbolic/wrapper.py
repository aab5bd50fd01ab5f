"""Symbolizing an existing class without editing it.

``ss.symbolize(SomeClass)`` returns a subclass whose ``__init__`` arguments are
recorded as symbolic fields before the original ``__init__`` runs. Rebinding a field
runs the original ``__init__`` again with the new arguments, so the object always
reflects its symbolic description. Equality and hashing stay those of the original
class (a torch module keeps identity hashing); use ``ss.eq``/``ss.hash`` for symbolic
comparison.

>>> import collections
>>> from symsearch.symbolic.functor import symbolize
>>> Counter = symbolize(collections.Counter)
>>> c = Counter({"a": 1})
>>> c.sym_init_args
{'iterable': {'a': 1}}
"""
from __future__ import annotations

import copyreg
import sys
from typing import Any, Optional

from symsearch.symbolic import registry
from symsearch.symbolic.base import MISSING, Symbolic
from symsearch.symbolic.record import Fields, Record


class ClassWrapper(Record):
    """Base of classes made by :func:`wrap_class`."""

    _sym_user_cls: type = object

    def __init__(self, *args, **kwargs):
        self._sym_bind(args, kwargs, allow_missing=False)
        self._sym_init_user()

    def _sym_init_user(self) -> None:
        args = self._sym_args
        if any(_undecided(v) for v in args.values()):
            # A partial object or a search space is a description, not a constructed
            # instance: ``Linear(in_features=ss.intv(8, 64))`` cannot run ``__init__``.
            return
        fields = type(self)._sym_fields
        if fields.var_positional is None:
            positional = [args[n] for n in fields.positional_only]
            keywords = {k: v for k, v in args.items() if k not in fields.positional_only}
        else:
            head = fields.names[:fields.names.index(fields.var_positional)]
            positional = [args[n] for n in head] + list(args[fields.var_positional])
            keywords = {k: v for k, v in args.items()
                        if k not in head and k != fields.var_positional}
        type(self)._sym_user_cls.__init__(self, *positional, **keywords)

    def _sym_changed(self) -> None:
        self._sym_reset_state()
        self._sym_init_user()

    def _sym_reset_state(self) -> None:
        """Forgets what the previous ``__init__`` built, so running it again starts clean.

        ``__init__`` is written for a fresh instance: ``Counter.__init__`` *adds* counts,
        a list subclass would append twice. Symbolic bookkeeping (``_sym_*``) is kept.
        """
        d = self.__dict__
        for key in [k for k in d if not k.startswith("_sym_")]:
            del d[key]
        for base in (dict, list, set):
            if isinstance(self, base):
                base.clear(self)


# One wrapper per class: symbolizing a class twice (two modules both calling
# ``ss.symbolize(torch.nn.Linear)``) must give one type, or objects loaded by name
# would not be ``ss.eq`` to the ones that were saved.
_WRAPPERS: dict = {}


def wrap_class(cls: type, type_name: Optional[str] = None) -> type:
    """Returns a symbolic subclass of ``cls`` (see the module docstring)."""
    if isinstance(cls, type) and issubclass(cls, Record):
        return cls
    wrapped = _WRAPPERS.get(cls)
    if wrapped is not None:
        if type_name:
            registry.register(wrapped, alias=type_name)
        return wrapped
    fields = Fields.from_signature(cls.__init__, skip_first=True)
    namespace = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "_sym_user_cls": cls,
        "_sym_fields": fields,
        "__init__": ClassWrapper.__init__,
    }
    if cls.__repr__ is object.__repr__:
        namespace["__repr__"] = ClassWrapper.__repr__
        namespace["__str__"] = ClassWrapper.__str__
    # Keep the wrapped class's own equality/hash (identity for most classes).
    namespace["__eq__"] = cls.__eq__
    namespace["__hash__"] = cls.__hash__
    wrapped = type(cls.__name__, (cls, ClassWrapper), namespace)

    def __reduce_ex__(self, protocol):
        # ``ss.symbolize(torch.nn.Linear)`` shares its name with the original class, so
        # pickle (``torch.save``, multiprocessing) cannot find the wrapper by name: rebuild
        # it from the original class instead, which can be found.
        reduced = super(wrapped, self).__reduce_ex__(protocol)
        if isinstance(reduced, tuple) and reduced[0] is copyreg.__newobj__ \
                and reduced[1][0] is type(self) is wrapped and not _importable(wrapped):
            reduced = (_new_wrapped, (cls,) + tuple(reduced[1][1:])) + tuple(reduced[2:])
        return reduced

    wrapped.__reduce_ex__ = __reduce_ex__
    registry.register(wrapped, alias=type_name)
    _WRAPPERS[cls] = wrapped
    return wrapped


def _importable(obj: Any) -> bool:
    """Whether ``obj`` is what its ``__module__`` and ``__qualname__`` name."""
    target: Any = sys.modules.get(obj.__module__)
    for part in obj.__qualname__.split("."):
        target = getattr(target, part, None)
    return target is obj


def _new_wrapped(cls: type, *args) -> Any:
    """Unpickling helper: a new, uninitialized instance of ``cls``'s symbolic wrapper."""
    wrapped = wrap_class(cls)
    return wrapped.__new__(wrapped, *args)


def _undecided(value: Any) -> bool:
    """Whether ``value`` is MISSING or holds a hyper-value anywhere inside it."""
    if value is MISSING:
        return True
    cls = type(value)
    if cls is int or cls is float or cls is str or cls is bool or value is None:
        return False
    from symsearch.hyper.base import HyperValue
    if isinstance(value, HyperValue):
        return True
    if isinstance(value, Symbolic):
        return any(_undecided(v) for _, v in value.sym_items())
    if cls is list or cls is tuple:
        return any(_undecided(v) for v in value)
    if cls is dict:
        return any(_undecided(v) for v in value.values())
    return False
