"""The optimizer proxy tasks: what each trains, on which data, for how long, at which lr.

A task is a frozen dataclass (:class:`MLPTask` or :class:`FunctionTask`); ``instance(task,
seed)`` builds (once per process, cached) the arrays a training loop needs for one seed:
initial parameters, minibatch indices, gradient noise, and the loss at the initial parameters
(the normalization reference). Data sets come from scikit-learn's bundled or generated data,
never a download, and are loaded and standardized once per process.

>>> inst = instance(PROXY_TASKS[0], seed=0)
>>> inst.w0.shape, inst.batches.shape
((650,), (150, 32))
"""
from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from symsearch.evaluators import _optimizer_kernels as kernels


@dataclass(frozen=True)
class MLPTask:
    """An MLP (``hidden=()``: logistic/linear regression) trained with minibatches.

    ``dataset`` names a loader in :data:`DATASETS`; ``loss`` is ``"ce"`` (softmax
    cross-entropy, validation cross-entropy is the loss) or ``"mse"``.
    """

    name: str
    dataset: str
    hidden: Tuple[int, ...]
    batch_size: int
    steps: int
    lr: float
    activation: str = "tanh"
    loss: str = "ce"


@dataclass(frozen=True)
class FunctionTask:
    """A test function minimised from a seeded start with seeded gradient noise.

    ``function`` is ``"quadratic"`` (eigenvalues log-spaced from 1 to ``condition`` in a random
    basis, a random optimum, both drawn from ``problem_seed + seed``) or ``"rosenbrock"``
    (start near (-1.2, 1, -1.2, 1, ...)). ``rotate=False`` keeps the quadratic's eigenvectors
    on the axes (eigenvalues in a random order): curvature then differs per coordinate, the
    case per-coordinate step sizes (Adam, sign methods) are made for. ``noise_kind`` is
    ``"gaussian"`` or ``"student_t"`` (heavy tails: Student's t with ``noise_df`` degrees of
    freedom, scaled by ``noise``). ``equal_energy=True`` starts the quadratic with the same
    initial loss along every eigenvector (the start's offset along eigenvector i scales as
    1/sqrt(λ_i)), so the flat directions hold most of the distance to go and the normalized
    loss measures progress along them; otherwise the offset is isotropic and the steep
    directions dominate the start's loss.
    """

    name: str
    function: str
    dim: int
    steps: int
    lr: float
    condition: float = 1e3
    noise: float = 0.0
    problem_seed: int = 0
    rotate: bool = True
    noise_kind: str = "gaussian"
    noise_df: float = 2.0
    equal_energy: bool = False


#: The proxy tier that selection sees. One evaluation of all four on one seed takes tens of
#: milliseconds with Numba.
PROXY_TASKS = (
    MLPTask("logreg_digits", "digits", (), batch_size=32, steps=150, lr=0.01),
    MLPTask("mlp_digits", "digits", (16,), batch_size=32, steps=150, lr=0.01,
            activation="relu"),
    FunctionTask("quadratic", "quadratic", dim=30, steps=300, lr=0.02, condition=1e3,
                 noise=0.1),
    FunctionTask("rosenbrock", "rosenbrock", dim=4, steps=500, lr=0.01),
)

#: The tier a promising program is promoted to: about 20x the proxy's compute, wider and
#: deeper MLPs on generated data, more steps.
LARGE_TASKS = (
    MLPTask("logreg_classification", "classification", (), batch_size=64, steps=500,
            lr=0.01),
    MLPTask("mlp_classification", "classification", (64, 32), batch_size=64, steps=600,
            lr=0.01, activation="relu"),
    MLPTask("deep_mlp_classification", "classification", (32, 32, 32), batch_size=64,
            steps=600, lr=0.01, activation="relu"),
    FunctionTask("quadratic_large", "quadratic", dim=200, steps=1000, lr=0.02,
                 condition=1e4, noise=0.1, problem_seed=500),
    FunctionTask("rosenbrock_large", "rosenbrock", dim=10, steps=2000, lr=0.01),
)

