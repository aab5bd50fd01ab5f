"""Bayesian optimization through Optuna samplers (algorithms/bayesian.py)."""
import json
import statistics

import pytest

optuna = pytest.importorskip("optuna")

import symsearch as ss  # noqa: E402
from symsearch.algorithms.base import Feedback, make_algorithm  # noqa: E402
from symsearch.algorithms.bayesian import (CMAES, GP, TPE, Bayesian, OptunaNSGA2)  # noqa: E402
from symsearch.search.objectives import Objectives  # noqa: E402

MIN_LOSS = Objectives.parse("min:loss")


def conditional_space():
    """Every decision kind Bayesian optimization can model, with nested conditions."""
    return ss.Dict(
        model=ss.oneof([
            ss.Dict(lr=ss.floatv(1e-4, 1e-1, scale="log"),
                    head=ss.oneof(["linear", ss.Dict(width=ss.intv(1, 100, step=3,
                                                                   scale="log"))])),
            "fixed",
            ss.intv(0, 9, step=3),
        ]),
        ops=ss.manyof(3, ["a", "b", ss.Dict(q=ss.floatv(0.0, 1.0)), "d"],
                      distinct=True, sorted=True),
        perm=ss.manyof(2, ["x", "y", "z"], distinct=True, sorted=False),
        repeat=ss.manyof(2, ["p", ss.oneof([1, 2])], distinct=False, sorted=False),
        x=ss.floatv(-1.0, 1.0),
        n=ss.intv(2, 64, scale="log"),
        k=ss.intv(0, 20, step=5),
    )


def drive(algo, spec, num_trials, loss, pending=0):
    """Proposes and feeds back ``num_trials`` trials; the last ``pending`` get no feedback."""
    proposals = []
    for t in range(num_trials):
        dna = algo.propose()
        proposals.append(dna)
        if t < num_trials - pending:
            value = loss(dna)
            algo.feedback(dna, Feedback(t, "done", {"loss": value}, (value,), -value))
    return proposals


def x_loss(spec):
    i = spec["x"].index
    return lambda dna: (dna[i] - 0.3) ** 2


def pending_trial(algo, dna):
    return algo._pending[dna][-1]


@pytest.mark.parametrize("sampler", ["tpe", "random"])
def test_every_proposal_validates_and_only_active_decisions_are_suggested(sampler):
    spec = ss.dna_spec(conditional_space())
    algo = Bayesian(sampler, seed=0, sampler_kwargs={"n_startup_trials": 5}
                    if sampler == "tpe" else None)
    algo.setup(spec, MIN_LOSS)
    loss = x_loss(spec)
    for t in range(40):
        dna = algo.propose()
        spec.validate(dna)
        active = {spec.decisions[i].path for i in spec.active_indices(dna)}
        assert set(pending_trial(algo, dna).params) == active
        algo.feedback(dna, Feedback(t, "done", None, (loss(dna),), -loss(dna)))
    assert len(algo.study.trials) == 40
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in algo.study.trials)


def test_random_sampler_reaches_every_branch():
    spec = ss.dna_spec(conditional_space())
    algo = Bayesian("random", seed=1)
    algo.setup(spec, MIN_LOSS)
    proposals = drive(algo, spec, 150, x_loss(spec))
    paths = set()
    for dna in proposals:
        paths |= {spec.decisions[i].path for i in spec.active_indices(dna)}
    # a sorted 3-of-4 never puts candidate 2 in slot 0
    assert paths == {d.path for d in spec.decisions} - {"ops[0][=2].q"}
    ops = {tuple(dna[s.index] for s in spec["ops[0]"].group.slots) for dna in proposals}
    assert ops == {(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)}  # all 3-subsets, sorted
    perm = {tuple(dna[s.index] for s in spec["perm[0]"].group.slots) for dna in proposals}
    assert perm == {(a, b) for a in range(3) for b in range(3) if a != b}


