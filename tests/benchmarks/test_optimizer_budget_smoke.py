"""Smoke test: benchmarks/optimizer_budget.py --quick runs end to end and prints every part
of the report (the numbers of a quick run mean nothing)."""
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")
pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "optimizer_budget.py"


@pytest.mark.timeout(200)
def test_quick_run_prints_the_report(tmp_path):
    plot = tmp_path / "pareto.png"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--skip-suite-check",
                           "--plot", str(plot)],
                          cwd=ROOT, capture_output=True, text=True, timeout=190)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for fragment in ("program evolution", "constants-only", "def train(w, g, m, v, lr):",
                     "Lion-like", "per held-out task", "SGD-momentum", "AdamW", "NSGA-II", "functional cache",
                     "target discovered beats tuned SGD-momentum",
                     "target discovered beats constants-only at equal evaluations",
                     "target discovered at or above tuned Lion"):
        assert fragment in out, (fragment, out)
    targets = [line for line in out.splitlines() if line.startswith("target ")]
    assert targets and all(": OK (" in t or ": MISSED (" in t for t in targets)
    assert plot.stat().st_size > 10_000
