"""Lazy candidates (programs/lazy.py): a search's candidate is a real Expr or Program that
holds plain data until a field is read, and behaves exactly as a built one."""
import copy
import pickle

import numpy as np
import pytest

import symsearch as ss
from symsearch.programs import Call, Const, Var, call, evaluate, to_source
from symsearch.programs.lazy import is_lazy, lazy_expr
from symsearch.programs.trees import Tree, build_candidate, to_tuple

TREE = ("add", (("mul", (("v", "x"), ("c", 2.0))), ("neg", (("v", "y"),))))


def eager():
    return call("add", call("mul", "x", 2.0), call("neg", "y"))


def test_a_lazy_expr_hashes_serializes_and_evaluates_without_building_nodes():
    e = lazy_expr(TREE)
    assert isinstance(e, Call) and is_lazy(e)
    assert ss.hash(e) == ss.hash(eager())
    assert ss.to_json_str(e) == ss.to_json_str(eager())
    assert ss.to_json(e) == ss.to_json(eager())
    env = {"x": np.array([1.0, 2.0]), "y": np.array([3.0, -1.0])}
    np.testing.assert_allclose(evaluate(e, env), [-1.0, 5.0])
    assert is_lazy(e)


def test_reading_a_field_builds_an_ordinary_expr():
    e = lazy_expr(TREE)
    assert e.op == "add" and not is_lazy(e)
    assert to_source(e) == "add(mul(x, 2.0), neg(y))"
    assert e == eager() and hash(e) == hash(eager())
    assert e.args[0].args[1].sym_path == "args[0].args[1]"
    assert e.args[1].sym_parent is e.args
    assert repr(lazy_expr(TREE)) == repr(eager())


def test_a_lazy_expr_rebinds_and_drops_its_cached_tree_digest_and_json():
    e = lazy_expr(TREE)
    before = ss.hash(e)
    e.rebind({"args[0].args[1].value": 3.0})
    assert ss.hash(e) != before and ss.hash(e) == ss.hash(
        call("add", call("mul", "x", 3.0), call("neg", "y")))
    assert to_tuple(e)[1][0][1][1] == ("c", 3.0)
    assert '"value": 3.0' in ss.to_json_str(e)


def test_lazy_leaves_and_unknown_attributes():
    assert lazy_expr(("v", "x")).name == "x"
    assert lazy_expr(("c", 1)).value == 1.0
    e = lazy_expr(TREE)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        e.nothing
    assert is_lazy(e)          # an unknown attribute does not build the nodes
    with pytest.raises(ValueError, match="arity|argument"):
        lazy_expr(("neg", (("v", "x"), ("v", "y"))))
    with pytest.raises(Exception):
        lazy_expr(("no_such_op", (("v", "x"),)))


def test_lazy_and_built_exprs_copy_and_pickle():
    for e in (lazy_expr(TREE), build_candidate(TREE)):
        for copied in (pickle.loads(pickle.dumps(e)), copy.deepcopy(e), ss.clone(e)):
            assert copied == eager() and to_source(copied) == to_source(eager())


def test_a_materialized_tree_is_a_lazy_candidate():
    space = ss.evolve(Var("x"), lambda v, rng: v)
    value = ss.materialize(space, ss.DNA([Tree(TREE)]))
    assert is_lazy(value) and value == eager()


def test_search_candidates_are_lazy_and_results_are_exprs():
    seen = []

    def evaluator(expr):
        seen.append(is_lazy(expr))
        return float(np.sum(evaluate(expr, {"x": np.linspace(-1, 1, 5)}) ** 2))
    space = ss.evolve(Var("x"), ss.programs.ExprMutator(["x"], ops=["add", "mul"]))
    result = ss.search(space, evaluator, objective="min:loss", num_trials=20, seed=0,
                       algorithm="genetic_programming")
    assert all(seen)
    best = result.best.value
    assert isinstance(best, (Var, Const, Call)) and isinstance(to_source(best), str)


# ---- programs -------------------------------------------------------------------------------

from symsearch.programs import Program, Statement  # noqa: E402
from symsearch.programs.lazy import is_lazy_program, program_data  # noqa: E402
from symsearch.programs.program import evaluate as run_program  # noqa: E402
from symsearch.programs.program import make_program  # noqa: E402


def _plain_program(consts):
    statements = [("t", "mul", ["x", consts[0]]), ("t", "add", ["t", consts[1]]),
                  ("é", "neg", ["t"]), ("y", "max", ["é", "x"])]
    return make_program(["x"], statements, ["y", "t"])


