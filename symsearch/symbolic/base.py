"""The symbolic tree: what every symbolic value (Object, Dict, List, functor) shares.

A symbolic value knows its children (``sym_items``), its parent and its key in that
parent, so it can report its key path, invalidate cached hashes up the tree when it
changes, and be rebuilt, compared, hashed and serialized generically.

Children are *adopted* when assigned: a plain ``dict``/``list`` becomes a symbolic
``Dict``/``List``; a symbolic value that already belongs to another tree is cloned, so
one node never has two parents.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Iterator, Optional

from symsearch.symbolic.keypath import Key, format_path, join_path, parse_path


class _Missing:
    """The value of a field that is not bound yet (a *partial* object)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_Missing, ())


MISSING: Any = _Missing()


class Symbolic:
    """Mixin for every node of a symbolic tree.

    Subclasses implement ``sym_items()`` (the children, as ``(key, value)`` pairs),
    ``sym_getitem(key)``, ``_sym_set_child(key, value)`` (validated assignment) and
    ``_sym_rebuild(items)`` (a new node of the same type from children, no validation).
    """

    # Class-level defaults keep freshly built nodes cheap: nothing to set per instance.
    _sym_parent: Optional["Symbolic"] = None
    _sym_key: Optional[Key] = None
    _sym_hash_cache: Optional[bytes] = None
    _sym_space_cache: Any = None

    # ---- tree structure -------------------------------------------------------------
    def sym_items(self) -> Iterator[tuple]:
        raise NotImplementedError(f"{type(self).__name__} must implement sym_items()")

    def sym_getitem(self, key: Key) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement sym_getitem()")

    def _sym_set_child(self, key: Key, value: Any, path: str) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _sym_set_child()")

    def _sym_rebuild(self, items: dict) -> "Symbolic":
        raise NotImplementedError(f"{type(self).__name__} must implement _sym_rebuild()")

    @property
    def sym_parent(self) -> Optional["Symbolic"]:
        return self._sym_parent

    @property
    def sym_root(self) -> "Symbolic":
        node = self
        while node._sym_parent is not None:
            node = node._sym_parent
        return node

    @property
    def sym_path(self) -> str:
        """The key path of this node from the root of its tree (``""`` for the root)."""
        keys = []
        node = self
        while node._sym_parent is not None:
            keys.append(node._sym_key)
            node = node._sym_parent
        return format_path(reversed(keys))

    def sym_get(self, path, default: Any = MISSING) -> Any:
        """The value at a key path (``"a.b[0]"`` or a tuple of keys) below this node."""
        node: Any = self
        for key in parse_path(path):
            try:
                if isinstance(node, Symbolic):
                    node = node.sym_getitem(key)
                elif isinstance(node, (list, tuple)) and isinstance(key, int):
                    node = node[key]
                elif isinstance(node, dict):
                    node = node[key]
                else:
                    raise KeyError(key)
            except (KeyError, IndexError, AttributeError):
                if default is not MISSING:
                    return default
                raise KeyError(f"No value at key path {format_path(parse_path(path))!r} "
                               f"(missing key {key!r}).") from None
        return node

    # ---- change notification --------------------------------------------------------
    def _sym_invalidate(self) -> None:
        """Drops cached hashes, compiled search spaces, tuple trees, plain program data and
        JSON text (``programs.trees``, ``programs.lazy``) from here up to the root."""
        node = self
        while node is not None:
            d = node.__dict__
            d.pop("_sym_hash_cache", None)
            d.pop("_sym_space_cache", None)
            d.pop("_sym_tree_cache", None)
            d.pop("_sym_json_text", None)
            d.pop("_sym_program_cache", None)
            node = d.get("_sym_parent")

    def _sym_changed(self) -> None:
        """Called once after a rebind changed children of this node (derived state)."""

    def _sym_adopt(self, key: Key, value: Any) -> Any:
        """Makes ``value`` a child of this node at ``key`` (see module docstring)."""
        return adopt(self, key, value)

    # ---- user-facing operations -----------------------------------------------------
    def rebind(self, path_values=None, /, *, raise_on_no_change: bool = False,
               **kwargs) -> "Symbolic":
        """Changes values in place, by key path, by keyword, or by a function.

        >>> cfg.rebind({"model.blocks[1].width": 64}, lr=0.1)          # doctest: +SKIP
        >>> cfg.rebind(lambda path, v: v * 2 if path.endswith("width") else v)  # doctest: +SKIP

        A function receives ``(key_path, value)`` for every node below this one and
        returns the new value (or the same object to keep it). Values are validated
        against field annotations; errors name the key path.
        """
        from symsearch.symbolic.rebind import rebind as _rebind
        return _rebind(self, path_values, kwargs, raise_on_no_change)

    def clone(self, deep: bool = True) -> "Symbolic":
        """A copy of this tree. ``deep=False`` shares the non-symbolic leaves' children."""
        from symsearch.symbolic.ops import clone
        return clone(self, deep=deep)

    def missing_values(self) -> dict:
        """``{key_path: MISSING}`` for every field not bound yet."""
        from symsearch.symbolic.ops import missing_values
        return missing_values(self)

    @property
    def is_partial(self) -> bool:
        return bool(self.missing_values())

    def sym_hash(self) -> str:
        from symsearch.symbolic.hashing import sym_hash
        return sym_hash(self)

    def sym_eq(self, other: Any) -> bool:
        from symsearch.symbolic.ops import eq
        return eq(self, other)

    def format(self, compact: bool = False, indent: int = 2) -> str:
        from symsearch.symbolic.formatting import format_value
        return format_value(self, compact=compact, indent=indent)

    def to_json(self) -> Any:
        from symsearch.symbolic.serialization import to_json
        return to_json(self)

    def to_json_str(self, **kwargs) -> str:
        from symsearch.symbolic.serialization import to_json_str
        return to_json_str(self, **kwargs)

    def to_yaml(self) -> str:
        from symsearch.symbolic.serialization import to_yaml
        return to_yaml(self)

    # ---- pickling ---------------------------------------------------------------------
    def __getstate__(self) -> Any:
        # A compiled search space holds closures (not picklable) and is rebuilt on demand.
        default = getattr(super(), "__getstate__", None)  # object.__getstate__: 3.11+
        state = default() if default is not None else self.__dict__
        slots = None
        if isinstance(state, tuple):  # (instance dict, slot values) for classes with slots
            state, slots = state
        if isinstance(state, dict) and "_sym_space_cache" in state:
            state = {k: v for k, v in state.items() if k != "_sym_space_cache"}
        return state if slots is None else (state, slots)


