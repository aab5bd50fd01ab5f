"""A hyper-parameter space for a small PyTorch MLP on the bundled digits data set.

The candidate is a :class:`DigitsMLP` description (hidden sizes, activation, dropout,
optimizer, learning rate, weight decay, batch size); the trainer that scores it, epoch by
epoch with intermediate reports for early stopping, is
:func:`symsearch.evaluators.digits_mlp.evaluate`.

>>> import symsearch as ss
>>> candidate = ss.random_sample(space, 1, seed=0)[0]
>>> type(candidate).__name__, isinstance(candidate.hidden, tuple)
('DigitsMLP', True)

From an experiment file: ``space: symsearch.spaces.digits_mlp:space``.
"""
from __future__ import annotations

import symsearch as ss

HIDDEN_SIZES = ((32,), (64,), (128,), (256,), (64, 64), (128, 64), (256, 128), (128, 128, 64))
ACTIVATIONS = ("relu", "tanh", "gelu")
OPTIMIZERS = ("adam", "sgd")
BATCH_SIZES = (16, 32, 64, 128)


class DigitsMLP(ss.Object):
    """A multi-layer perceptron and how to train it.

    ``hidden``: the widths of the hidden layers; ``optimizer``: ``"adam"`` or ``"sgd"``
    (momentum 0.9); ``weight_decay``: L2 strength given to the optimizer.
    """

    hidden: tuple = (128,)
    activation: str = "relu"
    dropout: float = 0.0
    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    batch_size: int = 32


def make_space() -> DigitsMLP:
    """Hidden sizes (8 choices of 1-3 layers), activation, dropout in [0, 0.5], optimizer,
    learning rate log in [1e-4, 0.3], weight decay log in [1e-6, 1e-2], batch size."""
    return DigitsMLP(hidden=ss.oneof(list(HIDDEN_SIZES)),
                     activation=ss.oneof(list(ACTIVATIONS)),
                     dropout=ss.floatv(0.0, 0.5),
                     optimizer=ss.oneof(list(OPTIMIZERS)),
                     lr=ss.floatv(1e-4, 0.3, scale="log"),
                     weight_decay=ss.floatv(1e-6, 1e-2, scale="log"),
                     batch_size=ss.oneof(list(BATCH_SIZES)))


space = make_space()
