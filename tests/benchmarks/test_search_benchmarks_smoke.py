"""Smoke tests: benchmarks/search_quality.py and multifidelity.py run end to end in their
quick modes (fewer methods and seeds here) and print their tables and target lines."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_script(name, *args, timeout=170):
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / name), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.timeout(180)
def test_search_quality_quick():
    pytest.importorskip("optuna")
    out = run_script("search_quality.py", "--quick", "--seeds", "2", "--workers", "1",
                     "--methods", "random", "evolution", "tpe", "optuna_tpe", "bandit",
                     "--problems", "branin", "cash")
    assert "Branin (2-d): best loss after N trials, median [q1, q3] over 2 seeds" in out
    assert "CASH surrogate" in out and "symsearch ArmBandit(inner=tpe)" in out
    assert "Bayesian(tpe) within noise of Optuna TPE" in out
    # The same sampler with the same seed: identical runs, so always within noise.
    assert "[OK] branin: within noise at every checkpoint" in out
    assert "RegularizedEvolution beats Random on every function at 40 trials" in out
    assert "arm bandit reaches TPE's 40-trial median in <= 20 trials" in out
    assert "Total wall time" in out


@pytest.mark.timeout(180)
def test_multifidelity_quick():
    pytest.importorskip("torch")
    out = run_script("multifidelity.py", "--quick", "--seeds", "1", "--configs", "4",
                     "--epochs", "5", "--workers", "1")
    for label in ("Random, full budget", "ASHA, same configurations",
                  "Hyperband, 1/3 of Random's epochs"):
        assert label in out
    assert "Target: the same best accuracy with <= 1/3 of the epochs" in out
    assert "ASHA, 1/3 of Random's epochs: " in out
