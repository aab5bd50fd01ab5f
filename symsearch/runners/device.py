"""Which device an evaluation should put its tensors on.

On a Ray worker started with ``gpus_per_trial > 0``, Ray sets ``CUDA_VISIBLE_DEVICES`` to the
GPUs it assigned to the trial, so ``"cuda"`` means the trial's own GPU.

>>> current_device("cpu")
'cpu'
"""
from __future__ import annotations

_PREFERENCES = ("auto", "cpu", "cuda")


def current_device(preference: str = "auto") -> str:
    """``"cuda"`` when PyTorch is installed and sees a GPU, else ``"cpu"``.

    Args:
      preference: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, or ``"cuda"`` /
        ``"cuda:N"``, which raise RuntimeError when no GPU is available rather than silently
        running on the CPU. PyTorch is imported only here, and is never required for "cpu"
        or "auto".
    """
    if not isinstance(preference, str) or not (
            preference in _PREFERENCES or preference.startswith("cuda:")):
        raise ValueError(f"The 'preference' parameter of current_device must be one of "
                         f"{list(_PREFERENCES)} or 'cuda:N'. Got {preference!r} instead.")
    if preference == "cpu":
        return "cpu"
    available = _cuda_available()
    if preference == "auto":
        return "cuda" if available else "cpu"
    if not available:
        raise RuntimeError(f"current_device({preference!r}): no CUDA device is available "
                           f"(PyTorch is {'installed' if _torch() else 'not installed'}).")
    return preference


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _cuda_available() -> bool:
    torch = _torch()
    return bool(torch is not None and torch.cuda.is_available())
