"""The transformer space over the byte-level LM: per-layer shapes, depth, build, evaluate."""
import pytest

import symsearch as ss
from symsearch.spaces.nas_lm import LayerShape, TransformerLM, describe, lm_space


def test_depth_branches_have_their_own_layer_decisions():
    space = lm_space(depths=(1, 3))
    spec = ss.dna_spec(space)
    names = {d.name for d in spec.decisions}
    assert {"depth", "d_model", "depth3_layer2_heads", "depth1_layer0_activation"} <= names
    for arch in ss.random_sample(space, 10, seed=0):
        assert len(arch.layers) in (1, 3) and all(isinstance(l, LayerShape) for l in arch.layers)
        assert describe(arch).startswith(f"d_model={arch.d_model} |")


def test_parameter_count_matches_the_module_and_the_forward_pass_works():
    torch = pytest.importorskip("torch")
    arch = TransformerLM(layers=[LayerShape(n_heads=2, head_dim=8, mlp_ratio=2.0),
                                 LayerShape(n_heads=1, head_dim=16, mlp_ratio=1.0,
                                            activation="relu")], d_model=24, context=16)
    model = arch.build()
    assert arch.num_parameters() == sum(p.numel() for p in model.parameters())
    assert model(torch.zeros(3, 16, dtype=torch.long)).shape == (3, 16, 256)
    with pytest.raises(ValueError, match="exceed the model's context of 16"):
        model(torch.zeros(1, 17, dtype=torch.long))


def test_evaluate_trains_and_reports_perplexity():
    pytest.importorskip("torch")
    from symsearch.spaces.nas_lm import evaluate
    arch = TransformerLM(layers=[LayerShape(n_heads=1, head_dim=8, mlp_ratio=1.0)], d_model=16,
                         context=16)
    out = evaluate(arch, steps=3, batch_size=4, train_bytes=40_000, eval_sequences=4,
                   device="cpu")
    assert 1.0 < out["valid_ppl"] < 400 and out["params"] == arch.num_parameters()
    with pytest.raises(ValueError, match="steps must be a positive int"):
        evaluate(arch, steps=0)


def test_bad_shapes_name_the_field():
    with pytest.raises(ValueError, match="LayerShape.n_heads must be a positive int, got 0"):
        LayerShape(n_heads=0)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        LayerShape(activation="swish")
    with pytest.raises(ValueError, match="at least one LayerShape"):
        TransformerLM(layers=[])
    with pytest.raises(ValueError, match="lm_space depths must be positive ints"):
        lm_space(depths=())
