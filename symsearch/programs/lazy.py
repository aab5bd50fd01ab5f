"""Lazy candidates: symbolic expressions that stay plain data until something reads them.

A search over expression trees proposes a tuple tree per trial (``programs.trees.Tree``)
and hands the evaluator an ``Expr``. Most evaluators only *run* the expression
(:func:`symsearch.programs.evaluate`, lowering, hashing), which the tuple tree answers
without any ``Expr`` node. So the candidate is a **lazy** ``Expr``: a real ``Call`` (or
``Var``/``Const``) object holding only its tuple tree, its digest (``ss.hash``) and its
JSON text. The first read of a field (``expr.args``, ``expr.op``, printing, ``rebind``,
``ss.query``, ...) builds the nodes below it, with the usual parent links, and from then
on it is an ordinary ``Expr``. Nothing a user can do tells the two apart, except that a
candidate nobody reads costs a few microseconds instead of one object per node (and the
garbage collector's time for their reference cycles).

>>> import symsearch as ss
>>> e = lazy_expr(("add", (("v", "x"), ("c", 1.0))))
>>> is_lazy(e)
True
>>> ss.hash(e) == ss.hash(ss.programs.call("add", "x", 1.0)), is_lazy(e)
(True, True)
>>> e.args[1].value, is_lazy(e)
(1.0, False)
"""
from __future__ import annotations

from typing import Any

from symsearch.programs.expr import Call, Const, Expr, Var
from symsearch.programs.trees import (TREE_CACHE, _CALL_PREFIX, _CONST_PREFIX, _VAR_PREFIX,
                                      _arity_matches, _build, _json_float, _json_str,
                                      from_tuple)
from symsearch.symbolic.hashing import DIGEST_SIZE, _blake2b, _float_bytes

_new = object.__new__
_CLASS = {"v": Var, "c": Const}


def lazy_expr(tree: tuple) -> Expr:
    """The ``Expr`` of a tuple tree, built lazily (see the module docstring), with its
    digest and JSON text computed in one walk of the tree. Unknown ops, wrong arities and
    bad variable names raise here, as ``from_tuple`` does."""
    if len(_DESCRIBED) > _MEMO_LIMIT:
        _DESCRIBED.clear()
    described = _describe(tree)
    if described is None:
        from_tuple(tree)                     # raises the usual error
        raise ValueError(f"not an expression tree: {tree!r}")
    node = _new(_CLASS.get(tree[0], Call))
    d = node.__dict__
    d[TREE_CACHE] = tree
    d["_sym_hash_cache"] = _blake2b(described[0], digest_size=DIGEST_SIZE).digest()
    d["_sym_json_text"] = described[1]
    return node


#: ``id(subtree) -> (subtree, digest bytes, JSON text)`` of the op nodes described lately.
#: A child shares most subtrees with its parents, so describing it walks only what is new.
#: The entry holds the subtree, so its id is not reused while it is remembered.
_DESCRIBED: dict = {}
_MEMO_LIMIT = 20_000


def _describe(tree: tuple):
    """``(digest bytes, JSON text)`` of ``tree`` (what ``ss.hash`` and ``ss.to_json_str``
    read from its ``Expr``), or None when it is not a valid tree."""
    head = tree[0]
    if head == "c":
        value = float(tree[1])
        return (_CONST_PREFIX + _float_bytes(value) + b">",
                '{"_type": "symsearch.programs.Const", "value": ' + _json_float(value) + "}")
    if head == "v":
        name = tree[1]
        if type(name) is not str or not name:
            return None
        b = name.encode("utf-8")
        return (_VAR_PREFIX + b"s%d:" % len(b) + b + b">",
                '{"_type": "symsearch.programs.Var", "name": ' + _json_str(name) + "}")
    hit = _DESCRIBED.get(id(tree))
    if hit is not None:
        return hit[1], hit[2]
    sub = tree[1]
    if type(head) is not str or not _arity_matches(head, sub):
        return None
    parts = [_describe(a) for a in sub]
    if None in parts:
        return None
    b = head.encode("utf-8")
    digest = b"".join([_CALL_PREFIX, b"s%d:" % len(b), b, b"args=["]
                      + [p[0] for p in parts] + [b"]>"])
    text = ('{"_type": "symsearch.programs.Call", "op": ' + _json_str(head) + ', "args": ['
            + ", ".join([p[1] for p in parts]) + "]}")
    _DESCRIBED[id(tree)] = (tree, digest, text)
    return digest, text


def is_lazy(expr: Any) -> bool:
    """Whether ``expr`` is a lazy ``Expr`` whose nodes were not built yet."""
    d = getattr(expr, "__dict__", None)
    return isinstance(expr, Expr) and d is not None and "_sym_args" not in d \
        and TREE_CACHE in d


def fill(node: Expr) -> bool:
    """Builds the fields of a lazy ``node`` from its tuple tree (children link to it as
    usual); False if ``node`` is not lazy."""
    d = node.__dict__
    tree = d.get(TREE_CACHE)
    if tree is None or "_sym_args" in d:
        return False
    built = _build(tree).__dict__
    args = built.get("args")
    d.update(built)
    if args is not None:
        args.__dict__["_sym_parent"] = node
    return True


__all__ = ["lazy_expr", "is_lazy", "fill"]
