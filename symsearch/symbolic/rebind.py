"""``rebind``: change a symbolic tree in place, validated, with key-path errors."""
from __future__ import annotations

from typing import Any, Callable

from symsearch.symbolic.base import Symbolic
from symsearch.symbolic.keypath import format_path, join_path, parse_path
from symsearch.symbolic.record import Record
from symsearch.symbolic.validation import _accept


def rebind(root: Symbolic, path_values: Any, kwargs: dict,
           raise_on_no_change: bool = False) -> Symbolic:
    """See :meth:`Symbolic.rebind`."""
    updates: dict = {}
    if callable(path_values) and not isinstance(path_values, dict):
        updates.update(_collect_function_updates(root, path_values))
    elif path_values is not None:
        if not isinstance(path_values, dict):
            raise TypeError(f"rebind() takes a dict of key paths, keyword arguments or a "
                            f"function of (path, value); got {type(path_values).__name__}")
        updates.update(path_values)
    updates.update(kwargs)
    if not updates:
        if raise_on_no_change:
            raise ValueError("rebind() made no change.")
        return root

    prefix = root.sym_path
    touched: dict = {}
    for path, value in updates.items():
        keys = parse_path(path)
        if not keys:
            raise ValueError("rebind() cannot replace the root itself; rebind its fields.")
        full = _full_path(prefix, keys)
        parent = root.sym_get(keys[:-1]) if len(keys) > 1 else root
        if not isinstance(parent, Symbolic):
            raise TypeError(f"Cannot rebind {full!r}: its parent is a "
                            f"{type(parent).__name__}, not a symbolic value.")
        key = keys[-1]
        if isinstance(parent, list) and not isinstance(key, int):
            raise KeyError(f"Cannot rebind {full!r}: a list is indexed by integers.")
        if not isinstance(parent, Record):
            _check_in_field(parent, key, value)
        if isinstance(parent, list) and key == len(parent):
            parent.append(value)
        else:
            parent._sym_set_child(key, value, full)
        touched[id(parent)] = parent
    notify_changed(touched.values())
    return root


def notify_changed(nodes) -> None:
    """Calls ``_sym_changed`` on changed nodes and all their ancestors, deepest first.

    An ancestor's derived state (a symbolized class's constructed instance, an
    ``Object._on_bound`` result) depends on everything below it.
    """
    pending: dict = {}
    for node in nodes:
        while node is not None and id(node) not in pending:
            pending[id(node)] = node
            node = node._sym_parent
    for node in sorted(pending.values(), key=_depth, reverse=True):
        node._sym_changed()


def _check_in_field(parent: Symbolic, key: Any, value: Any) -> None:
    """Checks a new element of a ``Dict``/``List`` against the annotation of the record
    field that holds the container (``widths: list[int]`` for ``"widths[0]"``)."""
    keys = [key]
    node = parent
    while not isinstance(node, Record):
        owner = node._sym_parent
        if owner is None:
            return
        keys.append(node._sym_key)
        node = owner
    keys.reverse()
    field = keys[0]
    checker = type(node)._sym_fields.checkers.get(field)
    if checker is None or checker is _accept:
        return
    candidate = _with_replaced(node._sym_args[field], keys[1:], value)
    checker(candidate, join_path(node.sym_path, field))


def _with_replaced(container: Any, keys: list, value: Any) -> Any:
    """A plain shallow copy of ``container`` with the value at ``keys`` replaced."""
    key = keys[0]
    replaced = list(container) if isinstance(container, list) else dict(container)
    new = value if len(keys) == 1 else _with_replaced(container[key], keys[1:], value)
    if isinstance(replaced, list) and key == len(replaced):
        replaced.append(new)
    else:
        replaced[key] = new
    return replaced


def _full_path(prefix: str, keys: tuple) -> str:
    rel = format_path(keys)
    if not prefix:
        return rel
    return prefix + rel if rel.startswith("[") else f"{prefix}.{rel}"


def _depth(node: Symbolic) -> int:
    depth = 0
    while node._sym_parent is not None:
        node = node._sym_parent
        depth += 1
    return depth


def _collect_function_updates(root: Symbolic, fn: Callable[[str, Any], Any]) -> dict:
    """Calls ``fn(path, value)`` top-down; a returned new object replaces the value."""
    updates = {}

    def visit(node: Symbolic, path: str):
        for key, value in list(node.sym_items()):
            child_path = join_path(path, key)
            new = fn(child_path, value)
            if new is not value:
                updates[child_path] = new
            elif isinstance(value, Symbolic):
                visit(value, child_path)
    visit(root, "")
    return updates
