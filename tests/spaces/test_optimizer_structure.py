"""lion_like: which updates take the sign of an interpolation of momentum and gradient."""
from symsearch.spaces import optimizers as opt
from symsearch.spaces.optimizer_structure import lion_like


def program(*statements):
    return opt._program(list(statements))


def test_known_programs():
    assert lion_like(opt.lion()).startswith("yes")
    assert "Signum" not in lion_like(opt.lion())      # beta1 != beta2: c is not the new m
    assert lion_like(opt.c_lion()).startswith("yes")
    for name in ("sgd", "sgd_momentum", "adamw"):
        assert lion_like(opt.KNOWN_PROGRAMS[name]()).startswith("no")


def test_sign_of_the_new_momentum_through_a_global_norm_clip_is_signum():
    # the optimizer_budget search's seed-2 winner: sign(clip(0.52 m + g)) = sign(new m)
    found = program(("m", "mul", "m", 0.52), ("m", "add", "g", "m"),
                    ("t0", "clip_by_global_norm", "m", "lr"), ("update", "mul", "t0", 0.96),
                    ("update", "sign", "update"), ("update", "mul", "update", 0.01))
    answer = lion_like(found)
    assert answer.startswith("yes") and "Signum" in answer


def test_rescaling_by_lr_keeps_the_mix():
    found = program(("m", "mul", "m", 0.9), ("m", "add", "g", "m"),
                    ("t0", "mul", "lr", "m"), ("update", "sign", "t0"))
    assert lion_like(found).startswith("yes")


def test_a_vector_factor_or_the_gradient_alone_is_not_an_interpolation():
    by_weights = program(("m", "mul", "m", 0.9), ("m", "add", "g", "m"),
                         ("t0", "mul", "m", "w"), ("update", "sign", "t0"))
    assert lion_like(by_weights).startswith("partly")
    clipped_gradient = program(("t0", "clip_by_global_norm", "g", "lr"),
                               ("update", "sign", "t0"), ("m", "add", "g", "m"))
    assert lion_like(clipped_gradient).startswith("partly")
    sign_descent = program(("update", "sign", "g"), ("update", "mul", "update", 0.98))
    assert lion_like(sign_descent).startswith("partly")


def test_interpolation_signed_before_the_momentum_is_written_is_plain_lion():
    # c = interp(g, m, 0.9) signed, m written afterwards with the same beta: Lion's shape,
    # the signed value is not the written momentum statement
    lion_same_beta = program(("t0", "interp", "g", "m", 0.9), ("t0", "sign", "t0"),
                             ("update", "mul", "t0", "lr"), ("m", "interp", "g", "m", 0.9))
    answer = lion_like(lion_same_beta)
    assert answer.startswith("yes") and "Signum" not in answer
