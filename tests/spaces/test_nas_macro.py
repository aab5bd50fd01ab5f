"""The macro space: a symbolized nn.Module whose every candidate is a working network."""
import pytest

torch = pytest.importorskip("torch")

import symsearch as ss  # noqa: E402
from symsearch.spaces.nas_macro import ConvNet, Stage, macro_space, num_parameters  # noqa: E402


def test_every_candidate_is_a_working_module_of_its_description():
    torch.manual_seed(0)
    space = macro_space(num_classes=7, in_channels=1, num_stages=2, widths=(8, 12, 16), max_depth=2)
    spec = ss.dna_spec(space)
    assert spec["stage1_depth"].kind == "int" and spec["activation"].num_candidates == 4
    sizes = set()
    for net in ss.random_sample(space, 4, seed=0):
        assert isinstance(net, torch.nn.Module) and isinstance(net, ConvNet)
        assert net(torch.randn(2, 1, 16, 16)).shape == (2, 7)
        depth = sum(stage.depth for stage in net.sym_init_args["stages"])
        assert len(net.blocks) == depth
        sizes.add(num_parameters(net))
    assert len(sizes) == 4                                   # the choices change the network


def test_user_model_class_marked_and_searched():
    class_space = ConvNet(stages=[Stage(width=ss.oneof([8, 16]), depth=ss.intv(1, 2),
                                        stride=1)],
                          stem_width=8, activation=ss.oneof(["relu", "gelu"]), num_classes=3)
    result = ss.search(class_space, lambda net: {"params": num_parameters(net)},
                       objective="min:params", algorithm="grid", seed=0)
    assert len(result.trials) == 2 * 2 * 2
    best = result.best.value
    assert best.sym_get("stages[0].width") == 8 and best.sym_get("stages[0].depth") == 1
    assert ss.eq(ss.from_json(ss.to_json(best)), best)     # the description round-trips


def test_bad_descriptions_name_the_field():
    with pytest.raises(ValueError, match="Stage.kernel must be a positive odd int, got 4"):
        Stage(kernel=4)
    with pytest.raises(ValueError, match="Stage.depth must be a positive int, got 0"):
        Stage(depth=0)
    with pytest.raises(ValueError, match="unknown activation 'tanhh'"):
        ConvNet(activation="tanhh")
    with pytest.raises(ValueError, match="num_stages must be a positive int"):
        macro_space(num_stages=0)
