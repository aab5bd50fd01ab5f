"""ArmBandit: branch sub-spaces, budget concentration, Rising Bandits elimination, state."""
import collections
import json
import random

import pytest

import symsearch as ss
from symsearch.algorithms.bandit import ArmBandit
from symsearch.algorithms.base import Feedback, make_algorithm
from symsearch.algorithms.branch_space import Branch, root_choice
from symsearch.algorithms.grid import Grid
from symsearch.algorithms.random_search import Random
from tests.algorithms._spaces import every_kind_space


def cash_space():
    """Three arms: a good one, a middling one and a constant baseline (no decisions)."""
    return ss.Dict(
        model=ss.oneof([
            ss.Dict(kind="good", x=ss.floatv(0.0, 1.0), y=ss.floatv(0.0, 1.0)),
            ss.Dict(kind="mid", u=ss.floatv(0.0, 1.0), act=ss.oneof(["a", "b", "c"])),
            ss.Dict(kind="baseline"),
        ], name="model"),
        lr=ss.floatv(1e-3, 1.0, scale="log"))


def evaluate(candidate):
    m, lr = candidate["model"], candidate["lr"]
    if m["kind"] == "good":
        acc = 0.95 - (m["x"] - 0.3) ** 2 - 0.5 * (m["y"] - 0.6) ** 2
    elif m["kind"] == "mid":
        acc = 0.75 - 0.3 * (m["u"] - 0.5) ** 2 - (0.0 if m["act"] == "b" else 0.05)
    else:
        return {"acc": 0.2}
    return {"acc": acc - 0.02 * abs(lr - 0.1)}


class Validating:
    """A search callback that validates every trial's DNA against the space."""

    def __init__(self, spec):
        self.spec = spec
        self.checked = 0

    def __call__(self, driver, trial_id, status, metrics, error):
        self.spec.validate(ss.DNA(driver.store.trial(trial_id).dna))
        self.checked += 1


# ---- branches -----------------------------------------------------------------------------------

def test_each_branch_holds_its_subtree_and_the_shared_decisions_reindexed():
    spec = ss.dna_spec(cash_space())
    root = root_choice(spec)
    assert root.path == "model" and root_choice(spec, "model") is root
    branches = [Branch(spec, root.index, i) for i in range(3)]
    assert [[d.path for d in b.spec] for b in branches] == [
        ["model[=0].x", "model[=0].y", "lr"], ["model[=1].u", "model[=1].act", "lr"], ["lr"]]
    assert [d.index for d in branches[1].spec] == [0, 1, 2]
    assert all(d.condition is None for b in branches for d in b.spec)


def test_branch_dna_maps_both_ways_on_a_space_with_every_kind_of_decision():
    spec = ss.dna_spec(every_kind_space())
    root = root_choice(spec)
    rng = random.Random(0)
    for i in range(root.num_candidates):
        branch = Branch(spec, root.index, i)
        for _ in range(100):
            sub = ss.random_dna(branch.spec, rng)
            branch.spec.validate(sub)
            full = branch.to_full(sub)
            spec.validate(full)
            assert full[root.index] == i and branch.to_sub(full) == sub
        nested = [d for d in branch.spec if d.condition is not None]
        assert all(branch.spec[d.condition[0]].kind == "choice" for d in nested)


def test_arm_path_must_name_a_top_level_oneof():
    spec = ss.dna_spec(every_kind_space())
    with pytest.raises(ValueError, match="top-level"):
        root_choice(spec, "model[=0].act")
    with pytest.raises(ValueError, match="names no decision"):
        root_choice(spec, "nope")
    with pytest.raises(ValueError, match="no top-level oneof"):
        root_choice(ss.dna_spec(ss.Dict(x=ss.floatv(0, 1))))


# ---- the bandit on a synthetic CASH problem ------------------------------------------------------

@pytest.mark.parametrize("seed, reward", [(0, "best"), (1, "best"), (2, "best"),
                                          (3, "recent")])
