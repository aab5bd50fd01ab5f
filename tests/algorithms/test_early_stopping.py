"""Early-stopping policies: rung rules on hand-computed examples, and ASHA, successive
halving and Hyperband on synthetic learning curves in both loop styles."""
import math

import pytest

import symsearch as ss
from symsearch.algorithms.base import Feedback
from symsearch.algorithms.early_stopping import (EarlyStoppingPolicy, make_policy,
                                                 policy_names, rung_resources)
from symsearch.algorithms.hyperband import Hyperband
from symsearch.algorithms.random_search import Random
from symsearch.algorithms.successive_halving import ASHA, SuccessiveHalving
from tests.algorithms import _curves as cv

FULL = 60 * cv.MAX_EPOCHS


# ---- rung rules -------------------------------------------------------------------------------

def test_rungs_sit_at_min_resource_times_powers_of_eta_below_max_resource():
    assert rung_resources(1, 27, 3) == [1, 3, 9]
    assert rung_resources(2, 20, 3) == [2, 6, 18]
    assert rung_resources(1, 8, 2) == [1, 2, 4]
    assert rung_resources(1, None, 2, limit=5) == [1, 2, 4, 8, 16]
    assert [r.resource for r in ASHA(1, 27, 3).rungs] == [1, 3, 9]


def test_asha_passes_a_rung_only_in_the_top_fraction_of_results_so_far():
    asha = ASHA(1, 27, reduction_factor=3, metric="max:acc")
    values = [0.5, 0.4, 0.6, 0.55, 0.7, 0.65, 0.3, 0.66]
    # n=1..5: k=1, only a new best passes; n=6..8: k=2, the top two pass (ties pass).
    stops = [asha.report(t, 1, {"acc": v}) for t, v in enumerate(values)]
    assert stops == [False, True, False, True, False, False, True, False]


def test_minimized_metric_ranks_lower_values_first():
    asha = ASHA(1, 9, reduction_factor=2, metric="min:loss")
    assert [asha.report(t, 1, {"loss": v}) for t, v in enumerate([1.0, 2.0, 0.5, 0.7])] == \
        [False, True, False, False]   # n=4, k=2: 0.7 is second best


def test_a_report_past_several_rungs_is_judged_at_each_and_later_steps_wait_for_the_next():
    asha = ASHA(1, 27, 3, metric="max:acc")
    assert asha.report(0, 10, {"acc": 0.5}) is False
    assert [len(r) for r in asha.rungs] == [1, 1, 1]
    assert asha.report(1, 2, {"acc": 0.1}) is True        # judged at rung 1 only
    assert [len(r) for r in asha.rungs] == [2, 1, 1]
    assert asha.report(2, 0.5, {"acc": 0.0}) is False     # before the first rung: no judgment
    assert [len(r) for r in asha.rungs] == [2, 1, 1]


def test_a_stopped_trial_stays_stopped_until_complete():
    asha = ASHA(1, 9, 3, metric="max:acc")
    asha.report(0, 1, {"acc": 0.9})
    assert asha.report(1, 1, {"acc": 0.1}) is True
    assert asha.report(1, 2, {"acc": 0.99}) is True
    asha.complete(1)
    assert asha.report(1, 2, {"acc": 0.99}) is False


def test_nan_ranks_last_and_a_missing_metric_is_an_error_naming_it():
    asha = ASHA(1, 9, 3, metric="max:acc")
    assert asha.report(0, 1, {"acc": 0.1}) is False
    assert asha.report(1, 1, {"acc": math.nan}) is True
    with pytest.raises(ValueError, match="'acc'.*step 1.*'loss'"):
        asha.report(2, 1, {"loss": 0.3})


def test_successive_halving_rejudges_passed_rungs_while_asha_never_takes_a_pass_back():
    # eta=2, rungs at 1, 2, 4. Trials a and b run at once: a passes rung 1 first (alone),
    # then b finishes rung 1 with a better value, so a is no longer in the top half there.
    def run(policy):
        out = [policy.report("a", 1, {"acc": 0.5}),
               policy.report("b", 1, {"acc": 0.9}),
               policy.report("a", 2, {"acc": 0.6})]
        return out
    assert run(ASHA(1, 8, 2, metric="max:acc")) == [False, False, False]
    assert run(SuccessiveHalving(1, 8, 2, metric="max:acc")) == [False, False, True]