#: Tasks selection never sees, to measure generalization.
HELDOUT_TASKS = (
    MLPTask("mlp_breast_cancer", "breast_cancer", (16,), batch_size=32, steps=150, lr=0.01),
    MLPTask("mlp_wine", "wine", (16,), batch_size=16, steps=150, lr=0.01),
    MLPTask("teacher_student", "teacher_student", (32,), batch_size=32, steps=200, lr=0.01,
            loss="mse"),
    FunctionTask("quadratic_new_seeds", "quadratic", dim=40, steps=200, lr=0.02,
                 condition=1e3, noise=0.1, problem_seed=1000),
    MLPTask("mlp_digits_batch256", "digits", (16,), batch_size=256, steps=150, lr=0.01,
            activation="relu"),
)

TIERS = {"proxy": PROXY_TASKS, "large": LARGE_TASKS, "heldout": HELDOUT_TASKS}


# ---- data --------------------------------------------------------------------------------------

def _split_standardize(x, y, val_fraction: float, n_classes: int, seed: int = 0,
                       standardize: bool = True) -> tuple:
    """Fixed stratified split, features standardized with the train statistics (unless
    ``standardize`` is False), one-hot or 2-D float targets."""
    from sklearn.model_selection import train_test_split
    stratify = y if n_classes else None
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=val_fraction, stratify=stratify, random_state=seed)
    mean = x_train.mean(axis=0) if standardize else np.zeros(x_train.shape[1])
    std = x_train.std(axis=0) if standardize else np.ones(x_train.shape[1])
    std = np.where(std > 0, std, 1.0)
    x_train = (x_train - mean) / std
    x_val = (x_val - mean) / std
    if n_classes:
        eye = np.eye(n_classes)
        y_train, y_val = eye[y_train], eye[y_val]
    return tuple(np.ascontiguousarray(a, dtype=np.float64)
                 for a in (x_train, y_train, x_val, y_val))


def _teacher_student(n: int = 2000, d_in: int = 20, hidden: int = 64, d_out: int = 5):
    rng = np.random.default_rng(12345)
    x = rng.standard_normal((n, d_in))
    w1 = rng.standard_normal((d_in, hidden)) / np.sqrt(d_in)
    w2 = rng.standard_normal((hidden, d_out)) / np.sqrt(hidden)
    y = np.tanh(x @ w1) @ w2 + 0.05 * rng.standard_normal((n, d_out))
    return x, y


@functools.lru_cache(maxsize=None)
def load_dataset(name: str) -> tuple:
    """``(x_train, t_train, x_val, t_val)`` float64 for a data set name; cached per process."""
    from sklearn import datasets
    if name == "digits":
        x, y = datasets.load_digits(return_X_y=True)
        return _split_standardize(x, y, 0.3, 10)
    if name == "breast_cancer":
        x, y = datasets.load_breast_cancer(return_X_y=True)
        return _split_standardize(x, y, 0.3, 2)
    if name == "wine":
        x, y = datasets.load_wine(return_X_y=True)
        return _split_standardize(x, y, 0.3, 3)
    if name == "classification_new":
        # the same generator with a new seed: a held-out problem of the same kind
        x, y = datasets.make_classification(
            n_samples=20000, n_features=40, n_informative=24, n_redundant=8, n_classes=10,
            n_clusters_per_class=2, class_sep=1.5, random_state=1)
        return _split_standardize(x, y, 0.25, 10)
    if name == "classification":
        # 20,000 samples: in 600 steps of 64 the large tier's MLPs see each of the 15,000
        # training samples about 2.5 times, so their validation loss measures optimization
        # more than over-fitting (with 4,000 samples it ranked programs by how much they
        # over-fitted, which the proxy and held-out tasks disagreed with)
        x, y = datasets.make_classification(
            n_samples=20000, n_features=40, n_informative=24, n_redundant=8, n_classes=10,
            n_clusters_per_class=2, class_sep=1.5, random_state=0)
        return _split_standardize(x, y, 0.25, 10)
    if name == "teacher_student":
        x, y = _teacher_student()
        return _split_standardize(x, y, 0.25, 0)
    base, scaled, decades = name.rpartition("_scaled")
    if scaled and base and (decades == "" or decades.isdigit()):
        return _rescaled(load_dataset(base), name, float(decades or 1))
    if name.startswith("sparse"):
        x, y = _sparse_features(name)
        return _split_standardize(x, y, 0.25, 5, standardize=False)
    raise KeyError(f"unknown data set {name!r}; known: digits, breast_cancer, wine, "
                   f"classification, classification_new, teacher_student, sparse, sparse_wide, "
                   f"and any of "
                   f"these + '_scaled'")


