"""Genetic programming over expression trees: opposing-operation simplification, tree
operators within limits, ramped half-and-half, the generational loop and its state."""
import json
import random

import numpy as np
import pytest

import symsearch as ss
from symsearch.algorithms import make_algorithm
from symsearch.algorithms.base import Feedback
from symsearch.algorithms.genetic_programming import (GeneticProgramming, TreeOperators,
                                                      canonical, simplify, simplify_tree)
from symsearch.programs import ExprMutator, Var, call, evaluate, to_source
from symsearch.programs.mutation import from_tuple, to_tuple
from symsearch.programs.mutation import tree_depth as depth
from symsearch.programs.mutation import tree_size as size
from symsearch.search.objectives import Objectives
from symsearch.spaces import pruning_metrics as pm


@pytest.mark.parametrize("expr,expected", [
    (call("exp", call("log", "W")), "abs(W)"),
    (call("log", call("exp", "W")), "W"),
    (call("sqrt", call("square", "W")), "abs(W)"),
    (call("square", call("sqrt", "W")), "abs(W)"),
    (call("sub", "X", "X"), "0.0"),
    (call("div", call("abs", "W"), call("abs", "W")), "1.0"),
    (call("neg", call("neg", "G")), "G"),
    (call("reciprocal", call("reciprocal", "G")), "G"),
    (call("add", "W", 0.0), "W"),
    (call("add", 0.0, "W"), "W"),
    (call("mul", 1.0, "W"), "W"),
    (call("div", "W", 1.0), "W"),
    (call("mul", "W", 0.0), "0.0"),
    (call("sub", 0.0, "W"), "neg(W)"),
    (call("div", 1.0, "X"), "reciprocal(X)"),
    (call("max", "X", "X"), "X"),
    (call("mul", call("abs", "W"), call("add", 1.0, 1.0)), "mul(abs(W), 2.0)"),
    (call("abs", call("abs", call("neg", "W"))), "abs(W)"),
    # cancellations that only appear after the inner part is simplified
    (call("mul", call("abs", "W"), call("exp", call("sub", "X", "X"))), "abs(W)"),
    (call("add", call("mul", "W", call("div", "G", "G")), call("sub", "X", "X")), "W"),
    (call("mul", call("abs", "W"), "X"), "mul(abs(W), X)"),       # nothing to do
])
def test_opposing_operations_cancel(expr, expected):
    assert to_source(simplify(expr)) == expected


def test_simplification_keeps_the_values():
    rng = np.random.default_rng(0)
    env = {"W": rng.normal(size=(4, 32)), "G": np.abs(rng.normal(size=(4, 32))) + 0.1,
           "X": np.exp(rng.normal(size=(4, 32)))}
    ops = TreeOperators(pm.metric_mutator(max_depth=5, max_size=15))
    r = random.Random(0)
    changed = 0
    for _ in range(300):
        tree = ops.random_tree(r, 5, "grow")
        simple = simplify_tree(tree)
        changed += simple != tree
        assert size(simple) <= size(tree)
        with np.errstate(all="ignore"):
            a = np.broadcast_to(evaluate(from_tuple(tree), env), (4, 32))
            b = np.broadcast_to(evaluate(from_tuple(simple), env), (4, 32))
        finite = np.isfinite(a) & np.isfinite(b) & (np.abs(a) < 1e100)
        np.testing.assert_allclose(a[finite], b[finite], rtol=1e-6, atol=1e-9)
    assert changed > 10


def test_crossover_and_mutation_keep_trees_valid_and_within_limits():
    ops = TreeOperators(pm.metric_mutator(max_depth=5, max_size=12))
    rng = random.Random(1)
    trees = [ops.ramped(rng, i, (2, 5)) for i in range(40)]
    for _ in range(500):
        a, b = rng.choice(trees), rng.choice(trees)
        child = ops.crossover(a, b, rng)
        child = ops.mutate(child, rng, point_prob=0.5)
        assert depth(child) <= 5 and size(child) <= 12
        expr = from_tuple(child)               # Call checks every op's arity
        assert set(ss.programs.variables(expr)) <= set(pm.VARIABLES)
        trees.append(child)


def test_point_mutation_keeps_the_shape():
    ops = TreeOperators(pm.metric_mutator())
    tree = to_tuple(pm.wanda())
    rng = random.Random(0)
    for _ in range(50):
        child = ops.mutate(tree, rng, point_prob=1.0)
        assert child != tree and size(child) == size(tree) and depth(child) == depth(tree)


