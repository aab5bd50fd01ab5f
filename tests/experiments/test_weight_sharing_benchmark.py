"""benchmarks/weight_sharing.py --quick runs every section and ends with its target lines."""
import pathlib
import sys

import pytest

pytest.importorskip("torch")
pytest.importorskip("scipy")

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLE = ROOT / "evaluators" / "data" / "nas_digits_table.npz"


@pytest.mark.skipif(not TABLE.exists(), reason="the NAS table is not built")
def test_quick_run_prints_every_section_and_target(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import weight_sharing
    assert weight_sharing.main(["--quick"]) == 0
    out = capsys.readouterr().out
    for section in ("1. Ranking", "2. Search at compute", "3. Controllers", "4. Supernet cost",
                    "5. The tiny-LM transformer space's supernet"):
        assert section in out
    targets = [line for line in out.splitlines() if line.startswith(("OK:", "MISSED:"))]
    # ranking x4 (accuracy, few-shot x2, loss over seeds), search x5 (one-shot, one-shot +
    # finalists, few-shot x2, TuNAS), controller, tiny-LM ranking
    assert len(targets) == 11
    assert "parameter count (table)" in out and "zero-cost synflow" in out
    assert any("finalists standalone (the rule)" in line for line in targets)
    sys.modules.pop("weight_sharing", None)
