"""``symsearch run`` on a store that exists: shown when complete, refused when the file
changed, moved aside with --fresh; interrupts and failures give the documented exit codes."""
import os

import pytest

from symsearch.cli.main import main
from symsearch.store import load_experiment
from tests.cli import toy_experiment
from tests.cli.conftest import TOY, run, toy_yaml




@pytest.mark.parametrize("change, named", [
    ({"objective": "max:loss"}, "objective: min:loss in the store, max:loss now"),
    ({"algorithm": "grid"}, "algorithm: random in the store, grid now"),
    ({"seed": "3"}, "seed: 0 in the store, 3 now"),
    ({"budget": "{trials: 9}"}, "num_trials: 6 in the store, 9 now"),
    ({"space": f"{TOY}:small_space"}, "the search space"),
])
def test_a_changed_file_is_refused_in_cli_terms(toy_store, write_yaml, capsys, change, named):
    write_yaml(toy_yaml(**change))
    assert run("exp.yaml") == 2
    err = capsys.readouterr().err
    assert err.startswith("symsearch: error: The store runs/toy.db already holds an "
                          "experiment with 6 trials, and it was made with different settings")
    assert named in err
    assert "--resume" in err and "--fresh" in err and "--resume --retry-failed" in err
    assert "resume=True" not in err and "Traceback" not in err
    assert len(load_experiment(toy_store).trials) == 6


def test_trials_override_counts_as_a_different_budget(toy_store, capsys):
    assert run("exp.yaml", "--trials", "8") == 2
    assert "num_trials: 6 in the store, 8 now" in capsys.readouterr().err
    assert run("exp.yaml", "--trials", "8", "--resume") == 0
    assert len(load_experiment(toy_store).trials) == 8


def test_an_unfinished_run_is_refused_with_resume_offered(write_yaml, capsys):
    path = write_yaml(toy_yaml(evaluator=f"{TOY}:interrupt_on_third_call"))
    toy_experiment.CALLS["n"] = 0
    assert run(path) == 130
    capsys.readouterr()
    write_yaml(toy_yaml())
    assert run(path) == 2
    err = capsys.readouterr().err
    assert "its run is unfinished (2 of 6 trials)" in err and "Pass --resume" in err


def test_fresh_moves_the_old_store_aside_and_starts_over(toy_store, workdir, capsys):
    before = load_experiment(toy_store).trials
    assert run("exp.yaml", "--fresh", "--trials", "3") == 0
    err = capsys.readouterr().err
    moved = [n for n in os.listdir("runs") if n.startswith("toy.") and n != "toy.db"
             and n.endswith(".db")]
    assert len(moved) == 1 and f"Moved the old store runs/toy.db to runs/{moved[0]}" in err
    assert [t.id for t in load_experiment(os.path.join("runs", moved[0])).trials] == \
        [t.id for t in before]
    assert len(load_experiment(toy_store).trials) == 3


