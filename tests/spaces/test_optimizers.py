"""The optimizer program space: known programs against independent references, mutation,
validation, simplification and export."""
import math
import random

import numpy as np
import pytest

import symsearch as ss
from symsearch.programs import Const, Program, Statement, compiled, evaluate, lower_program
from symsearch.programs.program import normal_form as program_normal_form
from symsearch.spaces import optimizers as opt
from symsearch.spaces.optimizers import (INPUTS, KNOWN_PROGRAMS, OPTIMIZER_OPS, OUTPUTS,
                                         OptimizerMutator, adamw, c_lion, is_valid, lion, sgd,
                                         sgd_momentum, simplify, space, step_program, to_source,
                                         to_torch_optimizer, validate)

torch = pytest.importorskip("torch")

STEPS = 20
DIM = 7


def _gradient(w, t, center, noise):
    """∇ of ½‖w − c‖² plus a fixed noise term per step, so trajectories feed back."""
    return w - center + noise[t]


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(DIM), rng.standard_normal(DIM) * 2, rng.standard_normal((STEPS, DIM))


def _run_numpy_program(program, lr, seed=0):
    w, center, noise = _problem(seed)
    m, v = np.zeros(DIM), np.zeros(DIM)
    trajectory = []
    for t in range(STEPS):
        w, m, v = step_program(program, w, _gradient(w, t, center, noise), m, v, lr)
        trajectory.append(w.copy())
    return np.array(trajectory)


def _run_torch(make_optimizer, lr, seed=0, before_step=None):
    """The trajectory of a torch optimizer (float64) on the same problem."""
    w0, center, noise = _problem(seed)
    p = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    optimizer = make_optimizer([p], lr)
    trajectory = []
    for t in range(STEPS):
        p.grad = torch.tensor(_gradient(p.detach().numpy(), t, center, noise))
        if before_step is not None:
            before_step(optimizer, p)
        optimizer.step()
        trajectory.append(p.detach().numpy().copy())
    return np.array(trajectory)


def _run_reference(update_fn, lr, seed=0):
    """The trajectory of a hand-written torch update ``update_fn(p, g, state, lr)``."""
    w0, center, noise = _problem(seed)
    p = torch.tensor(w0, dtype=torch.float64)
    state = {"m": torch.zeros(DIM, dtype=torch.float64), "v": torch.zeros(DIM, dtype=torch.float64)}
    trajectory = []
    for t in range(STEPS):
        g = torch.tensor(_gradient(p.numpy(), t, center, noise))
        update_fn(p, g, state, lr)
        trajectory.append(p.numpy().copy())
    return np.array(trajectory)


def _program_and_export_match(program, reference, lr):
    numpy_run = _run_numpy_program(program, lr)
    Exported = to_torch_optimizer(program, lr=lr)
    torch_run = _run_torch(lambda params, lr: Exported(params, lr=lr), lr)
    np.testing.assert_allclose(numpy_run, reference, rtol=0, atol=1e-6)
    np.testing.assert_allclose(torch_run, reference, rtol=0, atol=1e-6)
    assert np.abs(reference[-1] - reference[0]).max() > 10 * lr    # it did move


# ---- known programs against independent references --------------------------------------------

def test_adamw_program_matches_a_reference_adamw_without_bias_correction():
    """Reference: torch.optim.AdamW's update written with torch ops, bias correction and ε
    left out (the warm start's definition)."""
    b1, b2, wd, lr = 0.9, 0.999, 0.1, 0.01

    def reference(p, g, state, lr):
        p.mul_(1 - lr * wd)
        state["m"].mul_(b1).add_(g, alpha=1 - b1)
        state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
        p.addcdiv_(state["m"], state["v"].sqrt(), value=-lr)

    _program_and_export_match(adamw(beta1=b1, beta2=b2, weight_decay=wd),
                              _run_reference(reference, lr), lr)


