"""``List``: a ``list`` that is a node of a symbolic tree.

>>> xs = List([{"w": 1}, 2])
>>> xs[0].sym_path
'[0]'
"""
from __future__ import annotations

import copy
from typing import Any

from symsearch.symbolic.base import Symbolic, adopt, deepcopy_state, detach
from symsearch.symbolic.keypath import Key


class List(list, Symbolic):
    """A symbolic list; children know their index, which is kept current on insert/delete."""

    def __init__(self, iterable=()):
        super().__init__()
        for i, v in enumerate(iterable):
            list.append(self, adopt(self, i, v))

    @classmethod
    def _sym_fast_new(cls, items) -> "List":
        """Builds from already-adopted, already-valid children (hot path)."""
        obj = cls.__new__(cls)
        list.extend(obj, items)
        for i, v in enumerate(items):
            if isinstance(v, Symbolic):
                vd = v.__dict__
                vd["_sym_parent"] = obj
                vd["_sym_key"] = i
        return obj

    # ---- Symbolic protocol ----------------------------------------------------------
    def sym_items(self):
        return enumerate(self)

    def sym_getitem(self, key: Key) -> Any:
        if not isinstance(key, int):
            raise KeyError(key)
        return list.__getitem__(self, key)

    def _sym_set_child(self, key: Key, value: Any, path: str) -> None:
        self[key] = value

    def _sym_rebuild(self, items: dict) -> "List":
        return type(self)._sym_fast_new([items[i] for i in range(len(items))])

    # ---- list mutation ----------------------------------------------------------------
    # Removed or replaced children are detached (they become roots again), see Dict.
    def _reindex(self) -> None:
        for i, v in enumerate(self):
            if isinstance(v, Symbolic):
                v.__dict__["_sym_key"] = i
        self._sym_invalidate()

    def _detach_all(self, values) -> None:
        for v in values:
            if not any(v is x for x in self):
                detach(self, v)

    def __setitem__(self, index, value) -> None:
        if isinstance(index, slice):
            old = list.__getitem__(self, index)
            # Key None until reindexed: a child of this list given again is copied.
            list.__setitem__(self, index, [adopt(self, None, v) for v in value])
            self._detach_all(old)
            self._reindex()
            return
        if index < 0:
            index += len(self)
        old = list.__getitem__(self, index)
        new = adopt(self, index, value)
        list.__setitem__(self, index, new)
        if old is not new:
            detach(self, old)
        self._sym_invalidate()

    def __delitem__(self, index) -> None:
        old = list.__getitem__(self, index)
        list.__delitem__(self, index)
        self._detach_all(old if isinstance(index, slice) else [old])
        self._reindex()

    def append(self, value) -> None:
        list.append(self, adopt(self, len(self), value))
        self._sym_invalidate()

    def extend(self, values) -> None:
        for v in values:
            list.append(self, adopt(self, len(self), v))
        self._sym_invalidate()

    def insert(self, index, value) -> None:
        list.insert(self, index, adopt(self, None, value))  # key set by _reindex
        self._reindex()

    def pop(self, index=-1):
        value = list.pop(self, index)
        detach(self, value)
        self._reindex()
        return value

    def remove(self, value) -> None:
        self.pop(self.index(value))

    def clear(self) -> None:
        for v in self:
            detach(self, v)
        list.clear(self)
        self._sym_invalidate()

    def sort(self, *args, **kwargs) -> None:
        list.sort(self, *args, **kwargs)
        self._reindex()

    def reverse(self) -> None:
        list.reverse(self)
        self._reindex()

    def __iadd__(self, values):
        self.extend(values)
        return self

    def __imul__(self, n):
        items = list(self)
        if n <= 0:
            self.clear()
            return self
        for _ in range(n - 1):
            for v in items:  # repeated symbolic children are copies: one node, one place
                list.append(self, adopt(self, len(self), v))
        self._sym_invalidate()
        return self

    def __copy__(self) -> "List":
        from symsearch.symbolic.ops import clone
        return clone(self, deep=False)

    def __deepcopy__(self, memo) -> "List":
        # Children are copied through ``memo`` (not rebuilt like ``clone``): a symbolized
        # torch module below keeps its weights and stays the object its owner refers to.
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        list.extend(new, [copy.deepcopy(v, memo) for v in self])
        deepcopy_state(self, new, memo)
        return new

    # Pickling uses the default protocol (items re-added through ``extend``/``append``
    # plus the instance ``__dict__``), which keeps this node's link to its parent.