def test_successive_halving_is_asha_in_a_sequential_loop():
    curves = [[0.5, 0.6, 0.7, 0.8], [0.9, 0.9, 0.9, 0.9], [0.2, 0.5, 0.6, 0.95],
              [0.6, 0.95, 0.96, 0.97], [0.1, 0.1, 0.1, 0.1]]

    def run(policy):
        stopped_at = []
        for t, curve in enumerate(curves):
            for step, acc in enumerate(curve, start=1):
                if policy.report(t, step, {"acc": acc}):
                    break
            stopped_at.append(step)
            policy.complete(t)
        return stopped_at
    sequential = run(SuccessiveHalving(1, 8, 2, metric="max:acc"))
    assert sequential == run(ASHA(1, 8, 2, metric="max:acc"))
    # rung 1 (k=1 up to 3 results, 2 from 4): a passes; b best; c stops; d (0.6, 2nd of 4)
    # passes, then at rung 2 (0.95 vs 0.9, 0.6) it is best; e stops.
    assert sequential == [4, 4, 1, 4, 1]


def test_hyperband_brackets_sizes_and_interleaved_assignment():
    hb = Hyperband(1, 27, 3, metric="max:acc")
    assert [[r.resource for r in b.rungs] for b in hb.brackets] == [[1, 3, 9], [3, 9], [9], []]
    assert hb.bracket_sizes == [27, 12, 6, 4]
    brackets = [hb.assign(t) for t in range(49)]
    assert [brackets.count(b) for b in range(4)] == [27, 12, 6, 4]   # one full cycle
    assert brackets[:4] == [0, 1, 0, 2]


def test_hyperband_judges_each_trial_by_its_own_bracket():
    hb = Hyperband(1, 9, 3, metric="max:acc")      # brackets: rungs [1, 3], [3], []
    for t in range(6):
        hb.assign(t)                               # brackets 0, 1, 0, 2, 0, 1
    assert hb.report(0, 1, {"acc": 0.9}) is False
    assert hb.report(2, 1, {"acc": 0.1}) is True   # bracket 0, rung 1: worse than trial 0
    assert hb.report(1, 1, {"acc": 0.1}) is False  # bracket 1: first rung is at 3
    assert hb.report(3, 8, {"acc": 0.0}) is False  # bracket 2 never stops a trial
    assert hb.report(1, 3, {"acc": 0.2}) is False
    assert hb.report(5, 3, {"acc": 0.1}) is True   # bracket 1, rung 3: behind trial 1
    hb.complete(5)
    assert 5 not in hb._bracket_of


# ---- construction, names, metric ---------------------------------------------------------------

def test_policies_are_selectable_by_name_and_dict():
    assert {"asha", "hyperband", "successive_halving"} <= set(policy_names())
    assert isinstance(make_policy("asha"), ASHA)
    assert type(make_policy("successive-halving")) is SuccessiveHalving
    hb = make_policy({"type": "hyperband", "min_resource": 1, "max_resource": 81,
                      "reduction_factor": 3})
    assert isinstance(hb, Hyperband) and len(hb.brackets) == 5
    assert make_policy(None) is None and make_policy("none") is None
    policy = ASHA()
    assert make_policy(policy) is policy
    with pytest.raises(ValueError, match="Unknown early-stopping policy 'median'"):
        make_policy("median")
    with pytest.raises(ValueError, match="'type'"):
        make_policy({"min_resource": 1})
    with pytest.raises(ValueError, match="eta"):
        make_policy({"type": "asha", "eta": 3})


@pytest.mark.parametrize("kwargs, message", [
    ({"reduction_factor": 1}, "'reduction_factor' parameter of ASHA must be a number > 1"),
    ({"min_resource": 0}, "'min_resource' parameter of ASHA must be a number > 0"),
    ({"min_resource": 9, "max_resource": 3}, "'max_resource' parameter of ASHA must be >="),
    ({"metric": "acc"}, "must look like 'max:accuracy'"),
])
def test_bad_arguments_name_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ASHA(**kwargs)


def test_hyperband_needs_max_resource():
    with pytest.raises(ValueError, match="'max_resource' parameter of Hyperband is required"):
        Hyperband(min_resource=1)


def test_metric_comes_from_the_objective_unless_given():
    policy = ASHA()
    policy.setup(ss.Objectives.parse("min:loss"))
    assert (policy.objective.name, policy.objective.direction) == ("loss", "min")
    policy = ASHA(metric="max:acc")
    policy.setup(ss.Objectives.parse("min:loss"))
    assert policy.objective.name == "acc"
    with pytest.raises(ValueError, match="2 objectives"):
        ASHA().setup(ss.Objectives.parse(["max:acc", "min:latency"]))
    with pytest.raises(ValueError, match="needs a metric"):
        ASHA().setup(None)
    assert isinstance(ASHA(), EarlyStoppingPolicy)


# ---- on synthetic learning curves --------------------------------------------------------------

def _user_loop(policy, num_trials=60, seed=0):
    store = ss.store.MemoryStore()
    for trial in ss.sample(cv.curve_space(), "random", num_trials=num_trials,
                           objective="max:acc", store=store, seed=seed,
                           early_stopping=policy):
        for epoch in range(1, cv.MAX_EPOCHS + 1):
            acc = cv.accuracy(trial.value, epoch)
            trial.report(step=epoch, acc=acc)
            if trial.should_stop():
                break
        trial.report(acc=acc)
    return store.trials()


