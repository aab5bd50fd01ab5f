"""experiments/weight_sharing.yaml: the same file runs with weight sharing or standalone,
switched by the one key evaluator.kwargs.weight_sharing."""
import pathlib

import pytest

pytest.importorskip("torch")

from symsearch.cli.main import main  # noqa: E402
from symsearch.cli.schema import load_experiment_file  # noqa: E402
from symsearch.store import load_experiment  # noqa: E402

FILE = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "weight_sharing.yaml"


def _variant(tmp_path, name, **replacements):
    text = FILE.read_text()
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace("name: weight_sharing", f"name: {name}"))
    return path


def _run(path, trials):
    return main(["run", str(path), "--trials", str(trials), "--no-progress"])


def test_the_file_as_written_is_weight_sharing_with_evolution():
    config = load_experiment_file(str(FILE))
    kwargs = config.evaluator.value["kwargs"]
    assert kwargs["weight_sharing"] is True and kwargs["train_steps"] == 0
    assert config.algorithm.value["type"] == "evolution"


def test_one_key_switches_between_weight_sharing_and_standalone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shared = _variant(tmp_path, "shared", **{"warmup_epochs: 60": "warmup_epochs: 1"})
    alone = _variant(tmp_path, "alone", **{
        "weight_sharing: true": "weight_sharing: false\n    standalone: train\n    epochs: 1",
        "warmup_epochs: 60": "warmup_epochs: 1"})
    assert _run(shared, 6) == 0
    assert _run(alone, 2) == 0
    shared_trials = load_experiment(tmp_path / "runs" / "shared.db").trials
    alone_trials = load_experiment(tmp_path / "runs" / "alone.db").trials
    assert {t.status for t in shared_trials + alone_trials} <= {"done", "cached"}
    # weight sharing: the first trial carries the supernet's warm-up epoch, later ones nothing
    done = [t for t in shared_trials if t.status == "done"]
    assert done[0].metrics["epochs"] == 1.0 and all(t.metrics["epochs"] == 0 for t in done[1:])
    assert all(t.metrics["supernet_epochs"] == 1.0 for t in done)
    # standalone: each cell trained on its own, with a test accuracy and a parameter count
    assert all(t.metrics["epochs"] == 1 and t.metrics["params"] > 0 for t in alone_trials
               if t.status == "done")


def test_tunas_trains_the_supernet_jointly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _variant(tmp_path, "tunas", **{
        "warmup_epochs: 60": "warmup_epochs: 0", "train_steps: 0": "train_steps: 2",
        "  type: evolution\n  population_size: 20\n  tournament_size: 5":
            "  type: tunas\n  warmup_trials: 3"})
    assert _run(path, 6) == 0
    trials = load_experiment(tmp_path / "runs" / "tunas.db").trials
    steps = [t.metrics["supernet_epochs"] for t in trials if t.status == "done"]
    assert steps == sorted(steps) and steps[-1] > steps[0]
