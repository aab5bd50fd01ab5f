"""The tiny-LM transformer space's supernet: derived from lm_space with the same choice
points, each path the standalone ``arch.build()`` network with inherited weights, blocks
shared across depths, one-shot training lowering inherited loss."""
import pytest

torch = pytest.importorskip("torch")

import symsearch as ss  # noqa: E402
from symsearch.evaluators.weight_sharing import WeightSharingError, supernet  # noqa: E402
from symsearch.evaluators.weight_sharing.lm_model import lm_network  # noqa: E402
from symsearch.spaces.nas_lm import lm_space  # noqa: E402


@pytest.fixture(autouse=True)
def one_thread():
    from symsearch.evaluators.weight_sharing.one_shot import torch_threads
    with torch_threads(1):
        yield


def _space():
    return lm_space(d_models=(16, 32), depths=(1, 2, 3), heads=(1, 2), head_dims=(4, 8),
                    mlp_ratios=(1.0, 2.0), activations=("gelu", "relu"), context=16)


TOKENS = torch.randint(0, 256, (3, 16), generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_path_is_the_standalone_transformer_with_inherited_weights(seed):
    space = _space()
    torch.manual_seed(0)
    net = supernet(space, lm_network, example_input=TOKENS, device="cpu")
    dna = ss.random_dna(net.spec, seed)
    arch = ss.materialize(space, dna)
    extracted = net.extract(dna)
    assert sum(p.numel() for p in extracted.parameters()) == arch.num_parameters()
    reference = arch.build()                       # nas_lm_torch's SearchedLM
    reference.load_state_dict(extracted.state_dict())
    with torch.no_grad():
        assert torch.allclose(net(TOKENS, dna), reference(TOKENS), atol=1e-5)


def test_depths_share_their_blocks_and_widths_are_prefixes():
    net = supernet(_space(), lm_network, device="cpu")
    stacks = net.model.blocks.choices                 # one stack per depth
    assert [len(s) for s in stacks] == [1, 2, 3]
    assert stacks[0][0].q.weight is stacks[2][0].q.weight
    assert stacks[1][1].fc1.weight is stacks[2][1].fc1.weight
    # the widest shape: d_model 32, 2 heads x 8, MLP ratio 2
    assert tuple(stacks[0][0].q.weight.shape) == (16, 32)
    assert tuple(stacks[0][0].fc1.weight.shape) == (64, 32)
    assert net.model.embed.weight.shape == (256, 32)
    # every per-layer decision and d_model and the depth are read by the model
    assert len(net.shared) == len(net.spec.decisions)


def test_one_shot_training_lowers_inherited_loss():
    from symsearch.evaluators.weight_sharing.lm_one_shot import LMSupernetEvaluator
    space = lm_space(d_models=(16, 32), depths=(1, 2), heads=(1, 2), head_dims=(8,),
                     mlp_ratios=(1.0,), activations=("gelu",), context=16)
    untrained = LMSupernetEvaluator(space, warmup_steps=0, train_bytes=40_000,
                                    eval_sequences=8, device="cpu")
    trained = LMSupernetEvaluator(space, warmup_steps=60, lr=1e-2, train_bytes=40_000,
                                  eval_sequences=8, device="cpu")
    import random
    paths = [trained.net.sample(random.Random(k)) for k in range(4)]
    before, after = untrained.losses(paths), trained.losses(paths)
    assert max(after) < min(before) - 1.0             # ln 256 = 5.5 untrained
    metrics = trained(paths[0])
    assert metrics["supernet_steps"] == 60 and metrics["valid_loss"] == pytest.approx(after[0])


def test_a_conditional_decision_cannot_be_split_on():
    from symsearch.evaluators.weight_sharing.few_shot import split_decision
    net = supernet(_space(), lm_network, device="cpu")
    with pytest.raises(WeightSharingError, match="'depth2_layer0_heads'.*conditional"):
        split_decision(net, "depth2_layer0_heads")
    assert split_decision(net, "d_model").name == "d_model"
