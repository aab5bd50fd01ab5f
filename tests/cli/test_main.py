"""The ``symsearch`` entry points: ``python -m symsearch``, a closed stdout, help texts, and
the schema's hints for keys written in the wrong place."""
import os
import pathlib
import subprocess
import sys

from symsearch.cli.main import main
from tests.cli.conftest import toy_yaml

REPO = pathlib.Path(__file__).resolve().parents[2]


def run(*argv):
    return main(["run", *argv, "--no-progress"])


def test_python_dash_m_symsearch_is_the_command():
    done = subprocess.run([sys.executable, "-m", "symsearch", "--version"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("symsearch ")


def test_show_into_a_closed_pipe_ends_quietly(write_yaml, workdir, capsys):
    assert run(write_yaml(toy_yaml())) == 0
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-m", "symsearch", "show", "runs/toy.db"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    process.stdout.close()                  # like `| head` exiting before the table
    err = process.stderr.read().decode()
    code = process.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code == 141


def test_a_top_level_num_trials_points_at_budget_trials(write_yaml, capsys):
    assert run(write_yaml(toy_yaml(budget=None, num_trials="5"))) == 2
    err = capsys.readouterr().err
    assert "key 'num_trials': unknown key (did you mean 'budget.trials'?)" in err


def test_run_help_says_an_experiment_file_is_code(capsys):
    assert main(["run", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "An experiment file is code" in out and "evaluator: os:system" in out
    assert "--fresh" in out and "--retry-failed" in out


def test_export_help_says_how_to_load_the_file(capsys):
    assert main(["export", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "import_modules=True" in out and "only on files you trust" in out
