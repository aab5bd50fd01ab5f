"""Smoke test: benchmarks/gp_vs_deap.py runs end to end in its quick mode and prints the
DEAP/symsearch table, the per-trial overheads and one target line per target."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_gp_vs_deap_quick():
    pytest.importorskip("deap")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gp_vs_deap.py"), "--quick"],
                          cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "| DEAP eaSimple " in out and "| symsearch GP " in out
    assert "time per evaluation" in out and "us/trial" in out and "bytes" in out
    for target in ("GP within 2x of DEAP", "optimizer-program per-trial overhead < 100 us",
                   "store size per trial of a program search < 1 KB"):
        assert sum(target in line and line.startswith(("[OK]", "[MISSED]"))
                   for line in out.splitlines()) == 1, target
