import os
import sys
import textwrap

import pytest

TOY = "tests.cli.toy_experiment"


@pytest.fixture(autouse=True)
def restore_sys_path():
    """`symsearch run` puts the current and the experiment's folder on sys.path; undo it."""
    saved = list(sys.path)
    yield
    sys.path[:] = saved


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A fresh current folder (runs/ is created in it)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def write_yaml(workdir):
    """write_yaml(text, name="exp.yaml") -> path of the file written in the current folder."""
    def write(text, name="exp.yaml"):
        path = workdir / name
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return str(path.name)
    return write


def toy_yaml(**overrides):
    """A small valid experiment over the toy space; keyword arguments replace top-level keys
    (value None drops the key)."""
    keys = {
        "name": "toy",
        "space": f"{TOY}:space",
        "evaluator": f"{TOY}:evaluate",
        "objective": "min:loss",
        "algorithm": "random",
        "budget": "{trials: 6}",
        "seed": "0",
    }
    keys.update(overrides)
    return "".join(f"{k}: {v}\n" for k, v in keys.items() if v is not None)


def run(*argv):
    """``symsearch run ARGV --no-progress``; returns the exit code."""
    from symsearch.cli.main import main
    return main(["run", *argv, "--no-progress"])


@pytest.fixture
def toy_store(write_yaml, capsys):
    """A finished 6-trial toy experiment in runs/toy.db (current folder)."""
    assert run(write_yaml(toy_yaml())) == 0
    capsys.readouterr()
    return os.path.join("runs", "toy.db")