def test_adamw_program_matches_torch_adamw_with_matched_bias_correction():
    """torch.optim.AdamW itself (eps=0). Its step counter is reset before every step, so its
    bias correction is the constant of step 1, which the program's lr scale absorbs:
    update = lr (sqrt(1 − β2)/(1 − β1) · m/sqrt(v) + wd·w)."""
    b1, b2, wd, lr = 0.9, 0.999, 0.1, 0.01
    scale = math.sqrt(1 - b2) / (1 - b1)
    program = adamw(beta1=b1, beta2=b2, weight_decay=wd / scale, lr_scale=scale)

    def freeze_step(optimizer, p):
        state = optimizer.state[p]
        if "step" in state:
            state["step"].zero_()

    torch_run = _run_torch(lambda params, lr: torch.optim.AdamW(
        params, lr=lr, betas=(b1, b2), eps=0.0, weight_decay=wd, foreach=False), lr,
        before_step=freeze_step)
    _program_and_export_match(program, torch_run, lr)


def test_lion_program_matches_a_reference_lion():
    b1, b2, wd, lr = 0.9, 0.99, 0.5, 0.01

    def reference(p, g, state, lr):          # Chen et al. 2023, Program 1
        update = (state["m"] * b1 + g * (1 - b1)).sign()
        p.mul_(1 - lr * wd)
        p.add_(update, alpha=-lr)
        state["m"].mul_(b2).add_(g, alpha=1 - b2)

    _program_and_export_match(lion(beta1=b1, beta2=b2, weight_decay=wd),
                              _run_reference(reference, lr), lr)


def test_c_lion_program_matches_a_reference_cautious_lion():
    b1, b2, wd, lr = 0.9, 0.99, 0.5, 0.01

    def reference(p, g, state, lr):          # Liang et al. 2024, cautious masking
        update = (state["m"] * b1 + g * (1 - b1)).sign()
        mask = (update * g > 0).to(g.dtype)
        mask = mask / mask.mean().clamp(min=1e-12)
        p.mul_(1 - lr * wd)
        p.add_(update * mask, alpha=-lr)
        state["m"].mul_(b2).add_(g, alpha=1 - b2)

    reference_run = _run_reference(reference, lr)
    _program_and_export_match(c_lion(beta1=b1, beta2=b2, weight_decay=wd), reference_run, lr)
    lion_run = _run_numpy_program(lion(beta1=b1, beta2=b2, weight_decay=wd), lr)
    assert np.abs(lion_run - reference_run).max() > 1e-4        # the mask mattered


def test_sgd_programs_match_torch_sgd():
    lr = 0.05
    _program_and_export_match(sgd(), _run_torch(lambda ps, lr: torch.optim.SGD(ps, lr=lr), lr), lr)
    torch_run = _run_torch(lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9), lr)
    _program_and_export_match(sgd_momentum(0.9), torch_run, lr)


def test_lion_with_weight_decay_converges_into_the_box():
    """With decoupled weight decay λ, Lion on ½‖x − c‖² converges to c clipped to
    [−1/λ, 1/λ] (Chen et al. 2023, section 3.2)."""
    wd = 2.0
    center = np.array([3.0, -0.2, 0.3, -5.0, 0.45, 0.7])
    program = lion(weight_decay=wd)
    x, m, v = np.zeros_like(center), np.zeros_like(center), np.zeros_like(center)
    for t in range(3000):
        lr = 0.01 if t < 2000 else 0.0005
        x, m, v = step_program(program, x, x - center, m, v, lr)
    np.testing.assert_allclose(x, np.clip(center, -1 / wd, 1 / wd), atol=5e-3)
    assert np.abs(x).max() <= 1 / wd + 1e-9


# ---- export ------------------------------------------------------------------------------------

def _train(optimizer_cls, lr, steps=150, groups=False):
    torch.manual_seed(0)
    x = torch.randn(128, 4)
    y = (x @ torch.tensor([[1.0], [-2.0], [0.5], [0.0]])).tanh() + 0.1 * x[:, :1] ** 2
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    if groups:
        params = [{"params": model[0].parameters()},
                  {"params": model[2].parameters(), "lr": lr / 2}]
    else:
        params = model.parameters()
    optimizer = optimizer_cls(params, lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, optimizer


@pytest.mark.parametrize("name, lr", [("adamw", 0.01), ("lion", 0.003), ("c_lion", 0.003)])
def test_exported_optimizer_trains_a_small_model(name, lr):
    Opt = to_torch_optimizer(KNOWN_PROGRAMS[name](), lr=lr, name=f"Searched{name}")
    assert issubclass(Opt, torch.optim.Optimizer) and Opt.__name__ == f"Searched{name}"
    losses, optimizer = _train(Opt, lr)
    assert losses[-1] < 0.2 * losses[0]
    state = optimizer.state_dict()["state"]
    assert state and all(set(s) == {"m", "v"} for s in state.values())


def test_exported_optimizer_handles_param_groups_and_missing_grads():
    Opt = to_torch_optimizer(adamw(), lr=0.01)
    losses, optimizer = _train(Opt, 0.01, groups=True)
    assert len(optimizer.param_groups) == 2 and losses[-1] < 0.2 * losses[0]
    p, q = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(2))
    opt2 = Opt([p, q])
    p.grad = torch.ones(3)
    opt2.step()
    assert q.tolist() == [1.0, 1.0] and p.tolist() != [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="lr"):
        Opt([p], lr=-1.0)


