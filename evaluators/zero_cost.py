"""Zero-cost NAS proxies: score a network at initialization from one mini-batch.

Each proxy is computed on the real ``nn.Module`` of a candidate (a
:class:`~symsearch.evaluators.nas_cell_net.CellNetwork` built from a cell, or any classifier
module), freshly initialized under ``torch.manual_seed(seed)``, from one mini-batch of the
digits training split. Higher is meant to be better for every proxy:

- ``grad_norm``: sum over weight layers of the L2 norm of the loss gradient (Abdelfattah et
  al., "Zero-Cost Proxies for Lightweight NAS", 2021);
- ``snip``: sum of ``|w * dL/dw|`` (Lee et al., SNIP, 2019);
- ``grasp``: sum of ``-w * (H g)``, the Hessian-gradient product (Wang et al., GraSP, 2020);
- ``synflow``: sum of ``w * dR/dw`` with all weights made positive, an all-ones input and
  ``R`` the sum of the outputs, in float64 with BatchNorm in eval mode (Tanaka et al., 2020);
- ``naswot``: log-determinant of the Hamming kernel of the ReLU activation patterns over the
  batch (Mellor et al., "Neural Architecture Search without Training", 2021);
- ``jacob_cov``: the score of the correlation matrix of the input Jacobians (Mellor et al.'s
  first version), ``-sum(log(v + k) + 1 / (v + k))`` over its eigenvalues ``v``;
- ``params`` and ``flops``: the baselines every zero-cost study reports.

:func:`rank_correlations` gives Kendall's tau and Spearman's rho (``scipy.stats``) of
scores against accuracies; non-finite scores rank lowest (a network whose cell outputs
zeros has no Jacobian correlation, and is also the worst).

>>> scores = compute_proxies(["nor_conv_3x3", "none", "skip_connect", "none", "none",
...                           "nor_conv_1x1"], names=("snip", "params"))
>>> scores["snip"] > 0, scores["params"]
(True, 866)
"""
from __future__ import annotations

import copy
import math
from typing import Any, Iterable, Optional, Sequence

import numpy as np

PROXIES = ("grad_norm", "snip", "grasp", "synflow", "naswot", "jacob_cov", "params", "flops")
DEFAULT_BATCH = 64


def minibatch(batch_size: int = DEFAULT_BATCH, seed: int = 0) -> tuple:
    """``(x, y)``: ``batch_size`` training digits drawn with ``seed`` (``x`` is (B, 1, 8, 8))."""
    import torch
    from symsearch.evaluators.nas_cell_net import _split
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 2:
        raise ValueError(f"batch_size must be an int >= 2 (proxies compare samples); got "
                         f"{batch_size!r}")
    x, y = _split()["train"]
    if batch_size > len(y):
        raise ValueError(f"batch_size {batch_size} exceeds the {len(y)} training digits")
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))[:batch_size]
    return x[order], y[order]


def weight_layers(model: Any) -> list:
    """The modules whose weights the proxies sum over: every Conv2d and Linear (and the
    network's per-replica classifier), in module order."""
    from torch import nn
    from symsearch.evaluators.nas_cell_net import ReplicaLinear
    return [m for m in model.modules()
            if isinstance(m, (nn.Conv2d, nn.Linear, ReplicaLinear))]


def build_model(candidate: Any, seed: int = 0, **network_kwargs: Any) -> Any:
    """A freshly initialized network: ``candidate`` itself when it is an ``nn.Module``
    (copied, so proxies never touch the caller's weights), else the CellNetwork of a cell."""
    import torch
    from torch import nn
    from symsearch.evaluators.nas_cell_net import CellNetwork
    if isinstance(candidate, nn.Module):
        return copy.deepcopy(candidate)
    torch.manual_seed(seed)
    settings = {"channels": 8, "n_cells": 1}
    settings.update(network_kwargs)
    return CellNetwork(candidate, **settings)


def _loss(model: Any, x: Any, y: Any) -> Any:
    from torch.nn import functional
    return functional.cross_entropy(model(x), y)


