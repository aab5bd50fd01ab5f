"""Fitness of evolved zero-cost proxies: rank correlation with the NAS table's accuracy.

Every architecture of the project's NAS table (:mod:`symsearch.evaluators.nas_bench`) has
its per-layer statistics at initialization computed once (:func:`layer_statistics`, the
variables of :mod:`symsearch.spaces.zero_cost_proxies`) and stored beside the table in
``evaluators/data/nas_digits_proxies.npz``, together with the scores of the hand-designed
proxies of :mod:`symsearch.evaluators.zero_cost`. A proxy's fitness is then one NumPy
evaluation of its expression over an ``(architectures, layers)`` array and one Kendall tau:
about a millisecond, so genetic programming can try thousands of proxies in seconds.

The architectures are split once, at random with a fixed seed, into a *training* half (the
fitness: tau against final validation accuracy) and a *held-out* half (the report: tau
against final test accuracy, which no search sees):

>>> from symsearch.spaces.zero_cost_proxies import ZeroCostProxy, snip
>>> fit = evaluate(ZeroCostProxy(expr=snip()))
>>> -1.0 <= fit["kendall_tau"] <= 1.0, fit["architectures"] > 500
(True, True)
"""
from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "nas_digits_proxies.npz"
SPLITS = ("train", "heldout", "all")


def _logdet_hamming(codes: Any) -> float:
    """``log det K`` of the Hamming-agreement kernel of 0/1 ``codes`` (B, units); 0 when
    ``K`` is singular, to working precision (samples that share a pattern, or more samples
    than the patterns can tell apart: no information)."""
    import torch
    codes = codes.double()
    kernel = codes @ codes.T + (1 - codes) @ (1 - codes).T
    values = torch.linalg.eigvalsh(kernel)
    if float(values[0]) <= 1e-9 * max(float(values[-1]), 1.0):
        return 0.0
    return float(torch.log(values).sum())


def layer_statistics(candidate: Any, batch_size: int = 64, seed: int = 0) -> dict:
    """``{variable: np.ndarray (layers,)}`` of a cell's network at initialization.

    The layers are the network's weight layers in module order (stem conv, the cell's
    convolutions, the classifier); the variables are those of
    :data:`symsearch.spaces.zero_cost_proxies.VARIABLES`. Same weights and mini-batch as
    :func:`symsearch.evaluators.zero_cost.compute_proxies` with the same ``seed``.
    """
    import torch
    from torch.nn import functional
    from symsearch.evaluators.zero_cost import build_model, minibatch, weight_layers
    from symsearch.spaces.zero_cost_proxies import VARIABLES
    x, y = minibatch(batch_size, seed)
    model = build_model(candidate, seed)
    flow_model = copy.deepcopy(model)
    model.train()
    layers = weight_layers(model)
    outputs: dict = {}
    stats = {v: np.zeros(len(layers)) for v in VARIABLES}

    def hook(index):
        def capture(module, inputs, output):
            stats["H"][index] = _logdet_hamming(inputs[0].detach().reshape(len(y), -1) > 0)
            stats["A"][index] = float(output.detach().pow(2).mean().sqrt())
            if output.requires_grad:
                output.retain_grad()
            outputs[index] = output
        return capture

    handles = [layer.register_forward_hook(hook(i)) for i, layer in enumerate(layers)]
    try:
        loss = functional.cross_entropy(model(x), y)
    finally:
        for handle in handles:
            handle.remove()
    if loss.requires_grad:
        loss.backward()
    for i, layer in enumerate(layers):
        weight, grad = layer.weight.detach(), layer.weight.grad
        stats["W"][i] = float(weight.norm())
        stats["N"][i] = weight.numel()
        if grad is not None:
            stats["G"][i] = float(grad.norm())
            stats["WG"][i] = float((weight * grad).abs().sum())
        out_grad = outputs[i].grad if i in outputs else None
        if out_grad is not None:
            stats["D"][i] = float(out_grad.pow(2).mean().sqrt())
    flow_model = flow_model.double().eval()
    with torch.no_grad():
        for p in flow_model.parameters():
            p.abs_()
    flow_model(torch.ones((1,) + tuple(x.shape[1:]), dtype=torch.float64)).sum().backward()
    for i, layer in enumerate(weight_layers(flow_model)):
        if layer.weight.grad is not None:
            stats["S"][i] = float((layer.weight.detach() * layer.weight.grad).sum())
    return stats


