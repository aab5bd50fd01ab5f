"""Smoke test: benchmarks/pruning_metric.py runs end to end in its quick mode (the tiny
model, a short search, one calibration seed) and prints its table, target lines and the
evolved formula."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(180)
def test_pruning_metric_quick(tmp_path_factory):
    pytest.importorskip("torch")
    # the session's shared model cache (tests/evaluators/test_pruning.py uses it too)
    cache = tmp_path_factory.getbasetemp() / "pruning-cache"
    env = dict(os.environ, SYMSEARCH_CACHE_DIR=str(cache), COLUMNS="200")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "pruning_metric.py"),
                           "--quick", "--trials", "20", "--seeds", "1", "--device", "cpu"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=170)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "Search: 20 trials" in out and "cache hit rate" in out and "evaluations/s" in out
    for row in ("dense", "magnitude", "wanda", "gradient", "evolved"):
        assert f"\n{row:<10} |" in out
    for column in ("valid 50%", "test 50%", "test 60%", "test 2:4"):
        assert column in out
    assert "Target: at 50%, the evolved metric beats magnitude clearly" in out
    assert "held-out test 50%: evolved/magnitude = " in out
    assert "Evolved formula: " in out and "Total wall time" in out


def test_readme_describes_the_benchmark():
    assert "pruning_metric.py" in (ROOT / "benchmarks" / "README.md").read_text()
