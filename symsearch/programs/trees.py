"""The hot path of expression trees: tuple trees and the ``Expr`` objects built from them.

Algorithms and mutators work on tuple trees (``("v", name)``, ``("c", value)``,
``(op, (args...))``): immutable, so a child shares every unchanged subtree with its parent
at no cost. The user sees ``Expr`` objects. This module converts between the two without
the generic symbolic machinery:

- :func:`to_tuple` is cached on the node it is asked of (the cache is dropped when the node
  or anything below it changes), so a tree converted once is never walked again;
- :func:`from_tuple` builds the ``Expr`` directly (checking ops and arities, not re-running
  the field checks of every node), and remembers the tuple tree on the root;
- :func:`tree_digest` and :func:`tree_json` give exactly the bytes ``ss.hash`` and the JSON
  ``ss.to_json`` give for the ``Expr`` of a tuple tree, without building it.

>>> t = ("add", (("v", "x"), ("c", 1.0)))
>>> e = from_tuple(t)
>>> to_tuple(e) is t
True
>>> import symsearch as ss
>>> tree_digest(t).hex() == ss.hash(e)
True
>>> tree_json(t) == ss.to_json(e)
True
"""
from __future__ import annotations

import json as _json
from typing import Any

from symsearch.programs.expr import Call, Const, Expr, Var
from symsearch.programs.ops import REGISTRY
from symsearch.symbolic.hashing import (DIGEST_SIZE, _blake2b, _float_bytes, _node_prefix,
                                       register_digester)
from symsearch.symbolic.list import List
from symsearch.symbolic.serialization import register_json_encoder

#: [programs.lazy.lazy_expr] once imported (on first use: that module imports this one;
#: an import statement on every proposal costs more than the rest of the call).
_LAZY_EXPR: list = []