def test_ramped_half_and_half_covers_depths_and_both_methods():
    ops = TreeOperators(pm.metric_mutator(max_depth=6, max_size=40))
    rng = random.Random(0)
    trees = [ops.ramped(rng, i, (2, 4)) for i in range(30)]
    full = [t for i, t in enumerate(trees) if (i // 3) % 2 == 0]
    assert sorted({depth(t) for t in full}) == [2, 3, 4]      # full trees reach their depth
    assert all(depth(t) <= 4 for t in trees)
    assert len({canonical(t) for t in trees}) > 20


def test_canonical_ignores_the_order_of_commutative_arguments():
    assert canonical(to_tuple(call("mul", "X", call("abs", "W")))) == \
        canonical(to_tuple(pm.wanda()))
    assert canonical(to_tuple(call("sub", "X", "W"))) != canonical(to_tuple(call("sub", "W",
                                                                                  "X")))


def test_registered_names_and_argument_checks():
    assert isinstance(make_algorithm({"type": "genetic_programming", "population_size": 8}),
                      GeneticProgramming)
    assert isinstance(make_algorithm("gp_tree"), GeneticProgramming)
    with pytest.raises(ValueError, match="tournament_size"):
        GeneticProgramming(population_size=4, tournament_size=5)
    with pytest.raises(ValueError, match="elitism"):
        GeneticProgramming(population_size=4, tournament_size=2, elitism=4)
    with pytest.raises(ValueError, match="crossover_prob"):
        GeneticProgramming(crossover_prob=2)
    with pytest.raises(ValueError, match="init_depth"):
        GeneticProgramming(init_depth=[3, 2])
    with pytest.raises(ValueError, match="ss.evolve decision over expression trees"):
        GeneticProgramming().setup(ss.dna_spec(ss.Dict(x=ss.floatv(0, 1))),
                                   Objectives.parse("min:loss"))


def _run(algorithm, spec, n, loss):
    out = []
    for i in range(n):
        dna = algorithm.propose()
        spec.validate(dna)
        value = loss(from_tuple(dna[0]))
        algorithm.feedback(dna, Feedback(i, "done", {"loss": value}, (value,), -value))
        out.append(to_source(from_tuple(dna[0])))
    return out


def test_generations_elitism_and_state_round_trip():
    space = pm.make_space(max_depth=5, max_size=15)
    spec = ss.dna_spec(space)
    W, G, X = np.random.default_rng(0).normal(size=(3, 8, 16))
    target = pm.prune_mask(np.abs(W) * np.abs(X[0]), 0.5)

    def loss(expr):                 # how many weights the mask gets wrong
        keep = pm.prune_mask(pm.PruningMetric(expr=expr).scores(W, np.abs(G), np.abs(X[0])))
        return float((keep != target).sum())

    gp = GeneticProgramming(population_size=12, tournament_size=3, elitism=2, seed=3)
    gp.setup(spec, Objectives.parse("min:loss"))
    first = _run(gp, spec, 12, loss)
    assert gp.generation == 1 and len(gp.parents) == 12
    assert len(set(first)) == 12                                  # diverse initial population
    best = gp.best[1]
    _run(gp, spec, 36, loss)
    assert gp.generation == 4 and gp.best[1] >= best               # elitism: never worse
    state = gp.state_dict()
    clone = GeneticProgramming(population_size=12, tournament_size=3, elitism=2, seed=99)
    clone.setup(spec, Objectives.parse("min:loss"))
    clone.load_state_dict(json.loads(json.dumps(state)))
    assert [clone.propose()[0] for _ in range(10)] == [gp.propose()[0] for _ in range(10)]


def test_failed_trials_do_not_join_the_parents():
    spec = ss.dna_spec(pm.make_space())
    gp = GeneticProgramming(population_size=4, tournament_size=2, elitism=1, seed=0)
    gp.setup(spec, Objectives.parse("min:loss"))
    for i in range(4):
        dna = gp.propose()
        fb = Feedback(i, "failed") if i % 2 else Feedback(i, "done", {"loss": 1.0}, (1.0,), -1.0)
        gp.feedback(dna, fb)
    assert gp.generation == 1 and len(gp.parents) == 2
    gp.propose()                                                  # children of the survivors


def test_search_finds_a_symbolic_regression_target():
    x = np.linspace(-2, 2, 21)
    space = ss.evolve(Var("x"), ExprMutator(["x"], ops=["add", "mul", "sub"], max_depth=4))
    result = ss.search(space, lambda e: float(np.mean((evaluate(e, {"x": x}) - x * x - x) ** 2)),
                       objective="min:loss", num_trials=200, seed=0,
                       algorithm=GeneticProgramming(population_size=20))
    assert result.best.metrics["loss"] < 1e-9


def test_dna_holds_tuple_trees_and_candidates_are_exprs():
    """The DNA is plain data (tuple trees, compact in the store); the user sees Exprs."""
    from symsearch.geno.codec import dna_from_json, dna_to_json
    from symsearch.programs import Expr
    from symsearch.programs.trees import Tree
    x = np.linspace(-1, 1, 9)
    space = ss.evolve(Var("x"), ExprMutator(["x"], ops=["add", "mul"], max_depth=4))
    result = ss.search(space, lambda e: float(np.mean((evaluate(e, {"x": x}) - x * x) ** 2)),
                       objective="min:loss", num_trials=40, seed=0,
                       algorithm=GeneticProgramming(population_size=10))
    best = result.best
    assert isinstance(best.value, Expr)
    assert ss.hash(best.value) == ss.hash(ss.clone(best.value))
    assert ss.from_json_str(ss.to_json_str(best.value)) == best.value
    record = result.records[-1]
    assert list(record.dna[0]) == ["_tree"]
    dna = dna_from_json(json.loads(json.dumps(record.dna)))
    assert type(dna[0]) is Tree
    assert ss.to_json(ss.materialize(space, dna)) == json.loads(record.candidate_json)
    assert dna_to_json(dna) == json.loads(json.dumps(record.dna))
