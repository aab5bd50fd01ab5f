"""Mutation steps: polynomial mutation, rates per decision type, the Mutate wrapper."""
from __future__ import annotations

import random

import pytest

import symsearch as ss
from symsearch.algorithms.mutators import Mutator
from symsearch.algorithms.operators import (Context, DecisionMutation, Mutate, OperatorError,
                                            PolynomialMutation)
from symsearch.geno.sampling import random_dna
from tests.algorithms._spaces import every_kind_space


def test_polynomial_mutation_stays_in_bounds_and_on_grids():
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(0.0, 1.0), lr=ss.floatv(1e-5, 1.0, scale="log"),
                               n=ss.intv(0, 100, step=5)))
    rng = random.Random(0)
    op = PolynomialMutation(eta=20, rate=1.0)
    steps = []
    for _ in range(300):
        child = op.mutate(spec, ss.DNA((0.99, 1e-3, 50)), rng)
        spec.validate(child)
        steps.append(abs(child[0] - 0.99))
    assert max(steps) < 0.99 and sorted(steps)[150] < 0.05   # mostly small steps
    # the default rate is 1/n: about one of three decisions changes per child
    changed = [sum(a != b for a, b in zip(PolynomialMutation().mutate(spec, ss.DNA((0.5, 1e-3, 50)), rng),
                                          (0.5, 1e-3, 50))) for _ in range(300)]
    assert 0.6 < sum(changed) / len(changed) < 1.2


def test_polynomial_mutation_on_a_choice_names_the_decision():
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(0, 1), act=ss.oneof(["relu", "tanh"])))
    with pytest.raises(OperatorError, match=r"PolynomialMutation cannot handle decision 'act' "
                                            r"\(a choice"):
        PolynomialMutation().mutate(spec, ss.DNA((0.5, 0)))


def test_rates_per_decision_type():
    space = ss.Dict(a=ss.oneof(["p", "q", "r"]), b=ss.oneof(["p", "q"]),
                    x=ss.floatv(0, 1), y=ss.floatv(0, 1))
    spec = ss.dna_spec(space)
    parent = ss.DNA((0, 0, 0.5, 0.5))
    rng = random.Random(0)
    for _ in range(50):
        child = DecisionMutation(rates={"choice": 0.0, "float": 1.0}).mutate(spec, parent, rng)
        assert child[:2] == (0, 0) and child[2] != 0.5 and child[3] != 0.5
        child = DecisionMutation(rates={"choice": 1.0, "float": 0.0}).mutate(spec, parent, rng)
        assert child[0] != 0 and child[1] == 1 and child[2:] == (0.5, 0.5)
    with pytest.raises(ValueError, match=r"unknown decision kind\(s\) \['floats'\]"):
        DecisionMutation(rates={"floats": 0.1})
    with pytest.raises(ValueError, match=r"rates\['choice'\] must be a number in \[0, 1\]"):
        DecisionMutation(rates={"choice": 1.5})


def test_decision_mutation_keeps_conditional_dna_valid():
    spec = ss.dna_spec(every_kind_space())
    rng = random.Random(1)
    changed = 0
    for numeric in ("polynomial", "gaussian"):
        op = DecisionMutation(default_rate=0.5, numeric=numeric, at_least_one=True)
        for _ in range(200):
            parent = random_dna(spec, rng)
            child = op.mutate(spec, parent, rng)
            spec.validate(child)
            changed += child != parent
    assert changed > 380


def test_mutate_wraps_a_mutator_and_applies_it_with_probability():
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(0, 1)))
    ctx = Context(spec, random.Random(0))
    parents = [ss.DNA((0.5,))] * 200
    assert all(c != parents[0] for c in Mutate()(parents, ctx))
    kept = sum(c == parents[0] for c in Mutate(Mutator(), probability=0.25)(parents, ctx))
    assert 120 < kept < 180
    with pytest.raises(TypeError, match="Mutate: mutator must be a callable"):
        Mutate(mutator=3)
