"""The family suite (tasks where the optimizer's structure matters) and its gap check."""
import numpy as np
import pytest

from symsearch.evaluators import _optimizer_family_tasks as family_tasks
from symsearch.evaluators import _optimizer_tasks as tasks
from symsearch.evaluators import optimizer_family as family
from symsearch.evaluators import optimizer_proxy as proxy
from symsearch.evaluators.optimizer_tuning import paired_interval, tune
from symsearch.spaces import optimizers as opt


def _data_of(task):
    return ("data", task.dataset) if isinstance(task, tasks.MLPTask) else \
        ("problem", task.function, task.problem_seed)


def test_heldout_tasks_share_no_data_with_proxy_or_selection():
    seen = {_data_of(t) for tier in ("proxy", "large") for t in family_tasks.TIERS[tier]}
    for task in family_tasks.HELDOUT_TASKS:
        assert _data_of(task) not in seen, task.name
    names = [t.name for tier in family_tasks.TIERS.values() for t in tier]
    assert len(names) == len(set(names))
    assert not set(family_tasks.REJECTED) & {t.name for t in family_tasks.HELDOUT_TASKS}


def test_family_evaluate_scores_the_family_proxy_tier():
    result = family.evaluate(opt.adamw())
    assert set(k for k in result if k.startswith("loss/")) == {
        f"loss/{t.name}" for t in family_tasks.PROXY_TASKS}
    assert 0.0 <= result["fitness"] <= proxy.PENALTY
    assert result["state_buffers"] == 2.0


def test_scaled_and_sparse_data_sets():
    x, _, _, _ = tasks.load_dataset("digits_scaled2")
    spread = x.std(axis=0)
    spread = spread[spread > 0]
    assert spread.max() / spread.min() > 1e3           # features span decades
    xs, ts, _, _ = tasks.load_dataset("sparse")
    assert set(np.unique(xs)) <= {0.0, 1.0}
    frequency = xs.mean(axis=0)
    assert frequency[0] > 10 * frequency[-1]            # Zipf: rare features
    assert ts.shape[1] == 5
    with pytest.raises(KeyError, match="unknown data set 'nope_scaledx'"):
        tasks.load_dataset("nope_scaledx")


def test_axis_aligned_quadratic_and_heavy_tailed_noise():
    task = tasks.FunctionTask("q", "quadratic", dim=8, steps=5, lr=0.01, condition=1e3,
                              noise=1.0, rotate=False, equal_energy=True,
                              noise_kind="student_t", noise_df=1.5)
    inst = tasks.instance(task, 0)
    assert np.count_nonzero(inst.hessian - np.diag(np.diag(inst.hessian))) == 0
    energy = np.diag(inst.hessian) * (inst.w0 - inst.optimum) ** 2
    assert inst.noise.shape == (5, 8)
    assert np.isfinite(energy).all()
    bad = tasks.FunctionTask("q2", "quadratic", dim=4, steps=3, lr=0.01, noise_kind="cauchy")
    with pytest.raises(KeyError, match="unknown noise_kind 'cauchy'"):
        tasks.instance(bad, 0)


def test_family_gap_on_a_tiny_setting():
    """AdamW beats SGD-momentum on sparse features even after both are tuned on the same
    grid; the check reports the per-task paired gap with its interval."""
    task = tasks.MLPTask("tiny_sparse", "sparse", (), batch_size=16, steps=40, lr=0.01)
    tiny = proxy.ProxySuite(tiers={"large": (task,), "heldout": (task,)})
    gap = family.family_gap(tiny, seeds=range(4), lr_grid=(0.1, 1.0, 10.0),
                            weight_decays=(0.0,))
    row = gap["tasks"]["tiny_sparse"]
    assert row["gap"] == pytest.approx(row["reference"] - row["contender"])
    assert row["gap"] > 0 and row["half"] >= 0
    assert row["separates"] == (row["gap"] - row["half"] > 0)
    assert gap["reference"].lr in (0.1, 1.0, 10.0) and gap["contender"].weight_decay == 0.0
    text = family.format_gap(gap, family.oracle_gap(tiny, seeds=range(3), tune_seeds=(9,),
                                                    lr_grid=(1.0,), weight_decays=(0.0,)))
    assert "tiny_sparse" in text and "mean over tasks" in text


def test_tuning_and_interval_errors():
    with pytest.raises(ValueError, match="'lr_grid' parameter"):
        tune(lambda wd: opt.sgd(), lr_grid=())
    with pytest.raises(ValueError, match="equally long"):
        paired_interval([1.0], [1.0, 2.0])
    mean, half = paired_interval([1.0], [0.5])
    assert mean == 0.5 and half != half                 # nan with one pair


def test_multi_objective_search_over_score_and_state_buffers():
    """NSGA-II over programs from SGD-momentum with two objectives: every trial records its
    state buffers, and the Pareto front holds no dominated program."""
    import symsearch as ss
    from symsearch.algorithms.nsga2 import NSGA2

    space = opt.space("sgd_momentum", state_slots=2, max_statements=12)
    result = ss.search(space, family.funnel, objective=["min:score", "min:state_buffers"],
                       algorithm=NSGA2(population_size=6, seed=0), num_trials=18, seed=0)
    assert len(result.records) == 18
    assert all("state_buffers" in r.metrics for r in result.records if r.metrics)
    front = [(t.metrics["score"], t.metrics["state_buffers"]) for t in result.pareto]
    assert front
    for s, b in front:
        assert not any(s2 <= s and b2 <= b and (s2, b2) != (s, b) for s2, b2 in front)


def test_with_weight_decay_adds_decoupled_decay_to_any_program():
    from symsearch.evaluators.optimizer_tuning import with_weight_decay

    assert with_weight_decay(opt.lion(), 0.0) is not None
    program = with_weight_decay(opt.sgd_momentum(), 0.1)
    opt.validate(program, state_slots=1)
    w, g = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    new_w, _, _ = opt.step_program(program, w, g, np.zeros(2), np.zeros(2), 0.1)
    np.testing.assert_allclose(w - new_w, 0.1 * g + 0.1 * 0.1 * w)
    assert opt.state_buffers(program) == 1
