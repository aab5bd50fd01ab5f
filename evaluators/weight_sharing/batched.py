"""Batched evaluation: several sub-networks of a supernet scored in one forward pass.

Scoring a population path by path runs every layer once per path on the same validation
batch; on a small network most of that time is per-call overhead, not arithmetic. Here the
``P`` paths' copies of the batch are stacked along the batch dimension (path-major blocks of
``B`` rows), and each :class:`~.space_supernet.ChoiceModule` runs each of its choices once, on
the rows of the paths that chose it, so a layer costs one call per choice instead of one per
path. BatchNorm normalizes each path's block by that block's own statistics (what it does for
a single path with batch statistics), so the scores equal path-by-path scoring.

Model code takes part through :func:`active_paths`: ``None`` outside a batched pass, else
the DNAs whose blocks the current tensor holds. Decisions read through ``read()`` or the
sliced layers (one width per pass) cannot be batched and raise
:class:`~.space_supernet.WeightSharingError` naming the decision; score such spaces path by
path. :func:`~symsearch.evaluators.weight_sharing.cell_model.cell_network` supports it (an
edge whose op is ``none`` on some paths runs on the others' rows only).
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator, Optional, Sequence

import torch
from torch import nn
from torch.nn import functional

_LOCAL = threading.local()


def active_paths() -> Optional[list]:
    """The DNAs whose row blocks the tensor now flowing holds (a batched pass), else None."""
    return getattr(_LOCAL, "paths", None)


def block_size() -> int:
    return _LOCAL.block


def block_rows(positions: Sequence[int], block: int, device: Any = None) -> torch.Tensor:
    """The row indices of blocks ``positions`` (each ``block`` rows)."""
    starts = torch.as_tensor(list(positions), dtype=torch.long, device=device) * block
    return (starts[:, None] + torch.arange(block, device=device)[None, :]).reshape(-1)


@contextlib.contextmanager
def subset(paths: list) -> Iterator[None]:
    """Within the block, the tensor flowing holds the blocks of ``paths`` only."""
    previous = _LOCAL.paths
    _LOCAL.paths = paths
    try:
        yield
    finally:
        _LOCAL.paths = previous


def choice_forward(module: Any, x: torch.Tensor, *args, **kwargs) -> torch.Tensor:
    """A ChoiceModule in a batched pass: each choice once, on its paths' rows."""
    from symsearch.evaluators.weight_sharing.space_supernet import (WeightSharingError,
                                                                    choice_position, where)
    paths = active_paths()
    block = block_size()
    if x.shape[0] != len(paths) * block:
        raise WeightSharingError(
            f"{where(module.decision)}: a batched pass expects {len(paths)} blocks of {block} "
            f"rows, got a tensor of {x.shape[0]} rows")
    groups: dict = {}
    for p, path in enumerate(paths):
        groups.setdefault(choice_position(module.decision, path), []).append(p)
    if len(groups) == 1:
        (k, _), = groups.items()
        return _checked(module, k, module.choices[k](x, *args, **kwargs))
    out = None
    for k, positions in groups.items():
        rows = block_rows(positions, block, x.device)
        with subset([paths[p] for p in positions]):
            part = _checked(module, k, module.choices[k](x[rows], *args, **kwargs))
        if out is None:
            out = part.new_empty((x.shape[0],) + tuple(part.shape[1:]))
        out[rows] = part
    return out


def _checked(module: Any, k: int, out: Any) -> torch.Tensor:
    from symsearch.evaluators.weight_sharing.space_supernet import WeightSharingError, where
    if not isinstance(out, torch.Tensor):
        raise WeightSharingError(
            f"{where(module.decision)}: choice #{k} returned {type(out).__name__} in a batched "
            f"pass; model code that batches must not run such a choice (see "
            f"cell_model.CellLayer), or score path by path")
    return out


def _block_batch_norm(norm: nn.modules.batchnorm._BatchNorm):
    """A forward for ``norm``: each path block normalized by its own batch statistics."""
    def forward(x: torch.Tensor) -> torch.Tensor:
        block = block_size()
        n = x.shape[0] // block
        c = x.shape[1]
        rest = tuple(x.shape[2:])
        stacked = x.reshape(n, block, c, *rest).transpose(0, 1).reshape(block, n * c, *rest)
        weight = None if norm.weight is None else norm.weight[:c].repeat(n)
        bias = None if norm.bias is None else norm.bias[:c].repeat(n)
        out = functional.batch_norm(stacked, None, None, weight, bias, True, 0.0, norm.eps)
        return out.reshape(block, n, c, *rest).transpose(0, 1).reshape(x.shape)
    return forward


@contextlib.contextmanager
def batched(net: nn.Module, paths: Sequence[tuple], block: int) -> Iterator[None]:
    """A batched pass of ``paths`` (DNA tuples) on blocks of ``block`` rows, BatchNorm by
    each block's statistics, no gradients (see the module docstring)."""
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    was_training = net.training
    net.eval()
    for m in norms:
        m.forward = _block_batch_norm(m)
    _LOCAL.paths, _LOCAL.block = list(paths), block
    try:
        with torch.no_grad():
            yield
    finally:
        _LOCAL.paths = None
        for m in norms:
            del m.forward
        net.train(was_training)


def batched_metrics(net: Any, x: torch.Tensor, y: torch.Tensor, paths: Sequence[Any],
                    paths_per_pass: int = 32) -> list:
    """``(accuracy, cross-entropy)`` of each path on ``(x, y)`` with inherited weights, the
    same figures as :func:`~.one_shot.path_metrics`, ``paths_per_pass`` paths per forward."""
    dnas = [net.dna(p) for p in paths]
    out = []
    for start in range(0, len(dnas), paths_per_pass):
        chunk = dnas[start:start + paths_per_pass]
        with batched(net, chunk, len(y)):
            logits = net.model(x.repeat((len(chunk),) + (1,) * (x.dim() - 1)))
        for k in range(len(chunk)):
            part = logits[k * len(y):(k + 1) * len(y)]
            out.append((float((part.argmax(1) == y).float().mean()),
                        float(functional.cross_entropy(part, y))))
    return out