def test_intv_grids_and_log_scales_are_respected():
    spec = ss.dna_spec(ss.Dict(w=ss.intv(1, 100, step=3, scale="log"), k=ss.intv(0, 20, step=5),
                               lr=ss.floatv(1e-5, 1e-1, scale="log")))
    algo = Bayesian("tpe", seed=3, sampler_kwargs={"n_startup_trials": 3})
    algo.setup(spec, MIN_LOSS)
    proposals = drive(algo, spec, 30, lambda dna: float(dna[0]))
    for dna in proposals:
        spec.validate(dna)
        assert (dna[0] - 1) % 3 == 0 and dna[1] % 5 == 0
        assert isinstance(dna[0], int) and isinstance(dna[2], float)
    dists = algo.study.trials[0].distributions
    assert dists["w"] == optuna.distributions.IntDistribution(1, 100, log=True)
    assert dists["k"] == optuna.distributions.IntDistribution(0, 20, step=5)
    assert dists["lr"] == optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True)


def test_evolve_decisions_are_rejected_with_their_path():
    space = ss.Dict(x=ss.floatv(0, 1),
                    prog=ss.oneof([1, ss.Dict(expr=ss.evolve(1.0, lambda v, rng: v + 1))]))
    algo = Bayesian("tpe")
    with pytest.raises(ValueError, match=r"evolve\(\.\.\.\) decisions at prog\[=1\]\.expr; "
                                         r"use RegularizedEvolution"):
        algo.setup(ss.dna_spec(space), MIN_LOSS)


def quadratic_space():
    return ss.Dict(x=ss.floatv(-5.0, 5.0), y=ss.floatv(-5.0, 5.0))


def quadratic(c):
    return {"loss": (c["x"] - 1.3) ** 2 + (c["y"] + 0.7) ** 2}


def best_loss(algorithm, seed, num_trials=60):
    result = ss.search(quadratic_space(), quadratic, objective="min:loss",
                       algorithm=algorithm, num_trials=num_trials, seed=seed)
    assert result.count("done") == num_trials
    return result.best.metrics["loss"]


def test_tpe_beats_random_on_a_quadratic():
    seeds = (0, 1, 2)
    tpe = statistics.median(best_loss(Bayesian("tpe"), s) for s in seeds)
    rand = statistics.median(best_loss("random", s) for s in seeds)
    assert tpe < rand / 2, (tpe, rand)
    assert tpe < 0.1


def test_gp_smoke():
    pytest.importorskip("torch")
    pytest.importorskip("scipy")
    space = ss.Dict(x=ss.floatv(-5.0, 5.0), y=ss.floatv(-5.0, 5.0), c=ss.oneof(["a", "b"]))
    result = ss.search(space, quadratic, objective="min:loss",
                       algorithm=GP(n_startup_trials=4), num_trials=8, seed=0)
    assert result.count("done") == 8


def test_cmaes_smoke():
    pytest.importorskip("cmaes")
    result = ss.search(quadratic_space(), quadratic, objective="min:loss",
                       algorithm=CMAES(), num_trials=25, seed=0)
    assert result.count("done") == 25
    assert result.best.metrics["loss"] < 5.0


def test_cmaes_refuses_several_objectives():
    pytest.importorskip("cmaes")
    with pytest.raises(ValueError, match="one objective"):
        CMAES().setup(ss.dna_spec(quadratic_space()), Objectives.parse(["min:a", "min:b"]))


def test_nsga2_multi_objective_search():
    def two(c):
        return {"f1": c["x"] ** 2 + c["y"] ** 2, "f2": (c["x"] - 2) ** 2 + c["y"] ** 2,
                "acc": -c["y"] ** 2}
    algo = OptunaNSGA2(population_size=10)
    result = ss.search(quadratic_space(), two, objective=["min:f1", "min:f2"],
                       algorithm=algo, num_trials=40, seed=0)
    assert result.count("done") == 40
    assert [d.name for d in algo.study.directions] == ["MINIMIZE", "MINIMIZE"]
    assert len(algo.study.trials) == 40
    assert all(len(t.values) == 2 for t in algo.study.trials)
    assert result.pareto and len(algo.study.best_trials) == len(result.pareto)


