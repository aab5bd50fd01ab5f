"""Smoke test: benchmarks/dashboard_load.py runs end to end on a small store and prints its
table and one target line per target."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_dashboard_load_small():
    pytest.importorskip("uvicorn")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "dashboard_load.py"),
                           "--trials", "200", "--repeats", "1", "--writer-rate", "50",
                           "--skip-optuna", "--skip-browser"],
                          cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.startswith("symsearch dashboard") and "200" in line for line in lines)
    for target in ("first full page data", "history view p95", "page in Chromium"):
        assert sum(target in line and line.startswith(("OK:", "MISSED:"))
                   for line in lines) == 1, target
