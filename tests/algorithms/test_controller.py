"""The REINFORCE controller: learning, conditional spaces, errors, exact state and resume."""
import json
import math

import numpy as np
import pytest

import symsearch as ss
from symsearch.algorithms.base import Feedback, make_algorithm
from symsearch.algorithms.controller import Reinforce
from symsearch.search.objectives import Objectives

MAX_R = Objectives.parse("max:r")


def _setup(space, **kwargs):
    algo = Reinforce(seed=0, **kwargs)
    algo.setup(ss.dna_spec(space), MAX_R)
    return algo


def test_registered_by_name_and_arguments_are_checked():
    assert type(make_algorithm("reinforce")) is Reinforce
    algo = make_algorithm({"type": "reinforce", "learning_rate": 0.1, "entropy_weight": 0.0})
    assert (algo.learning_rate, algo.entropy_weight) == (0.1, 0.0)
    with pytest.raises(ValueError, match=r"learning_rate must be a number in \(0.0, inf\], got 0"):
        Reinforce(learning_rate=0)
    with pytest.raises(ValueError, match=r"baseline_decay must be a number in \[0.0, 1.0\)"):
        Reinforce(baseline_decay=1.0)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        Reinforce(optimizer="rmsprop")


def test_update_moves_probability_towards_rewarded_choices():
    algo = _setup(ss.Dict(a=ss.oneof(["x", "y", "z"])), normalize=False, optimizer="sgd",
                  learning_rate=0.5, entropy_weight=0.0)
    algo.update(ss.DNA((0,)), 1.0)              # first reward sets the baseline: no step
    assert np.allclose(algo.probabilities("a"), 1 / 3)
    algo.update(ss.DNA((2,)), 3.0)              # advantage 2 on choice 2
    p = algo.probabilities("a")
    # grad of log softmax at uniform: onehot - p; step = 0.5 * 2 * (onehot - 1/3)
    expected = np.exp([-1 / 3, -1 / 3, 2 / 3])
    assert np.allclose(p, expected / expected.sum())
    assert algo.baseline == pytest.approx(0.9 * 1.0 + 0.1 * 3.0)


def test_entropy_bonus_pulls_a_peaked_policy_back_towards_uniform():
    algo = _setup(ss.Dict(a=ss.oneof([0, 1])), normalize=False, optimizer="sgd",
                  learning_rate=1.0, entropy_weight=1.0)
    algo.logits[0] = np.array([2.0, 0.0])
    algo.baseline = 5.0
    algo.update(ss.DNA((0,)), 5.0)              # zero advantage: only the entropy term acts
    assert 0.0 < algo.logits[0][0] - algo.logits[0][1] < 2.0


def test_learns_a_separable_problem_in_a_search():
    space = ss.Dict(a=ss.oneof(list(range(5))), b=ss.oneof(list(range(5))),
                    n=ss.intv(0, 9))
    result = ss.search(space, lambda c: {"r": c["a"] + c["b"] + c["n"]}, objective="max:r",
                       algorithm="reinforce", num_trials=300, seed=1)
    assert result.best.metrics["r"] == 17
    late = [t.metrics["r"] for t in result.trials[-50:]]
    early = [t.metrics["r"] for t in result.trials[:50]]
    assert sum(early) / 50 < 12 and sum(late) / 50 > 16


def test_conditional_decisions_are_sampled_only_when_active():
    space = ss.Dict(model=ss.oneof([ss.Dict(kind="a", w=ss.oneof([1, 2])),
                                    ss.Dict(kind="b", d=ss.oneof([3, 4, 5]))]))
    algo = _setup(space)
    spec = algo.spec
    for _ in range(30):
        dna = algo.propose()
        spec.validate(dna)
        active = set(spec.active_indices(dna))
        assert all((v is None) == (i not in active) for i, v in enumerate(dna))
        algo.update(dna, 1.0 if dna[0] == 1 else 0.0)


def test_decisions_it_cannot_learn_are_named_or_drawn_at_random():
    space = ss.Dict(a=ss.oneof([0, 1]), lr=ss.floatv(1e-4, 1e-1, scale="log"))
    with pytest.raises(ValueError, match=r"cannot learn decision 'lr' \(a floatv\).*"
                                         r"unsupported='random'"):
        _setup(space)
    algo = _setup(space, unsupported="random")
    dna = algo.propose()
    assert 1e-4 <= dna[1] <= 1e-1 and set(algo.logits) == {0}
    with pytest.raises(ValueError, match="an intv with 1000 values"):
        _setup(ss.Dict(n=ss.intv(0, 999)))
    with pytest.raises(ValueError, match="a slot of a manyof"):
        _setup(ss.Dict(m=ss.manyof(2, ["a", "b", "c"])))
    algo = Reinforce()
    with pytest.raises(ValueError, match="needs a single objective"):
        algo.setup(ss.dna_spec(ss.Dict(a=ss.oneof([0, 1]))), Objectives.parse(["max:a", "min:b"]))
    with pytest.raises(ValueError, match="reward must be a finite number"):
        _setup(ss.Dict(a=ss.oneof([0, 1]))).update(ss.DNA((0,)), math.nan)


def test_failed_trials_teach_nothing():
    algo = _setup(ss.Dict(a=ss.oneof([0, 1])))
    before = algo.state_dict()
    algo.feedback(ss.DNA((0,)), Feedback(0, "failed"))
    assert algo.state_dict()["logits"] == before["logits"] and algo.steps == 0


def test_state_round_trips_through_json_and_continues_identically():
    space = ss.Dict(a=ss.oneof(list(range(4))), n=ss.intv(1, 8, step=1))
    algo = _setup(space)
    for k in range(20):
        dna = algo.propose()
        algo.update(dna, float(dna[0] * dna[1] + k % 3))
    state = json.loads(json.dumps(algo.state_dict()))
    fresh = _setup(space)
    fresh.load_state_dict(state)
    for k in range(20):
        a, b = algo.propose(), fresh.propose()
        assert a == b
        assert algo.update(a, float(k)) == fresh.update(b, float(k))
    assert json.dumps(algo.state_dict()) == json.dumps(fresh.state_dict())
    with pytest.raises(ValueError, match="made for another search space"):
        _setup(ss.Dict(a=ss.oneof([0, 1]))).load_state_dict(state)


def test_resumed_search_equals_an_uninterrupted_one(tmp_path):
    from symsearch.spaces.nas import cell_space

    def evaluate(cell):
        return {"r": float(sum(len(op) for op in cell.ops) % 11)}

    whole = ss.search(cell_space(), evaluate, objective="max:r", algorithm="reinforce",
                      num_trials=40, seed=3, store=str(tmp_path / "whole.db"))
    ss.search(cell_space(), evaluate, objective="max:r", algorithm="reinforce",
              num_trials=15, seed=3, store=str(tmp_path / "split.db"))
    split = ss.search(cell_space(), evaluate, objective="max:r", algorithm="reinforce",
                      num_trials=40, seed=3, store=str(tmp_path / "split.db"), resume=True)
    assert [t.dna for t in whole.trials] == [t.dna for t in split.trials]
