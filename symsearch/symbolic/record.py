"""``Record``: a symbolic node with named fields (the shared base of ``Object``,
symbolized classes and functors).

Field values live in ``self._sym_args`` (a plain dict, in declaration order). Binding
checks each value against the field's annotation once, at construction or rebind;
the hot path (``_sym_fast_new``, used by materialize, clone and load) skips checks
because its inputs were checked already.
"""
from __future__ import annotations

import inspect
import typing
from typing import Any, Optional

from symsearch.symbolic.base import MISSING, Symbolic, adopt, detach
from symsearch.symbolic.validation import _accept, compile_checker, resolve_hints


class Fields:
    """The declared fields of a record type: names, defaults and compiled checks."""

    __slots__ = ("names", "defaults", "checkers", "annotations", "var_keyword",
                 "var_positional", "positional_only", "keyword_only")

    def __init__(self, names, defaults, annotations, var_keyword=False,
                 var_positional=None, positional_only=(), keyword_only=()):
        self.names = tuple(names)
        self.defaults = dict(defaults)
        self.annotations = dict(annotations)
        self.checkers = {n: compile_checker(annotations.get(n)) for n in self.names}
        self.var_keyword = var_keyword
        self.var_positional = var_positional
        self.positional_only = tuple(positional_only)
        self.keyword_only = tuple(keyword_only)

    @classmethod
    def from_signature(cls, fn, skip_first: bool) -> "Fields":
        sig = inspect.signature(fn)
        try:
            hints = typing.get_type_hints(fn, include_extras=True)
        except Exception:  # some annotation is unresolvable: resolve the others one by one
            hints = resolve_hints(getattr(fn, "__annotations__", {}) or {},
                                  getattr(fn, "__globals__", {}))
        names, defaults, var_kw, var_pos, pos_only, kw_only = [], {}, False, None, [], []
        params = list(sig.parameters.values())
        if skip_first and params:
            params = params[1:]
        for p in params:
            if p.kind is p.VAR_KEYWORD:
                var_kw = True
                continue
            if p.kind is p.VAR_POSITIONAL:
                var_pos = p.name
                names.append(p.name)
                defaults[p.name] = ()
                continue
            if p.kind is p.POSITIONAL_ONLY:
                pos_only.append(p.name)
            elif p.kind is p.KEYWORD_ONLY:
                kw_only.append(p.name)
            names.append(p.name)
            if p.default is not p.empty:
                defaults[p.name] = p.default
        return cls(names, defaults, hints, var_kw, var_pos, pos_only, kw_only)

    def bind(self, owner: str, args: tuple, kwargs: dict, allow_missing: bool) -> dict:
        """Maps call arguments to ``{field: value}``, checked, defaults filled in."""
        values = {}
        # Parameters after ``*args`` or a bare ``*`` are keyword-only.
        positional = [n for n in self.names
                      if n != self.var_positional and n not in self.keyword_only]
        if len(args) > len(positional) and self.var_positional is None:
            raise TypeError(f"{owner}() takes {len(positional)} positional arguments "
                            f"but {len(args)} were given")
        for name, value in zip(positional, args):
            values[name] = value
        if self.var_positional is not None and len(args) > len(positional):
            values[self.var_positional] = tuple(args[len(positional):])
        for key, value in kwargs.items():
            if key in values:
                raise TypeError(f"{owner}() got multiple values for argument {key!r}")
            if key not in self.checkers and not self.var_keyword:
                raise TypeError(f"{owner}() got an unexpected keyword argument {key!r}; "
                                f"fields are {list(self.names)}")
            values[key] = value
        out = {}
        for name in self.names:
            if name in values:
                out[name] = self.checkers[name](values[name], name)
            elif name in self.defaults:
                default = self.defaults[name]
                if isinstance(default, Symbolic):
                    from symsearch.symbolic.ops import clone
                    default = clone(default)
                out[name] = default
            elif allow_missing:
                out[name] = MISSING
            else:
                raise TypeError(f"{owner}() missing required argument {name!r} (use "
                                f"{owner}.partial(...) to leave it unbound)")
        for key, value in values.items():  # extra keyword arguments (**kwargs)
            if key not in out:
                out[key] = value
        return out

    def check(self, name: str, value: Any, path: str) -> Any:
        checker = self.checkers.get(name)
        if checker is None:
            if not self.var_keyword:
                raise KeyError(f"Unknown field {name!r} (path={path}); fields are "
                               f"{list(self.names)}")
            return value
        return checker(value, path)


class Record(Symbolic):
    """Base of symbolic nodes with named fields; see the module docstring."""

    _sym_fields: Fields = Fields((), {}, {})
    _sym_allow_partial_default = False

    def _sym_bind(self, args: tuple, kwargs: dict, allow_missing: bool) -> None:
        bound = type(self)._sym_fields.bind(type(self).__name__, args, kwargs, allow_missing)
        stored = {}
        for k, v in bound.items():
            stored[k] = adopt(self, k, v)
        self.__dict__["_sym_args"] = stored

    @classmethod
    def _sym_fast_new(cls, args: dict) -> "Record":
        """Builds from already-checked children; no validation (hot path)."""
        obj = cls.__new__(cls)
        obj.__dict__["_sym_args"] = args
        for k, v in args.items():
            if isinstance(v, Symbolic):
                vd = v.__dict__
                vd["_sym_parent"] = obj
                vd["_sym_key"] = k
        obj._sym_init_user()
        return obj

    def _sym_on_bound(self) -> None:
        """Called after the fields are bound or changed (for derived state)."""

    # ---- Symbolic protocol ----------------------------------------------------------
    @property
    def sym_init_args(self) -> dict:
        return self._sym_args

    def sym_items(self):
        return self._sym_args.items()

    def sym_getitem(self, key):
        try:
            return self._sym_args[key]
        except KeyError:
            raise KeyError(key) from None

    def _sym_set_child(self, key, value, path: str) -> None:
        value = type(self)._sym_fields.check(key, value, path)
        old = self._sym_args.get(key)
        new = self._sym_args[key] = adopt(self, key, value)
        if old is not new:
            detach(self, old)
        self._sym_invalidate()

    def _sym_rebuild(self, items: dict) -> "Record":
        return type(self)._sym_fast_new(items)

    @classmethod
    def partial(cls, *args, **kwargs) -> "Record":
        """Creates the object with some fields left ``MISSING`` (e.g. a search space)."""
        obj = cls.__new__(cls)
        obj._sym_bind(args, kwargs, allow_missing=True)
        obj._sym_init_user()
        return obj

    def _sym_init_user(self) -> None:
        self._sym_on_bound()

    # format_value is called directly: a wrapped user class may define its own
    # ``format`` method (``logging.Formatter.format``), which shadows Symbolic.format.
    def __repr__(self) -> str:
        from symsearch.symbolic.formatting import format_value
        return format_value(self, compact=True)

    def __str__(self) -> str:
        from symsearch.symbolic.formatting import format_value
        return format_value(self, compact=False)
