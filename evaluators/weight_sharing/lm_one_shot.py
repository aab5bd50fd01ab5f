"""Single-path one-shot for the tiny-LM transformer space: one supernet, inherited-weight loss.

The supernet is :func:`~symsearch.evaluators.weight_sharing.supernet` of
:func:`~symsearch.spaces.nas_lm.lm_space` with the model code
:func:`~symsearch.evaluators.weight_sharing.lm_model.lm_network`. It trains one uniformly
sampled path per mini-batch on the data and with the optimizer that
:func:`symsearch.spaces.nas_lm.evaluate` trains a standalone candidate with (the standard
library corpus, random windows, AdamW, linear warm-up, gradient clipping), so a path's
inherited validation loss and a standalone-trained candidate's are measured alike.
LayerNorm has no batch statistics, so no recalibration is needed.

>>> from symsearch.spaces.nas_lm import lm_space
>>> space = lm_space(d_models=(16,), depths=(1,), heads=(1, 2), head_dims=(8,),
...                  mlp_ratios=(1.0,), activations=("relu",), context=16)
>>> evaluator = LMSupernetEvaluator(space, warmup_steps=2, train_bytes=20_000,
...                                 eval_sequences=4)
>>> sorted(evaluator(evaluator.net.sample(0)))
['supernet_steps', 'valid_loss', 'valid_ppl']
"""
from __future__ import annotations

import math
import random
import time
from typing import Any, Optional, Sequence

import torch

from symsearch.evaluators.weight_sharing.one_shot import _check_positive, torch_threads
from symsearch.evaluators.weight_sharing.space_supernet import Supernet, supernet
from symsearch.runners.device import current_device


def lm_data(context: int, train_bytes: int = 400_000, eval_sequences: int = 32,
            seed: int = 0) -> tuple:
    """``(train tokens, validation windows)``: the data of ``nas_lm.evaluate`` for a space of
    this ``context``."""
    from symsearch.evaluators import tiny_lm
    config = tiny_lm.LMConfig(n_layers=1, d_model=32, n_heads=1, d_ff=32, context=context,
                              train_bytes=train_bytes,
                              split_bytes=max(40_000, train_bytes // 10),
                              eval_sequences=eval_sequences, seed=seed)
    return tiny_lm.split_tokens(config, "train"), tiny_lm.eval_windows(config, "valid")


def path_losses(net: Supernet, windows: torch.Tensor, paths: Sequence[Any],
                batch_size: int = 32) -> list:
    """Mean next-byte cross-entropy of each path on ``windows`` with inherited weights."""
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    out = []
    try:
        with torch.no_grad():
            for path in paths:
                total = 0.0
                with net.path(path):
                    for i in range(0, len(windows), batch_size):
                        batch = windows[i:i + batch_size].to(device)
                        total += float(net.model.loss(batch)) * len(batch)
                out.append(total / len(windows))
    finally:
        net.train(was_training)
    return out


class LMPathTrainer:
    """AdamW (weight decay 0.01, gradient norm clipped at 1) of an LM supernet, one path per
    mini-batch of random windows, learning rate warmed up linearly over the first tenth of
    ``total_steps`` (as ``nas_lm.evaluate`` trains one candidate)."""

    def __init__(self, net: Supernet, tokens: torch.Tensor, context: int, total_steps: int,
                 lr: float = 3e-3, batch_size: int = 16, seed: int = 0):
        from symsearch.evaluators import tiny_lm
        self._windows = tiny_lm.random_windows
        self.net, self.tokens, self.context = net, tokens, context
        self.lr, self.batch_size, self.total_steps = lr, batch_size, total_steps
        self.optimizer = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
        self.generator = torch.Generator().manual_seed(seed)
        self.device = next(net.parameters()).device
        self.steps = 0

    def step(self, path: Any) -> float:
        """One mini-batch on ``path``; returns its loss."""
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr * min(1.0, (self.steps + 1) / max(1, self.total_steps // 10))
        batch = self._windows(self.tokens, self.batch_size, self.context + 1,
                              self.generator).to(self.device)
        self.net.train()
        with self.net.path(path):
            loss = self.net.model.loss(batch)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
        self.optimizer.step()
        self.steps += 1
        return float(loss.detach())


class LMSupernetEvaluator:
    """An evaluator ``candidate -> {"valid_loss", "valid_ppl", "supernet_steps"}`` of the LM
    space, scored with inherited weights: the first call trains the supernet
    ``warmup_steps`` mini-batches of uniformly sampled paths (single-path one-shot), each call
    then ``train_steps`` more on the candidate's path. ``supernet_steps`` is the compute:
    compare it with ``nas_lm.evaluate``'s ``steps`` per standalone candidate."""

    def __init__(self, space: Any, *, warmup_steps: int = 3000, train_steps: int = 0,
                 lr: float = 3e-3, batch_size: int = 16, train_bytes: int = 400_000,
                 eval_sequences: int = 32, seed: int = 0, device: str = "auto",
                 num_threads: Optional[int] = 1):
        from symsearch.evaluators.weight_sharing.lm_model import lm_network
        _check_positive("LMSupernetEvaluator", "warmup_steps", warmup_steps, allow_zero=True)
        _check_positive("LMSupernetEvaluator", "train_steps", train_steps, allow_zero=True)
        _check_positive("LMSupernetEvaluator", "lr", lr, kind=float)
        self.device = current_device(device)
        context = space.sym_init_args.get("context", 128)
        self.tokens, self.windows = lm_data(context, train_bytes, eval_sequences, seed)
        torch.manual_seed(seed)
        self.net = supernet(space, lm_network, device=self.device,
                            example_input=self.windows[:2, :-1].to(self.device))
        self.trainer = LMPathTrainer(self.net, self.tokens, context,
                                     max(1, warmup_steps), lr, batch_size, seed)
        self.warmup_steps, self.train_steps, self.seed = warmup_steps, train_steps, seed
        self.num_threads = num_threads
        self.warmed_up = False
        self.warmup_seconds = 0.0

    def warm_up(self) -> None:
        if self.warmed_up:
            return
        self.warmed_up = True
        rng = random.Random(self.seed)
        start = time.perf_counter()
        with torch_threads(self.num_threads):
            for _ in range(self.warmup_steps):
                self.trainer.step(self.net.sample(rng))
        self.warmup_seconds = time.perf_counter() - start

    def losses(self, candidates: Sequence[Any]) -> list:
        """Inherited-weight validation losses of several candidates, without training."""
        self.warm_up()
        with torch_threads(self.num_threads):
            return path_losses(self.net, self.windows, [self.net.dna(c) for c in candidates])

    def __call__(self, candidate: Any) -> dict:
        self.warm_up()
        dna = self.net.dna(candidate)
        with torch_threads(self.num_threads):
            for _ in range(self.train_steps):
                self.trainer.step(dna)
            loss, = path_losses(self.net, self.windows, [dna])
        return {"valid_loss": loss, "valid_ppl": math.exp(loss),
                "supernet_steps": self.trainer.steps}
