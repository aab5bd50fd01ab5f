"""The PyTorch module of a :class:`symsearch.spaces.nas_lm.TransformerLM` (imports torch).

Kept apart from the space so that describing, sampling and counting architectures needs no
torch; :meth:`TransformerLM.build` imports this module.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

_ACTIVATIONS = {"gelu": F.gelu, "relu": F.relu, "silu": F.silu, "tanh": torch.tanh}


class Block(nn.Module):
    """Pre-LayerNorm causal self-attention with its own width, then an MLP of its own width."""

    def __init__(self, d_model: int, n_heads: int, head_dim: int, hidden: int,
                 activation: str) -> None:
        super().__init__()
        inner = n_heads * head_dim
        self.n_heads, self.head_dim = n_heads, head_dim
        self.ln1 = nn.LayerNorm(d_model)
        self.q, self.k, self.v = (nn.Linear(d_model, inner) for _ in range(3))
        self.o = nn.Linear(inner, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, hidden)
        self.fc2 = nn.Linear(hidden, d_model)
        self.activation = _ACTIVATIONS[activation]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, _ = x.shape
        h = self.ln1(x)
        q, k, v = (proj(h).view(batch, length, self.n_heads, self.head_dim).transpose(1, 2)
                   for proj in (self.q, self.k, self.v))
        attn = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(attn.transpose(1, 2).reshape(batch, length, -1))
        return x + self.fc2(self.activation(self.fc1(self.ln2(x))))


class SearchedLM(nn.Module):
    """Byte-level GPT with tied input/output embeddings and per-layer shapes."""

    def __init__(self, arch) -> None:
        super().__init__()
        d = arch.d_model
        self.context = arch.context
        self.embed = nn.Embedding(256, d)
        self.position = nn.Parameter(torch.zeros(arch.context, d))
        self.blocks = nn.ModuleList(
            Block(d, layer.n_heads, layer.head_dim, layer.hidden(d), layer.activation)
            for layer in arch.layers)
        self.ln_f = nn.LayerNorm(d)
        nn.init.normal_(self.embed.weight, std=0.02)
        nn.init.normal_(self.position, std=0.02)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if tokens.shape[1] > self.context:
            raise ValueError(f"sequences of {tokens.shape[1]} bytes exceed the model's context "
                             f"of {self.context}")
        x = self.embed(tokens) + self.position[:tokens.shape[1]]
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x) @ self.embed.weight.t()

    def loss(self, windows: torch.Tensor) -> torch.Tensor:
        """Next-byte cross-entropy over ``windows`` ``[batch, length + 1]``."""
        logits = self(windows[:, :-1])
        return F.cross_entropy(logits.reshape(-1, 256), windows[:, 1:].reshape(-1))


def build_transformer(arch) -> SearchedLM:
    return SearchedLM(arch)
