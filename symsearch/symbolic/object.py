"""``ss.Object``: a symbolic class declared by annotated fields.

>>> class Adam(Object):
...     lr: float = 1e-3
...     beta1: Annotated[float, Range(0, 1)] = 0.9
>>> opt = Adam(lr=0.01)
>>> opt.lr, opt.sym_path
(0.01, '')

Fields are read as attributes; assigning a field (``opt.lr = 0.1``) or rebinding it is
checked against the annotation. ``==`` and ``hash()`` are symbolic (by value).
Override ``_on_bound()`` to compute derived state after fields change.
"""
from __future__ import annotations

import sys
import typing
from typing import Annotated, Any, ClassVar, Optional  # noqa: F401  (Annotated for doctest)

from symsearch.symbolic import registry
from symsearch.symbolic.record import Fields, Record
from symsearch.symbolic.validation import Range, resolve_hints  # noqa: F401


class Object(Record):
    """Base class for symbolic classes declared with annotated fields."""

    def __init_subclass__(cls, type_name: Optional[str] = None, **kwargs):
        super().__init_subclass__(**kwargs)
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except Exception:  # some forward reference is unresolvable: resolve one by one
            hints = {}
            for base in reversed(cls.__mro__):
                module = sys.modules.get(base.__module__)
                hints.update(resolve_hints(base.__dict__.get("__annotations__", {}),
                                           getattr(module, "__dict__", {}), dict(vars(base))))
        names, defaults = [], {}
        for name, annotation in hints.items():
            if name.startswith("_") or typing.get_origin(annotation) is ClassVar \
                    or annotation is ClassVar:
                continue
            names.append(name)
            for base in cls.__mro__:
                if name in base.__dict__:
                    defaults[name] = base.__dict__[name]
                    break
        # Required fields first keeps positional construction natural, as in dataclasses.
        names = [n for n in names if n not in defaults] + [n for n in names if n in defaults]
        cls._sym_fields = Fields(names, defaults, hints)
        registry.register(cls, alias=type_name)

    def __init__(self, *args, **kwargs):
        self._sym_bind(args, kwargs, allow_missing=False)
        self._sym_on_bound()

    def _sym_on_bound(self) -> None:
        self.__dict__.update(self._sym_args)
        self._on_bound()

    def _sym_changed(self) -> None:
        self._sym_on_bound()

    def _on_bound(self) -> None:
        """Hook: called after construction and after any field changes."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self)._sym_fields.checkers:
            self._sym_set_child(name, value, self._sym_child_path(name))
            from symsearch.symbolic.rebind import notify_changed
            notify_changed((self,))
        else:
            object.__setattr__(self, name, value)

    def _sym_child_path(self, name: str) -> str:
        from symsearch.symbolic.keypath import join_path
        return join_path(self.sym_path, name)

    def __eq__(self, other: Any) -> bool:
        from symsearch.symbolic.ops import eq
        return eq(self, other)

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        from symsearch.symbolic.hashing import sym_digest
        return int.from_bytes(sym_digest(self)[:8], "little")
