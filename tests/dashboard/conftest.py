import pytest

import symsearch as ss


def space():
    return ss.Dict(x=ss.floatv(-1.0, 1.0),
                   act=ss.oneof(["relu", ss.Dict(alpha=ss.floatv(0.1, 1.0, scale="log"))]),
                   n=ss.intv(1, 5))


def evaluate(candidate, trial):
    loss = candidate["x"] ** 2 + 0.1 * candidate["n"]
    for step in (1, 2, 3):
        trial.report(step, loss=loss + 1.0 / step)
    return {"loss": loss, "cost": candidate["n"] + abs(candidate["x"])}


def run_search(path, num_trials, resume=False, objective="min:loss"):
    return ss.search(space(), evaluate, objective=objective, algorithm="random",
                     num_trials=num_trials, seed=0, store=str(path), resume=resume)


@pytest.fixture
def searched_store(tmp_path):
    """A store written by a real 12-trial search (conditional space, reports)."""
    path = tmp_path / "search.db"
    run_search(path, 12)
    return path


@pytest.fixture
def program_store(tmp_path):
    """A store of a real program search: programs y = mul(x, c), c in {2, 3, 5}."""
    from symsearch.programs import Const, Program, Statement

    def program(c):
        return Program(["x"], [Statement("y", "mul", ["x", Const(float(c))])], ["y"])

    space = ss.evolve(program(5.0), lambda p, rng: program(rng.choice([2.0, 3.0, 5.0])))
    path = tmp_path / "programs.db"
    ss.search(space, lambda p: {"loss": float(p.statements[0].args[1].value)},
              objective="min:loss", num_trials=12, seed=0,
              algorithm={"type": "evolution", "population_size": 2, "tournament_size": 1},
              store=str(path))
    return path
