"""Smoke test: benchmarks/functional_cache.py --quick runs end to end and prints every line."""
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "functional_cache.py"


@pytest.mark.timeout(180)
def test_quick_run_prints_the_table_and_the_targets():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick"], cwd=ROOT, capture_output=True,
                          text=True, timeout=170)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for mode in ("off", "structural", "structural+normal", "functional"):
        assert any(line.startswith(mode + " ") for line in out.splitlines()), (mode, out)
    for target in ("target functional skips > structural:", "target hashing <= 1% of evaluation",
                   "target numba probe loop >= 10x numpy:"):
        assert target in out, (target, out)
    assert "target functional skips > structural: PASS" in out, out
    assert out.rstrip().splitlines()[-1].startswith("overall:")
