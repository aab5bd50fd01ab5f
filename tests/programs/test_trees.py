"""The tuple-tree hot path: Exprs built from tuple trees equal, hash and serialize like Exprs
built by their constructors; cached tuple trees follow changes; Tree DNA values round-trip."""
import json
import random

import pytest

import symsearch as ss
from symsearch.geno.codec import dna_from_json, dna_to_json
from symsearch.programs import Call, Const, ExprMutator, Var
from symsearch.programs.program import Program, Statement, make_program
from symsearch.programs.trees import (Tree, fits, from_tuple, node_at, replace_at, size,
                                      to_tuple, tree_digest, tree_json)
from symsearch.programs.mutation import tree_paths, tree_replace


def _slow(tree):
    if tree[0] == "v":
        return Var(tree[1])
    if tree[0] == "c":
        return Const(float(tree[1]))
    return Call(tree[0], [_slow(a) for a in tree[1]])


def _random_trees(n, seed=0):
    mutator = ExprMutator(["x", "y"], ops=["add", "mul", "neg", "sin", "div"],
                          constants=(0.5, -1.0, 2.0, 0.0), max_depth=6)
    rng = random.Random(seed)
    return [mutator.random_tree(rng, rng.randint(1, 6)) for _ in range(n)]


def test_fast_exprs_equal_hash_and_serialize_like_constructed_ones():
    for tree in _random_trees(200):
        fast, slow = from_tuple(tree), _slow(tree)
        assert ss.eq(fast, slow)
        assert tree_digest(tree).hex() == ss.hash(slow) == ss.hash(fast)
        assert tree_json(tree) == ss.to_json(slow) == ss.to_json(fast)
        assert ss.from_json(ss.to_json(fast)) == slow
        assert ss.hash(ss.clone(fast)) == ss.hash(slow)
        assert repr(fast) == repr(slow)
        if tree[0] not in ("v", "c"):
            assert fast.args[0].sym_path == slow.args[0].sym_path == "args[0]"


def test_cached_tuple_tree_and_digest_follow_rebinds():
    e = from_tuple(("add", (("v", "x"), ("c", 1.0))))
    before = ss.hash(e)
    e.rebind({"args[1].value": 2.0})
    assert to_tuple(e) == ("add", (("v", "x"), ("c", 2.0)))
    assert ss.hash(e) != before
    assert ss.hash(e) == ss.hash(Call("add", [Var("x"), Const(2.0)]))
    assert ss.to_json(e)["args"][1]["value"] == 2.0


def test_from_tuple_rejects_what_the_constructors_reject():
    with pytest.raises(Exception, match="takes 2 argument"):
        from_tuple(("add", (("v", "x"),)))
    with pytest.raises(Exception):
        from_tuple(("no_such_op", (("v", "x"),)))
    with pytest.raises(ValueError, match="non-empty"):
        from_tuple(("v", ""))


def test_preorder_index_operators_match_path_operators():
    for tree in _random_trees(50, seed=1):
        paths = tree_paths(tree)
        assert size(tree) == len(paths)
        for k, (path, node) in enumerate(paths):
            assert node_at(tree, k) == node
            assert replace_at(tree, k, ("v", "z")) == tree_replace(tree, path, ("v", "z"))
        assert fits(tree, 6, 40)
        assert not fits(tree, 6, len(paths) - 1)


def test_tree_dna_values_round_trip_through_json():
    for tree in _random_trees(50, seed=2):
        dna = ss.DNA([Tree(tree)])
        text = json.dumps(dna_to_json(dna))
        back = dna_from_json(json.loads(text))
        assert back == dna and type(back[0]) is Tree
    assert dna_to_json(ss.DNA([Tree(("neg", (("v", "x"),)))])) == [{"_tree": ["neg", "$x"]}]
    with pytest.raises(ValueError):
        Tree.from_json(["add", "$x"])


def test_make_program_checks_like_the_constructors():
    p = make_program(["x"], [("t", "mul", ["x", 2.0]), ("y", "add", ["t", "x"])], ["y"])
    q = Program(["x"], [Statement("t", "mul", ["x", Const(2.0)]),
                        Statement("y", "add", ["t", "x"])], ["y"])
    assert ss.eq(p, q) and ss.hash(p) == ss.hash(q) and ss.to_json(p) == ss.to_json(q)
    assert ss.eq(Program._sym_clone_value(p), q)
    with pytest.raises(ValueError, match="before it is assigned"):
        make_program(["x"], [("y", "add", ["t", "x"])], ["y"])
    with pytest.raises(ValueError, match="takes 2 argument"):
        make_program(["x"], [("y", "add", ["x"])], ["y"])
    with pytest.raises(ValueError, match="never assigned"):
        make_program(["x"], [("t", "neg", ["x"])], ["y"])


def test_pure_mutators_get_the_parent_itself_and_leave_it_unchanged():
    parent = from_tuple(("add", (("v", "x"), ("c", 1.0))))
    before = ss.to_json(parent)
    space = ss.evolve(parent, ExprMutator(["x"], ops=["add", "mul"]))
    child = space.mutate(parent, random.Random(0))
    assert ss.to_json(parent) == before and child is not parent


def test_candidates_are_built_with_their_digest_and_json_text():
    from symsearch.programs.trees import build_candidate
    trees = _random_trees(200, seed=3) + [("add", (("c", float("nan")), ("c", -0.0))),
                                          ("mul", (("c", float("inf")), ("v", "é"))),
                                          ("neg", (("c", 1e-300),))]
    for tree in trees:
        e = build_candidate(tree)
        slow = _slow(tree)
        assert ss.hash(e) == ss.hash(slow)
        assert ss.to_json_str(e) == json.dumps(ss.to_json(slow))
        assert ss.to_json_str(e, indent=1) == json.dumps(ss.to_json(slow), indent=1)
    e = build_candidate(("add", (("v", "x"), ("c", 1.0))))
    e.args[1].rebind(value=3.0)
    assert '"value": 3.0' in ss.to_json_str(e) and ss.hash(e) == ss.hash(_slow(to_tuple(e)))


def test_programs_hash_and_serialize_like_the_generic_walk():
    from symsearch.spaces import optimizers
    from symsearch.symbolic import hashing, serialization
    mutator = optimizers.OptimizerMutator()
    rng = random.Random(0)
    program = optimizers.initial_program()
    for _ in range(100):
        program = mutator(program, rng)
        q = ss.clone(program)
        fast_hash, fast_json = ss.hash(program), ss.to_json(program)
        saved_d, saved_j = dict(hashing._DIGESTERS), dict(serialization._JSON_ENCODERS)
        hashing._DIGESTERS.clear()
        serialization._JSON_ENCODERS.clear()
        try:
            q.__dict__.pop("_sym_hash_cache", None)
            assert ss.hash(q) == fast_hash and ss.to_json(q) == fast_json
        finally:
            hashing._DIGESTERS.update(saved_d)
            serialization._JSON_ENCODERS.update(saved_j)
        assert ss.from_json(fast_json) == program
