"""The model code of the tiny-LM transformer space (:func:`symsearch.spaces.nas_lm.lm_space`),
written with the weight-sharing choice points, so one function builds both networks.

``lm_network(arch)`` reads a :class:`~symsearch.spaces.nas_lm.TransformerLM` description:
from a candidate it builds the standalone byte-level GPT, with the layers, parameter names
and parameter count of ``arch.build()`` (:mod:`symsearch.spaces.nas_lm_torch`), so
``arch.build().load_state_dict(lm_network(arch).state_dict())`` works; from the space, under
:func:`~symsearch.evaluators.weight_sharing.supernet`, the supernet:

- ``d_model`` is the widest embedding, sliced: a path of width ``d`` uses the first ``d``
  features of the embeddings, positions, LayerNorms and every projection's inputs;
- the depth (a ``oneof`` over layer lists, each depth with its own per-layer decisions)
  is a choice between stacks that share their blocks: block ``k`` of every depth is one set
  of weights, as wide as the widest shape any depth gives layer ``k``;
- a layer's attention width (``n_heads * head_dim``) and MLP width (``mlp_ratio * d``) are
  prefixes of that block's widest projections; the activation is read at forward time.

Nothing here is specific to one space's sizes: the widths come from the decisions' values.

>>> import symsearch as ss, torch
>>> from symsearch.spaces.nas_lm import lm_space
>>> space = lm_space(d_models=(16, 32), depths=(1, 2), heads=(1, 2), head_dims=(8,),
...                  mlp_ratios=(1.0, 2.0), context=16)
>>> net = supernet(space, lm_network)
>>> dna = ss.random_dna(net.spec, 0)
>>> net(torch.zeros(2, 16, dtype=torch.long), dna).shape
torch.Size([2, 16, 256])
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from symsearch.evaluators.weight_sharing.layers import _width
from symsearch.evaluators.weight_sharing.space_supernet import (choose, decision_values,  # noqa: F401
                                                                path_value, read,
                                                                shared_decision, supernet,
                                                                value_of)
from symsearch.spaces.nas_lm_torch import _ACTIVATIONS

VOCAB = 256


def _max(value: Any) -> Any:
    """A decision's largest value (under :func:`supernet`), or the value itself."""
    decision = shared_decision(value)
    return max(decision_values(decision)) if decision is not None else value


def hidden_width(ratio: float, d_model: int) -> int:
    """The MLP width of a layer, as :meth:`LayerShape.hidden` computes it."""
    return max(1, int(round(ratio * d_model)))


class SlicedLayerNorm(nn.LayerNorm):
    """LayerNorm over the first ``d`` features (``d`` the input's) of the widest one."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        d = x.shape[-1]
        return F.layer_norm(x, (d,), self.weight[:d], self.bias[:d], self.eps)


def _linear(layer: nn.Linear, x: torch.Tensor, out: int) -> torch.Tensor:
    """``layer`` on ``x`` using its first ``out`` outputs and the input's width of inputs."""
    return F.linear(x, layer.weight[:out, :x.shape[-1]], layer.bias[:out])


class Block(nn.Module):
    """The weights of one transformer block at the widest shape it must serve (see the
    module docstring): LayerNorm, q/k/v/o projections, LayerNorm, MLP."""

    def __init__(self, d_model: int, inner: int, hidden: int):
        super().__init__()
        self.ln1 = SlicedLayerNorm(d_model)
        self.q, self.k, self.v = (nn.Linear(d_model, inner) for _ in range(3))
        self.o = nn.Linear(inner, d_model)
        self.ln2 = SlicedLayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, hidden)
        self.fc2 = nn.Linear(hidden, d_model)


class Layer(nn.Module):
    """One layer of the network: a :class:`Block`'s weights (its submodules, under the same
    names as ``nas_lm_torch.Block``'s) run at this layer's shape (values or decisions read at
    forward time)."""

    def __init__(self, block: Block, shape: Any):
        super().__init__()
        for name in ("ln1", "q", "k", "v", "o", "ln2", "fc1", "fc2"):
            setattr(self, name, getattr(block, name))
        args = shape.sym_init_args
        self.n_heads, self.head_dim = read(args["n_heads"]), read(args["head_dim"])
        self.mlp_ratio, self.activation = read(args["mlp_ratio"]), read(args["activation"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, d = x.shape
        heads, head_dim = value_of(self.n_heads), value_of(self.head_dim)
        inner = heads * head_dim
        h = self.ln1(x)
        q, k, v = (_linear(proj, h, inner).view(batch, length, heads, head_dim).transpose(1, 2)
                   for proj in (self.q, self.k, self.v))
        attn = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + _linear(self.o, attn.transpose(1, 2).reshape(batch, length, inner), d)
        hidden = hidden_width(value_of(self.mlp_ratio), d)
        act = _ACTIVATIONS[value_of(self.activation)]
        return x + _linear(self.fc2, act(_linear(self.fc1, self.ln2(x), hidden)), d)


class Stack(nn.ModuleList):
    """The layers of one depth, run in order."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self:
            x = layer(x)
        return x


class LMModel(nn.Module):
    """Byte embeddings (tied with the output), learned positions, the layers, LayerNorm."""

    def __init__(self, arch: Any):
        super().__init__()
        args = arch.sym_init_args
        d_max, self.d_model = _width(args["d_model"], "d_model")
        self.context = args.get("context", 128)
        self.embed = nn.Embedding(VOCAB, d_max)
        self.position = nn.Parameter(torch.zeros(self.context, d_max))
        depth = shared_decision(args["layers"])
        options = decision_values(depth) if depth is not None else [args["layers"]]
        blocks = []
        for k in range(max(len(option) for option in options)):
            shapes = [option[k].sym_init_args for option in options if len(option) > k]
            inner = max(_max(s["n_heads"]) * _max(s["head_dim"]) for s in shapes)
            hidden = max(hidden_width(_max(s["mlp_ratio"]), d_max) for s in shapes)
            blocks.append(Block(d_max, inner, hidden))
        self.blocks = choose(args["layers"], lambda option: Stack(
            Layer(blocks[k], shape) for k, shape in enumerate(option)))
        self.ln_f = SlicedLayerNorm(d_max)
        nn.init.normal_(self.embed.weight, std=0.02)
        nn.init.normal_(self.position, std=0.02)

    def width(self) -> int:
        return self.embed.embedding_dim if self.d_model is None else path_value(self.d_model)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if tokens.shape[1] > self.context:
            raise ValueError(f"sequences of {tokens.shape[1]} bytes exceed the model's context "
                             f"of {self.context}")
        d = self.width()
        embed = self.embed.weight[:, :d]
        x = F.embedding(tokens, embed) + self.position[:tokens.shape[1], :d]
        return self.ln_f(self.blocks(x)) @ embed.t()

    def loss(self, windows: torch.Tensor) -> torch.Tensor:
        """Next-byte cross-entropy over ``windows`` ``[batch, length + 1]``."""
        logits = self(windows[:, :-1])
        return F.cross_entropy(logits.reshape(-1, VOCAB), windows[:, 1:].reshape(-1))


def lm_network(arch: Any) -> nn.Module:
    """The network of a ``TransformerLM`` description: a candidate or, under
    :func:`supernet`, the space (see the module docstring)."""
    return LMModel(arch)