def build_proxy_data(table: Any = None, out: Union[str, os.PathLike] = DEFAULT_PATH,
                     batch_size: int = 64, seed: int = 0, progress: bool = False) -> dict:
    """Computes every table architecture's layer statistics and hand-designed proxy scores
    and writes them to ``out`` (compressed npz); returns a summary."""
    import time
    import torch
    from symsearch.evaluators import nas_bench, zero_cost
    from symsearch.spaces.zero_cost_proxies import VARIABLES
    torch.set_num_threads(1)
    table = table if isinstance(table, nas_bench.NASTable) else nas_bench.NASTable.load(table)
    cells = table.cells()
    per_cell, start = [], time.time()
    proxies = {name: np.empty(len(cells)) for name in zero_cost.PROXIES}
    for row, cell in enumerate(cells):
        per_cell.append(layer_statistics(cell, batch_size, seed))
        for name, value in zero_cost.compute_proxies(cell, zero_cost.PROXIES, batch_size,
                                                     seed).items():
            proxies[name][row] = value
        if progress and row % 100 == 0:
            print(f"  proxies: {row}/{len(cells)} ({time.time() - start:.0f} s)", flush=True)
    layers = max(len(s["W"]) for s in per_cell)
    mask = np.zeros((len(cells), layers), dtype=bool)
    arrays = {}
    for v in VARIABLES:
        arrays[f"stat_{v}"] = np.zeros((len(cells), layers))
    for row, s in enumerate(per_cell):
        mask[row, :len(s["W"])] = True
        for v in VARIABLES:
            arrays[f"stat_{v}"][row, :len(s[v])] = s[v]
    arrays.update({f"proxy_{name}": values for name, values in proxies.items()})
    meta = {"format": 1, "batch_size": batch_size, "seed": seed, "variables": list(VARIABLES),
            "proxies": list(zero_cost.PROXIES), "architectures": len(cells),
            "seconds": round(time.time() - start, 1)}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, arch=np.array(table.arch), mask=mask, meta=np.array(json.dumps(meta)),
                        **arrays)
    os.replace(tmp, out)
    return meta


