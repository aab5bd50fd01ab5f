"""Scores a pruning metric by pruning a small language model and measuring its perplexity.

Every ``nn.Linear`` of a :mod:`~symsearch.evaluators.tiny_lm` transformer (the attention's
``q``, ``k``, ``v``, ``o`` and the MLP's ``fc1``, ``fc2`` in every block; embeddings are tied,
so there is no separate output layer) is pruned with the candidate metric at ``sparsity``
(default 50% unstructured, compared within each output row; ``structure="2:4"`` keeps 2 of
every 4 consecutive weights) and the perplexity of the pruned model on a text split is the
fitness (lower is better).

The metric's inputs come from a fixed calibration set (``calibration_sequences`` random
windows of the calibration split, drawn with ``calibration_seed``), gathered once on the
dense model and cached on disk beside the model:

- ``X``: per input channel ``j`` of each layer, ``||x_j||_2`` over all calibration tokens
  (what Wanda uses);
- ``G``: per weight, the root mean square over calibration sequences of the gradient of
  that sequence's language-model loss (a Fisher-like magnitude, as in GBLM-Pruner and
  Pruner-Zero, which use an l2 norm of gradients over calibration samples).

Metric trees are evaluated with torch (float64) on the evaluation device (``device="auto"``:
CUDA when PyTorch sees a GPU); the torch ops mirror the NumPy ops of the registry (same
protected division and logarithm), and an op without a torch twin here falls back to its
NumPy function. A metric whose perplexity is not finite gets ``PENALTY``: fitness is always
finite.

>>> from symsearch.spaces.pruning_metrics import PruningMetric, wanda
>>> metrics = evaluate(PruningMetric(expr=wanda()), model="tiny")        # doctest: +SKIP
>>> sorted(metrics)                                                        # doctest: +SKIP
['dense_perplexity', 'formula', 'perplexity', 'sparsity']
"""
from __future__ import annotations

import math
import threading
from typing import Any

from symsearch.evaluators import tiny_lm
from symsearch.programs.expr import Call, Const, Var
from symsearch.programs.ops import REGISTRY
from symsearch.programs.torch_eval import torch_op
from symsearch.spaces.pruning_metrics import as_expr, comparison_groups

#: The perplexity reported for a pruned model whose perplexity is NaN or above it.
PENALTY = 1e6
SPLITS = ("valid", "test")


# ---- metric trees in torch ---------------------------------------------------------------------

def torch_scores(metric: Any, W, G, X):
    """The metric's scores for one layer, float64 on ``W``'s device; ``X`` is per input
    channel (``[in]``) or broadcast already. NumPy-only ops run on the CPU."""
    import torch
    W = W.to(torch.float64)
    env = {"W": W, "G": G.to(torch.float64).expand_as(W),
           "X": X.to(torch.float64).expand_as(W)}
    out = _walk(as_expr(metric), env, W.device)
    return out.expand_as(W) if out.shape != W.shape else out


def _walk(expr, env: dict, device):
    import torch
    cls = type(expr)
    if cls is Var:
        return env[expr.name]
    if cls is Const:
        return torch.tensor(float(expr.value), dtype=torch.float64, device=device)
    if cls is Call:
        args = [_walk(a, env, device) for a in expr.args]
        try:
            fn = torch_op(expr.op)
        except KeyError:            # an op without a torch twin: NumPy on the CPU
            fn = None
        if fn is not None:
            return fn(*args)
        import numpy as np
        with np.errstate(all="ignore"):
            value = REGISTRY.get(expr.op).numpy_fn(*[a.cpu().numpy() for a in args])
        return torch.as_tensor(np.asarray(value, dtype=np.float64), device=device)
    raise TypeError(f"not an expression node: {type(expr).__name__}")


