"""Layers whose width or count is a decision: the largest layer, sliced to the path's value.

Model code calls these with an int (standalone: the ordinary ``nn.Linear``, ``nn.Conv2d``,
``nn.BatchNorm2d``, a list of blocks) or with a hyper-value of ints (while
:func:`~symsearch.evaluators.weight_sharing.supernet` builds: one layer as wide as the widest
choice, whose forward uses the first ``w`` output units, and the first input units the input
has). A narrower sub-network thus inherits a prefix of the widest one's weights, as in
single-path one-shot and once-for-all networks.

>>> linear(4, 3)
Linear(in_features=4, out_features=3, bias=True)
"""
from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn
from torch.nn import functional

from symsearch.evaluators.weight_sharing.space_supernet import (WeightSharingError, _current_build,
                                                          decision_values, path_value,
                                                          shared_decision, where)


def _width(value: Any, what: str):
    """``(max_width, decision or None)`` of a width argument."""
    decision = shared_decision(value)
    if decision is None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{what} must be a positive int or a decision of ints, got {value!r}")
        return value, None
    values = decision_values(decision)
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values):
        raise WeightSharingError(f"{where(decision)} is used as {what}, but its values {values} "
                                 f"are not all positive ints")
    _current_build().read[decision.index] = decision
    return max(values), decision


def _check_input(width: int, held: int, decision, what: str) -> None:
    if width > held:
        named = where(decision) if decision is not None else what
        raise WeightSharingError(f"{named}: the input has {width} features but the supernet "
                                 f"layer holds {held}; a width the supernet cannot hold")


class SlicedLinear(nn.Linear):
    """``nn.Linear`` at the widest choice; forward slices rows to the path's width and columns
    to the input's width."""

    def __init__(self, in_features: int, out_features: int, bias: bool, in_decision,
                 out_decision):
        super().__init__(in_features, out_features, bias=bias)
        self.in_decision, self.out_decision = in_decision, out_decision

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        width_in = x.shape[-1]
        _check_input(width_in, self.in_features, self.in_decision, "linear in_features")
        out = self.out_features if self.out_decision is None else path_value(self.out_decision)
        bias = None if self.bias is None else self.bias[:out]
        return functional.linear(x, self.weight[:out, :width_in], bias)


def linear(in_features: Any, out_features: Any, bias: bool = True) -> nn.Module:
    """``nn.Linear``, or a :class:`SlicedLinear` when a width is a decision."""
    max_in, in_decision = _width(in_features, "linear in_features")
    max_out, out_decision = _width(out_features, "linear out_features")
    if in_decision is None and out_decision is None:
        return nn.Linear(max_in, max_out, bias=bias)
    return SlicedLinear(max_in, max_out, bias, in_decision, out_decision)


class SlicedConv2d(nn.Conv2d):
    """``nn.Conv2d`` at the widest choice; forward slices output channels to the path's
    width and input channels to the input's."""

    def __init__(self, in_channels, out_channels, kernel_size, in_decision, out_decision,
                 **kwargs):
        super().__init__(in_channels, out_channels, kernel_size, **kwargs)
        if self.groups != 1:
            raise ValueError("a conv2d whose width is a decision must have groups=1")
        self.in_decision, self.out_decision = in_decision, out_decision

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        width_in = x.shape[1]
        _check_input(width_in, self.in_channels, self.in_decision, "conv2d in_channels")
        out = self.out_channels if self.out_decision is None else path_value(self.out_decision)
        bias = None if self.bias is None else self.bias[:out]
        return functional.conv2d(x, self.weight[:out, :width_in], bias, self.stride,
                                 self.padding, self.dilation)


def conv2d(in_channels: Any, out_channels: Any, kernel_size: int, **kwargs) -> nn.Module:
    """``nn.Conv2d``, or a :class:`SlicedConv2d` when a channel count is a decision."""
    max_in, in_decision = _width(in_channels, "conv2d in_channels")
    max_out, out_decision = _width(out_channels, "conv2d out_channels")
    if in_decision is None and out_decision is None:
        return nn.Conv2d(max_in, max_out, kernel_size, **kwargs)
    return SlicedConv2d(max_in, max_out, kernel_size, in_decision, out_decision, **kwargs)


class SlicedBatchNorm2d(nn.BatchNorm2d):
    """``nn.BatchNorm2d`` over the widest choice; normalizes the first ``C`` channels of a
    ``C``-channel input with the first ``C`` statistics and affine weights."""

    def __init__(self, num_features: int, decision):
        super().__init__(num_features)
        self.decision = decision

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        _check_input(c, self.num_features, self.decision, "batch_norm2d num_features")
        use_batch = self.training or not self.track_running_stats
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
        # Slices of the running statistics are views: batch_norm updates them in place.
        return functional.batch_norm(x, self.running_mean[:c], self.running_var[:c],
                                     self.weight[:c], self.bias[:c], use_batch,
                                     self.momentum if self.momentum is not None else 0.1, self.eps)


def batch_norm2d(num_features: Any) -> nn.Module:
    """``nn.BatchNorm2d``, or a :class:`SlicedBatchNorm2d` when the width is a decision."""
    width, decision = _width(num_features, "batch_norm2d num_features")
    return nn.BatchNorm2d(width) if decision is None else SlicedBatchNorm2d(width, decision)


class RepeatedBlocks(nn.Module):
    """The deepest choice's blocks; forward runs the first ``depth`` of the path."""

    def __init__(self, blocks, decision):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.decision = decision

    def forward(self, x):
        for block in self.blocks[:path_value(self.decision)]:
            x = block(x)
        return x


def repeat(depth: Any, make_block: Callable[[int], nn.Module]) -> nn.Module:
    """``depth`` blocks ``make_block(0)``, ``make_block(1)``... run in sequence; with a depth
    decision the supernet holds the deepest choice's blocks and runs a prefix of them."""
    decision = shared_decision(depth)
    if decision is None:
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
            raise ValueError(f"repeat depth must be a non-negative int, got {depth!r}")
        return nn.Sequential(*(make_block(i) for i in range(depth)))
    values = decision_values(decision)
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise WeightSharingError(f"{where(decision)} is used as a depth, but its values "
                                 f"{values} are not all non-negative ints")
    _current_build().read[decision.index] = decision
    return RepeatedBlocks([make_block(i) for i in range(max(values))], decision)
