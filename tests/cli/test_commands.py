"""``symsearch run/show/plot/export`` called in-process through ``main``."""
import json
import os

import yaml

import symsearch as ss
from symsearch.cli.main import main
from symsearch.store import load_experiment
from tests.cli.conftest import TOY, run, toy_yaml




def test_run_records_trials_in_the_default_store(write_yaml, capsys):
    assert run(write_yaml(toy_yaml())) == 0
    out = capsys.readouterr().out
    experiment = load_experiment("runs/toy.db")
    assert len(experiment.trials) == 6
    assert all(t.status == "done" for t in experiment.trials)
    assert experiment.config["name"] == "toy" and experiment.config["objective"] == ["min:loss"]
    best = experiment.best("min:loss")
    assert f"Best trial: #{best.id} (done) loss=" in out
    assert "Store: runs/toy.db" in out
    assert out.splitlines()[0].startswith("symsearch: 6 trials (6 done, 0 failed, 0 cached)")


def test_command_line_overrides_trials_store_and_seed(write_yaml, workdir, capsys):
    path = write_yaml(toy_yaml())
    store = str(workdir / "elsewhere" / "x.db")
    assert run(path, "--trials", "3", "--store", store, "--seed", "5") == 0
    experiment = load_experiment(store)
    assert len(experiment.trials) == 3 and experiment.config["seed"] == 5
    assert not os.path.exists("runs/toy.db")


def test_second_run_of_a_finished_experiment_shows_its_result(toy_store, capsys):
    assert run("exp.yaml") == 0
    out = capsys.readouterr().out
    assert "The experiment in runs/toy.db is complete (6 trials)" in out
    best = load_experiment(toy_store).best("min:loss")
    assert f"Best trial: #{best.id} (done) loss=" in out and "Store: runs/toy.db" in out
    assert len(load_experiment(toy_store).trials) == 6


def test_resume_after_a_completed_run_adds_nothing(toy_store, capsys):
    before = load_experiment(toy_store).trials
    assert run("exp.yaml", "--resume") == 0
    out = capsys.readouterr().out
    after = load_experiment(toy_store).trials
    assert [t.id for t in after] == [t.id for t in before]
    assert "0 in this run" in out


def test_resume_with_more_trials_tops_up(toy_store, capsys):
    assert run("exp.yaml", "--resume", "--trials", "9") == 0
    assert len(load_experiment(toy_store).trials) == 9


def test_resume_onto_a_different_space_is_refused(toy_store, write_yaml, capsys):
    write_yaml(toy_yaml(space=f"{TOY}:small_space"))
    assert run("exp.yaml", "--resume") == 2
    assert "its search space differs" in capsys.readouterr().err


def test_store_path_that_is_not_a_store(write_yaml, workdir, capsys):
    (workdir / "notes.db").write_text("some text")
    assert run(write_yaml(toy_yaml()), "--store", "notes.db") == 2
    assert "is not a symsearch experiment store" in capsys.readouterr().err
    assert (workdir / "notes.db").read_text() == "some text"
    (workdir / "folder.db").mkdir()
    assert run("exp.yaml", "--store", "folder.db") == 2
    assert "is a folder" in capsys.readouterr().err


def test_failing_evaluator_makes_failed_trials_not_an_error(write_yaml, capsys):
    assert run(write_yaml(toy_yaml(evaluator=f"{TOY}:fail_on_tanh", budget="{trials: 8}"))) == 0
    trials = load_experiment("runs/toy.db").trials
    failed = [t for t in trials if t.status == "failed"]
    assert failed and all("tanh is not supported" in t.error for t in failed)
    assert main(["show", "runs/toy.db"]) == 0
    assert "tanh is not supported" in capsys.readouterr().out


def test_cache_reuses_metrics(write_yaml, capsys):
    path = write_yaml(toy_yaml(space=f"{TOY}:small_space", cache="true",
                               budget="{trials: 8}"))
    assert run(path) == 0
    experiment = load_experiment("runs/toy.db")
    statuses = [t.status for t in experiment.trials]
    assert statuses.count("done") == 2 and statuses.count("cached") == 6
    assert main(["show", "runs/toy.db"]) == 0
    assert "cache hits: 6" in capsys.readouterr().out


