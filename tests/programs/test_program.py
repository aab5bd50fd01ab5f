"""Statement-list programs: validation, evaluation, dead code, normal form."""
import random

import numpy as np
import pytest

import symsearch as ss
from symsearch.programs import Const, Program, ProgramMutator, Statement, evaluate, normal_form
from symsearch.programs.program import live_statements, remove_dead_statements, to_source


def lion_like():
    # update = sign(interp(m, g)); m = interp(m, g): a Lion-shaped program on the default ops
    return Program(
        inputs=["w", "g", "m", "v", "lr"],
        statements=[
            Statement("t0", "mul", ["m", Const(0.9)]),
            Statement("t1", "mul", ["g", Const(0.1)]),
            Statement("c", "add", ["t0", "t1"]),
            Statement("update", "sign", ["c"]),
            Statement("update", "mul", ["update", "lr"]),
            Statement("junk", "exp", ["w"]),
            Statement("m", "add", ["t0", "t1"]),
        ],
        outputs=["update", "m", "v"])


def test_evaluate_by_mapping_and_by_position_with_reassignment():
    p = lion_like()
    args = dict(w=1.0, g=2.0, m=-1.0, v=0.5, lr=0.1)
    update, m, v = evaluate(p, args)
    assert update == pytest.approx(-0.1) and m == pytest.approx(-0.7) and v == 0.5
    assert evaluate(p, list(args.values())) == evaluate(p, args)
    with pytest.raises(KeyError, match="missing"):
        evaluate(p, {"w": 1.0})
    with pytest.raises(ValueError, match="takes 5 inputs"):
        evaluate(p, [1.0])


def test_program_rejects_reads_before_assignment_naming_the_path():
    with pytest.raises(ValueError, match=r"reads 'z' before it is assigned \(path=statements\[0\]\.args\[1\]\)"):
        Program(["x"], [Statement("y", "add", ["x", "z"])], ["y"])
    with pytest.raises(ValueError, match="output 'q' is never assigned"):
        Program(["x"], [], ["q"])
    with pytest.raises(TypeError, match="variable name or a Const"):
        Statement("y", "neg", [1.0])


def test_remove_dead_statements_keeps_what_reaches_an_output():
    p = lion_like()
    assert live_statements(p) == [0, 1, 2, 3, 4, 6]
    q = remove_dead_statements(p)
    assert [s.target for s in q.statements] == ["t0", "t1", "c", "update", "update", "m"]
    assert evaluate(q, [1.0, 2.0, -1.0, 0.5, 0.1]) == evaluate(p, [1.0, 2.0, -1.0, 0.5, 0.1])
    # a dead store before a reassignment is dead too
    r = Program(["x"], [Statement("y", "exp", ["x"]), Statement("y", "neg", ["x"])], ["y"])
    assert len(remove_dead_statements(r).statements) == 1


def test_normal_form_ignores_order_names_dead_code_and_commuted_arguments():
    a = Program(["x", "y"], [Statement("p", "mul", ["x", "y"]), Statement("q", "sin", ["x"]),
                             Statement("dead", "exp", ["y"]), Statement("o", "add", ["p", "q"])],
                ["o"])
    b = Program(["x", "y"], [Statement("s", "sin", ["x"]), Statement("r", "mul", ["y", "x"]),
                             Statement("o", "add", ["s", "r"])], ["o"])
    assert ss.hash(normal_form(a)) == ss.hash(normal_form(b))
    assert ss.hash(a) != ss.hash(b)
    c = Program(["x", "y"], [Statement("r", "sub", ["y", "x"]), Statement("o", "add", ["r", "x"])],
                ["o"])
    assert ss.hash(normal_form(c)) != ss.hash(normal_form(b))


def test_normal_form_merges_statements_that_compute_the_same_value():
    p = Program(["x"], [Statement("a", "exp", ["x"]), Statement("b", "exp", ["x"]),
                        Statement("o", "mul", ["a", "b"])], ["o"])
    n = normal_form(p)
    assert to_source(n) == "def program(x):\n    t0 = exp(x)\n    t1 = mul(t0, t0)\n    return t1"


def test_normal_form_computes_the_same_outputs():
    rng = random.Random(0)
    mutate = ProgramMutator(max_statements=12)
    inputs = {n: np.random.default_rng(1).standard_normal(5) for n in ["w", "g", "m", "v", "lr"]}
    p = lion_like()
    for _ in range(60):
        p = mutate(p, rng)
        for got, want in zip(evaluate(normal_form(p), inputs), evaluate(p, inputs)):
            np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


def test_outputs_that_are_inputs_survive_normal_form():
    p = Program(["x", "v"], [Statement("y", "neg", ["x"])], ["y", "v"])
    n = normal_form(p)
    assert n.outputs == ["t0", "v"]
    assert evaluate(n, [2.0, 3.0]) == (-2.0, 3.0)
