"""A macro search space written the way a user writes a model: a symbolized ``nn.Module``.

:class:`ConvNet` is an ordinary PyTorch image classifier (a stem convolution, stages of
inverted-residual blocks, global pooling and a linear head) made symbolic with
``@ss.symbolize``: its constructor arguments are its symbolic description, so hyper-values
can stand in for any of them, and every candidate a search draws *is* a working
``nn.Module``. :class:`Stage` describes one stage (width, depth, kernel, expansion, stride).

>>> import symsearch as ss
>>> space = macro_space(num_classes=10)
>>> net = ss.random_sample(space, 1, seed=0)[0]
>>> import torch
>>> net(torch.zeros(2, 3, 32, 32)).shape
torch.Size([2, 10])

This module imports torch (it defines ``nn.Module`` subclasses); ``import symsearch`` and
``symsearch.spaces.nas`` do not import it until a macro or LM name is used.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

import symsearch as ss

ACTIVATIONS = {"relu": nn.ReLU, "relu6": nn.ReLU6, "gelu": nn.GELU, "silu": nn.SiLU,
               "hardswish": nn.Hardswish}


class Stage(ss.Object):
    """One stage: ``depth`` blocks of ``width`` channels; the first has stride ``stride``.

    ``kernel`` is the depthwise kernel size (odd), ``expansion`` the inverted bottleneck's
    width multiplier (1: no expansion convolution)."""

    width: int = 32
    depth: int = 1
    kernel: int = 3
    expansion: int = 4
    stride: int = 2

    def _on_bound(self) -> None:
        for name in ("width", "depth", "expansion", "stride"):
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool) and value < 1:
                raise ValueError(f"Stage.{name} must be a positive int, got {value!r}")
        if isinstance(self.kernel, int) and (self.kernel < 1 or self.kernel % 2 == 0):
            raise ValueError(f"Stage.kernel must be a positive odd int, got {self.kernel!r}")


def activation(name: str) -> nn.Module:
    """The activation module called ``name`` (one of ``ACTIVATIONS``)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; known: {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]()


class InvertedResidual(nn.Module):
    """Expand (1x1) -> depthwise (k x k, stride) -> project (1x1), batch norm after each, a
    skip connection when the shape allows (MobileNetV2's block)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, kernel: int,
                 expansion: int, act: str) -> None:
        super().__init__()
        hidden = in_channels * expansion
        layers: list = []
        if expansion != 1:
            layers += [nn.Conv2d(in_channels, hidden, 1, bias=False), nn.BatchNorm2d(hidden),
                       activation(act)]
        layers += [nn.Conv2d(hidden, hidden, kernel, stride, kernel // 2, groups=hidden,
                             bias=False), nn.BatchNorm2d(hidden), activation(act),
                   nn.Conv2d(hidden, out_channels, 1, bias=False), nn.BatchNorm2d(out_channels)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return x + out if self.residual else out


@ss.symbolize
class ConvNet(nn.Module):
    """An image classifier: stem, ``stages``, pooling, a linear head.

    Args:
      stages: a list of :class:`Stage`.
      stem_width: output channels of the 3x3 stem convolution.
      activation: one of ``ACTIVATIONS``.
      num_classes, in_channels: the task's.
      dropout: before the head.
    """

    def __init__(self, stages: Sequence[Stage] = (Stage(),), stem_width: int = 16,
                 activation: str = "relu", num_classes: int = 10, in_channels: int = 3,
                 dropout: float = 0.0) -> None:
        super().__init__()
        if not stages:
            raise ValueError("ConvNet.stages must hold at least one Stage")
        if activation not in ACTIVATIONS:
            raise ValueError(f"ConvNet.activation: unknown activation {activation!r}; known: "
                             f"{sorted(ACTIVATIONS)}")
        self.stem = nn.Sequential(nn.Conv2d(in_channels, stem_width, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(stem_width), ACTIVATIONS[activation]())
        blocks, channels = [], stem_width
        for index, stage in enumerate(stages):
            if not isinstance(stage, Stage):
                raise TypeError(f"ConvNet.stages[{index}] must be a Stage, got "
                                f"{type(stage).__name__}")
            for k in range(stage.depth):
                blocks.append(InvertedResidual(channels, stage.width,
                                               stage.stride if k == 0 else 1, stage.kernel,
                                               stage.expansion, activation))
                channels = stage.width
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout),
                                  nn.Linear(channels, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)))


def num_parameters(module: nn.Module) -> int:
    """The number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def macro_space(num_classes: int = 10, in_channels: int = 3, num_stages: int = 3,
                widths: Sequence[int] = (16, 24, 32, 48, 64, 96, 128),
                max_depth: int = 4) -> ConvNet:
    """A :class:`ConvNet` space: stem width, and per stage its width (``oneof(widths)``),
    depth (``intv(1, max_depth)``), kernel (3/5/7) and expansion (1/3/6); the activation.
    Stage ``k``'s decisions are named ``stage{k}_width`` and so on."""
    if isinstance(num_stages, bool) or not isinstance(num_stages, int) or num_stages < 1:
        raise ValueError(f"num_stages must be a positive int, got {num_stages!r}")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
        raise ValueError(f"max_depth must be a positive int, got {max_depth!r}")
    widths = list(widths)
    if not widths or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths must be positive ints, got {widths!r}")
    stages = [Stage(width=ss.oneof(widths, name=f"stage{k}_width"),
                    depth=ss.intv(1, max_depth, name=f"stage{k}_depth"),
                    kernel=ss.oneof([3, 5, 7], name=f"stage{k}_kernel"),
                    expansion=ss.oneof([1, 3, 6], name=f"stage{k}_expansion"),
                    stride=1 if k == 0 else 2)
              for k in range(num_stages)]
    return ConvNet(stages=stages, stem_width=ss.oneof([8, 16, 24, 32], name="stem_width"),
                   activation=ss.oneof(["relu", "gelu", "silu", "hardswish"], name="activation"),
                   num_classes=num_classes, in_channels=in_channels)
