"""Composing algorithms with >>: ComposedEvolution, the composed GAs, state and errors."""
from __future__ import annotations

import pytest

import symsearch as ss
from symsearch.algorithms import (AgingEvolution, ComposedEvolution,
                                  MuPlusLambdaGA, SteadyStateGA, make_algorithm)
from symsearch.algorithms.base import Feedback
from symsearch.algorithms.operators import (SBX, Aging, ByDecisionType, Lambda, Mutate,
                                            MuPlusLambda, OperatorError, Pipeline,
                                            PolynomialMutation, Tournament, Uniform)
from symsearch.search.objectives import Objectives
from tests.algorithms._spaces import every_kind_space, sphere_loss, sphere_space


def test_rshift_builds_a_flat_pipeline():
    p = Tournament(5) >> Uniform() >> (Mutate() >> Aging(10))
    assert isinstance(p, Pipeline)
    assert [type(s).__name__ for s in p.steps] == ["Tournament", "Uniform", "Mutate", "Aging"]
    q = Tournament(2) >> (lambda inputs, ctx: inputs[:1])
    assert isinstance(q.steps[1], Lambda)
    with pytest.raises(TypeError, match="cannot compose 3 with >>"):
        Tournament(2) >> 3


def test_pipeline_must_end_in_a_population_update():
    with pytest.raises(ValueError, match="must end in a population update"):
        ComposedEvolution(Tournament(2) >> Mutate())
    with pytest.raises(ValueError, match="needs a reproduction part"):
        ComposedEvolution(Aging(10))
    with pytest.raises(ValueError, match="only the last step may be a population update"):
        ComposedEvolution(Tournament(2) >> Aging(5) >> Mutate() >> Aging(5))


def test_operator_errors_surface_at_setup():
    algorithm = ComposedEvolution(Tournament(2) >> SBX() >> PolynomialMutation()
                                  >> MuPlusLambda(10, 10))
    with pytest.raises(OperatorError, match=r"SBX cannot handle decision 'c' \(a choice"):
        ss.search(sphere_space(), sphere_loss, objective="min:loss", algorithm=algorithm,
                  num_trials=5)


@pytest.mark.parametrize("name,kwargs", [
    ("aging_evolution", {"population_size": 20, "tournament_size": 5}),
    ("aging_evolution", {"population_size": 20, "tournament_size": 5, "crossover_prob": 0.5}),
    ("mu_plus_lambda", {"mu": 20, "lam": 20}),
    ("mu_comma_lambda", {"mu": 10, "lam": 40}),
    ("steady_state_ga", {"population_size": 20}),
])
def test_composed_gas_beat_random_search(name, kwargs):
    algorithm = make_algorithm({"type": name, **kwargs})
    ours = ss.search(sphere_space(), sphere_loss, objective="min:loss", algorithm=algorithm,
                     num_trials=400, seed=1).best.metrics["loss"]
    random_best = ss.search(sphere_space(), sphere_loss, objective="min:loss",
                            algorithm="random", num_trials=400, seed=1).best.metrics["loss"]
    assert ours < random_best


def test_composed_gas_keep_every_kind_of_decision_valid():
    space = every_kind_space()
    spec = ss.dna_spec(space)
    for algorithm in (SteadyStateGA(population_size=10), MuPlusLambdaGA(mu=10, lam=10),
                      AgingEvolution(population_size=10, tournament_size=3, crossover_prob=1.0)):
        seen = []
        result = ss.search(space, lambda c: {"loss": c["momentum"]}, objective="min:loss",
                           algorithm=algorithm, num_trials=80, seed=0,
                           store=ss.store.MemoryStore())
        for trial in result.trials:
            spec.validate(trial.dna)
            seen.append(tuple(trial.dna))
        assert len(set(seen)) > 60


def _drive(algorithm, spec, n, start=0):
    out = []
    for i in range(start, start + n):
        dna = algorithm.propose()
        value = sum(v for v in dna if isinstance(v, float))
        algorithm.feedback(dna, Feedback(i, "done", {"loss": value}, (value,), -value))
        out.append(dna)
    return out


def test_state_dict_resumes_the_same_search():
    spec = ss.dna_spec(sphere_space())
    objectives = Objectives.parse("min:loss")
    whole = MuPlusLambdaGA(mu=8, lam=8, seed=3)
    whole.setup(spec, objectives)
    expected = _drive(whole, spec, 60)
    first = MuPlusLambdaGA(mu=8, lam=8, seed=3)
    first.setup(spec, objectives)
    head = _drive(first, spec, 27)
    import json
    state = json.loads(json.dumps(first.state_dict()))
    second = MuPlusLambdaGA(mu=8, lam=8, seed=3)
    second.setup(spec, objectives)
    second.load_state_dict(state)
    assert head + _drive(second, spec, 33, start=27) == expected


def test_failed_trials_do_not_join_the_population():
    spec = ss.dna_spec(sphere_space())
    algorithm = SteadyStateGA(population_size=4, seed=0)
    algorithm.setup(spec, Objectives.parse("min:loss"))
    for i in range(10):
        dna = algorithm.propose()
        algorithm.feedback(dna, Feedback(i, "failed"))
    assert algorithm.population == [] and algorithm.propose() is not None


def test_by_decision_type_pipeline_runs_on_a_mixed_space():
    recombination = ByDecisionType(float=SBX(), int=SBX(), default=Uniform())
    algorithm = ComposedEvolution(Tournament(2, count=10) >> recombination >> Mutate()
                                  >> MuPlusLambda(10, 10), seed=0)
    result = ss.search(sphere_space(), sphere_loss, objective="min:loss", algorithm=algorithm,
                       num_trials=200, seed=0)
    assert result.best.metrics["loss"] < 0.2


def test_program_evolution_crosses_statement_lists():
    from symsearch.algorithms import ProgramEvolution, RegularizedEvolution
    from symsearch.algorithms.operators import KPoint
    from symsearch.programs import ProgramMutator
    from symsearch.programs.program import evaluate, make_program
    start = make_program(["x"], [("y", "mul", ["x", "x"])], ["y"])
    space = ss.evolve(start, ProgramMutator(ops=["add", "mul", "sub"], max_statements=5))

    def loss(p):
        return {"loss": abs(float(evaluate(p, {"x": 1.7})[0]) - 9.0)}
    algorithm = ProgramEvolution(population_size=10, tournament_size=3, crossover_prob=1.0,
                                 restart_after=None)
    result = ss.search(space, loss, objective="min:loss", algorithm=algorithm, num_trials=150,
                       seed=0)
    assert result.count("done") == 150
    assert all(len(dna[0].statements) <= 5 for dna, _, _ in algorithm.population)
    assert result.best.metrics["loss"] < loss(start)["loss"]
    kpoint = RegularizedEvolution(population_size=10, tournament_size=3, crossover_prob=0.5,
                                  recombination=KPoint(k=1))
    ss.search(sphere_space(), sphere_loss, objective="min:loss", algorithm=kpoint,
              num_trials=40, seed=0)
    with pytest.raises(ValueError, match="recombination must be None or a Recombinator"):
        RegularizedEvolution(recombination="kpoint")
    with pytest.raises(OperatorError, match=r"SBX cannot handle decision 'c'"):
        ss.search(sphere_space(), sphere_loss, objective="min:loss", num_trials=5,
                  algorithm=RegularizedEvolution(crossover_prob=0.5, recombination=SBX()))
