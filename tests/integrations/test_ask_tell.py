"""AskTell: the ask/tell adapter the integrations share."""
import pickle

import pytest

import symsearch as ss
from symsearch.integrations._ask_tell import AskTell


def space():
    return ss.Dict(x=ss.floatv(-2.0, 2.0), act=ss.oneof(["relu", "gelu"]),
                   hidden=ss.oneof([(8,), (16, 8)]))


def loss(candidate):
    return (candidate["x"] - 0.5) ** 2 + (0.3 if candidate["act"] == "relu" else 0.0)


def test_ask_gives_candidate_dna_and_key_path_params_and_tell_feeds_back():
    search = AskTell(space(), "evolution", "min:loss", seed=0)
    out = [search.ask(f"t{i}") for i in range(4)]          # several out at once
    for s in reversed(out):                                 # told in any order
        assert set(s.params) == {"x", "act", "hidden"}
        assert s.params["x"] == s.candidate["x"]
        assert ss.eq(ss.materialize(space(), s.dna), s.candidate)
        assert search.tell(s.key, {"loss": loss(s.candidate)}) == "done"
    result = search.result()
    assert len(result.trials) == 4
    assert result.best.metrics["loss"] == pytest.approx(min(loss(s.candidate) for s in out))


def test_errors_missing_metrics_and_unknown_keys():
    search = AskTell(space(), "random", "min:loss", seed=1)
    search.ask("a")
    search.ask("b")
    with pytest.raises(ValueError, match="already out"):
        search.ask("a")
    assert search.tell("a", error="boom") == "failed"
    assert search.tell("b", {"accuracy": 1.0}) == "failed"     # not the objective's metric
    assert "loss" in search.result().trials[1].error
    with pytest.raises(KeyError, match="No suggestion is out for trial 'zz'"):
        search.tell("zz", {"loss": 1.0})
    with pytest.raises(ValueError, match="objective"):
        AskTell(space(), "random", None)


def test_early_stopping_policy_answers_reports():
    search = AskTell(space(), "random", "min:loss", seed=2,
                     early_stopping={"type": "asha", "min_resource": 1, "max_resource": 9})
    keys = [f"t{i}" for i in range(6)]
    for i, k in enumerate(keys):
        search.ask(k)
        search.report(k, 1, {"loss": float(i)})            # later ones are worse
    stopped = [k for k in keys if search.should_stop(k)]
    assert stopped and "t0" not in stopped
    assert search.tell(stopped[0], {"loss": 5.0}) == "pruned"


def test_state_round_trips_through_pickle_and_outstanding_results_are_taken_back():
    search = AskTell(space(), "evolution", "min:loss", seed=3)
    for i in range(12):
        s = search.ask(i)
        search.tell(i, {"loss": loss(s.candidate)})
    out = search.ask("open")
    restored = pickle.loads(pickle.dumps(search))
    assert restored.state_dict() == search.state_dict()
    assert restored.tell("open", {"loss": loss(out.candidate)}) == "done"
    search.tell("open", {"loss": loss(out.candidate)})
    # Both continue the same search: the same next proposals.
    a, b = search.ask("n1"), restored.ask("n1")
    assert a.dna == b.dna
