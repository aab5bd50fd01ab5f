"""experiments/lion_discovery.yaml runs end to end (in-process, a few dozen trials): the
program space from AdamW, the funnel evaluator, evolution with restarts, the optimizer
hasher as the functional cache, and the best program printed as source."""
import pathlib

import pytest

from symsearch.cache import FunctionalHasher
from symsearch.cli.build import build_algorithm, build_cache, build_evaluator, build_space
from symsearch.cli.main import main
from symsearch.cli.schema import load_experiment_file
from symsearch.programs import Program
from symsearch.store import load_experiment

pytest.importorskip("sklearn")
EXPERIMENTS = pathlib.Path(__file__).resolve().parents[2] / "experiments"


def test_the_file_builds_what_it_says():
    config = load_experiment_file(str(EXPERIMENTS / "lion_discovery.yaml"))
    algorithm = build_algorithm(config)
    assert type(algorithm).__name__ == "ProgramEvolution"
    assert algorithm.restart_after == 3000 and algorithm.tournament_size == 4
    assert isinstance(build_cache(config)["hasher"], FunctionalHasher)
    assert config.runner.value == {"type": "ray", "workers": 2}
    assert config.num_trials == 60000 and config.time_budget == 14 * 60
    assert build_evaluator(config) is not None and build_space(config) is not None


def test_a_short_run_finds_programs_and_reports_source(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text = (EXPERIMENTS / "lion_discovery.yaml").read_text()
    assert "runner: {type: ray, workers: 2}" in text
    short = tmp_path / "lion_discovery.yaml"
    short.write_text(text.replace("runner: {type: ray, workers: 2}", "runner: inprocess")
                     .replace("population_size: 100", "population_size: 10"))
    assert main(["run", str(short), "--trials", "40", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "As source (dead statements removed):" in out and "def program(w, g, m, v, lr):" in out
    experiment = load_experiment(tmp_path / "runs" / "lion_discovery.db")
    assert len(experiment.trials) == 40
    statuses = [t.status for t in experiment.trials]
    assert set(statuses) <= {"done", "cached"}
    # the warm-up population is 10 copies of AdamW: one evaluation, nine cache hits
    assert statuses[:10].count("done") == 1
    assert experiment.cache_stats()["hits"] >= 9
    best = experiment.best("min:score")
    assert {"promoted", "large_fitness", "discovery", "score"} <= set(best.metrics)
    warm_large = best.metrics["warm_start_large_fitness"]
    assert 0.0 <= best.metrics["score"] <= warm_large + 1e-12
    if best.metrics["promoted"]:
        assert best.metrics["score"] == best.metrics["large_fitness"]