def test_fresh_and_resume_exclude_each_other_and_retry_needs_resume(toy_store, capsys):
    assert main(["run", "exp.yaml", "--fresh", "--resume"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
    assert run("exp.yaml", "--retry-failed") == 2
    assert "--resume --retry-failed" in capsys.readouterr().err


def test_ctrl_c_prints_the_summary_and_the_resume_command(write_yaml, capsys):
    path = write_yaml(toy_yaml(evaluator=f"{TOY}:interrupt_on_third_call"))
    toy_experiment.CALLS["n"] = 0
    assert run(path, "--store", "runs/x.db") == 130
    captured = capsys.readouterr()
    assert "symsearch: interrupted after 2 finished trials (2 done)" in captured.out
    assert "Best trial: #" in captured.out
    assert "Resume with: symsearch run exp.yaml --resume --store runs/x.db" in captured.err
    assert "Traceback" not in captured.err


def test_sigterm_exits_with_its_code_and_the_resume_command(write_yaml, capsys):
    path = write_yaml(toy_yaml(evaluator=f"{TOY}:terminate_on_third_call"))
    toy_experiment.CALLS["n"] = 0
    assert run(path) == 143
    captured = capsys.readouterr()
    assert "terminated (exit 143) after 2 finished trials" in captured.out
    assert "Resume with: symsearch run exp.yaml --resume" in captured.err


def test_no_successful_trial_exits_1_pointing_at_show(write_yaml, capsys):
    path = write_yaml(toy_yaml(evaluator=f"{TOY}:always_fails", budget="{trials: 2}"))
    code = run(path)
    captured = capsys.readouterr()
    assert code == 1
    assert "symsearch show runs/toy.db" in captured.out + captured.err
    assert "no model fits this" in (captured.out + captured.err) or \
        load_experiment("runs/toy.db").trials[0].error


def test_all_trials_failed_error_is_printed_with_its_hint(write_yaml, capsys, monkeypatch):
    import symsearch as ss
    from symsearch.search.errors import AllTrialsFailedError

    def failing_search(*args, **kwargs):
        raise AllTrialsFailedError("ValueError: no model fits this", 5,
                                   hint="check the evaluator")
    monkeypatch.setattr(ss, "search", failing_search)
    assert run(write_yaml(toy_yaml())) == 1
    err = capsys.readouterr().err
    assert err.startswith("symsearch: error: the first 5 trials all failed with the same "
                          "error")
    assert "hint: check the evaluator" in err and "symsearch show runs/toy.db" in err
    assert "Traceback" not in err


def test_objective_mismatch_names_the_metric_and_what_was_returned(write_yaml, capsys):
    path = write_yaml(toy_yaml(evaluator=f"{TOY}:wrong_metric", objective="max:acc",
                               budget="{trials: 2}"))
    assert run(path) == 1
    assert main(["show", "runs/toy.db"]) == 0
    out = capsys.readouterr().out
    assert "metrics have no objective 'acc' (got ['accuracy', 'size'])" in out


def test_a_store_another_search_owns_is_a_user_error(write_yaml, capsys, monkeypatch):
    import symsearch as ss
    from symsearch.store import StoreLockedError

    def busy(*args, **kwargs):
        raise StoreLockedError("runs/toy.db", {"host": "elsewhere", "pid": 123})
    monkeypatch.setattr(ss, "search", busy)
    assert run(write_yaml(toy_yaml())) == 2
    err = capsys.readouterr().err
    assert err.startswith("symsearch: error: the store 'runs/toy.db' is in use by another "
                          "search") and err.count("\n") == 1


def test_fresh_refuses_to_move_a_store_another_search_owns(toy_store, capsys, monkeypatch):
    from symsearch.store import SqliteStore, StoreLockedError

    def owned(self):
        raise StoreLockedError(self.path, {"host": "elsewhere", "pid": 123})
    monkeypatch.setattr(SqliteStore, "acquire_lease", owned)
    assert run("exp.yaml", "--fresh") == 2
    assert "is in use by another search" in capsys.readouterr().err
    assert os.listdir("runs") == ["toy.db"] or "toy.db" in os.listdir("runs")
    assert len(load_experiment(toy_store).trials) == 6


def test_retry_failed_is_passed_to_the_search(toy_store, capsys, monkeypatch):
    import symsearch as ss
    seen = {}
    real = ss.search

    def spy(*args, retry_failed=False, **kwargs):
        seen["retry_failed"] = retry_failed
        return real(*args, **kwargs)
    monkeypatch.setattr(ss, "search", spy)
    assert run("exp.yaml", "--resume", "--retry-failed") == 0
    assert seen == {"retry_failed": True}


def test_move_aside_takes_the_companion_files_and_never_overwrites(tmp_path):
    from symsearch.cli.existing import move_aside
    store = tmp_path / "x.db"
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"x.db{suffix}").write_text(f"store{suffix}")
    (tmp_path / "x.T.db").write_text("an earlier move")
    moved = move_aside(str(store), stamp="T")
    assert moved == str(tmp_path / "x.T-1.db")
    assert (tmp_path / "x.T-1.db-wal").read_text() == "store-wal"
    assert (tmp_path / "x.T-1.db-shm").read_text() == "store-shm"
    assert (tmp_path / "x.T.db").read_text() == "an earlier move"
    assert not store.exists()
