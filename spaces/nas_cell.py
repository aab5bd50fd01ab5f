"""A NAS-Bench-201-style cell: a DAG of ``n_nodes`` nodes whose every edge carries one op.

Node 0 is the cell's input, node ``n_nodes - 1`` its output, and every node is the sum of its
incoming edges' ops applied to their source nodes. ``Cell.ops`` holds one op per edge in
NAS-Bench-201's edge order: for ``j`` in ``1..n_nodes-1``, for ``i`` in ``0..j-1``, edge
``i -> j`` (for 4 nodes: 0->1, 0->2, 1->2, 0->3, 1->3, 2->3), the order of its
``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`` architecture strings.

Two canonical forms say when two cells are the same architecture (``Cell.canonical_hash``):

- ``level="graph"`` (:meth:`Cell.canonical`): ``none`` edges and *dead* edges (edges on no
  input -> output path) are dropped, and cells that are isomorphic (intermediate nodes
  renumbered) are identical. On NAS-Bench-201's 15,625 cells this leaves 8,765 classes.
- ``level="function"``: also what the ops mean: ``skip_connect`` is the identity (a node fed by
  one skip edge *is* its source node), parameter-free ops (``avg_pool_3x3``) applied to the same
  value give the same value, sums are commutative; parameterized ops (convolutions) are
  separate weights, so sharing is kept exact (the canonical form is a labeled computation DAG,
  not an unfolded expression). This leaves 6,147 classes of NAS-Bench-201.

NAS-Bench-201 itself reports 6,466 unique architectures: that is the count of its code's
``to_unique_str(consider_zero=True)`` rule (skip as identity, sums sorted, zero inputs kept as
``#`` terms), which :func:`symsearch.evaluators.nas_bench201.paper_unique_str` reproduces
exactly; see ``benchmarks/README.md`` for why the counts differ.

>>> cell = Cell(["nor_conv_3x3", "none", "skip_connect", "none", "none", "nor_conv_1x1"])
>>> cell.to_arch_str()
'|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|nor_conv_1x1~2|'
>>> Cell.from_arch_str(cell.to_arch_str()) == cell
True
>>> dead = Cell(["nor_conv_3x3", "nor_conv_3x3", "none", "none", "nor_conv_1x1", "none"])
>>> alive = Cell(["nor_conv_3x3", "none", "none", "none", "nor_conv_1x1", "none"])
>>> dead.canonical_hash() == alive.canonical_hash()          # 0->2 leads nowhere
True
>>> a = Cell(["nor_conv_3x3", "nor_conv_1x1", "none", "none", "skip_connect", "avg_pool_3x3"])
>>> b = Cell(["nor_conv_1x1", "nor_conv_3x3", "none", "none", "avg_pool_3x3", "skip_connect"])
>>> a.canonical_hash() == b.canonical_hash()                 # nodes 1 and 2 swapped
True
>>> via_skip = Cell(["nor_conv_3x3", "none", "skip_connect", "none", "none", "nor_conv_1x1"])
>>> via_skip.canonical_hash() == alive.canonical_hash()      # different graphs ...
False
>>> via_skip.canonical_hash("function") == alive.canonical_hash("function")  # same function
True
"""
from __future__ import annotations

import hashlib
import itertools
import re
from typing import Iterable, Optional, Sequence

import symsearch as ss
from symsearch.cache.hasher import FunctionalHasher
from symsearch.hyper.base import HyperValue
from symsearch.spaces.nas_canonical import (LEVELS, ZERO_OPS, _check_n_nodes, _edge_list_text,
                                            canonical_key, digest, live_edge_indices,
                                            nb201_edges, num_edges)

NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")