def torch_prune_mask(scores, sparsity: float = 0.5, structure: str = "unstructured"):
    """The keep-mask of ``scores`` ``[out, in]`` with exactly the rule of
    :func:`symsearch.spaces.pruning_metrics.prune_mask` (NaN lowest, stable ties)."""
    import torch
    scores = torch.where(torch.isnan(scores), torch.full_like(scores, -math.inf), scores)
    rows, cols = scores.shape
    width, prune = comparison_groups(cols, sparsity, structure)
    groups = scores.reshape(-1, width)
    order = torch.sort(groups, dim=-1, stable=True).indices
    keep = torch.ones(groups.shape, dtype=torch.bool, device=scores.device)
    keep.scatter_(-1, order[:, :prune], False)
    return keep.reshape(rows, cols)


# ---- the task: model, calibration statistics, evaluation windows ---------------------------------

def calibration_stats(config: tiny_lm.LMConfig, model, seed: int, sequences: int) -> dict:
    """``{layer name: (X [in], G [out, in])}`` on the CPU, from the disk cache or computed
    on the dense ``model`` (and cached, atomically)."""
    import torch
    path = tiny_lm.artifact_dir(config) / f"calibration-seed{seed}-n{sequences}.pt"
    if path.exists():
        return torch.load(path, map_location="cpu")
    device = next(model.parameters()).device
    layers = tiny_lm.linear_layers(model)
    generator = torch.Generator().manual_seed(10_000 + seed)
    windows = tiny_lm.random_windows(tiny_lm.split_tokens(config, "calibration"), sequences,
                                     config.context + 1, generator)
    squares = {name: torch.zeros(m.in_features, dtype=torch.float64, device=device)
               for name, m in layers}
    grads = {name: torch.zeros_like(m.weight, dtype=torch.float64) for name, m in layers}

    def hook(name):
        def record(module, inputs, output):
            x = inputs[0].detach().reshape(-1, module.in_features).to(torch.float64)
            squares[name] += (x * x).sum(0)
        return record

    handles = [m.register_forward_hook(hook(name)) for name, m in layers]
    try:
        for window in windows:
            model.zero_grad(set_to_none=True)
            model.loss(window[None].to(device)).backward()
            for name, m in layers:
                grads[name] += m.weight.grad.to(torch.float64) ** 2
    finally:
        for h in handles:
            h.remove()
        model.zero_grad(set_to_none=True)
    stats = {name: (squares[name].sqrt().cpu(), (grads[name] / sequences).sqrt().cpu())
             for name, _ in layers}
    tiny_lm.save_atomic(stats, path)
    return stats


