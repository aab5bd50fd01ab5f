"""Recombination operators: valid children on conditional spaces, exact k-point/segmented
behaviour, SBX/blend/average values, permutation crossovers, program crossover, errors."""
from __future__ import annotations

import random

import pytest

import symsearch as ss
from symsearch.algorithms.operators import (SBX, Average, Blend, ByDecisionType, Context,
                                            Cycle, KPoint, OperatorError, Order,
                                            PartiallyMapped, ProgramCrossover, Segmented,
                                            Uniform, variation_for)
from symsearch.algorithms.operators.permutation import cycle_crossover, order_crossover, pmx
from symsearch.geno.sampling import random_dna
from tests.algorithms._spaces import every_kind_space


def _pairs(spec, n, seed=0):
    rng = random.Random(seed)
    return [(random_dna(spec, rng), random_dna(spec, rng)) for _ in range(n)], rng


@pytest.mark.parametrize("op", [Uniform(), KPoint(k=1), KPoint(k=3), Segmented(1),
                                Segmented(2), variation_for()[0]])
def test_children_are_valid_and_take_each_active_value_from_a_parent(op):
    spec = ss.dna_spec(every_kind_space())
    pairs, rng = _pairs(spec, 150)
    numeric_changes = 0
    for a, b in pairs:
        for child in op.recombine(spec, a, b, rng):
            spec.validate(child)     # also: no value in an inactive branch
            for i in spec.active_indices(child):
                if child[i] not in (a[i], b[i]):
                    d = spec.decisions[i]       # SBX, or a candidate moved by order crossover
                    assert d.kind in ("float", "int") or d.path.startswith("order"), d
                    numeric_changes += 1
    if isinstance(op, ByDecisionType):
        assert numeric_changes > 0        # SBX made new values
    else:
        assert numeric_changes == 0


def test_differing_choice_moves_with_its_whole_branch():
    space = ss.Dict(m=ss.oneof([ss.Dict(a=ss.floatv(0, 1), b=ss.intv(0, 5)),
                                ss.Dict(c=ss.floatv(0, 1))]), z=ss.floatv(0, 1))
    spec = ss.dna_spec(space)
    a, b = ss.DNA((0, 0.5, 3, None, 0.1)), ss.DNA((1, None, None, 0.7, 0.9))
    seen = set()
    for seed in range(40):
        for child in Uniform().recombine(spec, a, b, random.Random(seed)):
            spec.validate(child)
            assert child[:4] in (a[:4], b[:4])
            seen.add(child)
    assert len(seen) == 4      # both branches, each with either z


def test_kpoint_one_cut_takes_a_prefix_and_a_suffix():
    spec = ss.dna_spec(ss.List([ss.intv(0, 9) for _ in range(8)]))
    a, b = ss.DNA([0] * 8), ss.DNA([9] * 8)
    for seed in range(20):
        c1, c2 = KPoint(k=1).recombine(spec, a, b, random.Random(seed))
        cut = c1.index(9)
        assert list(c1) == [0] * cut + [9] * (8 - cut) and 0 < cut < 8
        assert list(c2) == [9] * cut + [0] * (8 - cut)


def test_segmented_keeps_each_top_level_block_whole():
    space = ss.Dict(enc=ss.Dict(a=ss.intv(0, 9), b=ss.intv(0, 9)),
                    dec=ss.Dict(a=ss.intv(0, 9), b=ss.intv(0, 9)))
    spec = ss.dna_spec(space)
    a, b = ss.DNA((0, 0, 0, 0)), ss.DNA((9, 9, 9, 9))
    children = set()
    for seed in range(30):
        for c in Segmented(1).recombine(spec, a, b, random.Random(seed)):
            assert c[0] == c[1] and c[2] == c[3]
            children.add(c)
    assert children == {(0, 0, 0, 0), (9, 9, 9, 9), (0, 0, 9, 9), (9, 9, 0, 0)}


def test_sbx_keeps_bounds_grids_and_the_parents_mean():
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(-1000.0, 1000.0), lr=ss.floatv(1e-5, 1.0, scale="log"),
                               n=ss.intv(0, 100, step=5)))
    rng = random.Random(0)
    sums = []
    for _ in range(300):
        c1, c2 = SBX(eta=15, variable_probability=1.0).recombine(
            spec, ss.DNA((0.4, 1e-3, 20)), ss.DNA((0.6, 1e-2, 80)), rng)
        spec.validate(c1), spec.validate(c2)
        sums.append(c1[0] + c2[0])
    assert all(abs(s - 1.0) < 1e-6 for s in sums)      # unclipped SBX preserves the mean
    close = SBX(eta=200, variable_probability=1.0).recombine(
        spec, ss.DNA((0.4, 1e-3, 20)), ss.DNA((0.6, 1e-2, 80)), random.Random(1))
    assert all(0.3 < c[0] < 0.7 for c in close)         # large eta: children near parents


def test_blend_and_average_values():
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(0.0, 10.0)))
    a, b = ss.DNA((4.0,)), ss.DNA((6.0,))
    rng = random.Random(0)
    for _ in range(200):
        for c in Blend(alpha=0.5).recombine(spec, a, b, rng):
            assert 3.0 <= c[0] <= 7.0
    assert Average(weight=0.25).recombine(spec, a, b, rng) == (ss.DNA((5.5,)), ss.DNA((4.5,)))


