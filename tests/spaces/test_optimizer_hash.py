"""The unrolled functional hash of optimizer programs: equal updates hash equal, others not."""
import subprocess
import sys

import pytest

from symsearch.cache import EvalCache
from symsearch.programs import Const, Program, Statement
from symsearch.spaces.optimizer_hash import optimizer_hasher

INPUTS = ["w", "g", "m", "v", "lr"]
OUTPUTS = ["update", "m", "v"]


def program(*statements):
    return Program(INPUTS, [Statement(t, op, list(args)) for t, op, *args in
                            [(s[0], s[1], *s[2:]) for s in statements]], OUTPUTS)


def momentum_sign(beta=0.9, scale=0.1):
    return program(("m", "mul", "m", Const(beta)), ("t", "mul", "g", Const(scale)),
                   ("m", "add", "m", "t"), ("s", "sign", "m"), ("update", "mul", "s", "lr"))


@pytest.fixture(scope="module")
def hasher():
    return optimizer_hasher()


def test_rewritten_programs_that_make_the_same_updates_hash_equal(hasher):
    via_division = program(("m", "mul", "m", Const(0.9)), ("t", "mul", "g", Const(0.1)),
                           ("m", "add", "t", "m"), ("q", "square", "m"), ("r", "sqrt", "q"),
                           ("s", "div", "m", "r"), ("dead", "exp", "w"),
                           ("update", "mul", "lr", "s"))
    assert hasher.hash(momentum_sign()) == hasher.hash(via_division)
    reordered = program(("t", "mul", "g", Const(0.1)), ("m", "mul", "m", Const(0.9)),
                        ("m", "add", "t", "m"), ("s", "sign", "m"),
                        ("update", "mul", "lr", "s"))
    assert hasher.hash(momentum_sign()) == hasher.hash(reordered)


def test_probes_from_random_states_tell_apart_what_zero_states_cannot(hasher):
    # From m = 0, sign(0.9 m + 0.1 g) and sign(0.9 m + g) make the same updates, but not
    # from the states a long run reaches; half of the probe cases start from such states.
    assert hasher.hash(momentum_sign()) != hasher.hash(momentum_sign(scale=1.0))
    # v = interp(g², v, 0.999) stays below 1 for a few steps from 0, where arccosh(v) = 0
    def divide_by(*denominator):
        return program(("t", "square", "g"), ("v", "interp", "t", "v", Const(0.999)),
                       ("r", *denominator), ("u", "div", "g", "r"),
                       ("update", "mul", "u", "lr"))
    assert hasher.hash(divide_by("arccosh", "v")) != hasher.hash(divide_by("mul", "v", Const(0.0)))


def test_unused_state_does_not_change_the_hash_but_used_state_does(hasher):
    sgd = program(("update", "mul", "g", "lr"))
    sgd_with_junk_state = program(("v", "add", "v", "g"), ("m", "exp", "w"),
                                  ("update", "mul", "g", "lr"))
    assert hasher.hash(sgd) == hasher.hash(sgd_with_junk_state)
    assert hasher.hash(momentum_sign(beta=0.9)) != hasher.hash(momentum_sign(beta=0.8))
    # the first update of plain momentum equals SGD's; later steps differ (state feeds back)
    momentum = program(("m", "mul", "m", Const(0.9)), ("m", "add", "m", "g"),
                       ("update", "mul", "m", "lr"))
    assert hasher.hash(momentum) != hasher.hash(sgd)


def test_weight_decay_is_seen_through_the_feedback_of_w(hasher):
    decayed = program(("d", "mul", "w", Const(0.01)), ("u", "add", "g", "d"),
                      ("update", "mul", "u", "lr"))
    assert hasher.hash(decayed) != hasher.hash(program(("update", "mul", "g", "lr")))


def test_non_optimizer_candidates_are_rejected_clearly(hasher):
    wrong = Program(["x"], [Statement("y", "neg", ["x"])], ["y"])
    with pytest.raises(ValueError, match="optimizer program reads"):
        hasher.hash(wrong)
    with pytest.raises(TypeError, match="optimizer Programs"):
        hasher.hash(lambda x: x)
    with pytest.raises(ValueError, match="steps"):
        optimizer_hasher(steps=0)


def test_eval_cache_skips_an_equivalent_program():
    cache = EvalCache(mode="functional", hasher=optimizer_hasher())
    first = cache.lookup(momentum_sign())
    assert not first.hit
    cache.record(first.key, {"fitness": 0.5}, eval_time=0.1)
    second = cache.lookup(program(("m", "mul", Const(0.9), "m"), ("t", "mul", "g", Const(0.1)),
                                  ("m", "add", "t", "m"), ("dead", "exp", "v"),
                                  ("s", "sign", "m"), ("update", "mul", "s", "lr")))
    assert second.hit and second.metrics == {"fitness": 0.5}


def test_hash_is_the_same_in_another_process(hasher):
    code = ("from symsearch.programs import Const\n"
            "from tests.spaces.test_optimizer_hash import momentum_sign\n"
            "from symsearch.spaces.optimizer_hash import optimizer_hasher\n"
            "print(optimizer_hasher().hash(momentum_sign()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == hasher.hash(momentum_sign())