def test_bandit_concentrates_on_the_best_arm_and_eliminates_the_hopeless_one(seed, reward):
    bandit = ArmBandit(inner="random", reward=reward, seed=seed)
    check = Validating(ss.dna_spec(cash_space()))
    result = ss.search(cash_space(), evaluate, objective="max:acc", algorithm=bandit,
                       num_trials=60, seed=seed, callbacks=[check])
    pulls = collections.Counter(r.dna[0] for r in result.trials)
    assert check.checked == 60
    assert pulls[0] >= 0.6 * 60, pulls
    baseline = bandit.arms[2]
    # four warm-up results with a flat best-so-far: its bound is 0.2 < the leader's best
    assert baseline.eliminated_at == 12 and baseline.pulls == 4 and pulls[2] == 4
    assert bandit.arms[0].active
    assert result.best.value["model"]["kind"] == "good"
    assert result.best.metrics["acc"] > 0.9


def test_bandit_with_tpe_inside_each_arm():
    pytest.importorskip("optuna")
    bandit = ArmBandit(inner="tpe", seed=0)
    check = Validating(ss.dna_spec(cash_space()))
    result = ss.search(cash_space(), evaluate, objective="max:acc", algorithm=bandit,
                       num_trials=60, seed=0, callbacks=[check])
    pulls = collections.Counter(r.dna[0] for r in result.trials)
    assert pulls[0] >= 0.6 * 60 and not bandit.arms[2].active
    from symsearch.algorithms.bayesian import Bayesian
    assert isinstance(bandit.arms[0].algorithm, Bayesian)
    assert bandit.arms[0].algorithm.sampler == "tpe"
    assert result.best.metrics["acc"] > 0.93


def _results(bandit, i, scores):
    """Feeds ``scores`` back to arm ``i`` as if it had been pulled for each."""
    arm = bandit.arms[i]
    for score in scores:
        dna = arm.branch.to_full(ss.random_dna(arm.branch.spec, 0))
        arm.pulls += 1
        bandit.feedback(dna, Feedback(0, "done", {"acc": score}, (score,), score))
    return arm


def test_elimination_bound_extrapolates_the_recent_slope_over_the_remaining_budget():
    bandit = ArmBandit(inner="random", budget=20, window=2, min_pulls=1, seed=0)
    bandit.setup(ss.dna_spec(cash_space()), ss.Objectives.parse("max:acc"))
    good = _results(bandit, 0, [0.9])
    mid = _results(bandit, 1, [0.1, 0.4, 0.5])
    assert bandit.upper_bound(good) is None               # fewer than window + 1 results
    # slope (0.5 - 0.1) / 2 = 0.2 per pull, 20 - 4 = 16 pulls left: 0.5 + 3.2
    assert bandit.upper_bound(mid) == pytest.approx(3.7)
    bandit._eliminate()
    assert mid.active
    _results(bandit, 1, [0.5, 0.5])                       # flat: bound 0.5 < 0.9
    bandit._eliminate()
    assert not mid.active and mid.eliminated_at == 6
    assert bandit.arms[2].active                          # no results yet: not judged


def test_ucb_prefers_the_best_arm_without_exploration_and_spreads_with_it():
    def picks(exploration):
        bandit = ArmBandit(inner="random", exploration=exploration, elimination=False,
                           min_pulls=1, seed=0)
        bandit.setup(ss.dna_spec(cash_space()), ss.Objectives.parse("max:acc"))
        for i, score in enumerate([0.9, 0.5, 0.2]):
            _results(bandit, i, [score])
        return bandit.choose([0, 1, 2])
    assert picks(0.0) == 0
    # normalized rewards 1, 0.57, 0 plus an equal bonus: still arm 0
    assert picks(10.0) == 0
    bandit = ArmBandit(inner="random", exploration=1.0, elimination=False, min_pulls=1)
    bandit.setup(ss.dna_spec(cash_space()), ss.Objectives.parse("max:acc"))
    for i, score, n in zip(range(3), [0.9, 0.5, 0.2], [30, 1, 30]):
        _results(bandit, i, [score] * n)
    assert bandit.choose([0, 1, 2]) == 1                  # rarely pulled: large bonus