def test_numeric_operator_on_a_choice_names_operator_and_decision():
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(0, 1), model=ss.Dict(act=ss.oneof(["relu", "tanh"]))))
    with pytest.raises(OperatorError, match=r"SBX cannot handle decision 'model.act' \(a choice"):
        SBX().recombine(spec, ss.DNA((0.1, 0)), ss.DNA((0.2, 1)))
    with pytest.raises(OperatorError, match=r"Order cannot handle decision 'x' \(a float"):
        Order().check(spec)
    with pytest.raises(OperatorError, match="ByDecisionType has no operator for decision 'model.act'"):
        ByDecisionType(float=SBX()).check(spec)
    ByDecisionType(float=SBX(), default=Uniform()).check(spec)     # no error


def test_permutation_helpers_match_textbook_examples():
    assert pmx([1, 2, 3, 4, 5, 6, 7, 8], [3, 7, 5, 1, 6, 8, 2, 4], 3, 6) == [3, 7, 8, 4, 5, 6, 2, 1]
    assert order_crossover([1, 2, 3, 4, 5, 6, 7, 8], [2, 4, 6, 8, 7, 5, 3, 1], 2, 5) == \
        [8, 7, 3, 4, 5, 1, 2, 6]
    assert cycle_crossover([1, 2, 3, 4, 5, 6, 7, 8], [8, 5, 2, 1, 3, 6, 4, 7]) == \
        [1, 5, 2, 4, 3, 6, 7, 8]


@pytest.mark.parametrize("op", [PartiallyMapped(), Order(), Cycle()])
def test_permutation_crossovers_give_permutations_and_move_sub_decisions(op):
    space = ss.Dict(order=ss.permutate(["a", ss.Dict(w=ss.floatv(0, 1)), "c", "d", "e"]))
    spec = ss.dna_spec(space)
    pairs, rng = _pairs(spec, 100, seed=3)
    changed = 0
    for a, b in pairs:
        for child, parent in zip(op.recombine(spec, a, b, rng), (a, b)):
            spec.validate(child)
            w = ss.materialize(space, child)["order"]
            w_value = [x for x in w if not isinstance(x, str)][0]["w"]
            w_parent = [x for x in ss.materialize(space, parent)["order"]
                        if not isinstance(x, str)][0]["w"]
            assert w_value == w_parent        # the candidate kept its sub-decision
            changed += child != parent
    assert changed > 50


def test_permutation_crossover_on_a_plain_manyof_is_an_error():
    spec = ss.dna_spec(ss.Dict(ops=ss.manyof(2, ["a", "b", "c"])))
    with pytest.raises(OperatorError, match=r"PartiallyMapped cannot handle decision 'ops' \(a group"):
        PartiallyMapped().check(spec)


def test_program_crossover_exchanges_statement_segments():
    from symsearch.programs import ProgramMutator
    from symsearch.programs.program import make_program, evaluate
    start = make_program(["x"], [("y", "add", ["x", "x"])], ["y"])
    mutator = ProgramMutator(ops=["add", "mul", "sub", "sin"], max_statements=6)
    space = ss.Dict(p=ss.evolve(start, mutator), lr=ss.floatv(0, 1))
    spec = ss.dna_spec(space)
    rng = random.Random(0)
    programs = [start]
    for _ in range(30):
        programs.append(mutator(programs[rng.randrange(len(programs))], rng))
    op = ByDecisionType(custom=ProgramCrossover(), default=Uniform())
    new = 0
    for _ in range(60):
        a, b = rng.sample(programs, 2)
        c1, c2 = op.recombine(spec, ss.DNA((a, 0.1)), ss.DNA((b, 0.2)), rng)
        for c in (c1, c2):
            assert len(c[0].statements) <= 6 and list(c[0].outputs) == ["y"]
            evaluate(c[0], {"x": 1.5})                   # runs: reads only assigned names
            new += not any(ss.eq(c[0], p) for p in (a, b))
    assert new > 20


def test_program_crossover_on_trees_and_on_other_values():
    from symsearch.programs import ExprMutator, Var
    tree_space = ss.evolve(Var("x"), ExprMutator(variables=["x"], ops=["add", "mul"],
                                                 max_depth=4, max_size=12))
    spec = ss.dna_spec(tree_space)
    a = ss.DNA((("add", (("v", "x"), ("c", 1.0))),))
    b = ss.DNA((("mul", (("v", "x"), ("v", "x"))),))
    c1, c2 = ProgramCrossover().recombine(spec, a, b, random.Random(2))
    assert isinstance(c1[0], tuple) and isinstance(c2[0], tuple)
    int_spec = ss.dna_spec(ss.Dict(depth=ss.evolve(3, lambda v, r: v + 1)))
    with pytest.raises(OperatorError, match="ProgramCrossover cannot cross decision 'depth'"):
        ProgramCrossover().recombine(int_spec, ss.DNA((3,)), ss.DNA((4,)))
    swapped = {ProgramCrossover(unknown="swap").recombine(int_spec, ss.DNA((3,)), ss.DNA((4,)),
                                                          random.Random(s))[0][0]
               for s in range(10)}
    assert swapped == {3, 4}


def test_pipeline_step_pairs_parents_and_respects_probability():
    spec = ss.dna_spec(ss.List([ss.intv(0, 9) for _ in range(4)]))
    ctx = Context(spec, random.Random(0))
    parents = [ss.DNA([i] * 4) for i in range(5)]
    assert len(Uniform()(parents, ctx)) == 5
    assert len(Uniform(children=1)(parents, ctx)) == 3
    assert Uniform(probability=0.0)(parents, ctx) == parents[:5]
    with pytest.raises(ValueError, match="Uniform: probability must be a number in"):
        Uniform(probability=2)
    with pytest.raises(ValueError, match="KPoint: k must be a positive int"):
        KPoint(k=0)
