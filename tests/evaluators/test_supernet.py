"""Supernets derived from spaces: every choice held once, paths equal standalone models,
clear errors naming the decision point."""
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import symsearch as ss  # noqa: E402
from symsearch.evaluators.weight_sharing import (ChoiceModule, WeightSharingError, choose,  # noqa: E402
                                                 linear, read, repeat, supernet, value_of)
from symsearch.evaluators.weight_sharing.cell_model import cell_network  # noqa: E402
from symsearch.spaces.nas_cell import cell_space  # noqa: E402

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")
X = torch.randn(6, 1, 8, 8)


@pytest.fixture(autouse=True)
def one_thread():
    """Networks this small run many times faster on one thread on a busy CI machine."""
    from symsearch.evaluators.weight_sharing.one_shot import torch_threads
    with torch_threads(1):
        yield


def test_cell_supernet_holds_each_op_of_each_edge_once():
    net = supernet(cell_space(ops=OPS), cell_network, example_input=X[:2], device="cpu")
    choices = [m for m in net.modules() if isinstance(m, ChoiceModule)]
    assert [m.decision.name for m in choices] == ["edge_0_1", "edge_0_2", "edge_1_2",
                                                   "edge_0_3", "edge_1_3", "edge_2_3"]
    assert all(len(m.choices) == len(OPS) for m in choices)
    assert [d.path for d in net.shared] == [f"ops[{k}]" for k in range(6)]
    conv3 = sum(p.numel() for p in choices[0].choices[3].parameters())
    assert conv3 == 8 * 8 * 9 + 2 * 8          # one ReLU-Conv3x3-BN at 8 channels


@pytest.mark.parametrize("dna", [(3, 3, 2, 1, 0, 3), (1, 0, 0, 0, 0, 2), (0, 0, 0, 0, 0, 0),
                                 (3, 0, 0, 0, 0, 3)])
def test_cell_path_computes_the_standalone_network_with_inherited_weights(dna):
    space = cell_space(ops=OPS)
    torch.manual_seed(0)
    net = supernet(space, cell_network, device="cpu")
    standalone = net.extract(dna)
    candidate = ss.materialize(space, dna)
    assert list(standalone.cells[0].ops[k].__class__.__name__ for k in range(6)) == [
        cell_network(candidate).cells[0].ops[k].__class__.__name__ for k in range(6)]
    net.eval(), standalone.eval()
    with torch.no_grad():
        assert torch.allclose(net(X, dna), standalone(X), atol=1e-6)
        assert torch.allclose(net(X, candidate), standalone(X), atol=1e-6)   # a candidate too


def test_training_one_path_leaves_other_choices_untouched():
    from symsearch.evaluators.weight_sharing.one_shot import PathTrainer
    torch.manual_seed(0)
    net = supernet(cell_space(ops=OPS), cell_network, device="cpu")
    edge = [m for m in net.modules() if isinstance(m, ChoiceModule)][0]
    before = {i: [p.clone() for p in c.parameters()] for i, c in enumerate(edge.choices)}
    trainer = PathTrainer(net, X, torch.arange(6) % 10, batch_size=6)
    trainer.step((2, 3, 3, 3, 3, 3))                # edge 0->1 runs conv 1x1
    changed = {i: any(not torch.equal(a, b) for a, b in zip(before[i], c.parameters()))
               for i, c in enumerate(edge.choices) if before[i]}
    assert changed == {2: True, 3: False}


def _mlp_space():
    return ss.Dict(width=ss.oneof([4, 8, 16], name="width"),
                   depth=ss.intv(1, 3, name="depth"),
                   act=ss.oneof(["relu", "tanh"], name="act"))


def _mlp(config):
    act = read(config["act"])

    class Act(nn.Module):
        def forward(self, x):
            return torch.relu(x) if value_of(act) == "relu" else torch.tanh(x)

    width = config["width"]
    return nn.Sequential(linear(5, width), Act(),
                         repeat(config["depth"], lambda i: nn.Sequential(linear(width, width), Act())),
                         linear(width, 3))


