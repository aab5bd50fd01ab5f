"""The progress callback: off on non-terminals unless forced, always a summary line."""
import io

import symsearch as ss
from symsearch.cli.progress import SearchProgress, best_text
from symsearch.search.objectives import Objectives


class FakeDriver:
    def __init__(self):
        self.counts = {"done": 0, "failed": 0, "cached": 0, "pruned": 0}
        self.objectives = Objectives.parse("max:accuracy")
        self.best_metrics = None
        self.cache_hits = 0

    @property
    def num_finished(self):
        return sum(self.counts.values())

    def finish(self, status, metrics=None):
        self.counts[status] += 1
        if metrics and (self.best_metrics is None or
                        metrics["accuracy"] > self.best_metrics["accuracy"]):
            self.best_metrics = metrics


def drive(progress, driver):
    progress.on_search_start(driver, 4, None)
    for status, metrics in [("done", {"accuracy": 0.5}), ("failed", None),
                            ("cached", {"accuracy": 0.5}), ("done", {"accuracy": 0.75})]:
        driver.finish(status, metrics)
        progress.on_trial_end(driver, 0, status, metrics, None)
    progress.on_search_end(driver)


def test_not_a_terminal_prints_only_the_summary():
    out = io.StringIO()
    progress = SearchProgress(file=out)
    assert not progress.enabled
    drive(progress, FakeDriver())
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("symsearch: 4 trials (2 done, 1 failed, 1 cached) in ")
    assert lines[0].endswith("best accuracy=0.75")


def test_forced_bar_draws_counts_and_best():
    out = io.StringIO()
    progress = SearchProgress(enabled=True, file=out)
    drive(progress, FakeDriver())
    text = out.getvalue()
    assert "4/4" in text and "done 2 failed 1 cached 1" in text and "accuracy=0.75" in text
    assert "symsearch: 4 trials (2 done, 1 failed, 1 cached)" in text.rstrip().splitlines()[-1]


def test_disabled_bar_and_no_success():
    out = io.StringIO()
    progress = SearchProgress(enabled=False, file=out)
    driver = FakeDriver()
    progress.on_search_start(driver, None, 10.0)
    driver.finish("failed")
    progress.on_trial_end(driver, 0, "failed", None, "boom")
    progress.on_search_end(driver)
    assert "1 failed" in out.getvalue() and "no successful trial" in out.getvalue()


def test_with_a_real_search_counts_resumed_trials(tmp_path):
    space = ss.Dict(x=ss.oneof([1, 2, 3]))
    store = str(tmp_path / "p.db")
    out = io.StringIO()
    ss.search(space, lambda c: {"accuracy": c["x"]}, objective="max:accuracy", num_trials=3,
              store=store, seed=0, callbacks=[SearchProgress(file=out)])
    out = io.StringIO()
    progress = SearchProgress(file=out)
    ss.search(space, lambda c: {"accuracy": c["x"]}, objective="max:accuracy", num_trials=5,
              store=store, seed=0, resume=True, cache=True, callbacks=[progress])
    assert progress.summary_line.startswith("symsearch: 5 trials (")
    assert "2 in this run" in progress.summary_line


def test_best_text_uses_objective_names_only():
    driver = FakeDriver()
    driver.best_metrics = {"accuracy": 0.912345, "time": 3.0}
    assert best_text(driver) == "accuracy=0.9123"
