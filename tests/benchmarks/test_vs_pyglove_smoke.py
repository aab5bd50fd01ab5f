"""Smoke test: benchmarks/vs_pyglove.py --quick runs end to end and reports every row."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyglove")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "vs_pyglove.py"
ROWS = ["random_sample", "materialize", "encode", "clone", "rebind", "hash", "eq",
        "json_roundtrip"]


@pytest.mark.timeout(180)
def test_quick_run_reports_every_row():
    env = dict(os.environ, COLUMNS="160", NO_COLOR="1")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=170)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "correctness checks passed" in out
    for row in ROWS:
        assert f"ratio {row}:" in out, (row, out)
        # ...and the row is in the table, not just in the ratio lines.
        assert sum(line.count(row) for line in out.splitlines()
                   if not line.startswith("ratio ")) >= 1, (row, out)
    assert out.rstrip().splitlines()[-1].startswith("overall:"), out
