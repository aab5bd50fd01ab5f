"""Symbolic classes and search spaces shared by the hyper/ and geno/ tests."""
from __future__ import annotations

import random
from typing import Any

import symsearch as ss


class Conv(ss.Object):
    width: int = 16
    act: str = "relu"


class Pool(ss.Object):
    size: int = 2
    kind: str = "max"


class Block(ss.Object):
    op: Any = None
    repeats: int = 1


class Net(ss.Object):
    blocks: list = []
    lr: float = 1e-3
    head: Any = None


def step_mutator(value: int, rng: random.Random) -> int:
    """A module-level (so serializable) mutator for evolve decisions."""
    return value + rng.choice([-1, 1])


ss.allow(step_mutator)


def conditional_space() -> Any:
    """Conditionals three levels deep, a manyof whose candidates hold hyper-values, a
    permutation, log-scale numerics and a tuple constant (no evolve: vector-encodable)."""
    return Net(
        blocks=ss.manyof(2, [
            Block(op=ss.oneof([
                Conv(width=ss.intv(8, 64, step=8), act=ss.oneof(["relu", "gelu"])),
                Pool(size=ss.intv(2, 3)),
            ]), repeats=ss.intv(1, 3)),
            "skip",
            Pool(size=2, kind=ss.oneof(["max", "avg"])),
        ], distinct=False, name="blocks"),
        lr=ss.floatv(1e-5, 1e-1, scale="log", name="lr"),
        head=ss.Dict(
            kind=ss.oneof([
                "linear",
                ss.Dict(hidden=ss.oneof([
                    ss.intv(16, 256, step=16, scale="log"),
                    (64, ss.floatv(0.0, 0.5)),
                ]), dropout=ss.floatv(0.0, 0.9)),
            ], name="head_kind"),
            order=ss.permutate(["a", "b", "c"]),
            tag=("fixed", ss.Dict(x=[1, 2])),
        ),
    )


def finite_space() -> Any:
    """A finite conditional space (choices and ints only) with manyof children."""
    return ss.Dict(
        act=ss.oneof(["relu", ss.Dict(name="leaky", slope=ss.oneof([1, 2, 3]))]),
        width=ss.intv(1, 7, step=2),
        ops=ss.manyof(2, [Pool(size=ss.intv(2, 3)), "skip", "id"], distinct=True),
        opt=ss.oneof([
            ss.Dict(name="sgd", momentum=ss.oneof([0.0, 0.9])),
            ss.Dict(name="adam", beta=ss.oneof([ss.oneof([0.9, 0.99]), 0.5])),
        ]),
    )


def contains_hyper(value: Any) -> bool:
    """Whether any hyper-value is left anywhere in ``value``."""
    found = []
    ss.symbolic.walk(value, lambda path, v: found.append(path)
                     if isinstance(v, ss.HyperValue) else None)
    return bool(found)