def _rescaled(data: tuple, name: str, decades: float = 1.0) -> tuple:
    """A standardized data set with every input feature multiplied by 10^U(-d, d) (fixed per
    name; ``<data set>_scaled`` has d = 1, ``<data set>_scaled2`` d = 2): the first layer's
    gradient scale and curvature then differ across parameters by up to 10^(4 d), as with
    unnormalized inputs."""
    x_train, t_train, x_val, t_val = data
    rng = np.random.default_rng([zlib.crc32(name.encode()), 11])
    scale = 10.0 ** rng.uniform(-decades, decades, x_train.shape[1])
    return (np.ascontiguousarray(x_train * scale), t_train, np.ascontiguousarray(x_val * scale),
            t_val)


def _sparse_features(name: str) -> tuple:
    """Binary features with Zipf-distributed frequencies (feature j present with probability
    0.5 / (j + 1)^0.8, or ^1.2 over 500 features for ``sparse_wide``) and 5 classes from a linear teacher on them: rare features give rare,
    small gradients, the case where per-coordinate step sizes help most (Duchi et al.)."""
    n, d, power = {"sparse": (4000, 200, 0.8), "sparse_wide": (4000, 500, 1.2)}[name]
    rng = np.random.default_rng([zlib.crc32(name.encode()), 5])
    frequency = 0.5 / (np.arange(d) + 1.0) ** power
    x = (rng.random((n, d)) < frequency).astype(np.float64)
    teacher = rng.standard_normal((d, 5)) * 3.0
    logits = x @ teacher + rng.gumbel(size=(n, 5))
    return x, np.argmax(logits, axis=1)


# ---- one seed's arrays -------------------------------------------------------------------------

@dataclass(frozen=True)
class MLPInstance:
    w0: np.ndarray
    sizes: np.ndarray
    weight_offsets: np.ndarray
    activation: int
    loss_kind: int
    batches: np.ndarray
    data: tuple


@dataclass(frozen=True)
class FunctionInstance:
    w0: np.ndarray
    kind: int
    hessian: np.ndarray
    optimum: np.ndarray
    noise: np.ndarray


def _rng(task, seed: int, stream: int) -> np.random.Generator:
    """A generator that depends only on the task's name, the seed and the stream."""
    return np.random.default_rng([zlib.crc32(task.name.encode()), int(seed), stream])