def test_feedback_reaches_the_arm_named_by_the_dna_as_branch_dna():
    class Recording(Random):
        def feedback(self, dna, feedback):
            self.seen = getattr(self, "seen", []) + [tuple(dna)]

    bandit = ArmBandit(inner=Recording, seed=1, min_pulls=1)
    spec = ss.dna_spec(cash_space())
    bandit.setup(spec, ss.Objectives.parse("max:acc"))
    dnas = [bandit.propose() for _ in range(3)]
    assert [d[0] for d in dnas] == [0, 1, 2]                      # warm-up order
    for t, dna in enumerate(dnas):
        bandit.feedback(dna, Feedback(t, "done", {"acc": 0.5}, (0.5,), 0.5))
    assert bandit.arms[1].algorithm.seen == [tuple(bandit.arms[1].branch.to_sub(dnas[1]))]
    assert [arm.scores for arm in bandit.arms] == [[0.5], [0.5], [0.5]]
    assert bandit.arms[0].algorithm is not bandit.arms[1].algorithm


def test_inner_algorithms_by_name_dict_instance_and_factory():
    spec, objectives = ss.dna_spec(cash_space()), ss.Objectives.parse("max:acc")
    for inner in ("random", {"type": "random"}, Random(seed=3), lambda: Random()):
        bandit = ArmBandit(inner=inner, seed=0)
        bandit.setup(spec, objectives)
        assert [type(arm.algorithm) for arm in bandit.arms] == [Random] * 3
        assert len({id(arm.algorithm) for arm in bandit.arms}) == 3
    assert isinstance(make_algorithm("cash"), ArmBandit)
    assert isinstance(make_algorithm({"type": "bandit", "inner": "random"}), ArmBandit)


def test_finite_arms_end_the_search_when_every_grid_is_exhausted():
    space = ss.Dict(model=ss.oneof([ss.Dict(a=ss.oneof([1, 2, 3])), ss.Dict(b=ss.intv(0, 1)),
                                    "c"]))
    result = ss.search(space, lambda c: {"acc": 1.0}, objective="max:acc",
                       algorithm=ArmBandit(inner=Grid, elimination=False, min_pulls=1),
                       num_trials=100)
    assert len(result.trials) == 6          # the space's size: then propose() ran out
    dnas = [tuple(r.dna) for r in result.trials]
    assert len(set(dnas)) == 6


def test_bad_arguments_and_multi_objective_searches_are_refused():
    with pytest.raises(ValueError, match="'exploration' parameter of ArmBandit"):
        ArmBandit(exploration=-1)
    with pytest.raises(ValueError, match="'reward' parameter"):
        ArmBandit(reward="mean")
    with pytest.raises(TypeError, match="'inner' parameter"):
        ArmBandit(inner=3)
    with pytest.raises(ValueError, match="one objective"):
        ArmBandit(inner="random").setup(ss.dna_spec(cash_space()),
                                        ss.Objectives.parse(["max:acc", "min:lat"]))
    with pytest.raises(ValueError, match="needs an objective"):
        ArmBandit(inner="random").setup(ss.dna_spec(cash_space()), None)


# ---- state -------------------------------------------------------------------------------------

def _drive(bandit, n, start=0):
    space = cash_space()
    out = []
    for t in range(start, start + n):
        dna = bandit.propose()
        metrics = evaluate(ss.materialize(space, dna))
        bandit.feedback(dna, Feedback(t, "done", metrics, (metrics["acc"],), metrics["acc"]))
        out.append(tuple(dna))
    return out


def test_state_round_trips_through_json_and_continues_the_same_search():
    spec, objectives = ss.dna_spec(cash_space()), ss.Objectives.parse("max:acc")
    a = ArmBandit(inner="random", seed=5)
    a.setup(spec, objectives)
    _drive(a, 25)
    state = json.loads(json.dumps(a.state_dict()))
    b = ArmBandit(inner="random", seed=5)
    b.setup(spec, objectives)
    b.load_state_dict(state)
    assert b.summary() == a.summary()
    assert _drive(b, 15, start=25) == _drive(a, 15, start=25)


def test_a_resumed_search_continues_from_the_saved_bandit(tmp_path):
    path = str(tmp_path / "cash.db")
    ss.search(cash_space(), evaluate, objective="max:acc",
              algorithm=ArmBandit(inner="random", seed=2), num_trials=20, store=path, seed=2)
    bandit = ArmBandit(inner="random", seed=2)
    result = ss.search(cash_space(), evaluate, objective="max:acc", algorithm=bandit,
                       num_trials=40, store=path, seed=2, resume=True)
    assert len(result.trials) == 40
    assert sum(arm.pulls for arm in bandit.arms) == 40
    assert sum(len(arm.scores) for arm in bandit.arms) == 40
    assert not bandit.arms[2].active
