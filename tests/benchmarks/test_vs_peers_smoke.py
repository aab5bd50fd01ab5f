"""Smoke test: benchmarks/vs_peers.py runs end to end in its quick mode and prints the three
suites' tables and one target line per problem and peer."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_vs_peers_quick():
    for package in ("pymoo", "deap", "nevergrad"):
        pytest.importorskip(package)
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "vs_peers.py"), "--quick"],
                          cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for row in ("| zdt1    | pymoo NSGA2", "| dtlz2   | symsearch nsga2 steady", "| DEAP eaSimple",
                "| symsearch GP", "Nevergrad NGOpt", "Nevergrad CMA", "symsearch steady_state_ga"):
        assert row in out, row
    targets = [line for line in out.splitlines() if line.startswith(("[OK]", "[MISSED]"))]
    assert len(targets) == 4 + 2 + 2
    for name in ("zdt1", "zdt2", "zdt3", "dtlz2", "quartic", "NGOpt", "CMA"):
        assert any(name in line for line in targets), name
