"""benchmarks/gpu_paths.py on a machine without CUDA (CI): it says so and exits 2 rather than
failing or pretending to have checked anything."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_gpu_paths_without_cuda_exits_2():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present: run benchmarks/gpu_paths.py itself")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_paths.py")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no CUDA device; nothing to check" in proc.stdout
