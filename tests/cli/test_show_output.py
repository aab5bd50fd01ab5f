"""What ``show`` and ``plot`` print and draw: stored strings as text (never rich markup), and
pruned trials marked with their last reported value."""
import pytest

from symsearch.cli.main import main
from symsearch.store import load_experiment
from tests.cli.conftest import TOY, toy_yaml

REPORTING = f"{{ref: '{TOY}:evaluate_by_steps', kwargs: {{steps: 9}}}}"
ASHA = "{type: asha, min_resource: 1, max_resource: 9, reduction_factor: 3}"


def run(*argv):
    return main(["run", *argv, "--no-progress"])


def test_show_prints_markup_like_candidates_as_they_are(write_yaml, capsys):
    path = write_yaml(toy_yaml(space=f"{TOY}:markup_space", objective="'min:[red]loss'",
                               evaluator=f"{TOY}:evaluate_markup", budget="{trials: 6}",
                               store="runs/m.db"))
    assert run(path) == 0
    capsys.readouterr()
    assert main(["show", "runs/m.db"]) == 0               # "[/mnt/a]" was a MarkupError
    out = capsys.readouterr().out
    assert "path: '[/mnt/a]'" in out
    assert "[bold]b[/bold]" in out                         # not rendered as a bold b
    assert "min:[red]loss" in out                          # a column header


def test_show_escapes_a_stored_error_and_metric_names(write_yaml, capsys, monkeypatch):
    path = write_yaml(toy_yaml(evaluator=f"{TOY}:always_fails", budget="{trials: 1}"))
    run(path)
    capsys.readouterr()
    assert main(["show", "runs/toy.db"]) == 0
    assert "no model fits this" in capsys.readouterr().out


@pytest.fixture
def pruned_store(write_yaml, capsys):
    path = write_yaml(toy_yaml(evaluator=REPORTING, early_stopping=ASHA,
                               budget="{trials: 12}"))
    assert run(path) == 0
    capsys.readouterr()
    experiment = load_experiment("runs/toy.db")
    assert any(t.status == "pruned" for t in experiment.trials)
    return experiment


def test_show_lists_pruned_trials_marked_with_their_last_report(pruned_store, capsys):
    pruned = [t for t in pruned_store.trials if t.status == "pruned"]
    assert main(["show", "runs/toy.db", "--top", "20"]) == 0
    out = capsys.readouterr().out
    assert f"then {len(pruned)} of {len(pruned)} pruned" in out
    rows = [line for line in out.splitlines() if line.startswith("│") and "pruned" in line]
    assert len(rows) == len(pruned)
    by_id = {int(r.split("│")[1]): r for r in rows}
    for trial in pruned:
        step = trial.reports[-1]["step"]
        loss = trial.metrics["loss"] if trial.metrics else trial.reports[-1]["metrics"]["loss"]
        assert f"pruned @{step}" in by_id[trial.id]
        assert f"{loss:.4g}" in by_id[trial.id]


def test_plot_draws_pruned_trials(pruned_store, workdir, capsys, monkeypatch):
    import matplotlib.axes
    labels = []
    real = matplotlib.axes.Axes.scatter

    def scatter(self, *args, **kwargs):
        labels.append((kwargs.get("label"), len(args[0])))
        return real(self, *args, **kwargs)
    monkeypatch.setattr(matplotlib.axes.Axes, "scatter", scatter)
    assert main(["plot", "runs/toy.db", "-o", "p.png"]) == 0
    pruned = sum(t.status == "pruned" for t in pruned_store.trials)
    assert (f"pruned ({pruned}, last report)", pruned) in labels
    assert (workdir / "p.png").stat().st_size > 1000
