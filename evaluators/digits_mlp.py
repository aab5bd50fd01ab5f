"""Trains a PyTorch MLP on scikit-learn's bundled digits, one validation report per epoch.

The candidate is a :class:`symsearch.spaces.digits_mlp.DigitsMLP` (or a mapping with the
same keys). The 1797 digits are split once, stratified: 1197 to train on, 600 to validate
on; features are scaled to [0, 1]. After each epoch the validation accuracy is reported to
``trial`` when one is given (``ss.search`` passes one to an evaluator with a ``trial``
parameter; ``ss.sample``'s trials work the same), and training stops early when the
early-stopping policy asks::

    ss.search(space, evaluate, objective="max:accuracy", algorithm="random",
              early_stopping=ASHA(max_resource=50), num_trials=60)

Training is deterministic for a given ``seed`` on one device: the same candidate gives the
same curve whoever asks for it, so a pruned trial's early epochs match a full run's.

>>> from symsearch.spaces.digits_mlp import DigitsMLP
>>> metrics = evaluate(DigitsMLP(hidden=(64,), lr=3e-3), epochs=3)
>>> metrics["epochs"], metrics["accuracy"] > 0.8
(3, True)
"""
from __future__ import annotations

import functools
import time
from typing import Any, Optional

CANDIDATE_KEYS = ("hidden", "activation", "dropout", "optimizer", "lr", "weight_decay",
                  "batch_size")
_DEFAULTS = {"hidden": (128,), "activation": "relu", "dropout": 0.0, "optimizer": "adam",
             "lr": 1e-3, "weight_decay": 0.0, "batch_size": 32}


def resolve_device(device: str = "auto") -> str:
    """``"auto"``: ``"cuda"`` when PyTorch sees a GPU, else ``"cpu"``; other names as given."""
    import torch
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, str) or not device:
        raise ValueError(f"The 'device' parameter must be 'auto', 'cpu', 'cuda' or "
                         f"'cuda:N'. Got {device!r} instead.")
    return device


@functools.lru_cache(maxsize=4)
def load_split(val_size: int = 600, seed: int = 0) -> tuple:
    """``(x_train, y_train, x_val, y_val)`` as numpy arrays; features scaled to [0, 1]."""
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    features, labels = load_digits(return_X_y=True)
    features = (features / 16.0).astype(np.float32)
    x_train, x_val, y_train, y_val = train_test_split(
        features, labels.astype(np.int64), test_size=val_size, stratify=labels,
        random_state=seed)
    return x_train, y_train, x_val, y_val


def _settings(candidate: Any) -> dict:
    if hasattr(candidate, "keys"):
        get = candidate.get if hasattr(candidate, "get") else \
            (lambda k, d: candidate[k] if k in candidate.keys() else d)
    else:
        def get(key, default):
            return getattr(candidate, key, default)
    settings = {key: get(key, default) for key, default in _DEFAULTS.items()}
    hidden = settings["hidden"]
    if isinstance(hidden, int):
        hidden = (hidden,)
    settings["hidden"] = tuple(int(h) for h in hidden)
    if not settings["hidden"] or min(settings["hidden"]) < 1:
        raise ValueError(f"hidden must be a non-empty sequence of positive widths, got "
                         f"{settings['hidden']!r}")
    if settings["activation"] not in ("relu", "tanh", "gelu"):
        raise ValueError(f"activation must be 'relu', 'tanh' or 'gelu', got "
                         f"{settings['activation']!r}")
    if settings["optimizer"] not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {settings['optimizer']!r}")
    if int(settings["batch_size"]) < 1:
        raise ValueError(f"batch_size must be a positive int, got {settings['batch_size']!r}")
    return settings


def build_model(settings: dict, inputs: int = 64, classes: int = 10) -> Any:
    """The ``torch.nn.Sequential`` a candidate's settings describe."""
    from torch import nn
    activation = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}[settings["activation"]]
    layers, width = [], inputs
    for hidden in settings["hidden"]:
        layers += [nn.Linear(width, hidden), activation()]
        if settings["dropout"] > 0:
            layers.append(nn.Dropout(float(settings["dropout"])))
        width = hidden
    layers.append(nn.Linear(width, classes))
    return nn.Sequential(*layers)


def evaluate(candidate: Any, trial: Any = None, epochs: int = 50, device: str = "auto",
             seed: int = 0, threads: Optional[int] = 1) -> dict:
    """Trains for up to ``epochs`` epochs; returns the metrics after the last epoch run.

    ``{"accuracy", "best_accuracy", "loss", "epochs", "train_time"}``: validation accuracy
    and cross-entropy after the last epoch, the best accuracy of any epoch, the number of
    epochs trained (fewer than ``epochs`` when ``trial.should_stop()`` said so) and the wall
    seconds. ``trial`` (optional) gets ``trial.report(epoch, accuracy=..., loss=...)`` after
    every epoch (epochs count from 1).

    ``threads``: PyTorch CPU threads while training (restored afterwards). One is the
    default: a model this small trains fastest on one thread, and several trials running
    side by side then do not oversubscribe the cores. None keeps PyTorch's setting.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"The 'epochs' parameter of evaluate must be a positive int. Got "
                         f"{epochs!r} instead.")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                or threads < 1):
        raise ValueError(f"The 'threads' parameter of evaluate must be a positive int or "
                         f"None. Got {threads!r} instead.")
    import torch

    settings = _settings(candidate)
    device = resolve_device(device)
    previous = torch.get_num_threads()
    if threads is not None and device == "cpu":
        torch.set_num_threads(threads)
    try:
        return _train(settings, trial, epochs, device, seed)
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)


def _train(settings: dict, trial: Any, epochs: int, device: str, seed: int) -> dict:
    import torch
    from torch.nn import functional
    x_train, y_train, x_val, y_val = load_split()
    x_train_t = torch.as_tensor(x_train, device=device)
    y_train_t = torch.as_tensor(y_train, device=device)
    x_val_t = torch.as_tensor(x_val, device=device)
    y_val_t = torch.as_tensor(y_val, device=device)

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = build_model(settings).to(device)
    lr, decay = float(settings["lr"]), float(settings["weight_decay"])
    if settings["optimizer"] == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=decay)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=decay)
    batch, n = int(settings["batch_size"]), len(y_train)

    start = time.perf_counter()
    accuracy = loss = best = 0.0
    epoch = 0
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(n, generator=generator).to(device)
        for i in range(0, n, batch):
            index = order[i:i + batch]
            optimizer.zero_grad(set_to_none=True)
            functional.cross_entropy(model(x_train_t[index]), y_train_t[index]).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(x_val_t)
            loss = float(functional.cross_entropy(logits, y_val_t))
            accuracy = float((logits.argmax(1) == y_val_t).float().mean())
        if loss != loss:        # NaN: diverged; further epochs cannot help
            loss = float("inf")
        best = max(best, accuracy)
        if trial is not None:
            trial.report(epoch, accuracy=accuracy, loss=loss)
            if trial.should_stop():
                break
        if loss == float("inf"):
            break
    return {"accuracy": accuracy, "best_accuracy": best, "loss": loss, "epochs": epoch,
            "train_time": time.perf_counter() - start}


def epochs_of(metrics: Optional[dict]) -> int:
    """The epochs a trial trained, from its final metrics (0 when it reported none)."""
    return int((metrics or {}).get("epochs", 0))