def test_exported_optimizer_reduces_over_all_parameters_of_a_group():
    """clip_by_global_norm sees the concatenation of every parameter."""
    program = Program(list(INPUTS), [Statement("t0", "clip_by_global_norm", ["g", Const(1.0)]),
                                     Statement("update", "mul", ["t0", "lr"])], list(OUTPUTS))
    Opt = to_torch_optimizer(program, lr=1.0)
    p, q = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    p.grad, q.grad = torch.tensor([3.0]), torch.tensor([4.0])
    Opt([p, q]).step()
    assert p.item() == pytest.approx(-0.6) and q.item() == pytest.approx(-0.8)


def test_to_source_is_readable():
    text = to_source(adamw())
    assert text.splitlines()[0] == "def train(w, g, m, v, lr):"
    assert "    m = interp(g, m, 0.9)" in text and "    t1 = m / t1" in text
    assert text.splitlines()[-1] == "    return update, m, v"
    assert "g * pi" in to_source(_prog(("update", "mul", "g", math.pi)))


# ---- validation ----------------------------------------------------------------------------------

def test_known_programs_are_valid():
    for name, build in KNOWN_PROGRAMS.items():
        program = build()
        validate(program)
        assert program.inputs == list(INPUTS) and program.outputs == list(OUTPUTS)
        assert all(st.op in OPTIMIZER_OPS for st in program.statements), name


def _prog(*lines):
    return Program(list(INPUTS), [Statement(t, op, [a if isinstance(a, str) else Const(a)
                                                    for a in args]) for t, op, *args in lines],
                   list(OUTPUTS))


@pytest.mark.parametrize("program, message", [
    (_prog(("t0", "norm", "lr"), ("update", "mul", "g", "t0")),
     r"statements\[0\].*reduction norm needs a vector"),
    (_prog(("update", "mul", "lr", 2.0)), "output 'update' must be a vector"),
    (_prog(("t0", "clip_by_global_norm", "g", "w"), ("update", "mul", "t0", "lr")),
     r"statements\[0\].*argument 1 of clip_by_global_norm must be a scalar"),
    (_prog(("t0", "mean", "g"), ("t1", "clip_by_global_norm", "t0", 1.0),
           ("update", "mul", "g", "t1")),
     r"statements\[1\].*needs a vector first argument"),
    (_prog(("update", "mul", "g", "lr"), ("m", "mean", "g")), "output 'm' must be a vector"),
])
def test_validate_rejects_malformed_programs(program, message):
    with pytest.raises(ValueError, match=message):
        validate(program)
    assert not is_valid(program)


def test_validate_checks_the_signature_and_the_op_set():
    with pytest.raises(ValueError, match="inputs must be"):
        validate(Program(["w", "g"], [Statement("update", "neg", ["g"])], ["update"]))
    program = _prog(("update", "mul", "g", "lr"))
    validate(program)
    with pytest.raises(ValueError, match=r"statements\[0\].*'mul' is not allowed"):
        validate(program, ops=["add"])


# ---- mutation ------------------------------------------------------------------------------------