@pytest.mark.parametrize("dna", [(0, 1, 0), (2, 3, 1), (1, 2, 0)])
def test_widths_are_slices_of_the_widest_layer_and_depth_a_prefix(dna):
    torch.manual_seed(0)
    net = supernet(_mlp_space(), _mlp, device="cpu")
    assert net.model[0].weight.shape == (16, 5) and len(net.model[2].blocks) == 3
    standalone = net.extract(dna)
    candidate = ss.materialize(_mlp_space(), dna)
    assert standalone[0].out_features == candidate["width"] and len(standalone[2]) == dna[1]
    x = torch.randn(7, 5)
    assert torch.allclose(net(x, dna), standalone(x), atol=1e-6)


def test_define_by_run_space_builds_its_supernet_from_the_same_function():
    def model():
        kind = ss.oneof(["linear", "mlp"], name="kind")
        return nn.Sequential(choose(kind, lambda k: nn.Linear(4, 2) if k == "linear" else
                                    nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))))

    space = ss.trace(model)
    net = supernet(space, device="cpu")
    assert len(net.model[0].choices) == 2
    x = torch.randn(3, 4)
    for dna in [(0,), (1,)]:
        assert torch.allclose(net(x, dna), net.extract(dna)(x))
    standalone = ss.materialize(space, (1,))()           # the same code, one candidate
    assert isinstance(standalone[0], nn.Sequential)


def test_choices_that_change_the_shape_are_an_error_naming_the_decision():
    space = ss.Dict(head=ss.oneof([4, 6], name="head"))

    def model(config):
        return nn.Sequential(choose(config["head"], lambda n: nn.Linear(3, n)), nn.Linear(4, 2))

    with pytest.raises(WeightSharingError, match=r"'head'"):
        supernet(space, model, example_input=torch.randn(2, 3), device="cpu")


def test_a_float_decision_cannot_hold_weights():
    space = ss.Dict(p=ss.floatv(0.0, 0.5, name="dropout"))
    with pytest.raises(WeightSharingError, match=r"decision 'p' \(name 'dropout'\) is a float"):
        supernet(space, lambda c: choose(c["p"], nn.Dropout), device="cpu")


def test_model_code_that_bypasses_the_choice_points_is_an_error():
    with pytest.raises(WeightSharingError, match=r"Edge 0->1 has op .*choose\(\)"):
        from symsearch.evaluators.nas_cell_net import CellNetwork
        supernet(cell_space(ops=OPS), CellNetwork, device="cpu")


def test_a_width_wider_than_the_supernet_holds_is_an_error():
    space = ss.Dict(width=ss.oneof([2, 4], name="width"))
    net = supernet(space, lambda c: linear(3, c["width"]), device="cpu")
    with pytest.raises(WeightSharingError, match=r"input has 5 features .* holds 3"):
        net(torch.randn(2, 5), (0,))


def test_hyper_values_outside_supernet_and_bad_dna_are_errors():
    with pytest.raises(WeightSharingError, match="outside supernet"):
        choose(ss.oneof(["a", "b"]), lambda v: nn.Identity())
    net = supernet(cell_space(ops=OPS), cell_network, device="cpu")
    with pytest.raises(WeightSharingError, match="cannot run"):
        net(X, (9, 0, 0, 0, 0, 0))
    with pytest.raises(WeightSharingError, match="outside a path"):
        net.model(X)


def test_macro_space_supernet_paths_are_nas_a_convnets_with_inherited_weights():
    from symsearch.evaluators.weight_sharing.macro_model import macro_network
    from symsearch.spaces.nas_macro import macro_space, num_parameters
    space = macro_space(num_classes=10, in_channels=1, num_stages=2, widths=(8, 16, 24))
    torch.manual_seed(0)
    net = supernet(space, macro_network, example_input=X[:2], device="cpu")
    net.eval()
    for seed in range(4):
        dna = ss.random_dna(net.spec, seed)
        standalone = net.extract(dna).eval()
        # the same architecture as NAS-A's ConvNet candidate, parameter for parameter
        assert num_parameters(standalone) == num_parameters(ss.materialize(space, dna))
        with torch.no_grad():
            assert torch.allclose(net(X, dna), standalone(X), atol=1e-5)