def test_tpe_multi_objective_with_mixed_directions():
    algo = Bayesian("tpe", sampler_kwargs={"n_startup_trials": 5})
    result = ss.search(quadratic_space(), lambda c: {"a": c["x"], "b": c["y"]},
                       objective=["max:a", "min:b"], algorithm=algo, num_trials=15, seed=0)
    assert result.count("done") == 15
    assert [d.name for d in algo.study.directions] == ["MAXIMIZE", "MINIMIZE"]


@pytest.mark.parametrize("sampler", ["tpe", "random", "nsga2"])
def test_same_seed_gives_the_same_proposals(sampler):
    spec = ss.dna_spec(conditional_space())
    runs = []
    for _ in range(2):
        algo = Bayesian(sampler, seed=7)
        algo.setup(spec, MIN_LOSS)
        runs.append(drive(algo, spec, 25, x_loss(spec)))
    assert runs[0] == runs[1]
    other = Bayesian(sampler, seed=8)
    other.setup(spec, MIN_LOSS)
    assert drive(other, spec, 25, x_loss(spec)) != runs[0]


def test_search_with_the_same_seed_is_reproducible():
    a = ss.search(quadratic_space(), quadratic, objective="min:loss", algorithm=TPE(),
                  num_trials=20, seed=4)
    b = ss.search(quadratic_space(), quadratic, objective="min:loss", algorithm=TPE(),
                  num_trials=20, seed=4)
    assert [t.dna for t in a.trials] == [t.dna for t in b.trials]


def completed(study):
    return [(t.params, t.values) for t in study.trials
            if t.state == optuna.trial.TrialState.COMPLETE]


def test_state_round_trip_rebuilds_the_study():
    spec = ss.dna_spec(conditional_space())
    algo = Bayesian("tpe", seed=0, sampler_kwargs={"n_startup_trials": 5})
    algo.setup(spec, MIN_LOSS)
    proposals = drive(algo, spec, 20, x_loss(spec), pending=2)
    algo.feedback(proposals[-1], Feedback(19, "failed"))
    state = json.loads(json.dumps(algo.state_dict()))  # JSON-compatible

    fresh = Bayesian("tpe", seed=0, sampler_kwargs={"n_startup_trials": 5})
    fresh.setup(spec, MIN_LOSS)
    fresh.load_state_dict(state)
    assert completed(fresh.study) == completed(algo.study)
    assert len(completed(fresh.study)) == 18
    states = [t.state.name for t in fresh.study.trials]
    assert states == ["COMPLETE"] * 18 + ["FAIL"]  # the pending trial is dropped
    assert fresh.state_dict() == state
    # the resumed search goes on with valid, informed proposals
    more = drive(fresh, spec, 10, x_loss(spec))
    for dna in more:
        spec.validate(dna)
    assert len(fresh.study.trials) == 29


def test_feedback_for_a_dna_it_did_not_propose_is_added_to_the_study():
    spec = ss.dna_spec(conditional_space())
    other = Bayesian("random", seed=5)
    other.setup(spec, MIN_LOSS)
    foreign = [other.propose() for _ in range(8)]
    algo = Bayesian("tpe", seed=0)
    algo.setup(spec, MIN_LOSS)
    for t, dna in enumerate(foreign):
        algo.feedback(dna, Feedback(t, "done", None, (float(t),), -float(t)))
    trials = algo.study.trials
    assert [t.values for t in trials] == [[float(t)] for t in range(8)]
    for dna, trial in zip(foreign, trials):
        assert set(trial.params) == {spec.decisions[i].path for i in spec.active_indices(dna)}


def test_failed_pruned_and_cached_feedback():
    spec = ss.dna_spec(quadratic_space())
    algo = Bayesian("tpe", seed=0)
    algo.setup(spec, MIN_LOSS)
    a, b, c, d = (algo.propose() for _ in range(4))
    algo.feedback(b, Feedback(1, "pruned"))
    algo.feedback(a, Feedback(0, "failed"))
    algo.feedback(c, Feedback(2, "cached", {"loss": 1.0}, (1.0,), -1.0))
    algo.feedback(d, Feedback(3, "done", {}, None, None))  # no objective value
    states = [t.state.name for t in algo.study.trials]
    assert states == ["FAIL", "PRUNED", "COMPLETE", "FAIL"]
    assert algo.study.trials[2].values == [1.0]
    assert not algo._pending