def grad_norm(model: Any, x: Any, y: Any) -> float:
    """Sum over weight layers of ``||dL/dW||_2``."""
    model.zero_grad(set_to_none=True)
    _loss(model, x, y).backward()
    return float(sum(float(m.weight.grad.norm()) for m in weight_layers(model)
                     if m.weight.grad is not None))


def snip(model: Any, x: Any, y: Any) -> float:
    """Sum of ``|w * dL/dw|`` over weight layers."""
    model.zero_grad(set_to_none=True)
    _loss(model, x, y).backward()
    return float(sum(float((m.weight.detach() * m.weight.grad).abs().sum())
                     for m in weight_layers(model) if m.weight.grad is not None))


def grasp(model: Any, x: Any, y: Any) -> float:
    """Sum of ``-w * (H g)``, with ``g`` the loss gradient and ``H`` its Hessian."""
    import torch
    weights = [m.weight for m in weight_layers(model)]
    loss = _loss(model, x, y)
    grads = torch.autograd.grad(loss, weights, create_graph=True, allow_unused=True)
    pairs = [(w, g) for w, g in zip(weights, grads) if g is not None]
    if not pairs:
        return 0.0
    inner = sum((g * g.detach()).sum() for _, g in pairs)
    hessian_grads = torch.autograd.grad(inner, [w for w, _ in pairs], allow_unused=True)
    return float(sum(float((-w.detach() * hg).sum())
                     for (w, _), hg in zip(pairs, hessian_grads) if hg is not None))


def synflow(model: Any, x: Any, y: Any = None) -> float:
    """Synaptic flow: ``sum(w * dR/dw)`` with ``|w|`` weights, an all-ones input, float64."""
    import torch
    model = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.abs_()
    model.zero_grad(set_to_none=True)
    model(torch.ones((1,) + tuple(x.shape[1:]), dtype=torch.float64)).sum().backward()
    return float(sum(float((m.weight.detach() * m.weight.grad).sum())
                     for m in weight_layers(model) if m.weight.grad is not None))


def naswot(model: Any, x: Any, y: Any = None) -> float:
    """``log|det K|``, ``K[i, j]`` the number of ReLUs on which samples ``i`` and ``j`` agree."""
    import torch
    from torch import nn
    n = x.shape[0]
    kernel = torch.zeros(n, n, dtype=torch.float64)

    def hook(module, inputs, output):
        codes = (inputs[0].detach().reshape(n, -1) > 0).double()
        kernel.add_(codes @ codes.T + (1 - codes) @ (1 - codes).T)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.ReLU)]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    sign, logdet = torch.linalg.slogdet(kernel)
    return float(logdet) if float(sign) != 0 else float("-inf")


def jacob_cov(model: Any, x: Any, y: Any = None, k: float = 1e-5) -> float:
    """``-sum(log(v + k) + 1/(v + k))`` over the eigenvalues of the Jacobian correlations."""
    import torch
    x = x.clone().requires_grad_(True)
    model.zero_grad(set_to_none=True)
    output = model(x).sum()
    if not output.requires_grad:
        return float("-inf")
    output.backward()
    if x.grad is None:                # the output does not depend on the input
        return float("-inf")
    jacobian = x.grad.reshape(x.shape[0], -1).double().numpy()
    if not np.all(np.isfinite(jacobian)) or np.any(jacobian.std(axis=1) == 0):
        return float("-inf")          # a constant Jacobian row has no correlation
    values = np.linalg.eigvalsh(np.corrcoef(jacobian))
    return float(-np.sum(np.log(values + k) + 1.0 / (values + k)))


_FUNCTIONS = {"grad_norm": grad_norm, "snip": snip, "grasp": grasp, "synflow": synflow,
              "naswot": naswot, "jacob_cov": jacob_cov}


