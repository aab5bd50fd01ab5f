"""A small transformer search space over the project's byte-level LM (LLaMA-NAS's CPU cousin).

:class:`TransformerLM` describes a pre-LayerNorm byte-level GPT like
:mod:`symsearch.evaluators.tiny_lm`'s, except that every layer has its own shape
(:class:`LayerShape`: attention heads, head width, MLP ratio, activation), so a search can
give each layer a different width, as LLaMA-NAS does with a large model. The residual stream
(``d_model``) is shared by all layers, as it must be. :func:`lm_space` makes the space: the
stream width, the depth (a ``oneof`` over layer lists, so each depth has its own per-layer
decisions) and each layer's shape.

``arch.build()`` returns the ``nn.Module`` (torch is imported only there);
``arch.num_parameters()`` counts its parameters without torch; :func:`evaluate` trains a
candidate briefly on the LM's standard-library corpus (no download) and returns its
validation perplexity, parameter count and train time: a real but short training, meant for
small searches and as ground truth for proxies, not for final numbers.

>>> import symsearch as ss
>>> arch = ss.random_sample(lm_space(), 1, seed=0)[0]
>>> arch.num_parameters() == sum(p.numel() for p in arch.build().parameters())
True
"""
from __future__ import annotations

import time
from typing import Any, Optional, Sequence

import symsearch as ss

ACTIVATIONS = ("gelu", "relu", "silu", "tanh")
VOCAB = 256


class LayerShape(ss.Object):
    """One transformer block: ``n_heads`` heads of ``head_dim`` (attention width
    ``n_heads * head_dim``), an MLP of ``mlp_ratio * d_model`` hidden units and ``activation``."""

    n_heads: int = 4
    head_dim: int = 32
    mlp_ratio: float = 4.0
    activation: str = "gelu"

    def _on_bound(self) -> None:
        for name in ("n_heads", "head_dim"):
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool) and value < 1:
                raise ValueError(f"LayerShape.{name} must be a positive int, got {value!r}")
        if isinstance(self.mlp_ratio, (int, float)) and self.mlp_ratio <= 0:
            raise ValueError(f"LayerShape.mlp_ratio must be positive, got {self.mlp_ratio!r}")
        if isinstance(self.activation, str) and self.activation not in ACTIVATIONS:
            raise ValueError(f"LayerShape.activation: unknown activation "
                             f"{self.activation!r}; known: {list(ACTIVATIONS)}")

    def hidden(self, d_model: int) -> int:
        return max(1, int(round(self.mlp_ratio * d_model)))


class TransformerLM(ss.Object):
    """A byte-level causal LM: embeddings of ``d_model`` (tied with the output layer), learned
    positions for ``context`` bytes, then ``layers`` (a list of :class:`LayerShape`)."""

    layers: list
    d_model: int = 128
    context: int = 128

    def _on_bound(self) -> None:
        if isinstance(self.layers, list) and not self.layers:
            raise ValueError("TransformerLM.layers must hold at least one LayerShape")

    def num_parameters(self) -> int:
        """The parameter count of :meth:`build`'s module, computed without torch."""
        d = self.d_model
        total = VOCAB * d + self.context * d + 2 * d               # embed, position, ln_f
        for k, layer in enumerate(self.layers):
            if not isinstance(layer, LayerShape):
                raise TypeError(f"TransformerLM.layers[{k}] must be a LayerShape, got "
                                f"{type(layer).__name__}")
            inner, hidden = layer.n_heads * layer.head_dim, layer.hidden(d)
            total += 4 * d                                          # two LayerNorms
            total += 3 * (d * inner + inner) + inner * d + d        # q, k, v, o
            total += d * hidden + hidden + hidden * d + d           # fc1, fc2
        return total

    def build(self):
        """The ``nn.Module`` (imports torch). It has ``loss(windows)`` like tiny_lm's model."""
        from symsearch.spaces.nas_lm_torch import build_transformer
        return build_transformer(self)


