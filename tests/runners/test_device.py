import pytest

from symsearch.runners import current_device
from symsearch.runners import device as device_module


def test_current_device():
    torch = device_module._torch()
    expected = "cuda" if torch is not None and torch.cuda.is_available() else "cpu"
    assert current_device() == expected
    assert current_device("cpu") == "cpu"
    with pytest.raises(ValueError, match="'preference' parameter of current_device"):
        current_device("tpu")


def test_current_device_without_torch_or_gpu(monkeypatch):
    monkeypatch.setattr(device_module, "_torch", lambda: None)
    assert current_device("auto") == "cpu"
    with pytest.raises(RuntimeError, match="no CUDA device"):
        current_device("cuda")