def compute_proxies(candidate: Any, names: Sequence[str] = PROXIES,
                    batch_size: int = DEFAULT_BATCH, seed: int = 0,
                    **network_kwargs: Any) -> dict:
    """``{name: score}`` of ``candidate`` (a cell or an ``nn.Module``) at initialization.

    Every proxy gets the same freshly initialized weights (a copy per proxy) and the same
    mini-batch; ``network_kwargs`` go to :class:`CellNetwork` (``channels``, ``n_cells``).
    """
    import torch
    from symsearch.evaluators.nas_cell_net import count_flops, count_parameters
    names = _check_names(names)
    x, y = minibatch(batch_size, seed)
    base = build_model(candidate, seed, **network_kwargs)
    base.train()
    scores = {}
    previous = torch.get_num_threads()
    for name in names:
        if name == "params":
            scores[name] = count_parameters(base)
        elif name == "flops":
            scores[name] = count_flops(base, (1,) + tuple(x.shape[1:]))
        else:
            scores[name] = _FUNCTIONS[name](copy.deepcopy(base), x, y)
    if torch.get_num_threads() != previous:
        torch.set_num_threads(previous)
    return scores


def _check_names(names: Iterable[str]) -> tuple:
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    unknown = [n for n in names if n not in PROXIES]
    if unknown or not names:
        raise ValueError(f"unknown zero-cost proxies {unknown or names!r}; known: {PROXIES}")
    return names


def proxy_table(cells: Sequence[Any], names: Sequence[str] = PROXIES,
                batch_size: int = DEFAULT_BATCH, seed: int = 0) -> dict:
    """``{name: np.ndarray}``, each proxy's score of every cell (float64, in order)."""
    names = _check_names(names)
    columns = {name: np.empty(len(cells)) for name in names}
    for i, cell in enumerate(cells):
        for name, value in compute_proxies(cell, names, batch_size, seed).items():
            columns[name][i] = value
    return columns


def _finite_for_ranking(scores: Any) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64).copy()
    bad = ~np.isfinite(scores)
    if bad.any():
        finite = scores[~bad]
        floor = (finite.min() - 1.0 - abs(finite.min())) if finite.size else 0.0
        scores[bad] = floor           # +inf, -inf and NaN all rank lowest
    return scores


def rank_correlations(scores: Any, accuracy: Any) -> dict:
    """``{"kendall_tau", "spearman_rho"}`` of ``scores`` against ``accuracy`` (scipy.stats);
    non-finite scores rank below every finite one; a constant score gives 0."""
    from scipy import stats
    scores, accuracy = _finite_for_ranking(scores), np.asarray(accuracy, dtype=np.float64)
    if scores.shape != accuracy.shape or scores.ndim != 1 or scores.size < 2:
        raise ValueError(f"scores and accuracy must be 1-d of one length >= 2; got shapes "
                         f"{scores.shape} and {accuracy.shape}")
    if np.all(scores == scores[0]):
        return {"kendall_tau": 0.0, "spearman_rho": 0.0}
    tau = stats.kendalltau(scores, accuracy).statistic
    rho = stats.spearmanr(scores, accuracy).statistic
    return {"kendall_tau": float(np.nan_to_num(tau)), "spearman_rho": float(np.nan_to_num(rho))}


def evaluate(candidate: Any, proxy: str = "naswot", batch_size: int = DEFAULT_BATCH,
             seed: int = 0, table: Any = None) -> dict:
    """An evaluator for ``ss.search``: ``{"score": the proxy, proxy: same}``, plus the NAS
    table's ``test_accuracy`` of the cell when the table holds it (to judge the pick, never
    to search on). ``table``: a path or NASTable; ``False`` skips the lookup."""
    name = _check_names(proxy)[0]
    value = compute_proxies(candidate, (name,), batch_size, seed)[name]
    value = float(value) if math.isfinite(float(value)) else -1e300   # the store needs JSON
    metrics = {"score": value, name: value}
    if table is not False:
        from symsearch.evaluators import nas_bench
        try:
            metrics["test_accuracy"] = nas_bench.evaluate(candidate, table=table)["test_accuracy"]
        except nas_bench.ArchitectureNotInTable:
            pass
    return metrics