class Cell(ss.Object):
    """A DAG cell: ``ops[k]`` is the op on the ``k``-th edge in NAS-Bench-201 order.

    ``ops`` may hold hyper-values (``ss.oneof``) to make a search space; see
    :func:`cell_space`.
    """

    ops: list
    n_nodes: int = 4

    def _on_bound(self) -> None:
        if isinstance(self.ops, HyperValue) or isinstance(self.n_nodes, HyperValue):
            return                  # a space over whole cells: checked once materialized
        _check_n_nodes(self.n_nodes)
        expected = num_edges(self.n_nodes)
        if len(self.ops) != expected:
            raise ValueError(
                f"Cell.ops has {len(self.ops)} ops but a {self.n_nodes}-node cell has "
                f"{expected} edges ({_edge_list_text(self.n_nodes)})")
        for k, ((i, j), op) in enumerate(zip(nb201_edges(self.n_nodes), self.ops)):
            if isinstance(op, HyperValue):
                continue
            if not isinstance(op, str) or not op:
                raise ValueError(f"Cell.ops[{k}] (edge {i}->{j}) must be an op name (a "
                                 f"non-empty str), got {op!r}")

    # ---- views -------------------------------------------------------------------------------
    def edges(self) -> list:
        """``[(i, j, op)]`` in NAS-Bench-201 edge order."""
        self._require_concrete()
        return [(i, j, op) for (i, j), op in zip(nb201_edges(self.n_nodes), self.ops)]

    def to_graph(self, drop_none: bool = False):
        """A ``networkx.DiGraph`` over nodes ``0..n_nodes-1``, the op as edge attribute ``op``.

        ``graph.graph`` holds ``input`` (0) and ``output`` (``n_nodes - 1``). With
        ``drop_none`` the zero edges are left out.
        """
        import networkx as nx
        graph = nx.DiGraph(input=0, output=self.n_nodes - 1)
        graph.add_nodes_from(range(self.n_nodes))
        for i, j, op in self.edges():
            if drop_none and op in ZERO_OPS:
                continue
            graph.add_edge(i, j, op=op)
        return graph

    @classmethod
    def from_graph(cls, graph, default_op: str = "none") -> "Cell":
        """The cell of a DiGraph over nodes ``0..n-1`` whose edges carry ``op``; edges that are
        absent get ``default_op``. A malformed graph is an error naming the edge."""
        nodes = sorted(graph.nodes)
        n = len(nodes)
        if nodes != list(range(n)):
            raise ValueError(f"a cell graph's nodes must be 0..{n - 1}, got {nodes}")
        ops = {edge: default_op for edge in nb201_edges(n)}
        for i, j, data in graph.edges(data=True):
            if not i < j:
                raise ValueError(f"cell graph edge {i}->{j} goes backwards: a cell's edges go "
                                 f"from a lower to a higher node")
            if "op" not in data:
                raise ValueError(f"cell graph edge {i}->{j} has no 'op' attribute")
            ops[(i, j)] = data["op"]
        return cls(ops=[ops[e] for e in nb201_edges(n)], n_nodes=n)

    # ---- NAS-Bench-201 architecture strings --------------------------------------------------
    def to_arch_str(self) -> str:
        """NAS-Bench-201's string, ``|op~0|+|op~0|op~1|+|...|``."""
        self._require_concrete()
        parts, ops = [], iter(self.ops)
        for j in range(1, self.n_nodes):
            parts.append("|" + "|".join(f"{next(ops)}~{i}" for i in range(j)) + "|")
        return "+".join(parts)

    @classmethod
    def from_arch_str(cls, text: str) -> "Cell":
        """Parses a NAS-Bench-201 architecture string (errors name the node and position)."""
        if not isinstance(text, str):
            raise TypeError(f"an architecture string must be a str, got {type(text).__name__}")
        groups = text.strip().split("+")
        ops = []
        for j, group in enumerate(groups, start=1):
            if not (group.startswith("|") and group.endswith("|")) or len(group) < 2:
                raise ValueError(f"architecture string {text!r}: node {j}'s part {group!r} "
                                 f"must look like |op~0|op~1|")
            tokens = group[1:-1].split("|")
            if len(tokens) != j:
                raise ValueError(f"architecture string {text!r}: node {j} must have {j} "
                                 f"incoming edges, got {len(tokens)} ({group!r})")
            for i, token in enumerate(tokens):
                match = re.fullmatch(r"([^~|+]+)~(\d+)", token)
                if match is None or int(match.group(2)) != i:
                    raise ValueError(f"architecture string {text!r}: edge {i}->{j} should be "
                                     f"'op~{i}', got {token!r}")
                ops.append(match.group(1))
        return cls(ops=ops, n_nodes=len(groups) + 1)

    # ---- canonical forms ---------------------------------------------------------------------
    def live_edges(self) -> list:
        """Indices of the edges that carry a non-zero op on some input -> output path."""
        self._require_concrete()
        return live_edge_indices(self.n_nodes, tuple(self.ops))

    def canonical(self) -> "Cell":
        """The graph-level canonical cell: zero and dead edges set to ``none``, intermediate
        nodes renumbered to the smallest isomorphic variant (a valid cell again)."""
        self._require_concrete()
        return Cell(ops=list(canonical_key(tuple(self.ops), self.n_nodes, "graph")[2]),
                    n_nodes=self.n_nodes)

    def canonical_key(self, level: str = "graph") -> tuple:
        """A plain tuple equal for equivalent cells (see the module docstring for levels)."""
        self._require_concrete()
        return canonical_key(tuple(self.ops), self.n_nodes, level)

    def canonical_hash(self, level: str = "graph") -> str:
        """A hex digest of :meth:`canonical_key`, the same in every process."""
        return digest(self.canonical_key(level))

    def is_zero(self) -> bool:
        """True when no input -> output path carries a non-zero op (the cell outputs 0)."""
        return not self.live_edges()

    def _require_concrete(self) -> None:
        if isinstance(self.ops, HyperValue) or isinstance(self.n_nodes, HyperValue):
            raise ValueError("this Cell is still a search space (its ops or n_nodes is a "
                             "hyper-value); materialize it first (ss.materialize)")
        for k, op in enumerate(self.ops):
            if isinstance(op, HyperValue):
                raise ValueError(f"Cell.ops[{k}] is still a hyper-value ({op!r}); "
                                 f"materialize the space first (ss.materialize)")


