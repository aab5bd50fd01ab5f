"""Mutators always give valid values within their limits, deterministically per seed."""
import random

import pytest

import symsearch as ss
from symsearch.programs import (Call, Const, Expr, ExprMutator, Program, ProgramMutator, Statement,
                                Var)
from symsearch.programs.expr import depth, size, variables
from symsearch.programs.mutation import from_tuple, to_tuple


def test_expr_mutations_stay_valid_and_within_limits():
    mutate = ExprMutator(variables=["x", "y"], ops=["add", "mul", "neg", "sin"], max_depth=4,
                         max_size=9)
    rng = random.Random(0)
    e = Var("x")
    seen = set()
    for _ in range(500):
        e = mutate(e, rng)
        assert isinstance(e, Expr)
        assert depth(e) <= 4 and size(e) <= 9
        assert set(variables(e)) <= {"x", "y"}
        seen.add(ss.hash(e))
    assert len(seen) > 100          # it explores


@pytest.mark.parametrize("kind", ["point", "subtree", "insert", "delete"])
def test_each_mutation_kind_alone(kind):
    mutate = ExprMutator(variables=["x"], weights={kind: 1.0}, max_depth=6)
    e = Call("add", [Call("mul", [Var("x"), Const(2.0)]), Var("x")])
    child = mutate(e, random.Random(3))
    if kind == "delete":
        assert size(child) < size(e)
    elif kind == "insert":
        assert size(child) > size(e)
    else:
        assert to_tuple(child) != to_tuple(e)


def test_expr_mutator_is_deterministic_and_leaves_the_parent_alone():
    mutate = ExprMutator(variables=["x", "y"])
    parent = Call("sub", [Var("x"), Var("y")])
    copy = ss.clone(parent)
    a = [to_tuple(mutate(parent, random.Random(s))) for s in range(10)]
    b = [to_tuple(mutate(parent, random.Random(s))) for s in range(10)]
    assert a == b and ss.eq(parent, copy)


def test_expr_mutator_validates_arguments():
    with pytest.raises(ValueError, match="unknown mutation"):
        ExprMutator(weights={"crossover": 1})
    with pytest.raises(KeyError, match="unknown op"):
        ExprMutator(ops=["nope"])
    with pytest.raises(ValueError, match="variables"):
        ExprMutator(variables=[])


def test_tuple_round_trip():
    e = Call("max", [Var("x"), Call("neg", [Const(1.5)])])
    assert from_tuple(to_tuple(e)) == e


def test_program_mutations_stay_valid():
    mutate = ProgramMutator(max_statements=8)
    rng = random.Random(0)
    p = Program(["w", "g"], [Statement("u", "neg", ["g"])], ["u"])
    for _ in range(300):
        p = mutate(p, rng)
        assert isinstance(p, Program) and len(p.statements) <= 8
        assert p.inputs == ["w", "g"] and p.outputs == ["u"]   # Program() re-validates too


def test_evolve_with_an_expression_mutator():
    space = ss.Dict(expr=ss.evolve(Var("x"), ExprMutator(variables=["x"]), name="expr"))
    spec = ss.dna_spec(space)
    child = spec["expr"].hyper.mutate(Var("x"), random.Random(0))
    assert isinstance(child, Expr)
    candidate = ss.materialize(space, ss.DNA((child,)))
    assert ss.eq(candidate["expr"], child)