def adopt(parent: Optional[Symbolic], key: Key, value: Any) -> Any:
    """Converts ``value`` into a child of ``parent`` at ``key``.

    Plain dicts and lists become symbolic containers; a symbolic value that already has
    a parent (another node, or ``parent`` itself at another key) is cloned, so a node is
    never in two places. Leaves pass through unchanged.
    """
    cls = type(value)
    if cls is dict:
        from symsearch.symbolic.dict import Dict
        value = Dict(value)
    elif cls is list:
        from symsearch.symbolic.list import List
        value = List(value)
    elif not isinstance(value, Symbolic):
        return value
    elif value._sym_parent is not None and (value._sym_parent is not parent
                                            or value._sym_key != key):
        from symsearch.symbolic.ops import clone
        value = clone(value)
    d = value.__dict__
    d["_sym_parent"] = parent
    d["_sym_key"] = key
    return value


def detach(parent: Symbolic, value: Any) -> None:
    """Makes a child that was removed from ``parent`` a root again (if it still is its child)."""
    if isinstance(value, Symbolic):
        d = value.__dict__
        if d.get("_sym_parent") is parent:
            d.pop("_sym_parent", None)
            d.pop("_sym_key", None)


def deepcopy_state(node: Symbolic, new: Symbolic, memo: dict) -> None:
    """Deep-copies ``node``'s instance dict onto ``new`` (for ``copy.deepcopy``).

    The parent link is kept when the parent is being copied too (it is in ``memo``), so
    a deep-copied tree keeps its structure; otherwise the copy is a root.
    """
    state = dict(node.__dict__)
    state.pop("_sym_space_cache", None)
    parent = state.get("_sym_parent")
    if parent is not None and id(parent) not in memo:
        del state["_sym_parent"]
        state.pop("_sym_key", None)
    new.__dict__.update(copy.deepcopy(state, memo))


def walk(value: Any, fn: Callable[[str, Any], Any], path: str = "") -> None:
    """Calls ``fn(path, v)`` for ``value`` and every value below it, parents first."""
    fn(path, value)
    if isinstance(value, Symbolic):
        for k, v in value.sym_items():
            walk(v, fn, join_path(path, k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            walk(v, fn, join_path(path, i))
    elif isinstance(value, dict):
        for k, v in value.items():
            walk(v, fn, join_path(path, k))
