"""Single-path one-shot training and inherited-weight scoring, TuNAS joint training, and the
nested search flow, on small data."""
import os

import pytest

torch = pytest.importorskip("torch")

import symsearch as ss  # noqa: E402
from symsearch.algorithms import TuNAS  # noqa: E402
from symsearch.evaluators.weight_sharing import supernet  # noqa: E402
from symsearch.evaluators.weight_sharing.cell_model import cell_network  # noqa: E402
from symsearch.evaluators.weight_sharing.nested import inner_store, nested_search  # noqa: E402
from symsearch.evaluators.weight_sharing.one_shot import (PathTrainer, SupernetEvaluator,  # noqa: E402
                                                          batch_statistics, path_accuracy,
                                                          train_jointly)
from symsearch.search.objectives import Objectives  # noqa: E402
from symsearch.spaces.nas_cell import cell_space  # noqa: E402

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")


def _data(n=96, seed=0):
    """Two classes told apart by the sign of the image's mean: learnable by convolutions."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 1, 8, 8, generator=g) * 0.5 + (y.float() * 2 - 1).view(-1, 1, 1, 1)
    return x, y


DATA = {"train": _data(96, 0), "val": _data(64, 1)}


def test_uniform_training_lifts_inherited_accuracy_and_scoring_changes_nothing():
    import random
    untrained = SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA,
                                  warmup_epochs=0, device="cpu")
    trained = SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA,
                                warmup_epochs=8, device="cpu")
    rng = random.Random(0)
    paths = [trained.net.sample(rng) for _ in range(12)]
    before, after = untrained.scores(paths), trained.scores(paths)
    assert sum(after) / 12 > sum(before) / 12 + 0.15
    metrics = trained((2, 2, 2, 2, 2, 2))
    assert metrics["supernet_epochs"] == 8.0 and metrics["supernet_steps"] == 8 * 3
    assert metrics["val_accuracy"] > 0.9
    # a cell whose output is zero is at chance whatever the training
    assert trained((0, 0, 0, 0, 0, 0))["val_accuracy"] < 0.7
    # scoring changes no weight and no BatchNorm statistic
    state = {k: v.clone() for k, v in trained.net.state_dict().items()}
    trained.scores(paths)
    assert all(torch.equal(state[k], v) for k, v in trained.net.state_dict().items())


def test_train_steps_train_the_scored_path():
    evaluator = SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA,
                                  warmup_epochs=0, train_steps=2, device="cpu")
    first = evaluator((3, 3, 3, 3, 3, 3))
    second = evaluator((3, 3, 3, 3, 3, 3))
    assert (first["supernet_steps"], second["supernet_steps"]) == (2, 4)


def test_candidates_and_dna_are_the_same_path():
    evaluator = SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA,
                                  warmup_epochs=1, device="cpu")
    cell = ss.materialize(cell_space(ops=OPS), (3, 1, 2, 0, 0, 3))
    assert evaluator.scores([cell]) == evaluator.scores([(3, 1, 2, 0, 0, 3)])


def test_tunas_trained_jointly_prefers_convolutions():
    torch.manual_seed(0)
    net = supernet(cell_space(ops=OPS), cell_network, device="cpu")
    trainer = PathTrainer(net, *DATA["train"], lr=0.05, batch_size=32)
    controller = TuNAS(warmup_trials=30, learning_rate=0.1, seed=0)
    controller.setup(net.spec, Objectives.parse("max:val_accuracy"))
    rewards = train_jointly(net, trainer, controller, *DATA["val"], steps=150, reward_batch=32)
    assert sum(rewards[-30:]) / 30 > sum(rewards[:30]) / 30 + 0.05
    # the final architecture reaches the output and is accurate with its inherited weights
    best = controller.most_likely()
    assert path_accuracy(net, *DATA["val"], [best])[0] > 0.9


def test_batch_statistics_restore_modes():
    net = supernet(cell_space(ops=OPS), cell_network, device="cpu")
    net.train()
    with batch_statistics(net):
        assert not net.training
    assert net.training and all(m.momentum == 0.1 for m in net.modules()
                                if isinstance(m, torch.nn.BatchNorm2d))


@pytest.mark.parametrize("kwargs, message", [
    ({"warmup_epochs": -1}, "'warmup_epochs' must be a non-negative int"),
    ({"lr": 0}, "'lr' must be a positive float"),
    ({"eval_split": "test"}, "data has no 'test' split"),
])
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA, device="cpu", **kwargs)


def test_nested_search_keeps_each_inner_store_in_the_outer_trials_folder(tmp_path):
    def inner(settings):
        return dict(space=ss.Dict(x=ss.intv(0, 20)), objective="max:y", num_trials=8,
                    algorithm="random", seed=1,
                    evaluator=lambda c: {"y": -abs(c["x"] - settings["target"])})

    store = tmp_path / "runs" / "outer.db"
    result = nested_search(ss.Dict(target=ss.oneof([2, 40])), inner, objective="max:y",
                           algorithm="grid", num_trials=2, store=str(store), seed=0)
    assert sorted(os.listdir(tmp_path / "runs" / "outer")) == ["trial_0.db", "trial_1.db"]
    inner_result = ss.store.load_experiment(inner_store(str(store), 0))
    assert len(inner_result.trials) == 8
    by_target = {ss.from_json_str(t.candidate_json)["target"]: t.metrics for t in result.trials}
    assert by_target[40]["y"] <= -20 < by_target[2]["y"] <= 0   # x <= 20 cannot reach 40
    assert by_target[2]["inner_trials"] == 8


def test_nested_search_refuses_an_inner_store_of_its_own(tmp_path):
    with pytest.raises(Exception, match="chosen by the nested search"):
        nested_search(ss.Dict(t=ss.oneof([1])), lambda c: dict(space=ss.Dict(x=ss.intv(0, 1)),
                                                                store="x.db"),
                      objective="max:y", num_trials=1, store=str(tmp_path / "o.db"),
                      fail_fast=1)


def test_few_shot_split_gives_each_value_its_own_fine_tuned_copy():
    from symsearch.evaluators.weight_sharing.few_shot import SubSupernets
    evaluator = SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA,
                                  warmup_epochs=2, split_on="edge_2_3", split_epochs=1,
                                  device="cpu")
    evaluator.warm_up()
    subs = evaluator.sub_supernets
    assert isinstance(subs, SubSupernets) and len(subs.nets) == len(OPS)
    assert evaluator.epochs_done == 2 + len(OPS) * 1
    conv = (3, 3, 3, 3, 3, 2)                         # edge 2->3 is nor_conv_1x1
    assert evaluator.net_for(conv) is subs.nets[2]
    # the parent's weights were copied, then each copy trained on its own op's paths only
    parent = dict(evaluator.net.named_parameters())
    moved = {k: any(not torch.equal(parent[n], p) for n, p in net.named_parameters())
             for k, net in enumerate(subs.nets)}
    assert all(moved.values())
    own = [dict(net.named_parameters()) for net in subs.nets]
    op_weight = "model.cells.0.ops.5.choices.2.1.weight"
    assert op_weight in parent
    assert torch.equal(own[3][op_weight], parent[op_weight])      # conv 1x1 of edge 5 unused
    assert not torch.equal(own[2][op_weight], parent[op_weight])  # ... except by its own copy
    metrics = evaluator(conv)
    assert metrics["supernet_epochs"] == 6.0
    assert metrics["val_accuracy"] == evaluator.scores([conv])[0]


def test_scores_on_several_splits_concatenate_them():
    evaluator = SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA,
                                  warmup_epochs=1, eval_split="val+train", device="cpu")
    assert len(evaluator.data["val+train"][1]) == 64 + 96
    val_only = SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA,
                                 warmup_epochs=1, device="cpu")
    path = (3, 3, 3, 3, 3, 3)
    assert evaluator.scores([path], "loss") != val_only.scores([path], "loss")


@pytest.mark.parametrize("split_on, message", [
    ("edge_9_9", "no decision of that name"),
    (3, "'split_on' must be a decision's name or path"),
])
def test_bad_split_is_named(split_on, message):
    with pytest.raises(ValueError, match=message):     # WeightSharingError is a ValueError
        SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA, device="cpu",
                          split_on=split_on)


def test_batched_scoring_equals_path_by_path_scoring():
    import random
    from symsearch.evaluators.weight_sharing.batched import batched_metrics
    from symsearch.evaluators.weight_sharing.one_shot import path_metrics
    evaluator = SupernetEvaluator(cell_space(ops=OPS), cell_network, data=DATA,
                                  warmup_epochs=1, device="cpu")
    evaluator.warm_up()
    rng = random.Random(0)
    paths = [evaluator.net.sample(rng) for _ in range(5)] + [(0,) * 6, (1, 0, 0, 0, 0, 0),
                                                             (0, 3, 0, 0, 0, 2)]
    state = {k: v.clone() for k, v in evaluator.net.state_dict().items()}
    one = path_metrics(evaluator.net, *DATA["val"], paths)
    for per_pass in (3, 8):
        many = batched_metrics(evaluator.net, *DATA["val"], paths, per_pass)
        assert [a for a, _ in many] == [a for a, _ in one]
        assert [l for _, l in many] == pytest.approx([l for _, l in one], abs=1e-5)
    evaluator.paths_per_pass = 4
    assert evaluator.scores(paths) == [a for a, _ in one]
    assert all(torch.equal(state[k], v) for k, v in evaluator.net.state_dict().items())
    assert all("forward" not in vars(m) for m in evaluator.net.modules())   # BN restored


def test_a_width_decision_cannot_be_batched_and_says_so():
    from torch import nn
    from symsearch.evaluators.weight_sharing import WeightSharingError, linear
    from symsearch.evaluators.weight_sharing.batched import batched_metrics
    space = ss.Dict(width=ss.oneof([4, 8], name="width"))
    net = supernet(space, lambda c: nn.Sequential(nn.Flatten(), linear(64, c["width"]),
                                                  nn.ReLU(), linear(c["width"], 2)),
                   device="cpu")
    x, y = DATA["val"]
    with pytest.raises(WeightSharingError, match="'width'.*cannot be scored in one batched"):
        batched_metrics(net, x, y, [(0,), (1,)])
