"""mutate / crossover: valid DNA always, changes confined to the chosen decision."""
import math
import random
import statistics

import pytest

import symsearch as ss
from symsearch.algorithms.mutators import (Mutator, crossover, mutate, mutate_at,
                                           mutation_points, subtree_indices, unit_indices)
from symsearch.geno.spec import ChoiceGroup
from tests.algorithms._spaces import MUTATOR_CALLS, every_kind_space


@pytest.fixture(scope="module")
def spec():
    return ss.dna_spec(every_kind_space())


def _changed(a, b) -> set:
    return {i for i, (x, y) in enumerate(zip(a, b)) if x != y}


def test_mutated_dna_always_validates(spec):
    rng = random.Random(0)
    for start in range(20):
        dna = ss.random_dna(spec, start)
        for _ in range(100):
            child = mutate(spec, dna, rng)
            spec.validate(child)
            assert type(child) is ss.DNA and child != dna
            dna = child
    for kwargs in ({"num_mutations": 3}, {"probability": 0.3}, {"probability": 1.0}):
        for seed in range(200):
            child = mutate(spec, ss.random_dna(spec, seed), rng, **kwargs)
            spec.validate(child)


def test_mutation_changes_exactly_the_chosen_point_and_its_subtree(spec):
    rng = random.Random(1)
    kinds = set()
    for seed in range(60):
        dna = ss.random_dna(spec, seed)
        points = mutation_points(spec, dna)
        active = set(spec.active_indices(dna))
        assert spec["fixed"] not in points  # a one-value intv cannot change
        for point in points:
            assert all(i in active for i in unit_indices(point)[:1])
            child = mutate_at(spec, dna, point, rng)
            spec.validate(child)
            changed = _changed(dna, child)
            allowed = set(unit_indices(point))
            assert changed and changed <= allowed, (point, changed)
            if type(point) is ChoiceGroup:
                kinds.add("group")
                assert changed & {s.index for s in point.slots}
            else:
                kinds.add(point.kind)
                assert point.index in changed
                # beyond the decision itself only its conditional subtree may change
                if point.kind != "choice":
                    assert changed == {point.index}
    assert kinds == {"choice", "float", "int", "custom", "group"}


def test_mutate_changes_one_point_per_call(spec):
    rng = random.Random(2)
    for seed in range(300):
        dna = ss.random_dna(spec, seed)
        changed = _changed(dna, mutate(spec, dna, rng))
        owners = [p for p in mutation_points(spec, dna) if changed <= set(unit_indices(p))]
        assert owners, changed


def test_choice_switch_clears_the_old_branch_and_draws_the_new(spec):
    rng = random.Random(3)
    model = spec["model"]
    for seed in range(50):
        dna = ss.random_dna(spec, seed)
        child = mutate_at(spec, dna, model, rng)
        old, new = dna[model.index], child[model.index]
        assert new != old
        for i in subtree_indices(model.children[old]):
            assert child[i] is None
        first_new = model.children[new][0] if model.children[new] else None
        if first_new is not None:
            assert child[first_new.index] is not None
        outside = set(range(len(spec))) - set(unit_indices(model))
        assert all(child[i] == dna[i] for i in outside)


def test_float_steps_are_gaussian_in_linear_and_log_space(spec):
    rng = random.Random(4)
    momentum, lr = spec["momentum"], spec["lr"]
    dna = list(ss.random_dna(spec, 0))
    dna[momentum.index], dna[lr.index] = 0.5, 1e-3
    steps = []
    log_steps = []
    for _ in range(2000):
        v = mutate_at(spec, dna, momentum, rng)[momentum.index]
        assert 0.0 <= v <= 0.99 and type(v) is float
        steps.append(v - 0.5)
        w = mutate_at(spec, dna, lr, rng)[lr.index]
        assert 1e-5 <= w <= 1e-1
        log_steps.append(math.log(w / 1e-3))
    assert abs(statistics.mean(steps)) < 0.01
    assert statistics.stdev(steps) == pytest.approx(0.099, rel=0.1)
    # sigma is 0.1 of the log range: 0.1 * ln(1e4)
    assert statistics.stdev(log_steps) == pytest.approx(0.1 * math.log(1e4), rel=0.1)