def test_the_same_dna_proposed_twice_is_matched_first_in_first_out():
    spec = ss.dna_spec(ss.Dict(c=ss.oneof([0, 1])))
    algo = Bayesian("random", seed=0)
    algo.setup(spec, MIN_LOSS)
    dnas = [algo.propose() for _ in range(6)]
    first = dnas[0]
    twins = [i for i, dna in enumerate(dnas) if dna == first]
    assert len(twins) >= 2
    algo.feedback(first, Feedback(0, "done", None, (5.0,), -5.0))
    assert algo.study.trials[twins[0]].values == [5.0]
    assert algo.study.trials[twins[1]].state.name == "RUNNING"


def test_resume_through_a_store_continues_the_search(tmp_path):
    store = str(tmp_path / "bo.db")
    first = ss.search(quadratic_space(), quadratic, objective="min:loss",
                      algorithm=TPE(n_startup_trials=5), num_trials=12, seed=0, store=store)
    assert first.count("done") == 12
    algo = TPE(n_startup_trials=5)
    result = ss.search(quadratic_space(), quadratic, objective="min:loss", algorithm=algo,
                       num_trials=24, seed=0, store=store, resume=True)
    assert result.count("done") == 24
    assert len(completed(algo.study)) == 24


def test_names_and_sampler_instances():
    assert isinstance(make_algorithm("tpe"), Bayesian)
    assert make_algorithm("tpe").sampler == "tpe"
    assert make_algorithm("bayesian").sampler == "tpe"
    assert make_algorithm("optuna_nsga2").sampler == "nsga2"   # "nsga2" is the native one
    assert make_algorithm({"type": "bayesian", "sampler": "random", "seed": 3}).seed == 3
    algo = make_algorithm({"type": "tpe", "n_startup_trials": 3})
    assert algo.sampler_kwargs == {"n_startup_trials": 3}
    assert repr(Bayesian("gp", seed=1)) == "Bayesian(sampler='gp', seed=1)"
    assert repr(TPE(seed=2)) == "TPE(seed=2)"
    instance = optuna.samplers.RandomSampler(seed=0)
    algo = Bayesian(instance)
    algo.setup(ss.dna_spec(quadratic_space()), MIN_LOSS)
    assert algo.study.sampler is instance
    drive(algo, None, 3, lambda dna: dna[0])


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="sampler='bogus'"):
        Bayesian("bogus")
    with pytest.raises(TypeError, match="BaseSampler"):
        Bayesian(3)
    with pytest.raises(ValueError, match="seed"):
        Bayesian("tpe", sampler_kwargs={"seed": 1})
    with pytest.raises(TypeError, match="sampler_kwargs"):
        Bayesian("tpe", sampler_kwargs=[1])
    with pytest.raises(ValueError, match="named sampler"):
        Bayesian(optuna.samplers.TPESampler(), sampler_kwargs={"n_startup_trials": 1})
    with pytest.raises(TypeError, match="seed"):
        Bayesian("tpe", seed="1")
    with pytest.raises(TypeError, match="no_such_option"):
        Bayesian("tpe", sampler_kwargs={"no_such_option": 1}).setup(
            ss.dna_spec(quadratic_space()), MIN_LOSS)
    with pytest.raises(ValueError, match="objective"):
        Bayesian("tpe").setup(ss.dna_spec(quadratic_space()), None)
    with pytest.raises(RuntimeError, match="setup"):
        Bayesian("tpe").propose()


def test_discarded_proposals_are_closed_and_left_out_of_the_state():
    spec = ss.dna_spec(quadratic_space())
    algo = Bayesian("tpe", seed=0)
    algo.setup(spec, MIN_LOSS)
    a, b = algo.propose(), algo.propose()
    algo.feedback(a, Feedback(0, "done", None, (1.0,), -1.0))
    algo.discard(b)
    algo.discard(b)  # nothing pending any more: a no-op
    assert [t.state.name for t in algo.study.trials] == ["COMPLETE", "FAIL"]
    assert len(algo.state_dict()["history"]) == 1 and not algo._pending