def _eager_program(consts):
    return Program(["x"], [Statement("t", "mul", ["x", Const(float(consts[0]))]),
                           Statement("t", "add", ["t", Const(float(consts[1]))]),
                           Statement("é", "neg", ["t"]), Statement("y", "max", ["é", "x"])],
                   ["y", "t"])


@pytest.mark.parametrize("consts", [(2.0, 1), (-0.0, 0.0), (0.0, -0.0), (float("nan"), 1e300),
                                    (float("inf"), -float("inf")), (0.1, 3)])
def test_a_lazy_program_hashes_and_serializes_as_the_built_one(consts):
    lazy, built = _plain_program(consts), _eager_program(consts)
    assert is_lazy_program(lazy)
    assert ss.hash(lazy) == ss.hash(built)
    assert ss.to_json_str(lazy) == ss.to_json_str(built)
    import json
    assert ss.to_json_str(lazy) == json.dumps(ss.to_json(built))
    assert is_lazy_program(lazy)
    copied = ss.from_json_str(ss.to_json_str(lazy))
    assert ss.to_json_str(copied) == ss.to_json_str(built)


def test_signed_zero_constants_stay_distinct():
    a, b = _plain_program((0.0, 1.0)), _plain_program((-0.0, 1.0))
    assert '"value": -0.0' in ss.to_json_str(b) and '"value": -0.0' not in ss.to_json_str(a)
    assert str(program_data(b)[1][0][2][1]) == "-0.0"


def test_a_lazy_program_evaluates_lowers_and_builds_on_first_read():
    p = _plain_program((2.0, 1.0))
    x = np.array([1.0, -3.0])
    np.testing.assert_allclose(run_program(p, {"x": x})[0], run_program(_eager_program(
        (2.0, 1.0)), {"x": x})[0])
    ss.programs.lower_program(p)
    assert is_lazy_program(p)
    assert len(p.statements) == 4 and not is_lazy_program(p)
    assert p.statements[2].sym_path == "statements[2]"
    assert p == _eager_program((2.0, 1.0))
    p.rebind({"statements[0].args[1].value": 5.0})
    assert ss.hash(p) == ss.hash(_eager_program((5.0, 1.0)))
    assert program_data(p)[1][0] == ("t", "mul", ("x", 5.0))


def test_make_program_still_names_what_is_wrong():
    with pytest.raises(ValueError, match="reads 'z' before it is assigned"):
        make_program(["x"], [("y", "add", ["x", "z"])], ["y"])
    with pytest.raises(ValueError, match="takes 2 argument"):
        make_program(["x"], [("y", "add", ["x"])], ["y"])
    with pytest.raises(ValueError, match="never assigned"):
        make_program(["x"], [("y", "neg", ["x"])], ["w"])


def test_optimizer_search_candidates_stay_lazy_with_a_trivial_evaluator():
    from symsearch.spaces import optimizers
    seen = []
    result = ss.search(optimizers.space(), lambda p: seen.append(is_lazy_program(p)) or 1.0,
                       objective="min:loss", num_trials=30, seed=0,
                       algorithm=ss.algorithms.RegularizedEvolution(population_size=10,
                                                                    tournament_size=3))
    assert all(seen) and len(seen) == 30
    best = result.best.value
    assert isinstance(best, Program) and optimizers.to_source(best).startswith("def ")


def test_a_childs_shared_statements_are_checked_by_identity_and_still_validated():
    parent = _plain_program((2.0, 1.0))
    shared = list(program_data(parent)[1])
    # Reordered, the shared (already checked) statements read 't' before it is assigned:
    # the identity shortcut must not skip that check.
    with pytest.raises(ValueError, match="reads 't' before it is assigned"):
        make_program(["x"], [shared[1], shared[0]] + shared[2:], ["y"])
    child = make_program(["x"], shared[:3] + [("y", "min", ("é", "x"))], ["y", "t"])
    assert all(a is b for a, b in zip(program_data(child)[1], shared[:3]))
    assert ss.hash(child) == ss.hash(Program(
        ["x"], [Statement("t", "mul", ["x", Const(2.0)]), Statement("t", "add", ["t", Const(1.0)]),
                Statement("é", "neg", ["t"]), Statement("y", "min", ["é", "x"])], ["y", "t"]))


def test_canonical_with_a_memo_needs_the_list_that_keeps_its_subtrees():
    from symsearch.algorithms.genetic_programming import canonical
    tree = to_tuple(call("mul", "x", call("add", "x", 1.0)))
    with pytest.raises(TypeError, match="kept"):
        canonical(tree, {})
    memo, kept = {}, []
    assert canonical(tree, memo, kept) == canonical(tree) == canonical(tree, memo, kept)
    assert len(memo) == len(kept) == 2
