"""The digits MLP trainer: metrics, per-epoch reports, stopping when asked, devices."""
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

import symsearch as ss  # noqa: E402
from symsearch.evaluators import digits_mlp  # noqa: E402
from symsearch.spaces.digits_mlp import DigitsMLP, space  # noqa: E402


class Recorder:
    """A ``trial`` stand-in: records reports, asks to stop after ``stop_after`` of them."""

    def __init__(self, stop_after=None):
        self.reports = []
        self.stop_after = stop_after

    def report(self, step, **metrics):
        self.reports.append((step, metrics))

    def should_stop(self):
        return self.stop_after is not None and len(self.reports) >= self.stop_after


def test_trains_and_reports_every_epoch():
    trial = Recorder()
    metrics = digits_mlp.evaluate(DigitsMLP(hidden=(64,), lr=3e-3), trial=trial, epochs=3,
                                  device="cpu")
    assert [step for step, _ in trial.reports] == [1, 2, 3]
    assert metrics["epochs"] == 3 and metrics["accuracy"] > 0.85
    assert metrics["accuracy"] == trial.reports[-1][1]["accuracy"]
    assert metrics["best_accuracy"] == max(m["accuracy"] for _, m in trial.reports)


def test_stops_when_the_trial_says_so():
    trial = Recorder(stop_after=2)
    metrics = digits_mlp.evaluate(DigitsMLP(hidden=(32,)), trial=trial, epochs=10, device="cpu")
    assert metrics["epochs"] == 2 and len(trial.reports) == 2


def test_deterministic_for_a_seed():
    candidate = DigitsMLP(hidden=(32,), dropout=0.2, batch_size=64)
    a = digits_mlp.evaluate(candidate, epochs=2, device="cpu")
    b = digits_mlp.evaluate(candidate, epochs=2, device="cpu")
    assert a["accuracy"] == b["accuracy"] and a["loss"] == b["loss"]


def test_accepts_mappings_and_every_space_sample():
    metrics = digits_mlp.evaluate({"hidden": [16], "optimizer": "sgd", "lr": 0.05}, epochs=1,
                                  device="cpu")
    assert 0.0 <= metrics["accuracy"] <= 1.0
    for candidate in ss.random_sample(space, 3, seed=0):
        assert digits_mlp.evaluate(candidate, epochs=1, device="cpu")["epochs"] == 1


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="'epochs' parameter"):
        digits_mlp.evaluate(DigitsMLP(), epochs=0)
    with pytest.raises(ValueError, match="activation"):
        digits_mlp.evaluate({"activation": "swish"}, epochs=1)
    with pytest.raises(ValueError, match="'device' parameter"):
        digits_mlp.resolve_device("")


def test_auto_device_follows_cuda_availability():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert digits_mlp.resolve_device("auto") == expected
    assert digits_mlp.resolve_device("cpu") == "cpu"


def test_search_with_asha_passes_the_trial_and_prunes():
    import functools

    from symsearch.algorithms.successive_halving import ASHA
    evaluator = functools.partial(digits_mlp.evaluate, epochs=3, device="cpu")
    result = ss.search(space, evaluator, objective="max:accuracy", num_trials=6, seed=0,
                       early_stopping=ASHA(min_resource=1, max_resource=3))
    statuses = [t.status for t in result.trials]
    assert len(statuses) == 6 and "pruned" in statuses
    assert all(t.metrics["epochs"] < 3 for t in result.trials if t.status == "pruned")
    assert all(t.metrics["epochs"] == 3 for t in result.trials if t.status == "done")


def test_threads_are_restored():
    before = torch.get_num_threads()
    digits_mlp.evaluate(DigitsMLP(hidden=(16,)), epochs=1, device="cpu", threads=1)
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="'threads' parameter"):
        digits_mlp.evaluate(DigitsMLP(), epochs=1, threads=0)
