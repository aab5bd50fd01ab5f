"""Functional hashes are the same in another process (other PYTHONHASHSEED) and run."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, numpy as np
from symsearch.cache import FunctionalHasher, ProbeSet
from symsearch.programs import Program, Statement, Const, call
h = FunctionalHasher(ProbeSet({"w": (4,), "lr": "positive"}, count=16, seed=3))
cands = {
    "expr": call("add", call("mul", "w", "lr"), call("sin", "w")),
    "program": Program(["w", "lr"], [Statement("t", "norm", ["w"]),
                                     Statement("o", "div", ["w", "t"])], ["o"]),
    "lambda": lambda w, lr: np.tanh(w) * lr[:, None],
}
print(json.dumps({k: [h.hash(c), h.verify_hash(c)] for k, c in cands.items()}))
"""


def hashes_in_subprocess(hash_seed: str) -> dict:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_hashes_are_stable_across_processes():
    namespace: dict = {}
    exec(SCRIPT.replace("print(", "result = ("), namespace)
    here = namespace["result"]
    here = json.loads(here) if isinstance(here, str) else here
    assert hashes_in_subprocess("1") == here
    assert hashes_in_subprocess("12345") == here
    assert len({v[0] for v in here.values()}) == 3
