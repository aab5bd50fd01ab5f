"""Canonical forms of DAG cells, on plain tuples (the hashing hot path).

A cell is ``ops``, one op per edge in NAS-Bench-201's edge order (:func:`nb201_edges`), over
``n_nodes`` nodes: node 0 the input, node ``n_nodes - 1`` the output, every node the sum of its
incoming edges' ops. Two levels of "the same architecture" (see
:mod:`symsearch.spaces.nas_cell` for what they count on NAS-Bench-201):

- ``"graph"``: zero and dead edges dropped, isomorphic cells (intermediate nodes renumbered)
  identical; the key is the smallest renumbered op tuple.
- ``"function"``: also what the ops mean (identity, parameter-free ops, commutative sums),
  with each parameterized op a separate weight; the key is a canonical computation DAG.

>>> dead = ("nor_conv_3x3", "nor_conv_3x3", "none", "none", "nor_conv_1x1", "none")
>>> alive = ("nor_conv_3x3", "none", "none", "none", "nor_conv_1x1", "none")
>>> canonical_key(dead, 4) == canonical_key(alive, 4)             # 0->2 leads nowhere
True
"""
from __future__ import annotations

import hashlib
import itertools
from typing import Any, Optional

#: The op that is the zero function: its edges carry nothing.
ZERO_OPS = frozenset({"none", "zero"})
#: Ops that are the identity.
IDENTITY_OPS = frozenset({"skip_connect", "identity"})
#: Ops without weights: applied to the same value they give the same value. Any op not listed
#: here (or above) is treated as having its own weights on every edge, which never merges two
#: cells that differ.
PARAMETER_FREE_OPS = frozenset({"avg_pool_3x3", "max_pool_3x3"})

LEVELS = ("graph", "function")
_MAX_NODES_EXACT = 10          # (n-2)! relabelings are tried; 8! = 40,320 at 10 nodes


def nb201_edges(n_nodes: int = 4) -> list:
    """The edges ``(i, j)`` of an ``n_nodes`` cell in NAS-Bench-201's order."""
    _check_n_nodes(n_nodes)
    return [(i, j) for j in range(1, n_nodes) for i in range(j)]


def num_edges(n_nodes: int) -> int:
    return n_nodes * (n_nodes - 1) // 2


def _check_n_nodes(n_nodes: Any) -> None:
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, int) or n_nodes < 2:
        raise ValueError(f"Cell.n_nodes must be an int >= 2, got {n_nodes!r}")


def canonical_key(ops: tuple, n_nodes: int, level: str = "graph") -> tuple:
    """The canonical key of the cell ``(ops, n_nodes)`` (see the module docstring)."""
    if level == "graph":
        return ("graph", n_nodes, _graph_canonical(n_nodes, ops))
    if level == "function":
        return ("function",) + _function_canonical(n_nodes, ops)
    raise ValueError(f"canonical level must be one of {LEVELS}, got {level!r}")


def digest(key: tuple) -> str:
    return hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()


def live_edge_indices(n_nodes: int, ops: tuple) -> list:
    edges = nb201_edges(n_nodes)
    reach = [False] * n_nodes
    reach[0] = True
    for k, (i, j) in enumerate(edges):            # edges are sorted by target: sources final
        if reach[i] and ops[k] not in ZERO_OPS:
            reach[j] = True
    to_output = [False] * n_nodes
    to_output[-1] = True
    for k in sorted(range(len(edges)), key=lambda k: -edges[k][0]):
        i, j = edges[k]
        if to_output[j] and ops[k] not in ZERO_OPS:
            to_output[i] = True
    return [k for k, (i, j) in enumerate(edges)
            if ops[k] not in ZERO_OPS and reach[i] and to_output[j]]


