"""Symbolic classes shared by the symbolic tests.

They live in an importable module (not inside test functions) so that their registered
names are the same in every process: the cross-process hash test imports this module in
fresh interpreters and compares hashes.
"""
from typing import Annotated, Literal, Optional, Union

import numpy as np

import symsearch as ss


class Adam(ss.Object):
    lr: float = 1e-3
    beta1: Annotated[float, ss.Range(0, 1)] = 0.9


class SGD(ss.Object):
    lr: float = 0.1
    momentum: Annotated[float, ss.Range(0.0, 1.0)] = 0.0


class Block(ss.Object):
    width: int
    activation: Literal["relu", "gelu"] = "relu"


class Model(ss.Object):
    blocks: list
    dropout: Annotated[float, ss.Range(0, 1)] = 0.0


class Trainer(ss.Object):
    model: Model
    optimizer: Union[Adam, SGD]
    epochs: int = 3
    name: Optional[str] = None
    tags: dict = {}


@ss.symbolize
def train(model, lr: float = 1e-3, epochs: int = 5) -> dict:
    return {"model": model, "lr": lr, "epochs": epochs}


@ss.symbolize
class Conv:
    """A plain class made symbolic: its __init__ arguments are the fields."""

    init_calls = 0  # counts __init__ runs, across instances

    def __init__(self, channels: int, kernel: int = 3, padding: str = "same"):
        type(self).init_calls += 1
        self.channels = channels
        self.kernel = kernel
        self.padding = padding
        self.built_with = (channels, kernel, padding)


def double(x):
    return 2 * x


def make_trainer(width: int = 8) -> Trainer:
    """The nested object hashed in-process and in subprocesses."""
    return Trainer(
        model=Model(blocks=[Block(width), Block(width * 2, activation="gelu")], dropout=0.25),
        optimizer=Adam(lr=0.01),
        epochs=7,
        name="baseline",
        tags={
            "team": "automl", "seeds": (1, 2, 3), "ratio": 1.0, "extra": None,
            "labels": {"beta", "alpha", "gamma"},  # set order varies with PYTHONHASHSEED
            "fn": double, "scale": lambda x: x * 3,
            "weights": np.arange(4, dtype=np.float32), "job": train(model="mlp", lr=0.5),
        },
    )
