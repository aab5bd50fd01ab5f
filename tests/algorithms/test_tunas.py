"""TuNAS: uniform warm-up that teaches nothing, then REINFORCE; the absolute cost reward;
errors naming the argument; exact state."""
import pytest

import symsearch as ss
from symsearch.algorithms import TuNAS, make_algorithm
from symsearch.algorithms.base import Feedback
from symsearch.search.objectives import Objectives

OBJECTIVE = Objectives.parse("max:r")

SPACE = ss.Dict(a=ss.oneof([0, 1, 2, 3]), b=ss.oneof([0, 1, 2, 3]))


def _feedback(score, metrics=None):
    return Feedback(0, "done", metrics or {"r": score}, (score,), score)


def test_registered_by_name():
    assert isinstance(make_algorithm({"type": "tunas", "warmup_trials": 3}), TuNAS)


def test_warmup_is_uniform_and_teaches_nothing_then_the_policy_learns():
    result = ss.search(SPACE, lambda c: {"r": c["a"] + c["b"]}, objective="max:r",
                       algorithm=TuNAS(warmup_trials=30, learning_rate=0.2), num_trials=200,
                       seed=0)
    first = [tuple(t.dna) for t in result.trials[:30]]
    assert len(set(first)) > 8                            # spread over the 16 cells
    last = [t.metrics["r"] for t in result.trials[-40:]]
    assert sum(last) / len(last) > 5.0                    # the policy found a + b = 6


def test_no_update_during_warmup():
    algorithm = TuNAS(warmup_trials=5, seed=0)
    algorithm.setup(ss.dna_spec(SPACE), OBJECTIVE)
    for _ in range(5):
        dna = algorithm.propose()
        algorithm.feedback(dna, _feedback(10.0))
    assert algorithm.steps == 0
    dna = algorithm.propose()
    algorithm.feedback(dna, _feedback(1.0))
    assert algorithm.steps == 1


def test_absolute_reward_penalizes_distance_to_the_cost_target():
    algorithm = TuNAS(cost_metric="params", cost_target=100, cost_weight=-0.5, seed=0)
    assert algorithm.reward(_feedback(0.9, {"params": 100})) == pytest.approx(0.9)
    assert algorithm.reward(_feedback(0.9, {"params": 150})) == pytest.approx(0.65)
    assert algorithm.reward(_feedback(0.9, {"params": 50})) == pytest.approx(0.65)
    with pytest.raises(ValueError, match="no number 'params'"):
        algorithm.reward(_feedback(0.9, {"accuracy": 0.9}))


@pytest.mark.parametrize("kwargs, message", [
    ({"warmup_trials": -1}, "warmup_trials must be a non-negative int"),
    ({"cost_metric": "params"}, "cost_metric and cost_target go together"),
    ({"cost_metric": "params", "cost_target": 0}, "cost_target must be a positive number"),
    ({"cost_weight": 0.5}, "cost_weight must be a number <= 0"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TuNAS(**kwargs)


def test_state_round_trips_exactly():
    a = TuNAS(warmup_trials=2, seed=1)
    a.setup(ss.dna_spec(SPACE), OBJECTIVE)
    for k in range(6):
        dna = a.propose()
        a.feedback(dna, _feedback(float(k)))
    b = TuNAS(warmup_trials=2, seed=1)
    b.setup(ss.dna_spec(SPACE), OBJECTIVE)
    b.load_state_dict(a.state_dict())
    assert [a.propose() for _ in range(5)] == [b.propose() for _ in range(5)]


def test_warmup_rewards_set_the_baseline_and_scale_but_not_the_logits():
    algorithm = TuNAS(warmup_trials=4, seed=0)
    algorithm.setup(ss.dna_spec(SPACE), OBJECTIVE)
    for reward in (1.0, 3.0, 1.0, 3.0):
        algorithm.learn(algorithm.propose(), reward)
    assert algorithm.steps == 0
    assert all((logits == 0).all() for logits in algorithm.logits.values())
    assert 1.0 < algorithm.baseline < 3.0 and algorithm.advantage_var > 0
    algorithm.learn(algorithm.propose(), 3.0)         # the first step has a real advantage
    assert algorithm.steps == 1
    assert any((logits != 0).any() for logits in algorithm.logits.values())
