"""The real ``torch.nn.Module`` of a NAS-Bench-201-style cell, and its training on digits.

A cell is a DAG of ``n_nodes`` nodes; every edge ``i -> j`` (``i < j``) carries one op, listed
in NAS-Bench-201's order (for ``j`` in ``1..n-1``, for ``i`` in ``0..j-1``; with 4 nodes:
0->1, 0->2, 1->2, 0->3, 1->3, 2->3). Node 0 is the cell's input, node ``n-1`` its output and
every node is the sum of its incoming edges, as in NAS-Bench-201. The ops are NAS-Bench-201's:

- ``none``: the edge is absent (NAS-Bench-201 multiplies by zero; we leave it out),
- ``skip_connect``: identity,
- ``nor_conv_1x1`` / ``nor_conv_3x3``: ReLU -> Conv(k x k, same channels) -> BatchNorm,
- ``avg_pool_3x3``: 3 x 3 average pooling, stride 1, padding 1.

Only the *live* edges are built: those on a path from the input to the output through edges
that are not ``none``. A dead edge's output never reaches the cell's output, so leaving it
out changes nothing the network computes; it makes parameter counts, FLOPs and training time
a property of the architecture's canonical form, so every cell of one canonical class gets
the same network. A cell with no live path outputs zeros (its network predicts from the
classifier's bias alone, and scores as such).

The network (:class:`CellNetwork`) is a 3 x 3 conv stem, ``n_cells`` stacked cells at one
width, BatchNorm + ReLU, global average pooling and a linear classifier: the NAS-Bench-201
skeleton without its reduction stages, which 8 x 8 digits do not need.

>>> net = CellNetwork(["nor_conv_3x3", "skip_connect", "none", "none", "none", "nor_conv_1x1"])
>>> net.live_edges                  # node 1 leads nowhere: its conv is not built
((0, 2, 'skip_connect'), (2, 3, 'nor_conv_1x1'))
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import torch
from torch import nn

NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


def edge_list(n_nodes: int) -> list[tuple[int, int]]:
    """The edges of an ``n_nodes`` cell in NAS-Bench-201 order: ``[(0, 1), (0, 2), (1, 2), ...]``."""
    return [(i, j) for j in range(1, n_nodes) for i in range(j)]


def n_nodes_for(n_edges: int) -> int:
    """The node count whose cell has ``n_edges`` edges; ValueError when none has."""
    nodes = int(round((1 + math.sqrt(1 + 8 * n_edges)) / 2))
    if nodes < 2 or nodes * (nodes - 1) // 2 != n_edges:
        raise ValueError(f"A cell has n*(n-1)/2 edges for n nodes (1, 3, 6, 10, ...); got "
                         f"{n_edges} ops.")
    return nodes


def cell_ops(cell: Any) -> tuple[list[str], int]:
    """``(ops, n_nodes)`` of a cell: a ``Cell`` (``.ops``, ``.n_nodes``), a dict or a list.

    Raises ValueError naming the edge when an op is unknown or the op count fits no cell.
    """
    if isinstance(cell, (list, tuple)):
        ops, n_nodes = list(cell), None
    elif isinstance(cell, dict) or (hasattr(cell, "keys") and not hasattr(cell, "ops")):
        ops, n_nodes = list(cell["ops"]), cell.get("n_nodes") if hasattr(cell, "get") else None
    elif hasattr(cell, "ops"):
        ops, n_nodes = list(cell.ops), getattr(cell, "n_nodes", None)
    else:
        raise ValueError(f"A cell must be a Cell, a {{'ops': [...]}} mapping or a list of op "
                         f"names; got {type(cell).__name__} {cell!r}.")
    n_nodes = n_nodes_for(len(ops)) if n_nodes is None else int(n_nodes)
    edges = edge_list(n_nodes)
    if len(ops) != len(edges):
        raise ValueError(f"A cell of {n_nodes} nodes has {len(edges)} edges; got {len(ops)} "
                         f"ops: {ops!r}.")
    for (i, j), op in zip(edges, ops):
        if op not in NB201_OPS:
            raise ValueError(f"Edge {i}->{j} has op {op!r}; expected one of {NB201_OPS}.")
    return ops, n_nodes


def live_edges(ops: Sequence[str], n_nodes: int) -> tuple[tuple[int, int, str], ...]:
    """The edges ``(i, j, op)`` on some path from node 0 to node ``n_nodes - 1``, none omitted."""
    present = [(i, j, op) for (i, j), op in zip(edge_list(n_nodes), ops) if op != "none"]
    reach_from_input = {0}
    for i, j, _ in present:                 # edges are sorted by j, so one pass suffices
        if i in reach_from_input:
            reach_from_input.add(j)
    reach_output = {n_nodes - 1}
    for i, j, _ in sorted(present, key=lambda e: -e[1]):
        if j in reach_output:
            reach_output.add(i)
    return tuple((i, j, op) for i, j, op in present
                 if i in reach_from_input and j in reach_output)


class ReLUConvBN(nn.Sequential):
    """NAS-Bench-201's conv op: ReLU, a same-width k x k convolution, BatchNorm.

    ``groups`` > 1 holds that many independent replicas side by side (see CellNetwork).
    """

    def __init__(self, channels: int, kernel: int, groups: int = 1):
        super().__init__(nn.ReLU(inplace=False),
                         nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=False,
                                   groups=groups),
                         nn.BatchNorm2d(channels))


def make_op(op: str, channels: int, groups: int = 1) -> nn.Module:
    """The module of one edge op (``none`` has none: it is never built)."""
    if op == "skip_connect":
        return nn.Identity()
    if op == "nor_conv_1x1":
        return ReLUConvBN(channels, 1, groups)
    if op == "nor_conv_3x3":
        return ReLUConvBN(channels, 3, groups)
    if op == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"No module for op {op!r}; expected one of {NB201_OPS[1:]}.")


class CellBlock(nn.Module):
    """One cell: node ``j`` is the sum of ``op(node i)`` over its live incoming edges."""

    def __init__(self, edges: Sequence[tuple[int, int, str]], n_nodes: int, channels: int,
                 groups: int = 1):
        super().__init__()
        self.n_nodes = n_nodes
        self.edges = tuple((i, j) for i, j, _ in edges)
        self.ops = nn.ModuleList(make_op(op, channels, groups) for _, _, op in edges)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.edges:
            return torch.zeros_like(x)
        nodes: list[Optional[torch.Tensor]] = [x] + [None] * (self.n_nodes - 1)
        for (i, j), op in zip(self.edges, self.ops):
            out = op(nodes[i])
            nodes[j] = out if nodes[j] is None else nodes[j] + out
        return nodes[-1]


class ReplicaLinear(nn.Module):
    """``replicas`` independent linear layers: ``(B, R * C)`` features to ``(B, R, out)``.

    Each replica's weights are initialized as ``nn.Linear``'s (uniform in +-1/sqrt(C)).
    """

    def __init__(self, features: int, out: int, replicas: int = 1):
        super().__init__()
        self.replicas, self.features = replicas, features
        bound = 1.0 / math.sqrt(features)
        self.weight = nn.Parameter(torch.empty(replicas, out, features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(replicas, out).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(x.shape[0], self.replicas, self.features)
        return torch.einsum("brc,roc->bro", x, self.weight) + self.bias


class CellNetwork(nn.Module):
    """Stem conv, ``n_cells`` copies of the cell, BN-ReLU, global average pool, classifier.

    ``cell``: anything :func:`cell_ops` reads (a ``Cell``, ``{"ops": [...]}``, a list of ops).
    The stacked cells are separate modules with their own weights, all of one architecture.

    ``replicas`` > 1 builds that many independent networks of the same architecture in one
    module, as channel groups: every convolution is grouped, BatchNorm, pooling and the
    cell's sums act per channel, and the classifier is per replica, so no value or gradient
    crosses from one replica to another. Replica ``r`` reads input channel ``r`` and writes
    ``logits[:, r]``; the input is ``(B, replicas * in_channels, H, W)`` and the output
    ``(B, replicas, n_classes)`` (``(B, n_classes)`` with one replica). Training several
    seeds this way shares PyTorch's per-op overhead, which dominates for networks this small
    on a CPU: two replicas train in about the time of one.
    """

    def __init__(self, cell: Any, channels: int = 16, n_cells: int = 2, n_classes: int = 10,
                 in_channels: int = 1, replicas: int = 1):
        super().__init__()
        for name, value in (("channels", channels), ("n_cells", n_cells),
                            ("n_classes", n_classes), ("in_channels", in_channels),
                            ("replicas", replicas)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"CellNetwork's {name!r} must be a positive int; got {value!r}.")
        ops, n_nodes = cell_ops(cell)
        self.ops, self.n_nodes, self.replicas = tuple(ops), n_nodes, replicas
        self.live_edges = live_edges(ops, n_nodes)
        width = channels * replicas
        self.stem = nn.Sequential(nn.Conv2d(in_channels * replicas, width, 3, padding=1,
                                            bias=False, groups=replicas),
                                  nn.BatchNorm2d(width))
        self.cells = nn.ModuleList(CellBlock(self.live_edges, n_nodes, width, replicas)
                                   for _ in range(n_cells))
        self.head = nn.Sequential(nn.BatchNorm2d(width), nn.ReLU(),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = ReplicaLinear(channels, n_classes, replicas)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The pooled features the classifier sees, ``(B, replicas * channels)``."""
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        return self.head(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.classifier(self.features(x))
        return logits[:, 0] if self.replicas == 1 else logits


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def count_flops(model: nn.Module, input_shape: Sequence[int] = (1, 1, 8, 8)) -> int:
    """Floating-point operations of one forward pass (PyTorch's ``FlopCounterMode``, which
    counts a multiply-add as 2), at ``input_shape``; convolutions and matmuls only."""
    from torch.utils.flop_counter import FlopCounterMode
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(torch.zeros(*input_shape))
    finally:
        model.train(was_training)
    return int(counter.get_total_flops())


# ---------------------------------------------------------------------------------------------
# Training on scikit-learn's digits


SPLIT_SIZES = {"val": 400, "test": 400}     # the rest (997 images) trains


def load_digits_split(seed: int = 0, val_size: Optional[int] = None,
                      test_size: Optional[int] = None) -> dict:
    """scikit-learn's 1797 digits as ``{"train"|"val"|"test": (x, y)}`` float32 tensors.

    Stratified split, fixed by ``seed``, with ``val_size`` and ``test_size`` images
    (default :data:`SPLIT_SIZES`) and the rest for training; images are ``(N, 1, 8, 8)``,
    standardized with the training set's mean and standard deviation.
    """
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    images, labels = load_digits(return_X_y=True)
    val_size = SPLIT_SIZES["val"] if val_size is None else int(val_size)
    test_size = SPLIT_SIZES["test"] if test_size is None else int(test_size)
    if val_size < 100 or test_size < 100 or val_size + test_size > len(labels) - 300:
        raise ValueError(f"digits split: val_size and test_size must be >= 100 and leave at "
                         f"least 300 of the {len(labels)} images to train; got {val_size} "
                         f"and {test_size}")
    images = images.astype(np.float32).reshape(-1, 1, 8, 8)
    labels = labels.astype(np.int64)
    rest_x, x_test, rest_y, y_test = train_test_split(
        images, labels, test_size=test_size, stratify=labels, random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(
        rest_x, rest_y, test_size=val_size, stratify=rest_y, random_state=seed)
    mean, std = float(x_train.mean()), float(x_train.std())
    def pack(x, y):
        return torch.as_tensor((x - mean) / std), torch.as_tensor(y)
    return {"train": pack(x_train, y_train), "val": pack(x_val, y_val),
            "test": pack(x_test, y_test)}


_SPLIT_CACHE: dict = {}


def _split(seed: int = 0, val_size: Optional[int] = None,
           test_size: Optional[int] = None) -> dict:
    key = (seed, SPLIT_SIZES["val"] if val_size is None else int(val_size),
           SPLIT_SIZES["test"] if test_size is None else int(test_size))
    if key not in _SPLIT_CACHE:
        _SPLIT_CACHE[key] = load_digits_split(*key)
    return _SPLIT_CACHE[key]


def _score(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
           replicas: int) -> list[tuple[float, float]]:
    """``(accuracy, cross-entropy)`` of each replica on ``(x, y)``; NaN loss becomes inf."""
    from torch.nn import functional
    model.eval()
    with torch.no_grad():
        logits = model(x.repeat(1, replicas, 1, 1)).reshape(len(y), replicas, -1)
        scores = []
        for r in range(replicas):
            loss = float(functional.cross_entropy(logits[:, r], y))
            accuracy = float((logits[:, r].argmax(1) == y).float().mean())
            scores.append((accuracy, loss if loss == loss else float("inf")))
    return scores


def train_cell(cell: Any, epochs: int = 8, seeds: Sequence[int] = (0,), channels: int = 8,
               n_cells: int = 1, lr: float = 0.1, batch_size: int = 64,
               device: str = "auto", val_size: Optional[int] = None,
               test_size: Optional[int] = None) -> list[dict]:
    """Trains the :class:`CellNetwork` of ``cell`` on digits once per seed; one dict per seed.

    SGD with Nesterov momentum 0.9, weight decay 5e-4 and a cosine schedule over ``epochs``
    (NAS-Bench-201's recipe, scaled down). Each dict holds ``val_accuracy`` and ``val_loss``
    per epoch, ``test_accuracy`` and ``test_loss`` after the last epoch, ``params`` and
    ``flops`` of one network, and ``train_time``: CPU seconds of the training loop per seed.

    All seeds train together as replicas of one module (see :class:`CellNetwork`): seed
    ``s`` has its own initial weights and its own data order (a generator seeded with
    ``s``), so seeds are independent runs; the initial weights of a run come from one
    ``torch.manual_seed`` over all of them, so a seed's curve depends on the seeds trained
    beside it. Deterministic for one ``seeds`` tuple on one device and thread count.

    >>> runs = train_cell(["nor_conv_3x3"] * 6, epochs=1, seeds=(0, 1))
    >>> len(runs), len(runs[0]["val_accuracy"])
    (2, 1)
    """
    import time
    from torch.nn import functional
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"train_cell's 'epochs' must be a positive int; got {epochs!r}.")
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"train_cell's 'seeds' must be distinct ints, at least one; got {seeds!r}.")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    replicas = len(seeds)
    single = CellNetwork(cell, channels=channels, n_cells=n_cells)
    params, flops = count_parameters(single), count_flops(single)
    torch.manual_seed(1_000_003 * seeds[0] + replicas)
    model = CellNetwork(cell, channels=channels, n_cells=n_cells, replicas=replicas).to(device)
    data = {k: (x.to(device), y.to(device))
            for k, (x, y) in _split(0, val_size, test_size).items()}
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    x_train, y_train = data["train"]
    n = len(y_train)
    steps = math.ceil(n / batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps)
    generators = [torch.Generator().manual_seed(s) for s in seeds]
    curves = [{"val_accuracy": [], "val_loss": []} for _ in seeds]
    start = time.process_time()
    for _ in range(epochs):
        model.train()
        orders = torch.stack([torch.randperm(n, generator=g) for g in generators], 1).to(device)
        for step in range(steps):
            index = orders[step * batch_size:(step + 1) * batch_size]       # (b, R)
            images = x_train[index].flatten(1, 2)                          # (b, R, 8, 8)
            optimizer.zero_grad(set_to_none=True)
            logits = model(images).reshape(len(index), replicas, -1)
            # the sum over replicas: each replica's parameters get their own loss's gradient
            functional.cross_entropy(logits.flatten(0, 1), y_train[index].flatten(),
                                     reduction="sum").div(len(index)).backward()
            optimizer.step()
            schedule.step()
        for curve, (accuracy, loss) in zip(curves, _score(model, *data["val"], replicas)):
            curve["val_accuracy"].append(accuracy)
            curve["val_loss"].append(loss)
    train_time = (time.process_time() - start) / replicas
    for curve, (accuracy, loss) in zip(curves, _score(model, *data["test"], replicas)):
        curve.update(test_accuracy=accuracy, test_loss=loss, params=params, flops=flops,
                     train_time=train_time)
    return curves