def _check_stops_poor_trials_early(records, max_share, early_share=0.8):
    """Most trials of the poorer half stop within 3 epochs, nearly all before the end; the
    highest-quality trial runs every epoch; few of the 60 * 27 epochs are spent."""
    qualities = [ss.materialize(cv.curve_space(), ss.DNA(r.dna))["q"] for r in records]
    epochs = [len(r.reports) for r in records]
    order = sorted(range(len(records)), key=lambda i: qualities[i])
    poor = order[:len(order) // 2]
    assert sum(epochs[i] <= 3 for i in poor) >= early_share * len(poor)
    assert sum(records[i].status == "pruned" for i in poor) >= 0.85 * len(poor)
    best = order[-1]
    assert epochs[best] == cv.MAX_EPOCHS and records[best].status == "done"
    assert sum(epochs) <= max_share * FULL
    for r, n in zip(records, epochs):
        assert r.status == ("done" if n == cv.MAX_EPOCHS else "pruned")
        assert r.metrics["acc"] == r.reports[-1]["metrics"]["acc"]
    return sum(epochs)


@pytest.mark.parametrize("policy, max_share, early_share", [
    (ASHA(1, cv.MAX_EPOCHS, 3), 0.2, 0.9),
    (SuccessiveHalving(1, cv.MAX_EPOCHS, 3), 0.2, 0.9),
    (Hyperband(1, cv.MAX_EPOCHS, 3), 0.4, 0.6),   # later brackets judge later
])
def test_user_loop_stops_poor_trials_early_and_runs_the_best_to_the_end(policy, max_share,
                                                                         early_share):
    _check_stops_poor_trials_early(_user_loop(policy), max_share, early_share)


class RecordingRandom(Random):
    def __init__(self, seed=None):
        super().__init__(seed)
        self.feedback_log = []

    def feedback(self, dna, feedback: Feedback) -> None:
        self.feedback_log.append(feedback)


def test_search_with_a_reporting_evaluator_stops_poor_trials_and_feeds_back_pruned():
    algorithm = RecordingRandom()
    store = ss.store.MemoryStore()
    result = ss.search(cv.curve_space(), cv.train_with_reports, objective="max:acc",
                       algorithm=algorithm, num_trials=60, seed=0, store=store,
                       early_stopping=ASHA(1, cv.MAX_EPOCHS, 3))
    spent = _check_stops_poor_trials_early(store.trials(), 0.2)
    assert spent == sum(r.metrics["epochs"] for r in result.trials)
    assert result.best.metrics["epochs"] == cv.MAX_EPOCHS
    statuses = [f.status for f in algorithm.feedback_log]
    assert statuses.count("pruned") == result.count("pruned") > 40
    pruned = [f for f in algorithm.feedback_log if f.status == "pruned"]
    assert all(f.score is None and f.metrics["epochs"] < cv.MAX_EPOCHS for f in pruned)


def test_search_matches_the_user_loop_and_takes_policies_by_name():
    by_name = ss.search(cv.curve_space(), cv.train_with_reports, objective="max:acc",
                        num_trials=30, seed=3,
                        early_stopping={"type": "asha", "max_resource": cv.MAX_EPOCHS})
    loop = _user_loop(ASHA(1, cv.MAX_EPOCHS, 3), num_trials=30, seed=3)
    assert [r.status for r in by_name.trials] == [r.status for r in loop]
    assert [len(r.reports) for r in by_name.trials] == [len(r.reports) for r in loop]


def test_a_resumed_search_rebuilds_the_rungs_from_stored_reports(tmp_path):
    path = str(tmp_path / "asha.db")
    first = ss.search(cv.curve_space(), cv.train_with_reports, objective="max:acc",
                      num_trials=20, seed=4, store=path,
                      early_stopping=ASHA(1, cv.MAX_EPOCHS, 3))
    assert len(first.trials) == 20
    policy = ASHA(1, cv.MAX_EPOCHS, 3)
    resumed = ss.search(cv.curve_space(), cv.train_with_reports, objective="max:acc",
                        num_trials=40, seed=4, store=path, resume=True, early_stopping=policy)
    straight = ss.search(cv.curve_space(), cv.train_with_reports, objective="max:acc",
                         num_trials=40, seed=4, early_stopping=ASHA(1, cv.MAX_EPOCHS, 3))
    assert [r.status for r in resumed.trials] == [r.status for r in straight.trials]
    assert [r.metrics["epochs"] for r in resumed.trials] == \
        [r.metrics["epochs"] for r in straight.trials]
    assert len(policy.rungs[0]) == 40