def test_float_mutation_at_a_bound_stays_clipped_and_moves():
    spec = ss.dna_spec(ss.Dict(x=ss.floatv(0.0, 1.0)))
    rng = random.Random(5)
    children = [mutate(spec, ss.DNA((1.0,)), rng)[0] for _ in range(500)]
    assert all(0.0 <= v < 1.0 for v in children)


@pytest.mark.parametrize("hyper,grid", [
    (ss.intv(16, 256, step=16), set(range(16, 257, 16))),
    (ss.intv(4, 512, scale="log"), set(range(4, 513))),
    (ss.intv(8, 512, step=8, scale="log"), set(range(8, 513, 8))),
    (ss.intv(0, 1), {0, 1}),
])
def test_int_mutation_stays_on_the_grid_and_moves(hyper, grid):
    spec = ss.dna_spec(ss.Dict(n=hyper))
    rng = random.Random(6)
    dna = ss.random_dna(spec, 0)
    seen = set()
    for _ in range(3000):
        child = mutate(spec, dna, rng)
        spec.validate(child)
        assert child[0] in grid and child[0] != dna[0]
        seen.add(child[0])
        dna = child
    assert min(seen) == min(grid) and max(seen) == max(grid)  # the walk reaches both ends


def test_int_log_steps_are_relative():
    spec = ss.dna_spec(ss.Dict(n=ss.intv(1, 10000, scale="log")))
    rng = random.Random(7)
    small = [abs(mutate(spec, ss.DNA((10,)), rng)[0] - 10) for _ in range(300)]
    large = [abs(mutate(spec, ss.DNA((5000,)), rng)[0] - 5000) for _ in range(300)]
    assert statistics.median(small) < 15 and statistics.median(large) > 1000
    assert all(v != 0 for v in small)


@pytest.mark.parametrize("distinct,sorted_", [(True, False), (True, True), (False, True),
                                              (False, False)])
def test_manyof_mutation_respects_distinct_sorted_and_reaches_everything(distinct, sorted_):
    spec = ss.dna_spec(ss.Dict(m=ss.manyof(3, list(range(5)), distinct=distinct,
                                           sorted=sorted_)))
    rng = random.Random(8)
    dna = ss.random_dna(spec, 0)
    seen = {dna}
    for _ in range(4000):
        child = mutate(spec, dna, rng)
        spec.validate(child)
        assert child != dna
        seen.add(child)
        dna = child
    assert len(seen) == spec.space_size


def test_permutation_mutation_swaps_two_positions():
    spec = ss.dna_spec(ss.Dict(p=ss.permutate(list("abcdef"))))
    rng = random.Random(9)
    dna = ss.random_dna(spec, 0)
    for _ in range(200):
        child = mutate(spec, dna, rng)
        spec.validate(child)
        assert sorted(child) == list(range(6)) and len(_changed(dna, child)) == 2
        dna = child


def test_a_slot_keeps_its_subtree_when_slots_swap():
    spec = ss.dna_spec(ss.Dict(m=ss.manyof(2, [ss.Dict(v=ss.floatv(0, 1)), "skip"],
                                           distinct=True)))
    # slots: m[0], m[0][=0].v, m[1], m[1][=0].v
    dna = ss.DNA((0, 0.25, 1, None))
    group = next(iter(spec.groups.values()))
    swapped = mutate_at(spec, dna, group, random.Random(0))
    spec.validate(swapped)
    assert swapped == ss.DNA((1, None, 0, 0.25))


