"""experiments/pruning_metric.yaml runs end to end through ``symsearch run``: the file as
written, but with the tiny language model and a few trials."""
import pathlib

import pytest

pytest.importorskip("torch")

from symsearch.cli.build import build_algorithm  # noqa: E402
from symsearch.cli.main import main  # noqa: E402
from symsearch.cli.schema import load_experiment_file  # noqa: E402
from symsearch.evaluators import pruning  # noqa: E402
from symsearch.store import load_experiment  # noqa: E402

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[2] / "experiments"


@pytest.mark.timeout(120)
def test_pruning_metric_experiment_evolves_and_prints_a_formula(tmp_path, tmp_path_factory,
                                                                monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # the session's shared model cache (tests/evaluators/test_pruning.py uses it too)
    monkeypatch.setenv("SYMSEARCH_CACHE_DIR",
                       str(tmp_path_factory.getbasetemp() / "pruning-cache"))
    text = (EXPERIMENTS / "pruning_metric.yaml").read_text()
    assert "model: small" in text and "population_size: 50" in text
    short = tmp_path / "pruning_metric.yaml"
    short.write_text(text.replace("model: small", "model: tiny")
                     .replace("population_size: 50", "population_size: 8"))
    config = load_experiment_file(str(short))
    assert type(build_algorithm(config)).__name__ == "GeneticProgramming"
    pruning._TASKS.clear()
    try:
        assert main(["run", str(short), "--trials", "30", "--no-progress"]) == 0
    finally:
        pruning._TASKS.clear()
    experiment = load_experiment(tmp_path / "runs" / "pruning_metric.db")
    statuses = [t.status for t in experiment.trials]
    assert len(statuses) == 30 and set(statuses) <= {"done", "cached"}
    assert "cached" in statuses                  # mask-equivalent metrics hit the cache
    best = experiment.best("min:perplexity")
    assert best.metrics["sparsity"] == 0.5 and best.metrics["formula"]
    out = capsys.readouterr().out
    assert "Best trial" in out and f"formula={best.metrics['formula']!r}" in out


def test_readme_describes_the_file():
    assert "pruning_metric.yaml" in (EXPERIMENTS / "README.md").read_text()
