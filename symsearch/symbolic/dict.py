"""``Dict``: a ``dict`` that is a node of a symbolic tree.

It behaves like a plain dict (it *is* one), and additionally tracks its parent, adopts
children (nested plain dicts/lists become symbolic) and invalidates cached hashes on
every mutation.

>>> d = Dict(a=1, b={"c": [1, 2]})
>>> type(d["b"]).__name__, d["b"].sym_path
('Dict', 'b')
"""
from __future__ import annotations

import copy
from typing import Any

from symsearch.symbolic.base import Symbolic, adopt, deepcopy_state, detach
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
    # A removed or replaced child is detached (it becomes a root again), so it can be
    # reused elsewhere without a copy and no longer reports a stale key path.
    def __setitem__(self, key, value) -> None:
        old = dict.get(self, key)
        new = adopt(self, key, value)
        dict.__setitem__(self, key, new)
        if old is not new:
            detach(self, old)
        self._sym_invalidate()

    def __delitem__(self, key) -> None:
        old = dict.__getitem__(self, key)
        dict.__delitem__(self, key)
        detach(self, old)
        self._sym_invalidate()

    def update(self, *args, **kwargs) -> None:
        for k, v in dict(*args, **kwargs).items():
            old = dict.get(self, k)
            new = adopt(self, k, v)
            dict.__setitem__(self, k, new)
            if old is not new:
                detach(self, old)
        self._sym_invalidate()

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def pop(self, key, *default):
        value = dict.pop(self, key, *default)
        detach(self, value)
        self._sym_invalidate()
        return value

    def popitem(self):
        item = dict.popitem(self)
        detach(self, item[1])
        self._sym_invalidate()
        return item

    def clear(self) -> None:
        for v in dict.values(self):
            detach(self, v)
        dict.clear(self)
        self._sym_invalidate()

    def __ior__(self, other):
        self.update(other)
        return self

    def __copy__(self) -> "Dict":
        from symsearch.symbolic.ops import clone
        return clone(self, deep=False)

    def __deepcopy__(self, memo) -> "Dict":
        # Children are copied through ``memo`` (not rebuilt like ``clone``): a symbolized
        # torch module below keeps its weights and stays the object its owner refers to.
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        for k, v in dict.items(self):
            dict.__setitem__(new, k, copy.deepcopy(v, memo))
        deepcopy_state(self, new, memo)
        return new

    # Pickling uses the default protocol (items re-set through ``__setitem__`` plus the
    # instance ``__dict__``), which keeps this node's link to its parent.