def test_sorted_group_keeps_subtrees_with_their_candidates():
    spec = ss.dna_spec(ss.Dict(m=ss.manyof(2, ["a", ss.Dict(v=ss.floatv(0, 1)), "c"],
                                           distinct=True, sorted=True)))
    group = next(iter(spec.groups.values()))
    rng = random.Random(10)
    moved = 0
    for _ in range(100):
        dna = ss.DNA((1, 0.75, 2, None))  # picks [1, 2]: v=0.75 on slot 0
        child = mutate_at(spec, dna, group, rng)
        spec.validate(child)
        picks = [child[0], child[2]]
        if 1 in picks:  # the kept candidate 1 keeps its value wherever it sits now
            slot = picks.index(1)
            assert child[[1, 3][slot]] == 0.75
            moved += slot == 1
    assert moved  # [1, 2] -> [0, 1] moves candidate 1 to slot 1 with its value


def test_evolve_mutator_is_called_on_a_copy(spec):
    depth = spec["depth"]
    MUTATOR_CALLS.clear()
    rng = random.Random(11)
    dna = ss.random_dna(spec, 0)
    child = mutate_at(spec, dna, depth, rng)
    assert MUTATOR_CALLS == [(3, child[depth.index])] and child[depth.index] in (2, 4)
    assert dna[depth.index] == 3
    # ... and plain mutate reaches it too
    MUTATOR_CALLS.clear()
    for seed in range(200):
        mutate(spec, ss.random_dna(spec, seed), rng)
    assert MUTATOR_CALLS


def test_mutation_is_deterministic_under_a_seed(spec):
    dna = ss.random_dna(spec, 0)
    a = [mutate(spec, dna, random.Random(s)) for s in range(30)]
    b = [mutate(spec, dna, random.Random(s)) for s in range(30)]
    assert a == b and len(set(a)) > 10


def test_nothing_to_mutate_returns_the_dna():
    spec = ss.dna_spec(ss.Dict(n=ss.intv(3, 3), c=ss.oneof(["only"]),
                               m=ss.manyof(2, ["a", "b"], distinct=True, sorted=True)))
    dna = ss.random_dna(spec, 0)
    assert mutation_points(spec, dna) == []
    assert mutate(spec, dna, random.Random(0)) == dna
    assert mutate(spec, dna, random.Random(0), probability=0.5) == dna


def test_mutation_arguments_are_validated(spec):
    dna = ss.random_dna(spec, 0)
    with pytest.raises(ValueError, match="num_mutations must be a positive int"):
        mutate(spec, dna, 0, num_mutations=0)
    with pytest.raises(ValueError, match=r"probability must be a number in \(0, 1\]"):
        Mutator(probability=1.5)
    assert repr(Mutator(probability=0.2)) == "Mutator(probability=0.2)"


def test_crossover_is_valid_and_takes_each_value_from_a_parent(spec):
    rng = random.Random(12)
    from_b = 0
    for seed in range(300):
        a, b = ss.random_dna(spec, seed), ss.random_dna(spec, seed + 1000)
        child = crossover(spec, a, b, rng)
        spec.validate(child)
        assert all(c in (x, y) for c, x, y in zip(child, a, b))
        from_b += child != a and child != b
    assert from_b > 200  # children mix both parents
    a = ss.random_dna(spec, 0)
    assert crossover(spec, a, a, rng) == a


def test_crossover_recurses_into_a_branch_both_parents_chose():
    spec = ss.dna_spec(ss.Dict(m=ss.oneof([ss.Dict(x=ss.floatv(0, 1), y=ss.floatv(0, 1)),
                                           "other"])))
    a, b = ss.DNA((0, 0.1, 0.2)), ss.DNA((0, 0.8, 0.9))
    children = {crossover(spec, a, b, random.Random(s)) for s in range(50)}
    assert ss.DNA((0, 0.1, 0.9)) in children and ss.DNA((0, 0.8, 0.2)) in children
    c = ss.DNA((1, None, None))
    assert {crossover(spec, a, c, random.Random(s)) for s in range(50)} == {a, c}
