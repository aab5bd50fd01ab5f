"""Search spaces shared by the algorithm tests."""
from __future__ import annotations

import math
import random
from typing import Any

import symsearch as ss

#: Every call of :func:`counting_mutator`, as ``(value, new_value)``.
MUTATOR_CALLS: list = []


def counting_mutator(value: int, rng: random.Random) -> int:
    """An evolve mutator that records its calls (module-level, so serializable)."""
    new = value + rng.choice([-1, 1])
    MUTATOR_CALLS.append((value, new))
    return new


ss.allow(counting_mutator)


def every_kind_space() -> Any:
    """A conditional space with every hyper-value kind: nested oneofs, manyof distinct
    (unsorted, with conditional candidates), manyof sorted (distinct and not), floatv
    linear and log, intv with a step and on a log scale, evolve, permutate."""
    return ss.Dict(
        model=ss.oneof([
            ss.Dict(kind="mlp", width=ss.intv(16, 256, step=16),
                    act=ss.oneof(["relu", ss.Dict(name="leaky", slope=ss.floatv(0.01, 0.3))])),
            ss.Dict(kind="cnn", channels=ss.intv(4, 512, scale="log"),
                    ops=ss.manyof(2, ["conv", ss.Dict(pool=ss.intv(2, 4)), "skip",
                                      ss.Dict(dil=ss.oneof([1, 2, ss.Dict(r=ss.floatv(0, 1))]))],
                                  distinct=True, sorted=False)),
            "linear",
        ], name="model"),
        aug=ss.manyof(3, ["flip", "crop", ss.Dict(noise=ss.floatv(0.0, 1.0)), "cutout", "mixup"],
                      distinct=True, sorted=True, name="aug"),
        bag=ss.manyof(3, ["a", ss.Dict(b=ss.intv(0, 9)), "c"], distinct=False, sorted=True),
        lr=ss.floatv(1e-5, 1e-1, scale="log", name="lr"),
        momentum=ss.floatv(0.0, 0.99),
        batch=ss.intv(8, 512, step=8, scale="log"),
        depth=ss.evolve(3, counting_mutator, name="depth"),
        order=ss.permutate(["x", "y", "z", "w"]),
        fixed=ss.intv(7, 7),
    )


def sphere_space() -> Any:
    """Ten dimensions: six linear floats, two ints (one stepped), a oneof, a log float."""
    return ss.Dict(
        **{f"x{i}": ss.floatv(-5.0, 5.0) for i in range(6)},
        n0=ss.intv(-10, 10), n1=ss.intv(-20, 20, step=2),
        c=ss.oneof([-2, -1, 0, 1, 2]),
        lr=ss.floatv(1e-4, 1.0, scale="log"),
    )


def sphere_loss(c) -> dict:
    """A sphere-like loss over :func:`sphere_space`, 0 at the optimum, each term in [0, 1]."""
    v = sum(c[f"x{i}"] ** 2 for i in range(6)) / 25
    v += (c["n0"] / 10) ** 2 + (c["n1"] / 20) ** 2 + (c["c"] / 2) ** 2
    v += ((math.log10(c["lr"]) + 2) / 2) ** 2
    return {"loss": v}