def _mlp_instance(task: MLPTask, seed: int) -> MLPInstance:
    x_train, t_train, _, _ = data = load_dataset(task.dataset)
    sizes = np.array((x_train.shape[1],) + tuple(task.hidden) + (t_train.shape[1],),
                     dtype=np.int64)
    rng = _rng(task, seed, 0)
    params, offsets = [], []
    position = 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (n_in + n_out))                   # Glorot uniform
        params += [rng.uniform(-limit, limit, n_in * n_out), np.zeros(n_out)]
        offsets.append(position)
        position += n_in * n_out + n_out
    n_train = x_train.shape[0]
    batch = min(task.batch_size, n_train)
    per_epoch = n_train // batch
    epochs = -(-task.steps // per_epoch)
    order = np.concatenate([rng.permutation(n_train)[:per_epoch * batch]
                            for _ in range(epochs)])
    batches = np.ascontiguousarray(order[:task.steps * batch].reshape(task.steps, batch),
                                   dtype=np.int64)
    return MLPInstance(np.concatenate(params), sizes, np.array(offsets, dtype=np.int64),
                       {"tanh": 0, "relu": 1}[task.activation], {"ce": 0, "mse": 1}[task.loss],
                       batches, data)


def _function_instance(task: FunctionTask, seed: int) -> FunctionInstance:
    rng = _rng(task, seed, 0)
    dim = task.dim
    if task.function == "quadratic":
        problem = np.random.default_rng([task.problem_seed, int(seed), 7])
        basis, _ = np.linalg.qr(problem.standard_normal((dim, dim)))
        eigenvalues = np.logspace(0.0, np.log10(task.condition), dim)
        if not task.rotate:
            basis = np.eye(dim)
            eigenvalues = problem.permutation(eigenvalues)
        hessian = (basis * eigenvalues) @ basis.T
        hessian = 0.5 * (hessian + hessian.T)
        optimum = problem.standard_normal(dim)
        offset = rng.standard_normal(dim)
        if task.equal_energy:
            offset = basis @ (offset * np.sqrt(eigenvalues.mean() / eigenvalues)) / \
                np.sqrt(eigenvalues.mean() / eigenvalues).mean()
        w0 = optimum + offset
        kind = 0
    elif task.function == "rosenbrock":
        hessian = np.zeros((1, 1))
        optimum = np.ones(dim)
        start = np.tile([-1.2, 1.0], -(-dim // 2))[:dim]
        w0 = start + 0.1 * rng.standard_normal(dim)
        kind = 1
    else:
        raise KeyError(f"unknown function {task.function!r}; known: quadratic, rosenbrock")
    if task.noise_kind == "gaussian":
        noise = task.noise * rng.standard_normal((task.steps, dim))
    elif task.noise_kind == "student_t":
        noise = task.noise * rng.standard_t(task.noise_df, (task.steps, dim))
    else:
        raise KeyError(f"unknown noise_kind {task.noise_kind!r}; known: gaussian, student_t")
    return FunctionInstance(w0, kind, np.ascontiguousarray(hessian), optimum, noise)


@functools.lru_cache(maxsize=512)
def instance(task, seed: int):
    """The arrays of ``task`` for ``seed`` (cached per process; treat them as read-only)."""
    if isinstance(task, MLPTask):
        return _mlp_instance(task, seed)
    return _function_instance(task, seed)


@functools.lru_cache(maxsize=512)
def reference_loss(task, seed: int) -> float:
    """The loss at the initial parameters (validation loss / function value): the
    normalization reference. Computed with NumPy, so both backends share it."""
    inst = instance(task, seed)
    if isinstance(inst, MLPInstance):
        _, _, x_val, t_val = inst.data
        return float(kernels.mlp_loss(inst.w0, inst.sizes, inst.weight_offsets,
                                      inst.activation, inst.loss_kind, x_val, t_val))
    return float(kernels.function_value(inst.kind, inst.w0, inst.hessian, inst.optimum))


def train(task, seed: int, lowered, lr: float, backend_kernels) -> tuple:
    """Trains ``task`` for ``seed`` with the lowered program; returns (final loss, steps)."""
    inst = instance(task, seed)
    if isinstance(inst, MLPInstance):
        x_train, t_train, x_val, t_val = inst.data
        loss, steps = backend_kernels.train_mlp(
            lowered.packed, lowered.constants, inst.w0, float(lr), inst.sizes,
            inst.weight_offsets, inst.activation, inst.loss_kind, x_train, t_train,
            inst.batches, x_val, t_val)
    else:
        loss, steps = backend_kernels.train_function(
            lowered.packed, lowered.constants, inst.w0, float(lr), inst.kind, inst.hessian,
            inst.optimum, inst.noise)
    return float(loss), int(steps)