class Tree(tuple):
    """A tuple tree as a decision's value in a DNA: what genetic programming proposes.

    It is plain data (an immutable tuple, shared freely between parents and children);
    the candidate built from it is a new ``Expr`` (:func:`from_tuple`), and it is stored
    as a flat list in prefix order (``{"_tree": ["add", "$x", 1.0]}``), not as typed
    ``Expr`` JSON.

    >>> t = Tree(("neg", (("v", "x"),)))
    >>> import symsearch as ss
    >>> ss.materialize(ss.evolve(ss.programs.Var("x"), lambda v, rng: v), ss.DNA([t]))
    Call(op='neg', args=[Var(name='x')])
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Tree({tuple.__repr__(self)})"

    @staticmethod
    def _sym_clone_value(tree: "Tree") -> Expr:
        # The candidate a DNA holding this tree materializes to (see hyper.compile): a
        # lazy Expr, whose nodes are built only if something reads them.
        if not _LAZY_EXPR:
            from symsearch.programs.lazy import lazy_expr
            _LAZY_EXPR.append(lazy_expr)
        return _LAZY_EXPR[0](tree)

    def _dna_json(self) -> dict:
        flat: list = []
        _flatten(self, flat)
        return {"_tree": flat}

    @classmethod
    def from_json(cls, data: Any) -> "Tree":
        """The tree of ``{"_tree": data}``: the nodes in prefix order, ops by name (their
        arity says how many nodes follow), variables as ``"$name"``, constants as numbers."""
        if not isinstance(data, (list, tuple)) or not data:
            raise ValueError(f"a stored tree must be a non-empty list, got {data!r}")
        tree, end = _unflatten(data, 0)
        if end != len(data):
            raise ValueError(f"a stored tree has {len(data) - end} node(s) after its end")
        return cls(tree)

    def __reduce__(self):
        return (Tree, (tuple(self),))


def _flatten(tree: tuple, out: list) -> None:
    head = tree[0]
    if head == "v":
        out.append("$" + tree[1])
    elif head == "c":
        out.append(float(tree[1]))
    else:
        out.append(head)
        for a in tree[1]:
            _flatten(a, out)


def _unflatten(data, i: int):
    token = data[i]
    if type(token) is str:
        if token.startswith("$"):
            return ("v", token[1:]), i + 1
        arity = _ARITY.get(token)
        if arity is None:
            arity = _ARITY[token] = REGISTRY.get(token).arity   # names the unknown op
        args = []
        i += 1
        for _ in range(arity):
            if i >= len(data):
                raise ValueError(f"a stored tree ends inside op {token!r}")
            arg, i = _unflatten(data, i)
            args.append(arg)
        return (token, tuple(args)), i
    if isinstance(token, (int, float)) and not isinstance(token, bool):
        return ("c", float(token)), i + 1
    raise ValueError(f"not a node of a stored tree: {token!r}")


def as_tree(value: Any) -> tuple:
    """A tuple tree for an ``Expr`` (cached) or a tuple tree (returned as it is)."""
    return value if isinstance(value, tuple) else to_tuple(value)


#: Where a node keeps its tuple tree (dropped by ``Symbolic._sym_invalidate`` on change).
TREE_CACHE = "_sym_tree_cache"

_ARITY: dict = {}


def to_tuple(expr: Expr) -> tuple:
    """An expression as nested tuples (cheap to mutate and compare); cached on ``expr``."""
    d = expr.__dict__
    tree = d.get(TREE_CACHE)
    if tree is None:
        tree = d[TREE_CACHE] = _to_tuple(expr)
    return tree


def _to_tuple(expr: Expr) -> tuple:
    cls = type(expr)
    if cls is Var:
        return ("v", expr.name)
    if cls is Const:
        return ("c", float(expr.value))
    if cls is Call:
        cached = expr.__dict__.get(TREE_CACHE)
        if cached is not None:
            return cached
        return (expr.op, tuple([_to_tuple(a) for a in expr.args]))
    raise TypeError(f"not an expression node: {type(expr).__name__} {expr!r}")


def from_tuple(tree: tuple) -> Expr:
    """The expression of a tuple tree (a new tree of ``Expr`` nodes; the root remembers
    ``tree``). Unknown ops and wrong arities raise as ``Call(...)`` does."""
    expr = _build(tree)
    expr.__dict__[TREE_CACHE] = tree
    return expr


_new = object.__new__


def _build(tree: tuple) -> Expr:
    head = tree[0]
    if head == "v":
        name = tree[1]
        if type(name) is not str or not name:
            return Var(name)                       # raises the usual error
        node = _new(Var)
        d = node.__dict__
        d["_sym_args"] = {"name": name}
        d["name"] = name
        return node
    if head == "c":
        value = float(tree[1])
        node = _new(Const)
        d = node.__dict__
        d["_sym_args"] = {"value": value}
        d["value"] = value
        return node
    sub = tree[1]
    if not _arity_matches(head, sub):
        return Call(head, [_build(a) for a in sub])   # raises the usual error
    children = [_build(a) for a in sub]
    return _call_node(head, children)


def _arity_matches(head: str, sub: tuple) -> bool:
    """Whether ``head`` is a registered op taking ``len(sub)`` arguments (arity cached)."""
    arity = _ARITY.get(head)
    if arity is None and head in REGISTRY:
        arity = _ARITY[head] = REGISTRY.get(head).arity
    return arity is not None and len(sub) == arity


def _call_node(head: str, children: list) -> Call:
    """A ``Call`` of already checked children, linked to them without re-validation."""
    args = List.__new__(List)
    list.extend(args, children)
    for i, child in enumerate(children):
        cd = child.__dict__
        cd["_sym_parent"] = args
        cd["_sym_key"] = i
    node = _new(Call)
    d = node.__dict__
    d["_sym_args"] = {"op": head, "args": args}
    d["op"] = head
    d["args"] = args
    ad = args.__dict__
    ad["_sym_parent"] = node
    ad["_sym_key"] = "args"
    return node


def build_candidate(tree: tuple) -> Expr:
    """:func:`from_tuple`, with the digest (``ss.hash``) and the JSON text
    (``ss.to_json_str``) of the result made in the same walk and cached on it: a candidate
    is built, hashed and stored once per trial (a search's candidates are lazier still:
    ``programs.lazy``)."""
    digest: list = []
    text: list = []
    expr = _build_all(tree, digest, text)
    d = expr.__dict__
    d[TREE_CACHE] = tree
    d["_sym_hash_cache"] = _blake2b(b"".join(digest), digest_size=DIGEST_SIZE).digest()
    d["_sym_json_text"] = "".join(text)
    return expr


_JSON_STR: dict = {}
_VAR_PREFIX = _CONST_PREFIX = _CALL_PREFIX = b""


def _json_str(s: str) -> str:
    out = _JSON_STR.get(s)
    if out is None:
        out = _json.dumps(s)
        if len(_JSON_STR) < 10_000:
            _JSON_STR[s] = out
    return out


def _json_float(v: float) -> str:
    if v != v:
        return "NaN"
    if v in (_INF, -_INF):
        return "Infinity" if v > 0 else "-Infinity"
    return float.__repr__(v)


_INF = float("inf")


def _build_all(tree: tuple, digest: list, text: list) -> Expr:
    head = tree[0]
    if head == "c":
        node = _build(tree)
        value = node.value
        digest.append(_CONST_PREFIX + _float_bytes(value) + b">")
        text.append('{"_type": "symsearch.programs.Const", "value": ' + _json_float(value)
                    + "}")
        return node
    if head == "v":
        node = _build(tree)
        b = node.name.encode("utf-8")
        digest.append(_VAR_PREFIX + b"s%d:" % len(b) + b + b">")
        text.append('{"_type": "symsearch.programs.Var", "name": ' + _json_str(node.name) + "}")
        return node
    sub = tree[1]
    if not _arity_matches(head, sub):
        return Call(head, [_build(a) for a in sub])   # raises the usual error
    b = head.encode("utf-8")
    digest.append(_CALL_PREFIX + b"s%d:" % len(b) + b + b"args=[")
    text.append('{"_type": "symsearch.programs.Call", "op": ' + _json_str(head) + ', "args": [')
    children = []
    for i, a in enumerate(sub):
        if i:
            text.append(", ")
        children.append(_build_all(a, digest, text))
    digest.append(b"]>")
    text.append("]}")
    return _call_node(head, children)


# ---- nodes by preorder index ----------------------------------------------------------------
# ``rng.randrange(size(t))`` then ``node_at``/``replace_at`` draws the same node as
# ``rng.choice(tree_paths(t))`` without building the list of every node's path.

def size(tree: tuple) -> int:
    """Number of nodes of a tuple tree."""
    if tree[0] in _LEAVES:
        return 1
    n = 1
    for a in tree[1]:
        n += size(a)
    return n


def subtree_sizes(tree: tuple, out: Any = None) -> dict:
    """``{id(node): number of nodes below and at it}`` for every node of ``tree`` (valid
    while ``tree`` is alive); lets :func:`node_at` and :func:`replace_at` skip subtrees."""
    if out is None:
        out = {}
    n = 1
    if tree[0] not in _LEAVES:
        for a in tree[1]:
            subtree_sizes(a, out)
            n += out[id(a)]
    out[id(tree)] = n
    return out


def node_at(tree: tuple, k: int, sizes: Any = None) -> tuple:
    """The ``k``-th node of ``tree`` in preorder (0 is the root)."""
    if sizes is None:
        sizes = subtree_sizes(tree)
    while k:
        k -= 1
        for a in tree[1]:
            n = sizes[id(a)]
            if k < n:
                tree = a
                break
            k -= n
    return tree


def replace_at(tree: tuple, k: int, new: tuple, sizes: Any = None) -> tuple:
    """``tree`` with its ``k``-th node (preorder) replaced by ``new``; every other subtree
    is shared, not copied."""
    if sizes is None:
        sizes = subtree_sizes(tree)
    if k == 0:
        return new
    k -= 1
    args = tree[1]
    if len(args) == 2:                  # spelled out: the path of every GP child
        a, b = args
        n = sizes[id(a)]
        if k < n:
            return (tree[0], (replace_at(a, k, new, sizes), b))
        k -= n
        if k < sizes[id(b)]:
            return (tree[0], (a, replace_at(b, k, new, sizes)))
        raise IndexError("node index out of range")
    for i, a in enumerate(args):
        n = sizes[id(a)]
        if k < n:
            return (tree[0], args[:i] + (replace_at(a, k, new, sizes),) + args[i + 1:])
        k -= n
    raise IndexError("node index out of range")


def fits(tree: tuple, max_depth: int, max_size: int) -> bool:
    """Whether ``tree`` has at most ``max_depth`` levels and ``max_size`` nodes (stops
    walking as soon as it knows)."""
    budget = [max_size]

    def walk(t, level):
        budget[0] -= 1
        if budget[0] < 0 or level > max_depth:
            return False
        if t[0] in _LEAVES:
            return True
        for a in t[1]:
            if not walk(a, level + 1):
                return False
        return True
    return walk(tree, 1)


_LEAVES = ("v", "c")


class ShapeMemo:
    """Sizes and depths of tuple-tree nodes, remembered by node identity.

    Children share most subtrees with their parents, so a search that measures every
    child (does it fit the limits? which node is the k-th?) walks only the nodes a child
    does not share. The memo keeps every tree it measured alive, so an id is never
    reused while it is remembered; :meth:`clear` it when those trees are no longer needed.

    >>> memo = ShapeMemo()
    >>> memo.measure(("add", (("v", "x"), ("neg", (("c", 1.0),)))))
    (4, 3)
    """

    __slots__ = ("sizes", "depths", "_alive")

    def __init__(self) -> None:
        self.sizes: dict = {}       # id(node) -> number of nodes at and below it
        self.depths: dict = {}      # id(node) -> levels at and below it (a leaf has 1)
        self._alive: list = []

    def measure(self, tree: tuple) -> tuple:
        """``(size, depth)`` of ``tree``; every node below it is remembered too."""
        i = id(tree)
        size = self.sizes.get(i)
        if size is not None:
            return size, self.depths[i]
        self._alive.append(tree)
        return self._measure(tree)

    def _measure(self, tree: tuple) -> tuple:
        i = id(tree)
        sizes = self.sizes
        size = sizes.get(i)
        if size is not None:
            return size, self.depths[i]
        if tree[0] in _LEAVES:
            size = depth = 1
        else:
            size, depth = 1, 0
            depths = self.depths
            for a in tree[1]:
                j = id(a)
                s = sizes.get(j)             # looked up here: most children are known
                if s is None:
                    if a[0] in _LEAVES:      # a new leaf (mutation draws them)
                        sizes[j] = depths[j] = s = d = 1
                    else:
                        s, d = self._measure(a)
                else:
                    d = depths[j]
                size += s
                if d > depth:
                    depth = d
            depth += 1
        sizes[i] = size
        self.depths[i] = depth
        return size, depth

    def fits(self, tree: tuple, max_depth: int, max_size: int) -> bool:
        """Whether ``tree`` has at most ``max_depth`` levels and ``max_size`` nodes."""
        size, depth = self.measure(tree)
        return size <= max_size and depth <= max_depth

    def clear(self) -> None:
        self.sizes.clear()
        self.depths.clear()
        self._alive.clear()

    def __len__(self) -> int:
        return len(self.sizes)


# ---- hashing and JSON straight from tuple trees --------------------------------------------

def tree_digest(tree: tuple) -> bytes:
    """``ss.hash``'s digest of ``from_tuple(tree)``, computed from the tuple tree."""
    parts: list = []
    _feed(tree, parts, _node_prefix(Var) + b"name=", _node_prefix(Const) + b"value=",
          _node_prefix(Call) + b"op=")
    return _blake2b(b"".join(parts), digest_size=DIGEST_SIZE).digest()


