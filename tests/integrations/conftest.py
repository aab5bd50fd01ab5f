"""Shared set-up of the integration tests."""
import sys

import pytest


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """The models here are tiny: one intra-op thread is faster than two fighting for cores
    (4x on a loaded 2-core machine), and the setting is put back afterwards."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
