"""The state budget of optimizer programs, and the warm start from SGD-momentum."""
import random

import pytest

import symsearch as ss
from symsearch.spaces import optimizers as opt
from symsearch.spaces.optimizer_budget import check_budget, state_buffers
from symsearch.spaces.optimizer_hash import optimizer_hasher


def _program(lines):
    return opt._program(lines)


def test_state_buffers_of_the_known_programs():
    counts = {name: state_buffers(build()) for name, build in opt.KNOWN_PROGRAMS.items()}
    assert counts == {"sgd": 0, "sgd_momentum": 1, "adamw": 2, "lion": 1, "c_lion": 1}


def test_state_buffers_counts_only_state_that_reaches_the_update():
    # m is written but never read by the update: no buffer is needed
    assert state_buffers(_program([("m", "mul", "m", 0.9), ("update", "mul", "g", "lr")])) == 0
    # m is read but never written: it stays zero, no buffer
    assert state_buffers(_program([("t0", "add", "g", "m"), ("update", "mul", "t0", "lr")])) == 0
    # v only feeds m, and m feeds the update: both are kept
    assert state_buffers(_program([("v", "interp", "g", "v", 0.9), ("m", "add", "m", "v"),
                                   ("update", "mul", "m", "lr")])) == 2


def test_validate_with_a_budget_names_the_statement():
    with pytest.raises(ValueError, match=r"statement 2 \(v = interp\(t0, v, 0.999\)\) writes "
                                         r"state buffer 'v'.*path=statements\[2\]"):
        opt.validate(opt.adamw(), state_slots=1)
    reads_v = _program([("t0", "add", "g", "v"), ("update", "mul", "t0", "lr")])
    with pytest.raises(ValueError, match=r"statement 0 .* reads state buffer 'v'"):
        opt.validate(reads_v, state_slots=1)
    with pytest.raises(ValueError, match=r"writes state buffer 'm'.*allowed: none"):
        opt.validate(opt.sgd_momentum(), state_slots=0)
    opt.validate(opt.lion(), state_slots=1)
    opt.validate(opt.sgd(), state_slots=0)
    assert not opt.is_valid(opt.adamw(), state_slots=1)


@pytest.mark.parametrize("bad", [3, -1, 1.0, "1", True])
def test_bad_budget_is_a_clear_error(bad):
    with pytest.raises((ValueError, TypeError), match="state_slots"):
        opt.OptimizerMutator(state_slots=bad)
    with pytest.raises(ValueError, match="'state_slots' parameter must be an int from 0 to 2"):
        check_budget(opt.sgd(), bad)


def test_spaces_refuse_a_warm_start_beyond_the_budget():
    with pytest.raises(ValueError, match="initial program 'adamw' does not fit the state "
                                         "budget: statement 2"):
        opt.space("adamw", state_slots=1)
    with pytest.raises(ValueError, match="does not fit the state budget"):
        opt.constants_space("adamw", state_slots=1)
    with pytest.raises(ValueError, match="writes state buffer 'm'"):
        opt.space(opt.sgd_momentum(), state_slots=0)


@pytest.mark.parametrize("slots", [0, 1])
def test_mutations_never_create_state_beyond_the_budget(slots):
    mutate = opt.OptimizerMutator(max_statements=15, state_slots=slots,
                                  weights={"insert": 3.0, "delete": 1.0, "arg": 3.0,
                                           "constant": 1.0, "op": 1.0})
    start = opt.sgd_momentum() if slots else opt.sgd()
    rng = random.Random(0)
    seen_m = False
    for lineage in range(20):
        p = start
        for _ in range(60):
            p = mutate(p, rng)
            opt.validate(p, state_slots=slots)
            assert state_buffers(p) <= slots
            seen_m |= any(st.target == "m" for st in p.statements)
    assert seen_m == (slots == 1)


def test_random_programs_keep_the_budget():
    init = opt.RandomProgram(max_statements=10, state_slots=1)
    for seed in range(100):
        opt.validate(init(random.Random(seed)), state_slots=1)


def test_warm_start_from_sgd_momentum_never_injects_known_programs():
    """The population starts as SGD-momentum and mutation builds from ops: no candidate is
    Lion, C-Lion or AdamW whole (by the functional hash), and the mutator's vocabulary holds
    ops and numbers only."""
    space = opt.space("sgd_momentum", state_slots=1, max_statements=12)
    mutate = space.mutator
    assert set(mutate.ops) <= set(opt.OPTIMIZER_OPS)
    assert all(isinstance(c, float) for c in mutate.constants)
    hasher = optimizer_hasher()
    banned = {hasher.hash(build()) for build in (opt.lion, opt.c_lion, opt.adamw)}
    seen = []

    def evaluator(program):
        seen.append(program)
        return {"score": random.Random(len(seen)).random()}

    ss.search(space, evaluator, objective="min:score", num_trials=200, seed=0, cache=False,
              algorithm=ss.algorithms.RegularizedEvolution(population_size=10,
                                                           tournament_size=3, seed=0))
    assert len(seen) == 200
    assert all(ss.eq(p, opt.sgd_momentum()) for p in seen[:10])
    for program in seen:
        opt.validate(program, state_slots=1)
        assert hasher.hash(program) not in banned


def test_every_evaluation_reports_its_state_buffers():
    from symsearch.evaluators import optimizer_proxy as proxy
    assert proxy.evaluate(opt.adamw())["state_buffers"] == 2.0
    assert proxy.evaluate(opt.sgd())["state_buffers"] == 0.0
    assert proxy.funnel(opt.lion())["state_buffers"] == 1.0


def test_sgd_momentum_weight_decay():
    plain = opt.sgd_momentum()
    assert len(plain.statements) == 4
    decayed = opt.sgd_momentum(weight_decay=0.1)
    import numpy as np
    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    new_w, m, _ = opt.step_program(decayed, w, g, np.zeros(2), np.zeros(2), 0.1)
    np.testing.assert_allclose(m, g + 0.1 * w)
    np.testing.assert_allclose(w - new_w, 0.1 * (g + 0.1 * w))
