"""Shared set-up of the integration tests."""
import contextlib
import sys

import pytest


@pytest.fixture(autouse=True, scope="module")
def one_thread_per_process():
    """The models and data here are tiny: one BLAS/OpenMP and one torch intra-op thread are
    faster than several fighting for two cores (4x on a loaded 2-core machine). The settings
    are put back afterwards."""
    limits = contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(limits=1)
    except ImportError:
        pass
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(1)
    with limits:
        yield
    if torch is not None:
        torch.set_num_threads(before)
