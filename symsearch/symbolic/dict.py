"""``Dict``: a ``dict`` that is a node of a symbolic tree.

It behaves like a plain dict (it *is* one), and additionally tracks its parent, adopts
children (nested plain dicts/lists become symbolic) and invalidates cached hashes on
every mutation.

>>> d = Dict(a=1, b={"c": [1, 2]})
>>> type(d["b"]).__name__, d["b"].sym_path
('Dict', 'b')
"""
from __future__ import annotations

from typing import Any

from symsearch.symbolic.base import Symbolic, adopt
from symsearch.symbolic.keypath import Key


class Dict(dict, Symbolic):
    """A symbolic dict. Keys are usually strings; values may be anything."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        for k, v in dict(*args, **kwargs).items():
            dict.__setitem__(self, k, adopt(self, k, v))

    @classmethod
    def _sym_fast_new(cls, items: dict) -> "Dict":
        """Builds from already-adopted, already-valid children (hot path)."""
        obj = cls.__new__(cls)
        dict.update(obj, items)
        for k, v in items.items():
            if isinstance(v, Symbolic):
                vd = v.__dict__
                vd["_sym_parent"] = obj
                vd["_sym_key"] = k
        return obj

    # ---- Symbolic protocol ----------------------------------------------------------
    def sym_items(self):
        return dict.items(self)

    def sym_getitem(self, key: Key) -> Any:
        return dict.__getitem__(self, key)

    def _sym_set_child(self, key: Key, value: Any, path: str) -> None:
        self[key] = value

    def _sym_rebuild(self, items: dict) -> "Dict":
        return type(self)._sym_fast_new(items)

    # ---- dict mutation, all routed through adoption + invalidation --------------------
    def __setitem__(self, key, value) -> None:
        dict.__setitem__(self, key, adopt(self, key, value))
        self._sym_invalidate()

    def __delitem__(self, key) -> None:
        dict.__delitem__(self, key)
        self._sym_invalidate()

    def update(self, *args, **kwargs) -> None:
        for k, v in dict(*args, **kwargs).items():
            dict.__setitem__(self, k, adopt(self, k, v))
        self._sym_invalidate()

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def pop(self, key, *default):
        value = dict.pop(self, key, *default)
        self._sym_invalidate()
        return value

    def popitem(self):
        item = dict.popitem(self)
        self._sym_invalidate()
        return item

    def clear(self) -> None:
        dict.clear(self)
        self._sym_invalidate()

    def __ior__(self, other):
        self.update(other)
        return self

    def __copy__(self) -> "Dict":
        from symsearch.symbolic.ops import clone
        return clone(self, deep=False)

    def __deepcopy__(self, memo) -> "Dict":
        from symsearch.symbolic.ops import clone
        return clone(self, deep=True)

    def __reduce__(self):
        return (type(self), (dict(self),))
