"""The experiment files under experiments/: each builds, and the quick start runs end to end
(in-process through ``main`` and once as a real ``symsearch`` process)."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import symsearch as ss
from symsearch.cli.build import (build_algorithm, build_evaluator, build_runner, build_space,
                                 prepare_imports)
from symsearch.cli.main import main
from symsearch.cli.schema import load_experiment_file
from symsearch.store import load_experiment

REPO = pathlib.Path(__file__).resolve().parents[2]
EXPERIMENTS = REPO / "experiments"
QUICKSTART = EXPERIMENTS / "quickstart.yaml"
EXPERIMENT_FILES = sorted(EXPERIMENTS.glob("*.yaml"))


@pytest.mark.parametrize("path", EXPERIMENT_FILES, ids=lambda p: p.name)
def test_every_experiment_file_builds(path):
    config = load_experiment_file(str(path))
    prepare_imports(config)
    space = build_space(config)
    build_evaluator(config)
    build_algorithm(config)
    build_runner(config)
    assert len(ss.dna_spec(space).decisions) > 0
    assert config.num_trials or config.time_budget


@pytest.mark.parametrize("path", EXPERIMENT_FILES, ids=lambda p: p.name)
def test_every_experiment_file_is_described_in_the_readme(path):
    assert path.name in (EXPERIMENTS / "README.md").read_text()


def test_quickstart_settings():
    config = load_experiment_file(str(QUICKSTART))
    assert config.objective == ["max:accuracy"] and config.num_trials == 30
    assert config.algorithm.value == "random" and config.cache is True
    assert config.runner.value == {"type": "inprocess"}


@pytest.mark.parametrize("name", ["quickstart.yaml", "quickstart_inline.yaml"])
def test_quickstart_runs_in_process(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(EXPERIMENTS / name), "--trials", "4", "--no-progress"]) == 0
    out = capsys.readouterr().out
    store = tmp_path / "runs" / f"{name[:-5]}.db"
    experiment = load_experiment(store)
    assert len(experiment.trials) == 4
    assert {t.status for t in experiment.trials} <= {"done", "cached"}
    best = experiment.best("max:accuracy")
    assert best.metrics["accuracy"] > 0.5
    assert f"Best trial: #{best.id}" in out and "accuracy=" in out
    assert main(["show", str(store)]) == 0
    assert main(["plot", str(store), "-o", "q.png"]) == 0
    assert (tmp_path / "q.png").stat().st_size > 1000
    assert main(["export", str(store), "--best", "-o", "best.yaml"]) == 0
    candidate = ss.load(str(tmp_path / "best.yaml"))
    from symsearch.evaluators.sklearn_digits import make_estimator
    assert make_estimator(candidate) is not None    # the export rebuilds a usable candidate


def _symsearch_command():
    executable = shutil.which("symsearch")
    return [executable] if executable else [sys.executable, "-m", "symsearch.cli"]


def test_symsearch_process_runs_the_quickstart_shows_it_again_and_refuses_a_change(tmp_path):
    store = tmp_path / "q.db"
    command = _symsearch_command() + ["run", str(QUICKSTART), "--trials", "3", "--store",
                                      str(store)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "symsearch: 3 trials (" in done.stdout and "Best trial: #" in done.stdout
    assert "\x1b[" not in done.stdout            # no progress bar when stdout is a pipe
    assert len(load_experiment(store).trials) == 3
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr   # the same file again: its result is shown
    assert "is complete (3 trials)" in again.stdout and "Best trial: #" in again.stdout
    changed = subprocess.run(command[:-4] + ["--trials", "4", "--store", str(store)],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert changed.returncode == 2
    assert changed.stderr.startswith("symsearch: error: The store ")
    assert "already holds an experiment with 3 trials" in changed.stderr
    assert "--resume" in changed.stderr and "--fresh" in changed.stderr
    assert "Traceback" not in changed.stderr
    assert len(load_experiment(store).trials) == 3