def _graph_canonical(n_nodes: int, ops: tuple) -> tuple:
    edges = nb201_edges(n_nodes)
    live = live_edge_indices(n_nodes, ops)
    index = {e: k for k, e in enumerate(edges)}
    live_edges = [(edges[k][0], edges[k][1], ops[k]) for k in live]
    middle = list(range(1, n_nodes - 1))
    if len(middle) > _MAX_NODES_EXACT - 2:
        raise ValueError(f"canonical forms try every renumbering of the intermediate nodes; "
                         f"a {n_nodes}-node cell has too many (at most {_MAX_NODES_EXACT} nodes)")
    best = None
    for perm in itertools.permutations(middle):
        mapping = {0: 0, n_nodes - 1: n_nodes - 1, **dict(zip(middle, perm))}
        out = ["none"] * len(edges)
        valid = True
        for i, j, op in live_edges:
            a, b = mapping[i], mapping[j]
            if a >= b:
                valid = False
                break
            out[index[(a, b)]] = op
        if valid:
            candidate = tuple(out)
            if best is None or candidate < best:
                best = candidate
    return best


def _function_canonical(n_nodes: int, ops: tuple) -> tuple:
    """A canonical labeled computation DAG: value numbering with parameter-free ops and sums
    interned, each parameterized op application a node of its own, then the smallest
    numbering among those that agree with the nodes' unfolded expressions."""
    edges = nb201_edges(n_nodes)
    live = set(live_edge_indices(n_nodes, ops))
    values: list = [("input", "", ())]              # value id -> (kind, label, children)
    interned: dict = {values[0]: 0}

    def intern(node: tuple) -> int:
        found = interned.get(node)
        if found is None:
            found = interned[node] = len(values)
            values.append(node)
        return found

    node_value: list = [0] + [None] * (n_nodes - 1)
    incoming: dict = {j: [] for j in range(n_nodes)}
    for k, (i, j) in enumerate(edges):
        if k in live:
            incoming[j].append((i, ops[k]))
    for j in range(1, n_nodes):
        terms = []
        for i, op in incoming[j]:
            source = node_value[i]
            if source is None:
                continue
            if op in IDENTITY_OPS:
                terms.append(source)
            elif op in PARAMETER_FREE_OPS:
                terms.append(intern(("op", op, (source,))))
            else:                                     # own weights: never interned
                values.append(("op", op, (source,)))
                terms.append(len(values) - 1)
        if not terms:
            node_value[j] = None
        elif len(terms) == 1:
            node_value[j] = terms[0]
        else:
            node_value[j] = intern(("sum", "+", tuple(sorted(terms))))
    out = node_value[-1]
    if out is None:
        return ("zero",)
    # Values reachable from the output, and each one's unfolded expression (an invariant).
    reachable, stack = set(), [out]
    while stack:
        v = stack.pop()
        if v not in reachable:
            reachable.add(v)
            stack.extend(values[v][2])
    text: dict = {}

    def unfold(v: int) -> str:
        if v not in text:
            kind, label, children = values[v]
            if kind == "input":
                text[v] = "x"
            elif kind == "op":
                text[v] = f"{label}({unfold(children[0])})"
            else:
                text[v] = "[" + "+".join(sorted(unfold(c) for c in children)) + "]"
        return text[v]

    for v in sorted(reachable):
        unfold(v)
    classes: dict = {}
    for v in sorted(reachable):
        classes.setdefault(text[v], []).append(v)
    ordered = [classes[t] for t in sorted(classes)]
    best: Optional[tuple] = None
    for choice in itertools.product(*(itertools.permutations(c) for c in ordered)):
        number = {v: n for n, v in enumerate(itertools.chain.from_iterable(choice))}
        encoded = tuple(sorted(
            (number[v], values[v][0], values[v][1],
             tuple(sorted(number[c] for c in values[v][2]))) for v in reachable))
        if best is None or encoded < best:
            best = encoded
    return (text[out], best)


def _edge_list_text(n_nodes: int) -> str:
    return ", ".join(f"{i}->{j}" for i, j in nb201_edges(n_nodes))