# ---- search space --------------------------------------------------------------------------------

def edge_name(i: int, j: int) -> str:
    """The name of edge ``i -> j``'s decision point in :func:`cell_space`."""
    return f"edge_{i}_{j}"


def cell_space(n_nodes: int = 4, ops: Sequence[str] = NB201_OPS) -> Cell:
    """A :class:`Cell` with an ``ss.oneof(ops)`` on every edge, named ``edge_i_j``.

    >>> spec = ss.dna_spec(cell_space())
    >>> len(spec), spec.decisions[2].name, spec.space_size
    (6, 'edge_1_2', 15625)
    """
    _check_n_nodes(n_nodes)
    ops = list(ops)
    if not ops:
        raise ValueError("cell_space needs at least one op")
    for k, op in enumerate(ops):
        if not isinstance(op, str) or not op:
            raise ValueError(f"cell_space ops[{k}] must be an op name (a non-empty str), got "
                             f"{op!r}")
    if len(set(ops)) != len(ops):
        raise ValueError(f"cell_space ops has duplicates: {ops}")
    return Cell(ops=[ss.oneof(ops, name=edge_name(i, j)) for i, j in nb201_edges(n_nodes)],
                n_nodes=n_nodes)


def all_cells(n_nodes: int = 4, ops: Sequence[str] = NB201_OPS) -> Iterable[Cell]:
    """Every cell of ``cell_space(n_nodes, ops)``, in edge-major order (``Op0`` slowest)."""
    for combo in itertools.product(list(ops), repeat=num_edges(n_nodes)):
        yield Cell(ops=list(combo), n_nodes=n_nodes)


# ---- the functional cache --------------------------------------------------------------------------

#: The level ``cache="functional"`` uses for a bare Cell candidate (a hasher made by
#: :func:`cell_hasher` carries its own, as ``hasher.cell_level``).
DEFAULT_CACHE_LEVEL = "function"


def _canonical_outputs(cell: Cell, probes, hasher) -> list:
    # The "outputs" are the bytes of the canonical digest, as small integers, which the
    # hasher's quantization keeps exactly: equivalent cells get one functional hash.
    import numpy as np
    level = getattr(hasher, "cell_level", DEFAULT_CACHE_LEVEL)
    raw = hashlib.blake2b(repr(cell.canonical_key(level)).encode(), digest_size=16).digest()
    row = np.frombuffer(raw, dtype=np.uint8).astype(np.float64)
    return [np.tile(row, (probes.count, 1))]


class CellHasher(FunctionalHasher):
    """A ``FunctionalHasher`` whose Cell adapter keys cells by their canonical form at
    ``level`` (made by :func:`cell_hasher`)."""

    def __init__(self, level: str = DEFAULT_CACHE_LEVEL, select: Optional[str] = None) -> None:
        if level not in LEVELS:
            raise ValueError(f"cell_hasher level must be one of {LEVELS}, got {level!r}")
        if select is not None and not isinstance(select, str):
            raise TypeError(f"cell_hasher select must be a key path (str) or None, got "
                            f"{select!r}")
        super().__init__(count=1, select=select)
        self.cell_level = level

    def __repr__(self) -> str:
        return f"cell_hasher(level={self.cell_level!r}, select={self.select!r})"


def cell_hasher(level: str = DEFAULT_CACHE_LEVEL, select: Optional[str] = None) -> CellHasher:
    """A hasher keyed by a cell's canonical form at ``level``.

    ``select`` is the key path of the cell inside a larger candidate (``"model.cell"``); the
    rest of the candidate is then hashed structurally into the key. A bare :class:`Cell`
    needs no hasher: ``cache="functional"`` finds this adapter by the candidate's type and
    uses the ``"function"`` level. In an experiment file: ``cache: {mode: functional, hasher:
    {ref: symsearch.spaces.nas_cell:cell_hasher, kwargs: {level: graph}}}``.

    >>> from symsearch.cache import EvalCache
    >>> cache = EvalCache("functional", hasher=cell_hasher("graph"))
    >>> a = Cell(["nor_conv_3x3", "nor_conv_1x1", "none", "none", "skip_connect", "none"])
    >>> b = Cell(["nor_conv_3x3", "none", "none", "none", "skip_connect", "none"])
    >>> cache.functional_key(a) == cache.functional_key(b)
    True
    """
    return CellHasher(level, select)


def _register_cache_adapter() -> None:
    from symsearch.cache.adapters import register_adapter
    register_adapter(Cell, _canonical_outputs)


_register_cache_adapter()
