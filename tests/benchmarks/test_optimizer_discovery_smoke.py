"""Smoke test: benchmarks/optimizer_discovery.py --quick runs end to end and prints every
part of the report (the numbers of a quick run mean nothing)."""
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")
pytest.importorskip("sklearn")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "optimizer_discovery.py"


@pytest.mark.timeout(300)
def test_quick_run_prints_the_report(tmp_path):
    plot = tmp_path / "discovery.png"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--plot", str(plot)],
                          cwd=ROOT, capture_output=True, text=True, timeout=290)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for fragment in ("program evolution", "constants-only evolution", "random programs",
                     "def train(w, g, m, v, lr):", "Lion-like:", "AdamW", "C-Lion",
                     "SGD-momentum", "proxy evaluations/s:", "cache hit rate",
                     "target discovered >= tuned AdamW on held-out:",
                     "target discovered beats constants-only at equal evaluations:",
                     "target numba proxy >= 10x numpy:"):
        assert fragment in out, (fragment, out)
    assert out.rstrip().splitlines()[-1].startswith("overall:")
    assert plot.stat().st_size > 10_000
