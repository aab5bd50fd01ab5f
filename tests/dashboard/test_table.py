"""TrialTable and LiveStore: the cheap columns, read again only where they can have changed."""
import pytest

from symsearch.store import SqliteStore
from symsearch.viz import LiveStore, TrialTable
from tests.dashboard.conftest import run_search


def test_table_reads_new_trials_and_status_changes(tmp_path):
    path = tmp_path / "t.db"
    writer = SqliteStore(path, commit_interval=0)
    writer.initialize({"objective": ["min:loss"]}, None, "fp")
    first = writer.start_trial([0], None)
    writer.flush()
    table = TrialTable(path, metrics=["loss"])
    assert table.ids == [0] and table.statuses == ["running"] and table.values("loss") == [None]
    version = table.version
    assert table.refresh() is False and table.version == version     # nothing committed
    writer.finish_trial(first, "done", metrics={"loss": 0.25})
    second = writer.start_trial([1], None)
    writer.add_report(second, 1, {"loss": 2.0})
    writer.add_report(second, 2, {"loss": 1.0})
    writer.finish_trial(second, "pruned", metrics={"loss": 1.0})
    assert table.refresh() is True and table.version == version + 1
    assert table.statuses == ["done", "pruned"]
    assert table.values("loss") == [0.25, 1.0]
    assert table.num_reports == [0, 2]
    writer.restart_trial(second)                  # a retried trial loses its reports
    assert table.refresh() and table.statuses[1] == "running" and table.num_reports[1] == 0
    writer.discard_trial(second)
    assert table.refresh() and table.ids == [0]
    with pytest.raises(KeyError, match="'acc' is not read by this table"):
        table.values("acc")
    table.close()
    writer.close()


def test_table_reads_metrics_sqlite_cannot_path_or_parse(tmp_path):
    """NaN (which Python writes and JSON lacks) gives no value; a name with a quote is read
    in Python."""
    path = tmp_path / "t.db"
    with SqliteStore(path) as writer:
        writer.initialize({"objective": ["min:loss"]}, None, "fp")
        for metrics in ({"loss": float("nan")}, {"loss": 2, 'a"b': 1.5}, {"loss": True}):
            writer.finish_trial(writer.start_trial([0], None), "done", metrics=metrics)
    with TrialTable(path, metrics=["loss"]) as table:
        assert table.values("loss") == [None, 2, None]
    with TrialTable(path, metrics=["loss", 'a"b']) as table:
        assert table.values("loss") == [None, 2.0, None]
        assert table.values('a"b') == [None, 1.5, None]


def test_table_refuses_a_file_that_is_no_store(tmp_path):
    (tmp_path / "x.db").write_text("not sqlite")
    with pytest.raises(ValueError, match="is not a symsearch experiment store"):
        TrialTable(tmp_path / "x.db")
    with pytest.raises(FileNotFoundError, match="no experiment store"):
        TrialTable(tmp_path / "missing.db")


def test_live_store_overview_best_and_decisions(searched_store):
    from symsearch.store import load_experiment
    experiment = load_experiment(searched_store)
    best = experiment.best("min:loss")
    with LiveStore(searched_store) as live:
        overview = live.overview()
        assert overview["trials"] == 12 and overview["counts"]["done"] == 12
        assert overview["best"] == {"id": best.id, "values": [best.metrics["loss"]]}
        assert overview["trials_per_s"] > 0 and overview["running"] is False
        table = live.decisions()
        names = [c.name for c in table.columns]
        assert names == ["x", "act", "act[=1].alpha", "n"]
        alpha = table.column("act[=1].alpha")
        assert alpha.condition.startswith("act = ") and alpha.log
        position = names.index("act[=1].alpha")
        for trial_id, values in zip(table.ids, table.values):
            dna = experiment.trial(trial_id).dna
            assert values[position] == dna[2]          # None exactly where inactive
        run_search(searched_store, 14, resume=True)
        assert live.refresh() and len(live.decisions().ids) == 14


def test_spec_of_a_space_with_unregistered_classes_keeps_key_paths():
    import json

    from symsearch.viz.decisions import decision_columns, stored_spec
    space = {"_type": "not.imported.Model",
             "lr": {"_type": "floatv", "lo": 0.001, "hi": 0.1, "scale": "log"},
             "act": {"_type": "oneof", "candidates": ["relu", "gelu"]}}
    columns = decision_columns(stored_spec(json.dumps(space)), [])
    assert [(c.name, c.kind, c.log) for c in columns] == [("lr", "float", True),
                                                         ("act", "choice", False)]
    inferred = decision_columns(None, [[0.5, "a", None], [0.7, "b", 3]])
    assert [(c.name, c.kind) for c in inferred] == [("#0", "float"), ("#1", "choice"),
                                                    ("#2", "int")]


def test_overview_says_whether_a_search_is_writing(searched_store):
    with LiveStore(searched_store) as live:
        assert live.overview()["running"] is False
        writer = SqliteStore(searched_store)
        writer.acquire_lease()
        try:
            assert live.overview()["running"] is True
        finally:
            writer.close()
        assert live.overview()["running"] is False