def test_mutations_always_yield_valid_programs_that_run_everywhere():
    mutate = OptimizerMutator(max_statements=16,
                              weights={"insert": 2, "delete": 1, "arg": 2, "op": 1})
    rng = random.Random(0)
    data = np.random.default_rng(0).standard_normal((4, 1, 9))
    inputs = np.concatenate([data, np.full((1, 1, 9), 0.01)])
    program, seen_ops, changed = adamw(), set(), 0
    for i in range(400):
        child = mutate(program, rng)
        validate(child)
        assert len(child.statements) <= 16 and child.outputs == list(OUTPUTS)
        changed += not ss.eq(child, program)
        seen_ops.update(st.op for st in child.statements)
        if i % 4 == 0:         # the numpy, Numba and torch evaluations agree on valid programs
            want = evaluate(child, {n: inputs[k, 0] if n != "lr" else 0.01
                                    for k, n in enumerate(INPUTS)})
            want = np.array([np.broadcast_to(x, (9,)) for x in want])
            if compiled.numba_available():
                got = compiled.run(lower_program(child), np.ascontiguousarray(inputs))[:, 0]
                np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-12, equal_nan=True)
            from symsearch.programs.torch_eval import evaluate_torch
            tin = {n: torch.tensor(inputs[k, 0]) for k, n in enumerate(INPUTS[:4])}
            tin["lr"] = 0.01
            got_t = np.array([np.broadcast_to(x.numpy(), (9,))
                              for x in evaluate_torch(child, tin)])
            np.testing.assert_allclose(got_t, want, rtol=1e-6, atol=1e-9, equal_nan=True)
        program = child
    assert changed > 300 and len(seen_ops) > 15


def test_argument_mutation_changes_constants_and_variables_only():
    mutate = OptimizerMutator(weights={"arg": 1})
    rng = random.Random(1)
    parent = lion()
    shapes = [(st.target, st.op) for st in parent.statements]
    constants = set()
    for _ in range(100):
        child = mutate(parent, rng)
        assert [(st.target, st.op) for st in child.statements] == shapes
        constants.update(float(a.value) for st in child.statements for a in st.args
                         if isinstance(a, Const))
    assert len(constants) > 20


def test_constant_mutation_changes_one_live_constant_and_nothing_else():
    from symsearch.spaces.optimizers import _program
    mutate = OptimizerMutator(weights={"constant": 1})
    rng = random.Random(2)
    # a dead statement with a constant: the mutation must never touch it
    parent = _program([("t5", "mul", "w", 7.0)] + [
        (st.target, st.op, *[a if isinstance(a, str) else float(a.value) for a in st.args])
        for st in adamw().statements])
    slots = [(i, j) for i, st in enumerate(parent.statements) for j, a in enumerate(st.args)
             if isinstance(a, Const)]
    touched = set()
    for _ in range(200):
        child = mutate(parent, rng)
        assert [(st.target, st.op) for st in child.statements] == \
            [(st.target, st.op) for st in parent.statements]
        diff = [(i, j) for i, j in slots
                if float(child.statements[i].args[j].value) !=
                float(parent.statements[i].args[j].value)]
        assert len(diff) == 1
        touched.update(diff)
    assert (0, 1) not in touched                    # the dead statement's constant
    assert touched == set(slots) - {(0, 1)}         # every live constant is reached
    # without live constants there is nothing to change: the parent comes back
    no_constants = _program([("t0", "mul", "w", 3.0), ("update", "mul", "g", "lr")])
    assert ss.eq(mutate(no_constants, random.Random(0)), no_constants)


def test_an_invalid_child_is_re_mutated_and_the_parent_kept_when_nothing_is_valid():
    # Deleting either statement of SGD leaves `update` unassigned or reading t0 unassigned.
    mutate = OptimizerMutator(weights={"delete": 1}, max_tries=10)
    child = mutate(sgd(), random.Random(0))
    assert ss.eq(child, sgd())
    # Insertions that break the shape rules are retried until one is valid.
    mutate = OptimizerMutator(ops=["norm", "add"], weights={"insert": 1})
    for seed in range(30):
        validate(mutate(sgd(), random.Random(seed)))


def test_mutator_validates_its_arguments():
    with pytest.raises(ValueError, match="max_statements"):
        OptimizerMutator(max_statements=0)
    with pytest.raises(ValueError, match="weights"):
        OptimizerMutator(weights={"crossover": 1})
    with pytest.raises(KeyError, match="unknown op"):
        OptimizerMutator(ops=["no_such_op"])


# ---- simplification ------------------------------------------------------------------------

