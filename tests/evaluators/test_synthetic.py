"""Synthetic benchmark functions: known optima, matching spaces, the CASH surrogate."""
import math
import random

import pytest

import symsearch as ss
from symsearch.evaluators import synthetic


@pytest.mark.parametrize("name", sorted(synthetic.FUNCTIONS))
def test_known_minimum_is_reached_at_the_argmin(name):
    function = synthetic.FUNCTIONS[name]
    assert function(function.argmin) == pytest.approx(function.minimum, abs=1e-5)
    metrics = synthetic.evaluate(dict(zip(function.names, function.argmin)), function=name)
    assert metrics["regret"] == pytest.approx(0.0, abs=1e-5)


def test_branin_has_three_global_minima():
    for point in [(-math.pi, 12.275), (math.pi, 2.275), (9.42478, 2.475)]:
        assert synthetic.branin(point) == pytest.approx(0.397887, abs=1e-5)


@pytest.mark.parametrize("name", sorted(synthetic.FUNCTIONS))
def test_no_sample_beats_the_minimum(name):
    function = synthetic.FUNCTIONS[name]
    space = synthetic.space(name)
    spec = ss.dna_spec(space)
    assert [d.path for d in spec.decisions] == function.names
    assert [(d.lo, d.hi) for d in spec.decisions] == [tuple(b) for b in function.bounds]
    for candidate in ss.random_sample(space, 200, seed=0):
        assert synthetic.evaluate(candidate, function=name)["regret"] >= -1e-9


def test_point_accepts_mappings_and_sequences_and_checks_them():
    branin = synthetic.FUNCTIONS["branin"]
    assert branin.point({"x0": 1, "x1": 2}) == [1.0, 2.0] == branin.point((1, 2))
    with pytest.raises(ValueError, match="keys"):
        branin.point({"x0": 1})
    with pytest.raises(ValueError, match="takes 2 coordinates"):
        branin.point([1, 2, 3])
    with pytest.raises(ValueError, match="'function' parameter must be one of"):
        synthetic.evaluate({"x0": 0}, function="sphere")


def test_cash_space_has_three_branches_of_2_4_6_decisions():
    spec = ss.dna_spec(synthetic.cash_surrogate_space())
    root = spec.decisions[0]
    assert root.num_candidates == 3
    sizes = [sum(1 for d in spec.decisions[1:] if d.path.startswith(f"[={i}].")) for i in range(3)]
    assert sizes == [2, 4, 6]


def test_cash_branch_minima_and_the_global_minimum():
    for family, (floor, best) in synthetic.CASH_BRANCH_MINIMA.items():
        assert synthetic.cash_surrogate_loss(family, best) == pytest.approx(floor)
    assert min(floor for floor, _ in synthetic.CASH_BRANCH_MINIMA.values()) == \
        synthetic.CASH_MINIMUM == synthetic.CASH_BRANCH_MINIMA["svm"][0]


def test_cash_surrogate_is_deterministic_and_bounded_below_by_each_floor():
    space = synthetic.cash_surrogate_space()
    losses = {}
    for candidate in ss.random_sample(space, 3000, seed=1):
        first = synthetic.evaluate_cash_surrogate(candidate)["loss"]
        assert synthetic.evaluate_cash_surrogate(ss.clone(candidate))["loss"] == first
        assert first >= synthetic.CASH_BRANCH_MINIMA[candidate["model"]][0] - 1e-12
        losses.setdefault(candidate["model"], []).append(first)
    means = {k: sum(v) / len(v) for k, v in losses.items()}
    # As documented: the best family (svm) has the worst random-sample mean.
    assert means["svm"] > means["logistic"] > means["mlp"]
    assert means["svm"] == pytest.approx(0.35, abs=0.03)


def test_cash_surrogate_rejects_unknown_families():
    with pytest.raises(ValueError, match="model must be one of"):
        synthetic.cash_surrogate_loss("knn", {})


def test_search_on_a_synthetic_function():
    function = synthetic.FUNCTIONS["branin"]
    result = ss.search(function.space(), function.evaluate, objective="min:loss",
                       num_trials=30, seed=0)
    assert function.minimum <= result.best.metrics["loss"] < 20


def test_optimizing_a_perturbed_optimum_beats_random_points():
    rng = random.Random(0)
    h6 = synthetic.FUNCTIONS["hartmann6"]
    near = [min(1.0, max(0.0, x + rng.uniform(-0.01, 0.01))) for x in h6.argmin]
    assert h6(near) < -3.2
