"""The model code of a NAS-Bench-201-style cell network, written once for both uses.

:func:`cell_network` takes a :class:`~symsearch.spaces.nas_cell.Cell`: a materialized one
gives a standalone network of the chosen ops (the ops of
:mod:`symsearch.evaluators.nas_cell_net`, the network layout of its ``CellNetwork``: stem,
``n_cells`` cells, BN-ReLU, pooling, a linear classifier); the space itself
(``cell_space()``) gives, through :func:`supernet`, the supernet holding every op of every
edge. A ``none`` edge carries nothing, and an op whose source node carries nothing is
skipped, so a sub-network computes what ``CellNetwork`` of the same cell computes.

>>> import symsearch as ss, torch
>>> from symsearch.spaces.nas_cell import cell_space
>>> space = cell_space()
>>> net = supernet(space, cell_network)
>>> dna = (3, 0, 1, 0, 0, 2)
>>> net(torch.zeros(2, 1, 8, 8), dna).shape
torch.Size([2, 10])
>>> standalone = cell_network(ss.materialize(space, dna))
>>> standalone(torch.zeros(2, 1, 8, 8)).shape
torch.Size([2, 10])
"""
from __future__ import annotations

from functools import partial
from typing import Any, Optional

import torch
from torch import nn

from symsearch.evaluators.nas_cell_net import make_op
from symsearch.evaluators.weight_sharing.space_supernet import choose, supernet  # noqa: F401 (doc)
from symsearch.spaces.nas_cell import ZERO_OPS, nb201_edges


class Nothing(nn.Module):
    """The ``none`` op: an edge that carries nothing (forward returns None)."""

    def forward(self, x: Optional[torch.Tensor]) -> None:
        return None


def edge_op(op: str, channels: int) -> nn.Module:
    """The module of one edge op: NAS-B's ops, and :class:`Nothing` for ``none``."""
    return Nothing() if op in ZERO_OPS else make_op(op, channels)


class CellLayer(nn.Module):
    """One cell: node ``j`` sums ``op(node i)`` over its incoming edges that carry a value."""

    def __init__(self, cell: Any, channels: int):
        super().__init__()
        self.n_nodes = cell.n_nodes
        self.edges = nb201_edges(cell.n_nodes)
        self.ops = nn.ModuleList(choose(op, partial(edge_op, channels=channels))
                                 for op in cell.ops)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        from symsearch.evaluators.weight_sharing.batched import active_paths
        if active_paths() is not None:
            return self.forward_batched(x, active_paths())
        nodes: list = [x] + [None] * (self.n_nodes - 1)
        for (i, j), op in zip(self.edges, self.ops):
            if nodes[i] is None:
                continue                      # nothing reaches node i: its edges carry nothing
            out = op(nodes[i])
            if out is not None:
                nodes[j] = out if nodes[j] is None else nodes[j] + out
        return torch.zeros_like(x) if nodes[-1] is None else nodes[-1]

    def forward_batched(self, x: torch.Tensor, paths: list) -> torch.Tensor:
        """The cell for several paths' row blocks at once (:mod:`.batched`): what
        :meth:`forward` computes for each path, with "nothing reaches node i" tracked per
        path, and each edge run only on the rows of the paths where it carries something."""
        from symsearch.evaluators.weight_sharing.batched import block_rows, block_size, subset
        block = block_size()
        reached = [[True] * len(paths)] + [[False] * len(paths) for _ in range(self.n_nodes - 1)]
        nodes: list = [x] + [None] * (self.n_nodes - 1)
        for (i, j), op in zip(self.edges, self.ops):
            carries = [isinstance(op.choices[path[op.decision.index]], Nothing) is False
                       for path in paths]
            use = [p for p in range(len(paths)) if reached[i][p] and carries[p]]
            if not use:
                continue
            rows = block_rows(use, block, x.device)
            with subset([paths[p] for p in use]):
                out = op(nodes[i] if len(use) == len(paths) else nodes[i][rows])
            if nodes[j] is None:
                nodes[j] = torch.zeros_like(x)
            nodes[j] = nodes[j].index_add(0, rows, out)
            for p in use:
                reached[j][p] = True
        return torch.zeros_like(x) if nodes[-1] is None else nodes[-1]


class CellModel(nn.Module):
    """Stem conv + BN, ``n_cells`` cells, BN-ReLU, global average pool, linear classifier."""

    def __init__(self, cell: Any, channels: int = 8, n_cells: int = 1, n_classes: int = 10,
                 in_channels: int = 1):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, channels, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(channels))
        self.cells = nn.ModuleList(CellLayer(cell, channels) for _ in range(n_cells))
        self.head = nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten())
        self.classifier = nn.Linear(channels, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        return self.classifier(self.head(x))


def cell_network(cell: Any, channels: int = 8, n_cells: int = 1, n_classes: int = 10,
                 in_channels: int = 1) -> nn.Module:
    """The network of ``cell`` (a candidate) or, under :func:`supernet`, of the cell space.

    The defaults are those of NAS-B's ``train_cell`` (8 channels, one cell) on 8x8 digits.
    """
    return CellModel(cell, channels, n_cells, n_classes, in_channels)