def _feed(tree, parts, var_prefix, const_prefix, call_prefix) -> None:
    head = tree[0]
    if head == "v":
        b = tree[1].encode("utf-8")
        parts.append(var_prefix + b"s%d:" % len(b) + b + b">")
    elif head == "c":
        parts.append(const_prefix + _float_bytes(float(tree[1])) + b">")
    else:
        b = head.encode("utf-8")
        parts.append(call_prefix + b"s%d:" % len(b) + b + b"args=[")
        for a in tree[1]:
            _feed(a, parts, var_prefix, const_prefix, call_prefix)
        parts.append(b"]>")


def with_digest(expr: Expr) -> Expr:
    """``expr`` with its structural digest cached, computed from its tuple tree."""
    d = expr.__dict__
    if d.get("_sym_hash_cache") is None:
        d["_sym_hash_cache"] = tree_digest(to_tuple(expr))
    return expr


_VAR, _CONST, _CALL = "symsearch.programs.Var", "symsearch.programs.Const", \
    "symsearch.programs.Call"


def tree_json(tree: tuple) -> Any:
    """``ss.to_json(from_tuple(tree))``, computed from the tuple tree."""
    head = tree[0]
    if head == "v":
        return {"_type": _VAR, "name": tree[1]}
    if head == "c":
        return {"_type": _CONST, "value": float(tree[1])}
    return {"_type": _CALL, "op": head, "args": [tree_json(a) for a in tree[1]]}


def _expr_json(expr: Expr) -> Any:
    return tree_json(to_tuple(expr))


def _expr_digest(expr: Expr) -> bytes:
    return tree_digest(to_tuple(expr))


for _cls in (Var, Const, Call):
    register_json_encoder(_cls, _expr_json)
    register_digester(_cls, _expr_digest)
_VAR_PREFIX = _node_prefix(Var) + b"name="
_CONST_PREFIX = _node_prefix(Const) + b"value="
_CALL_PREFIX = _node_prefix(Call) + b"op="

__all__ = ["Tree", "as_tree", "size", "subtree_sizes", "node_at", "replace_at", "fits", "ShapeMemo", "to_tuple", "from_tuple", "tree_digest", "tree_json", "with_digest", "TREE_CACHE"]