class PruningTask:
    """A trained model with its dense weights, calibration statistics and evaluation windows
    on one device: ``perplexity(metric, sparsity, structure, split)`` prunes and measures.

    Args:
      model: an ``LMConfig``, a preset name of ``tiny_lm.PRESETS`` ("small", "tiny") or a
        mapping of LMConfig fields.
      calibration_seed: which random calibration windows give ``X`` and ``G``.
      calibration_sequences: how many windows.
      device: "auto" (CUDA when available), "cpu" or "cuda[:N]".
    """

    def __init__(self, model: Any = "small", calibration_seed: int = 0,
                 calibration_sequences: int = 256, device: str = "auto",
                 log: bool = False) -> None:
        import torch
        from symsearch.runners.device import current_device
        if isinstance(calibration_seed, bool) or not isinstance(calibration_seed, int):
            raise ValueError(f"calibration_seed must be an int, got {calibration_seed!r}")
        if isinstance(calibration_sequences, bool) or not isinstance(calibration_sequences, int) \
                or calibration_sequences < 1:
            raise ValueError(f"calibration_sequences must be a positive int, got "
                             f"{calibration_sequences!r}")
        self.config = tiny_lm.make_config(model)
        self.device = current_device(device)
        self.model = tiny_lm.load_model(self.config, self.device, log=log)
        for p in self.model.parameters():
            p.requires_grad_(True)
        stats = calibration_stats(self.config, self.model, calibration_seed,
                                  calibration_sequences)
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.layers = tiny_lm.linear_layers(self.model)
        self.dense = {name: m.weight.detach().clone() for name, m in self.layers}
        self.stats = {name: (x.to(self.device), g.to(self.device))
                      for name, (x, g) in stats.items()}
        self._windows = {split: tiny_lm.eval_windows(self.config, split) for split in SPLITS}
        self._dense_perplexity: dict = {}
        self.lock = threading.Lock()
        self.torch = torch

    def masks(self, metric: Any, sparsity: float = 0.5,
              structure: str = "unstructured") -> dict:
        """``{layer name: keep-mask}`` of ``metric`` for every linear layer."""
        out = {}
        for name, _ in self.layers:
            X, G = self.stats[name]
            scores = torch_scores(metric, self.dense[name], G, X)
            out[name] = torch_prune_mask(scores, sparsity, structure)
        return out

    def restore(self) -> None:
        """Puts the dense weights back."""
        with self.torch.no_grad():
            for name, m in self.layers:
                m.weight.copy_(self.dense[name])

    def perplexity(self, metric: Any = None, sparsity: float = 0.5,
                   structure: str = "unstructured", split: str = "valid") -> tuple:
        """``(perplexity, fraction of linear weights that are zero)`` after pruning with
        ``metric`` (None: the dense model). Perplexity is capped at ``PENALTY``."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        with self.lock:
            if metric is None:
                self.restore()
                zeros = sum(int((m.weight == 0).sum()) for _, m in self.layers)
            else:
                masks = self.masks(metric, sparsity, structure)
                zeros = 0
                with self.torch.no_grad():
                    for name, m in self.layers:
                        m.weight.copy_(self.dense[name] * masks[name])
                        zeros += int((~masks[name]).sum())
            try:
                value = tiny_lm.perplexity(self.model, self._windows[split], batch_size=64)
            finally:
                self.restore()
        total = sum(m.weight.numel() for _, m in self.layers)
        if not math.isfinite(value) or value > PENALTY:
            value = PENALTY
        return value, zeros / total

    def dense_perplexity(self, split: str = "valid") -> float:
        if split not in self._dense_perplexity:
            self._dense_perplexity[split] = self.perplexity(None, split=split)[0]
        return self._dense_perplexity[split]


_TASKS: dict = {}
_TASKS_LOCK = threading.Lock()


def get_task(model: Any = "small", calibration_seed: int = 0, calibration_sequences: int = 256,
             device: str = "auto", log: bool = True) -> PruningTask:
    """The PruningTask for these settings, built once per process."""
    from symsearch.runners.device import current_device
    config = tiny_lm.make_config(model)
    key = (config, calibration_seed, calibration_sequences, current_device(device))
    with _TASKS_LOCK:
        task = _TASKS.get(key)
        if task is None:
            task = PruningTask(config, calibration_seed, calibration_sequences, device, log=log)
            _TASKS[key] = task
    return task


def evaluate(candidate: Any, *, sparsity: float = 0.5, structure: str = "unstructured",
             split: str = "valid", model: Any = "small", calibration_seed: int = 0,
             calibration_sequences: int = 256, device: str = "auto") -> dict:
    """Prunes the model with ``candidate`` (a PruningMetric, an expression, or a known
    metric's name) and returns ``{"perplexity", "dense_perplexity", "sparsity", "formula"}``.

    The first call of a process loads (or trains, the very first time) the model and the
    calibration statistics; later calls only prune and evaluate (well under a second on CPU
    for the "small" model). ``formula`` is returned so that ``symsearch run``/``show`` print
    it; a trial answered by the mask cache carries the formula of the mask-equivalent
    metric that was evaluated (its own tree is the trial's candidate).
    """
    from symsearch.programs.expr import to_source
    task = get_task(model, calibration_seed, calibration_sequences, device)
    value, zeros = task.perplexity(candidate, sparsity, structure, split)
    return {"perplexity": value, "dense_perplexity": task.dense_perplexity(split),
            "sparsity": zeros, "formula": to_source(as_expr(candidate))}


__all__ = ["PENALTY", "PruningTask", "get_task", "evaluate", "torch_scores",
           "torch_prune_mask", "calibration_stats"]