class ProxyData:
    """Per-layer statistics and hand-designed proxy scores of every table architecture,
    aligned with the table's rows. ``ProxyData.load()`` (cached per path and table)."""

    def __init__(self, arrays: dict, table: Any, path: str = "<memory>") -> None:
        from symsearch.evaluators.nas_bench import NASTableError
        from symsearch.spaces.zero_cost_proxies import VARIABLES
        self.path, self.table = path, table
        needed = ["arch", "mask", "meta"] + [f"stat_{v}" for v in VARIABLES]
        missing = [k for k in needed if k not in arrays]
        if missing:
            raise NASTableError(f"proxy data {path} lacks {missing}; rebuild it with "
                                f"`python benchmarks/build_nas_table.py --proxies-only`")
        arch = [str(a) for a in arrays["arch"]]
        if arch != list(table.arch):
            raise NASTableError(f"proxy data {path} does not match the NAS table "
                                f"{table.path} (other architectures); rebuild it with "
                                f"`python benchmarks/build_nas_table.py --proxies-only`")
        self.mask = np.asarray(arrays["mask"], dtype=bool)
        self.stats = {v: np.asarray(arrays[f"stat_{v}"], dtype=np.float64) for v in VARIABLES}
        for v, values in self.stats.items():
            if values.shape != self.mask.shape:
                raise NASTableError(f"proxy data {path}: stat_{v} has shape {values.shape}, "
                                    f"expected {self.mask.shape}")
        self.proxies = {k[len("proxy_"):]: np.asarray(arrays[k], dtype=np.float64)
                        for k in arrays if k.startswith("proxy_")}
        self.meta = json.loads(str(arrays["meta"]))
        self.val_accuracy = table.val_accuracy[:, :, -1].mean(axis=1)
        self.test_accuracy = table.mean_test_accuracy()

    @classmethod
    def load(cls, path: Union[str, os.PathLike, None] = None, table: Any = None) -> "ProxyData":
        from symsearch.evaluators import nas_bench
        table = table if isinstance(table, nas_bench.NASTable) else nas_bench.NASTable.load(table)
        return _load_cached(str(Path(path if path is not None else DEFAULT_PATH).resolve()),
                            table)

    def rows(self, split: str = "train", train_fraction: float = 0.5, seed: int = 0
             ) -> np.ndarray:
        """Row indices of ``split``: a fixed random half (``train``), the rest
        (``heldout``) or ``all``."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}; got {split!r}")
        if not 0.0 < train_fraction < 1.0:
            raise ValueError(f"train_fraction must be in (0, 1); got {train_fraction!r}")
        n = len(self.mask)
        if split == "all":
            return np.arange(n)
        order = np.random.default_rng(seed).permutation(n)
        cut = int(round(n * train_fraction))
        return np.sort(order[:cut] if split == "train" else order[cut:])

    def scores(self, proxy: Any, rows: Optional[np.ndarray] = None) -> np.ndarray:
        """The proxy (a ZeroCostProxy, an Expr or a known name) of ``rows`` (default all)."""
        from symsearch.spaces.zero_cost_proxies import as_expr, proxy_scores
        rows = np.arange(len(self.mask)) if rows is None else rows
        return proxy_scores(as_expr(proxy), {v: s[rows] for v, s in self.stats.items()},
                            self.mask[rows])


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, table: Any) -> ProxyData:
    from symsearch.evaluators.nas_bench import load_arrays
    arrays = load_arrays(path, "proxy data", "python benchmarks/build_nas_table.py --proxies-only")
    return ProxyData(arrays, table, path)


def evaluate(candidate: Any, split: str = "train", train_fraction: float = 0.5,
             split_seed: int = 0, data: Union[str, os.PathLike, ProxyData, None] = None
             ) -> dict:
    """The fitness of a proxy: ``{"kendall_tau", "spearman_rho", "architectures"}`` on
    ``split`` (``train``: against final validation accuracy; ``heldout`` and ``all``:
    against final test accuracy). ``candidate``: a ZeroCostProxy, an Expr or a known name."""
    from symsearch.evaluators.zero_cost import rank_correlations
    data = data if isinstance(data, ProxyData) else ProxyData.load(data)
    rows = data.rows(split, train_fraction, split_seed)
    target = data.val_accuracy if split == "train" else data.test_accuracy
    metrics = rank_correlations(data.scores(candidate, rows), target[rows])
    metrics["architectures"] = int(len(rows))
    return metrics


def hand_designed(split: str = "heldout", train_fraction: float = 0.5, split_seed: int = 0,
                  data: Union[str, os.PathLike, ProxyData, None] = None) -> dict:
    """``{proxy name: {"kendall_tau", "spearman_rho"}}`` of every stored hand-designed proxy
    of :mod:`symsearch.evaluators.zero_cost` on ``split`` (against test accuracy, or
    validation accuracy on ``train``)."""
    from symsearch.evaluators.zero_cost import rank_correlations
    data = data if isinstance(data, ProxyData) else ProxyData.load(data)
    rows = data.rows(split, train_fraction, split_seed)
    target = data.val_accuracy if split == "train" else data.test_accuracy
    return {name: rank_correlations(values[rows], target[rows])
            for name, values in data.proxies.items()}
