"""The pruning evaluator on the tiny language model: torch masks equal the NumPy rule and
direct implementations, exact sparsity, finite fitness, and the on-disk cache."""
import math
import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from symsearch.algorithms.genetic_programming import TreeOperators  # noqa: E402
from symsearch.evaluators import pruning, tiny_lm  # noqa: E402
from symsearch.programs import call  # noqa: E402
from symsearch.programs.mutation import from_tuple  # noqa: E402
from symsearch.spaces import pruning_metrics as pm  # noqa: E402


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    """The tiny model, trained into a fresh cache folder (a few seconds)."""
    mp = pytest.MonkeyPatch()
    # one folder per test session, shared with the experiment and benchmark smoke tests, so
    # the tiny model is trained once
    mp.setenv("SYMSEARCH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "pruning-cache"))
    pruning._TASKS.clear()
    yield pruning.get_task("tiny", calibration_seed=0, calibration_sequences=8, device="cpu",
                           log=False)
    pruning._TASKS.clear()
    mp.undo()


def direct_keep(scores, sparsity=0.5):
    k = pm.pruned_per_row(scores.shape[1], sparsity)
    threshold = torch.sort(scores, dim=1).values[:, k - 1:k]
    return scores > threshold


def test_magnitude_and_wanda_trees_give_exactly_the_direct_masks(task):
    for name, m in task.layers:
        W = task.dense[name].double()
        X, G = task.stats[name]
        assert torch.equal(task.masks(pm.magnitude())[name], direct_keep(W.abs()))
        assert torch.equal(task.masks(pm.wanda())[name], direct_keep(W.abs() * X[None, :]))
        assert torch.equal(task.masks(pm.gradient())[name], direct_keep((W * G).abs()))


def test_torch_masks_equal_the_numpy_rule_for_random_metrics(task):
    ops = TreeOperators(pm.metric_mutator(max_depth=5, max_size=15))
    rng = random.Random(0)
    trees = [pm.magnitude(), pm.wanda(), pm.gradient()] + \
        [from_tuple(ops.ramped(rng, i, (2, 5))) for i in range(30)]
    for expr in trees:
        masks = task.masks(expr)
        for name, _ in task.layers:
            X, G = task.stats[name]
            scores = pm.PruningMetric(expr=expr).scores(task.dense[name].numpy(), G.numpy(),
                                                        X.numpy())
            expected = pm.prune_mask(scores, 0.5)
            # float64 in both, but torch and NumPy may round transcendental functions
            # differently: allow a sliver of flipped near-ties
            assert (masks[name].numpy() != expected).mean() < 0.01, pm.PruningMetric(expr=expr)


def test_sparsity_is_exact_and_pruning_hurts(task):
    dense = task.dense_perplexity()
    magnitude = pruning.evaluate(pm.PruningMetric(expr=pm.magnitude()), model="tiny",
                                 calibration_sequences=8, device="cpu")
    assert magnitude["sparsity"] == 0.5 and magnitude["formula"] == "abs(W)"
    assert magnitude["dense_perplexity"] == pytest.approx(dense)
    assert 1 < dense < 256 and 1 < magnitude["perplexity"] < 256
    # (the tiny model barely notices 50%; it does notice 90%)
    assert task.perplexity(pm.magnitude(), 0.9)[0] > dense
    for name, keep in task.masks(pm.wanda(), 0.5).items():
        assert (keep.sum(dim=1) == keep.shape[1] // 2).all()
    for name, keep in task.masks(pm.wanda(), structure="2:4").items():
        assert (keep.reshape(keep.shape[0], -1, 4).sum(-1) == 2).all()
    ppl60, zeros = task.perplexity(pm.magnitude(), 0.6)
    assert zeros == pytest.approx(0.6, abs=0.02) and math.isfinite(ppl60)
    # the dense weights are back after every evaluation
    assert task.perplexity(None)[0] == pytest.approx(dense)


def test_degenerate_metrics_still_give_a_finite_fitness(task):
    nan_metric = call("sub", call("exp", call("exp", call("exp", "X"))),
                      call("exp", call("exp", call("exp", "X"))))    # inf - inf: NaN scores
    for expr in (nan_metric, call("neg", call("abs", "W")), pm.as_expr("magnitude"),
                 call("add", 1.0, 2.0)):
        value, zeros = task.perplexity(expr)
        assert math.isfinite(value) and value <= pruning.PENALTY and zeros == 0.5


def test_model_and_calibration_statistics_are_cached_on_disk(task):
    folder = tiny_lm.artifact_dir(task.config)
    assert (folder / "model.pt").exists()
    assert (folder / "calibration-seed0-n8.pt").exists()
    again = pruning.PruningTask(task.config, 0, 8, device="cpu")       # loads, no training
    assert again.dense_perplexity() == pytest.approx(task.dense_perplexity())
    other_seed = pruning.PruningTask(task.config, 1, 8, device="cpu")
    name = task.layers[0][0]
    assert not torch.equal(other_seed.stats[name][0], task.stats[name][0])
    assert (other_seed.stats[name][1] >= 0).all()


def test_corpus_splits_are_disjoint_text_from_the_standard_library():
    config = tiny_lm.PRESETS["tiny"]
    texts = {s: tiny_lm.corpus_split(s, config.split_bytes) for s in tiny_lm.SPLITS}
    assert all(len(t) >= 1000 for t in texts.values())
    assert texts["valid"][:2000] not in texts["test"] and texts["test"][:2000] not in \
        texts["valid"]
    assert tiny_lm.eval_windows(config, "test").shape == (config.eval_sequences,
                                                          config.context + 1)
    with pytest.raises(ValueError, match="split"):
        tiny_lm.corpus_split("nope", 10)
    with pytest.raises(ValueError, match="model must be one of"):
        tiny_lm.make_config("huge")
    assert tiny_lm.make_config({"preset": "tiny", "train_steps": 5}).train_steps == 5
    assert np.issubdtype(tiny_lm.split_tokens(config, "valid").numpy().dtype, np.integer)
