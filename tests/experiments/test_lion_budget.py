"""experiments/lion_budget.yaml builds what it says and a short run stays within one buffer."""
import pathlib

import pytest

from symsearch.cli.build import build_algorithm, build_evaluator, build_space
from symsearch.cli.main import main
from symsearch.cli.schema import load_experiment_file
from symsearch.store import load_experiment

pytest.importorskip("sklearn")
EXPERIMENTS = pathlib.Path(__file__).resolve().parents[2] / "experiments"


def test_the_file_builds_a_one_buffer_search_from_sgd_momentum():
    import symsearch as ss
    from symsearch.spaces import optimizers as opt

    config = load_experiment_file(str(EXPERIMENTS / "lion_budget.yaml"))
    assert type(build_algorithm(config)).__name__ == "ProgramEvolution"
    space = build_space(config)
    assert space.mutator.state_slots == 1
    assert ss.eq(space.initial, opt.sgd_momentum())
    assert space.mutator.weights["op"] == 1.0
    assert build_evaluator(config) is not None


def test_a_short_run_records_state_buffers(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text = (EXPERIMENTS / "lion_budget.yaml").read_text()
    short = tmp_path / "lion_budget.yaml"
    short.write_text(text.replace("population_size: 50", "population_size: 6"))
    assert main(["run", str(short), "--trials", "25", "--no-progress"]) == 0
    experiment = load_experiment(tmp_path / "runs" / "lion_budget.db")
    metrics = [t.metrics for t in experiment.trials if t.metrics]
    assert len(metrics) == 25
    assert all(m["state_buffers"] <= 1.0 for m in metrics)
    # scored at the best of the file's update scales, four proxy runs each
    assert all(m["update_scale"] in (0.001, 0.01, 0.1, 1.0) for m in metrics)
    assert all(m["proxy_runs"] == 4.0 for m in metrics)
    assert "def program(w, g, m, v, lr):" in capsys.readouterr().out
