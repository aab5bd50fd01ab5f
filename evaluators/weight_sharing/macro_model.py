"""The model code of NAS-A's macro space (:func:`symsearch.spaces.nas_macro.macro_space`),
written with the weight-sharing choice points so one function builds both networks.

``macro_network(description)`` reads the ``ConvNet`` description's arguments (stem width,
activation, per stage width / depth / kernel / expansion / stride): from a candidate it builds
the standalone network (the same layers, shapes and parameter count as NAS-A's
``ConvNet``); from the space, under :func:`supernet`, the supernet: widths are the widest
layer sliced (an expansion's hidden width is ``input channels x expansion``), a stage's
depth runs a prefix of its deepest choice's blocks, each kernel size and expansion has its
own depthwise and expansion layers, the activation is read at forward time.

>>> import symsearch as ss, torch
>>> from symsearch.spaces.nas_macro import macro_space
>>> space = macro_space(num_classes=10, in_channels=1, num_stages=2, widths=(8, 16))
>>> net = supernet(space, macro_network)
>>> dna = ss.random_dna(net.spec, 0)
>>> net(torch.zeros(2, 1, 8, 8), dna).shape
torch.Size([2, 10])
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional

from symsearch.evaluators.weight_sharing.layers import (_width, batch_norm2d, conv2d, linear,
                                                        repeat)
from symsearch.evaluators.weight_sharing.space_supernet import (choose, decision_values,  # noqa: F401
                                                                shared_decision, supernet)
from symsearch.spaces.nas_macro import activation as make_activation


def _max(value: Any) -> int:
    decision = shared_decision(value)
    return max(decision_values(decision)) if decision is not None else value


class ExpandConv(nn.Conv2d):
    """The 1x1 expansion ``C -> C * expansion`` for any input width ``C`` up to the widest."""

    def __init__(self, max_in: int, expansion: int):
        super().__init__(max_in, max_in * expansion, 1, bias=False)
        self.expansion = expansion

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        return functional.conv2d(x, self.weight[:c * self.expansion, :c])


class DepthwiseConv(nn.Conv2d):
    """A k x k depthwise convolution over the first ``C`` of its channels (``C`` the input's)."""

    def __init__(self, max_channels: int, kernel: int, stride: int):
        super().__init__(max_channels, max_channels, kernel, stride, kernel // 2,
                         groups=max_channels, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        return functional.conv2d(x, self.weight[:c], None, self.stride, self.padding, 1, c)


class SlicedBN(nn.BatchNorm2d):
    """BatchNorm over the first ``C`` channels (the input's) of the widest layer."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        if self.training:
            self.num_batches_tracked += 1
        return functional.batch_norm(x, self.running_mean[:c], self.running_var[:c],
                                     self.weight[:c], self.bias[:c], self.training,
                                     self.momentum, self.eps)


class Body(nn.Module):
    """Expand (unless ``expansion`` is 1), depthwise (its kernel a choice), project."""

    def __init__(self, in_width: Any, out_width: Any, stride: int, kernel: Any, expansion: int,
                 act: Any):
        super().__init__()
        max_in = _max(in_width)
        hidden = max_in * expansion
        self.expand = (nn.Sequential(ExpandConv(max_in, expansion), SlicedBN(hidden),
                                     choose(act, make_activation))
                       if expansion != 1 else nn.Identity())
        self.depthwise = choose(kernel, lambda k: DepthwiseConv(hidden, k, stride))
        self.after_depthwise = nn.Sequential(SlicedBN(hidden), choose(act, make_activation))
        self.project = conv2d(hidden, out_width, 1, bias=False) if isinstance(out_width, int) \
            and max_in == in_width else _project(hidden, out_width)
        self.project_norm = batch_norm2d(out_width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.after_depthwise(self.depthwise(self.expand(x)))
        return self.project_norm(self.project(x))


def _project(hidden: int, out_width: Any) -> nn.Module:
    """The 1x1 projection from a hidden width that varies with the input's."""
    from symsearch.evaluators.weight_sharing.layers import SlicedConv2d
    max_out, decision = _width(out_width, "projection out_channels")
    return SlicedConv2d(hidden, max_out, 1, None, decision, bias=False)


class Block(nn.Module):
    """MobileNetV2's inverted residual; the skip is taken when input and output shapes agree
    (stride 1, equal widths: on a path, not when the supernet is built)."""

    def __init__(self, in_width: Any, out_width: Any, stride: int, kernel: Any,
                 expansion: Any, act: Any):
        super().__init__()
        self.stride = stride
        self.body = choose(expansion, lambda e: Body(in_width, out_width, stride, kernel, e, act))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return x + out if self.stride == 1 and out.shape == x.shape else out


class MacroModel(nn.Module):
    """Stem (3x3 conv, BN, activation), the stages' blocks, pooling, dropout, linear head."""

    def __init__(self, description: Any):
        super().__init__()
        args = description.sym_init_args
        act, stem_width = args["activation"], args["stem_width"]
        self.stem = nn.Sequential(conv2d(args["in_channels"], stem_width, 3, padding=1,
                                         bias=False),
                                  batch_norm2d(stem_width), choose(act, make_activation))
        stages, width = [], stem_width
        for stage in args["stages"]:
            def block(k, stage=stage, first_in=width):
                return Block(first_in if k == 0 else stage.width, stage.width,
                             stage.stride if k == 0 else 1, stage.kernel, stage.expansion, act)
            stages.append(repeat(stage.depth, block))
            width = stage.width
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Dropout(args["dropout"]), linear(width, args["num_classes"]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stages(self.stem(x)))


def macro_network(description: Any) -> nn.Module:
    """The network of a ``ConvNet`` description: a candidate or, under :func:`supernet`, the
    space (see the module docstring)."""
    return MacroModel(description)
