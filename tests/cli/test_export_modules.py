"""``symsearch export`` names the modules a candidate needs, so a new process can rebuild it
with ``ss.load(FILE, import_modules=True)``; without that flag nothing is imported."""
import pathlib
import subprocess
import sys

import yaml

from symsearch.cli.main import main
from tests.cli.conftest import TOY, toy_yaml

REPO = pathlib.Path(__file__).resolve().parents[2]


def load_in_new_process(path, import_modules):
    code = (f"import symsearch as ss\n"
            f"value = ss.load({str(path)!r}, import_modules={import_modules})\n"
            f"print(type(value).__module__, type(value).__name__, value.act)\n")
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_exported_candidate_loads_in_a_new_process(write_yaml, workdir, capsys):
    path = write_yaml(toy_yaml(space=f"{TOY}:point_space", evaluator=f"{TOY}:evaluate_point",
                               budget="{trials: 3}"))
    assert main(["run", path, "--no-progress"]) == 0
    assert main(["export", "runs/toy.db", "--best", "-o", "best.yaml"]) == 0
    document = yaml.safe_load((workdir / "best.yaml").read_text())
    assert document["_modules"] == [TOY]
    assert document["_value"]["_type"] == f"{TOY}.Point"

    loaded = load_in_new_process(workdir / "best.yaml", True)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith(f"{TOY} Point ")

    refused = load_in_new_process(workdir / "best.yaml", False)
    assert refused.returncode != 0
    assert "is not registered" in refused.stderr
    assert f"pass import_modules=True (imports '{TOY}'" in refused.stderr


def test_export_as_json_names_the_modules_too(write_yaml, workdir, capsys):
    import json
    path = write_yaml(toy_yaml(space=f"{TOY}:point_space", evaluator=f"{TOY}:evaluate_point",
                               budget="{trials: 2}"))
    assert main(["run", path, "--no-progress"]) == 0
    assert main(["export", "runs/toy.db", "--best", "-o", "best.json"]) == 0
    assert json.loads((workdir / "best.json").read_text())["_modules"] == [TOY]
    loaded = load_in_new_process(workdir / "best.json", True)
    assert loaded.returncode == 0, loaded.stderr