def test_user_errors_print_one_line_and_exit_2(write_yaml, capsys):
    assert run(write_yaml(toy_yaml(budget="{trials: ten}"))) == 2
    err = capsys.readouterr().err
    assert err == ("symsearch: error: exp.yaml:6: key 'budget.trials': expected a positive "
                   "int, got 'ten'\n")
    assert run(write_yaml(toy_yaml(evaluator="os:nosuchattr"))) == 2
    assert "exp.yaml:3: key 'evaluator': 'os:nosuchattr': module 'os' has no attribute " \
           "'nosuchattr'" in capsys.readouterr().err
    assert run("missing.yaml") == 2
    assert capsys.readouterr().err == "symsearch: error: missing.yaml: no such file\n"
    assert not os.path.exists("runs")          # nothing was created for a broken file


def test_no_budget_is_an_error_unless_trials_given(write_yaml, capsys):
    path = write_yaml(toy_yaml(budget=None))
    assert run(path) == 2
    assert "no budget" in capsys.readouterr().err
    assert run(path, "--trials", "2") == 0


def test_bad_time_option(write_yaml, capsys):
    assert run(write_yaml(toy_yaml()), "--time", "soon") == 2
    assert "--time" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert main(["run"]) == 2
    assert main(["bogus"]) == 2
    assert main(["run", "x.yaml", "--trials", "0"]) == 2
    assert main(["export", "x.db"]) == 2          # --best or --trial is required
    assert "usage:" in capsys.readouterr().err
    assert main(["--version"]) == 0


def test_show_lists_the_best_trials(toy_store, capsys):
    assert main(["show", toy_store, "--top", "3"]) == 0
    out = capsys.readouterr().out
    experiment = load_experiment(toy_store)
    ranked = sorted((t for t in experiment.trials), key=lambda t: t.metrics["loss"])
    assert "toy" in out and "objective: min:loss" in out and "algorithm: Random" in out
    assert "trials: 6 (6 done, 0 failed, 0 cached)" in out and "cache hits: 0" in out
    assert "Top 3 trials" in out and "size" in out      # other metrics have columns
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert [int(r.split("│")[1]) for r in rows] == [t.id for t in ranked[:3]]
    assert "act:" in rows[0] and "x:" in rows[0]         # the candidate, shortened


def test_show_and_plot_and_export_on_a_missing_store(workdir, capsys):
    assert main(["show", "nope.db"]) == 2
    assert main(["plot", "nope.db", "-o", "p.png"]) == 2
    assert main(["export", "nope.db", "--best"]) == 2
    assert capsys.readouterr().err.count("symsearch: error: no experiment store at 'nope.db'") == 3
    (workdir / "text.db").write_text("not sqlite")
    assert main(["show", "text.db"]) == 2
    assert "is not a symsearch experiment store" in capsys.readouterr().err


def test_plot_writes_a_png(toy_store, workdir, capsys):
    output = workdir / "plots" / "toy.png"
    assert main(["plot", toy_store, "-o", str(output)]) == 0
    assert output.stat().st_size > 1000
    assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_two_objectives_pareto(write_yaml, workdir, capsys):
    path = write_yaml(toy_yaml(evaluator=f"{TOY}:two_objectives",
                               objective="[min:loss, min:cost]", budget="{trials: 8}"))
    assert run(path) == 0
    assert "Pareto front:" in capsys.readouterr().out
    assert main(["plot", "runs/toy.db", "-o", "pareto.png"]) == 0
    assert (workdir / "pareto.png").stat().st_size > 1000
    assert main(["show", "runs/toy.db"]) == 0
    assert "Pareto front first" in capsys.readouterr().out


def test_export_best_as_yaml_and_json(toy_store, workdir, capsys):
    best = load_experiment(toy_store).best("min:loss")
    expected = json.loads(best.candidate_json)
    assert main(["export", toy_store, "--best"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == expected
    assert main(["export", toy_store, "--best", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
    assert main(["export", toy_store, "--best", "-o", "best.yaml"]) == 0
    loaded = ss.load(str(workdir / "best.yaml"))              # rebuilds the candidate
    assert ss.eq(loaded, ss.from_json(expected))
    assert main(["export", toy_store, "--best", "-o", "best.json"]) == 0
    assert json.loads((workdir / "best.json").read_text()) == expected


def test_export_a_given_trial(toy_store, capsys):
    assert main(["export", toy_store, "--trial", "2", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == \
        json.loads(load_experiment(toy_store).trial(2).candidate_json)
    assert main(["export", toy_store, "--trial", "99"]) == 2
    assert "has no trial 99" in capsys.readouterr().err
