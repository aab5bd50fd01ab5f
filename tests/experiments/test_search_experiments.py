"""The algorithm experiments under experiments/ run end to end through ``symsearch run``:
bayesian_hpo.yaml (TPE), cash_digits.yaml (arm bandit over model families) and
asha_digits.yaml (ASHA early stopping of a PyTorch MLP), each with a few trials."""
import pathlib

import pytest

import symsearch as ss
from symsearch.cli.build import build_algorithm, build_early_stopping, build_evaluator
from symsearch.cli.main import main
from symsearch.cli.schema import load_experiment_file
from symsearch.store import load_experiment

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[2] / "experiments"


def run(path, trials, *extra):
    return main(["run", str(path), "--trials", str(trials), "--no-progress", *extra])


def test_bayesian_hpo_runs_tpe_over_the_svm(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    config = load_experiment_file(str(EXPERIMENTS / "bayesian_hpo.yaml"))
    assert type(build_algorithm(config)).__name__ == "TPE"
    assert run(EXPERIMENTS / "bayesian_hpo.yaml", 5) == 0
    experiment = load_experiment(tmp_path / "runs" / "bayesian_hpo.db")
    assert len(experiment.trials) == 5
    assert {t.status for t in experiment.trials} <= {"done", "cached"}
    assert experiment.best("max:accuracy").metrics["accuracy"] > 0.5
    assert "model=SVM(" in capsys.readouterr().out.replace("\n", "").replace(" ", "")


def test_cash_digits_pulls_every_model_family(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    config = load_experiment_file(str(EXPERIMENTS / "cash_digits.yaml"))
    assert type(build_algorithm(config)).__name__ == "ArmBandit"
    assert run(EXPERIMENTS / "cash_digits.yaml", 8) == 0
    experiment = load_experiment(tmp_path / "runs" / "cash_digits.db")
    assert len(experiment.trials) == 8
    assert {t.status for t in experiment.trials} <= {"done", "cached"}
    # The bandit's warm-up pulls each of the four arms before it favours any.
    families = {type(ss.from_json_str(t.candidate_json).model).__name__
                for t in experiment.trials}
    assert families == {"Logistic", "SVM", "RandomForest", "MLP"}
    assert experiment.best("max:accuracy").metrics["accuracy"] > 0.5


def test_asha_digits_prunes_trials(tmp_path, monkeypatch, capsys):
    """The file as written, but 6 epochs instead of 50 (rungs at epochs 1 and 3) to keep the
    test to seconds."""
    monkeypatch.chdir(tmp_path)
    text = (EXPERIMENTS / "asha_digits.yaml").read_text()
    assert "epochs: 50" in text and "max_resource: 50" in text
    short = tmp_path / "asha_digits.yaml"
    short.write_text(text.replace("epochs: 50", "epochs: 6")
                     .replace("max_resource: 50", "max_resource: 6"))
    config = load_experiment_file(str(short))
    policy = build_early_stopping(config, build_evaluator(config))
    assert type(policy).__name__ == "ASHA" and [r.resource for r in policy.rungs] == [1, 3]
    assert run(short, 10) == 0
    experiment = load_experiment(tmp_path / "runs" / "asha_digits.db")
    statuses = [t.status for t in experiment.trials]
    assert len(statuses) == 10 and "pruned" in statuses and "done" in statuses
    for trial in experiment.trials:
        steps = [r["step"] for r in trial.reports]
        assert steps == list(range(1, len(steps) + 1))          # one report per epoch
        assert trial.metrics["epochs"] == len(steps)
        assert (len(steps) == 6) == (trial.status == "done")    # pruned ones stopped early
    assert experiment.best("max:accuracy").metrics["accuracy"] > 0.5


@pytest.mark.parametrize("name", ["bayesian_hpo.yaml", "cash_digits.yaml", "asha_digits.yaml"])
def test_readme_describes_the_file(name):
    assert name in (EXPERIMENTS / "README.md").read_text()