def test_simplify_removes_dead_statements_and_sorts_commutative_arguments():
    base = adamw()
    lines = [(st.target, st.op, list(st.args)) for st in base.statements]
    dead = [("t3", "exp", ["w"]), ("t4", "mul", ["t3", "g"]), ("v2", "add", ["v", "t4"])]
    shadowed = ("update", "neg", ["g"])            # overwritten before it is returned
    noisy = Program(list(INPUTS), [Statement(t, op, a) for t, op, a in
                                   dead[:2] + [shadowed] + lines + dead[2:]], list(OUTPUTS))
    simple = simplify(noisy)
    assert len(simple.statements) == len(base.statements)
    validate(simple)
    assert ss.eq(simple, simplify(base))
    swapped = _prog(("t0", "mul", "lr", "g"), ("update", "add", "t0", "w"))
    assert [list(st.args) for st in simplify(swapped).statements] == [["g", "lr"], ["t0", "w"]]
    inputs = {n: np.arange(1.0, 4.0) * (k + 1) for k, n in enumerate(INPUTS)}
    for a, b in zip(evaluate(noisy, inputs), evaluate(simple, inputs)):
        np.testing.assert_array_equal(a, b)


def test_normal_form_gives_equal_hashes_for_reordered_programs():
    a = _prog(("t0", "mul", "g", "lr"), ("t1", "mul", "w", 0.1), ("t0", "add", "t0", "t1"),
              ("update", "mul", "t0", 1.0))
    b = _prog(("t1", "mul", 0.1, "w"), ("t2", "mul", "lr", "g"), ("t2", "add", "t1", "t2"),
              ("update", "mul", "t2", 1.0))
    assert ss.hash(opt.normal_form(a)) == ss.hash(opt.normal_form(b))
    assert ss.hash(program_normal_form(a)) != ss.hash(program_normal_form(adamw()))


# ---- the search space ------------------------------------------------------------------------

def test_space_runs_under_regularized_evolution():
    from symsearch.algorithms import RegularizedEvolution

    s = space("adamw", max_statements=14)
    center = np.linspace(-1, 1, 5)

    def evaluate_program(program):
        validate(program)
        w, m, v = np.zeros(5), np.zeros(5), np.zeros(5)
        for _ in range(10):
            w, m, v = step_program(program, w, w - center, m, v, 0.1)
        with np.errstate(all="ignore"):
            loss = float(np.sum((w - center) ** 2))
        return {"loss": loss if np.isfinite(loss) else 1e9}

    result = ss.search(s, evaluate_program, objective="min:loss", num_trials=30, seed=0,
                       algorithm=RegularizedEvolution(population_size=6, tournament_size=2))
    assert len(result.trials) == 30
    assert isinstance(result.best.value, Program)
    with pytest.raises(ValueError, match="initial must be"):
        space("adam")


def test_constants_mutator_changes_one_constant_and_nothing_else():
    mutate = opt.ConstantsMutator()
    rng = random.Random(0)
    parent = opt.adamw()
    for _ in range(50):
        child = mutate(parent, rng)
        before = [(st.target, st.op, [a for a in st.args if isinstance(a, str)])
                  for st in parent.statements]
        after = [(st.target, st.op, [a for a in st.args if isinstance(a, str)])
                 for st in child.statements]
        assert before == after
        changed = [(a.value, b.value) for s, t in zip(parent.statements, child.statements)
                   for a, b in zip(s.args, t.args) if not isinstance(a, str) and a.value != b.value]
        assert len(changed) == 1
        parent = child
    with pytest.raises(ValueError, match="replace_prob"):
        opt.ConstantsMutator(replace_prob=2.0)


def test_random_programs_are_valid_and_varied():
    init = opt.RandomProgram(min_statements=2, max_statements=8)
    rng = random.Random(3)
    programs = [init(rng) for _ in range(100)]
    for p in programs:
        opt.validate(p)
        assert 3 <= len(p.statements) <= 9
    assert len({ss.hash(p) for p in programs}) > 90
    space = opt.random_space()
    spec = ss.dna_spec(space)
    a = ss.materialize(space, ss.random_dna(spec, 0))
    b = ss.materialize(space, ss.random_dna(spec, 1))
    assert ss.hash(a) != ss.hash(b)
    with pytest.raises(ValueError, match="min_statements"):
        opt.RandomProgram(min_statements=5, max_statements=2)
