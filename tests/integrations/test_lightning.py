"""SymsearchPruningCallback inside a real Lightning Trainer.fit, and the example search."""
import types

import pytest

import symsearch as ss

pytest.importorskip("lightning")
from examples import lightning_search as example  # noqa: E402
from symsearch.integrations.lightning import SymsearchPruningCallback  # noqa: E402


class StopAfter:
    """An early-stopping policy that stops every trial once it reports step ``n``."""

    def __init__(self, n):
        self.n = n

    def report(self, trial_id, step, metrics):
        return step >= self.n


@pytest.fixture(scope="module")
def loaders():
    return example.make_loaders(n=128, batch_size=64)


def test_reports_each_epoch_and_stops_the_fit_when_the_policy_says(loaders):
    space = example.LitRegressor(hidden=ss.oneof([8, 16]), lr=ss.floatv(1e-3, 1e-1, scale="log"))
    evaluate = example.make_evaluator(max_epochs=5, loaders=loaders)
    for trial in ss.sample(space, "random", num_trials=1, objective="min:val_loss", seed=0,
                           early_stopping=StopAfter(2), store=None):
        assert isinstance(trial.value, example.L.LightningModule)
        metrics = evaluate(trial.value, trial)
        trial.report(**metrics)
        assert metrics["epochs"] == 2                # stopped after 2 of 5 epochs
        assert trial.status == "pruned"
        record = trial._driver.store.trial(trial.id)
        assert [r["step"] for r in record.reports] == [1, 2]
        assert record.reports[-1]["metrics"]["val_loss"] == pytest.approx(metrics["val_loss"])


def test_example_search_runs_with_asha():
    result = example.run(num_trials=3, max_epochs=2, seed=1, n_samples=128)
    assert len(result.trials) == 3
    assert all(r.status in ("done", "pruned") for r in result.trials)
    assert all(len(r.reports) >= 1 for r in result.trials)
    assert result.best.metrics["val_loss"] >= 0


def test_missing_metric_and_bad_trial_are_named():
    class Trial:
        def report(self, step, **metrics): ...
        def should_stop(self): return False
    callback = SymsearchPruningCallback(Trial(), monitor="val_acc")
    trainer = types.SimpleNamespace(sanity_checking=False, current_epoch=0,
                                    callback_metrics={"val_loss": 1.0})
    with pytest.raises(KeyError, match=r"'val_acc' was not logged \(logged: \['val_loss'\]\)"):
        callback.on_validation_end(trainer, None)
    with pytest.raises(TypeError, match="must be a symsearch trial"):
        SymsearchPruningCallback(object())