def lm_space(d_models: Sequence[int] = (64, 96, 128), depths: Sequence[int] = (1, 2, 3, 4),
             heads: Sequence[int] = (1, 2, 4, 8), head_dims: Sequence[int] = (16, 32),
             mlp_ratios: Sequence[float] = (1.0, 2.0, 3.0, 4.0),
             activations: Sequence[str] = ("gelu", "relu", "silu"),
             context: int = 64) -> TransformerLM:
    """The transformer space: ``d_model``, the depth, and per layer its heads, head width,
    MLP ratio and activation (decisions named ``d_model``, ``depth`` and, for a ``depth``-layer
    branch, ``depth{d}_layer{k}_heads`` and so on)."""
    for name, values in (("d_models", d_models), ("depths", depths), ("heads", heads),
                         ("head_dims", head_dims)):
        values = list(values)
        if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < 1
                             for v in values):
            raise ValueError(f"lm_space {name} must be positive ints, got {values!r}")
    unknown = [a for a in activations if a not in ACTIVATIONS]
    if unknown:
        raise ValueError(f"lm_space activations {unknown} unknown; known: {list(ACTIVATIONS)}")

    def layer(depth: int, k: int) -> LayerShape:
        prefix = f"depth{depth}_layer{k}"
        return LayerShape(n_heads=ss.oneof(list(heads), name=f"{prefix}_heads"),
                          head_dim=ss.oneof(list(head_dims), name=f"{prefix}_head_dim"),
                          mlp_ratio=ss.oneof([float(r) for r in mlp_ratios],
                                             name=f"{prefix}_mlp_ratio"),
                          activation=ss.oneof(list(activations), name=f"{prefix}_activation"))

    return TransformerLM(layers=ss.oneof([[layer(d, k) for k in range(d)] for d in depths],
                                         name="depth"),
                         d_model=ss.oneof(list(d_models), name="d_model"), context=context)


def evaluate(arch: TransformerLM, steps: int = 300, batch_size: int = 16, lr: float = 3e-3,
             seed: int = 0, train_bytes: int = 400_000, eval_sequences: int = 32,
             device: str = "auto", threads: Optional[int] = 1) -> dict:
    """Trains ``arch`` for ``steps`` AdamW steps on the standard-library corpus and returns
    ``valid_ppl`` (validation perplexity), ``params`` and ``train_time`` (seconds).

    ``device="auto"`` trains on CUDA when PyTorch sees a GPU, else on the CPU, with
    ``threads`` torch threads there (1 by default: small models run fastest on one thread,
    and parallel trials each get a core; None keeps torch's setting)."""
    import torch
    from symsearch.runners.device import current_device
    if not isinstance(arch, TransformerLM):
        raise TypeError(f"evaluate expects a TransformerLM, got {type(arch).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                or threads < 1):
        raise ValueError(f"threads must be a positive int or None, got {threads!r}")
    where = current_device(device)
    previous = torch.get_num_threads()
    if threads is not None and where == "cpu":
        torch.set_num_threads(threads)
    try:
        return _train(arch, steps, batch_size, lr, seed, train_bytes, eval_sequences, where)
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)


def _train(arch: TransformerLM, steps: int, batch_size: int, lr: float, seed: int,
           train_bytes: int, eval_sequences: int, where: str) -> dict:
    import torch
    from symsearch.evaluators import tiny_lm
    config = tiny_lm.LMConfig(n_layers=1, d_model=32, n_heads=1, d_ff=32, context=arch.context,
                              train_bytes=train_bytes, split_bytes=max(40_000, train_bytes // 10),
                              eval_sequences=eval_sequences, seed=seed)
    tokens = tiny_lm.split_tokens(config, "train")
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = arch.build().to(where)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    start = time.perf_counter()
    model.train()
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr * min(1.0, (step + 1) / max(1, steps // 10))
        batch = tiny_lm.random_windows(tokens, batch_size, arch.context + 1, generator).to(where)
        loss = model.loss(batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    train_time = time.perf_counter() - start
    model.eval()
    ppl = tiny_lm.perplexity(model, tiny_lm.eval_windows(config, "valid"))
    return {"valid_ppl": ppl, "params": arch.num_parameters(), "train_time": train_time}


def describe(arch: Any) -> str:
    """One line: ``d_model=96 | 4h x 32 mlp 2.0 gelu | ...``."""
    return f"d_model={arch.d_model} | " + " | ".join(
        f"{l.n_heads}h x {l.head_dim} mlp {l.mlp_ratio:g} {l.activation}" for l in arch.layers)
