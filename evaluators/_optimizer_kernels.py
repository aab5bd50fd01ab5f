"""Training loops of the optimizer proxy tasks, written once for NumPy and for Numba.

Every loop keeps the optimizer state in one array ``state`` ``[5, 1, P]`` whose rows are the
candidate program's inputs ``w, g, m, v, lr`` (the interpreter's register layout with one case
and P elements), so one step is: write the gradient into ``state[1, 0]``, run the program, then
``w -= update; m = m'; v = v'``. A loop stops early, and reports how many steps it took, as soon
as ``w`` stops being finite.

The functions below the ``KERNELS`` marker are plain vectorised NumPy (one array operation per
layer and step) that Numba also compiles: imported normally they are the NumPy twin, calling
``run`` = the NumPy interpreter; :func:`compiled_kernels` writes their source into a module
that imports the generated Numba interpreter as ``run`` (so each loop is one
``@njit(cache=True)`` function running entirely in nopython mode) and loads that module. Only
three small primitives (``affine``, ``activation_grad``, ``output_loss``) have two versions:
vectorised here, fused loops in ``_NUMBA_PRIMITIVES``; everything else is the same text, so
the backends agree to rounding (the tests check 1e-8 relative).

>>> import numpy as np
>>> float(rosenbrock_value(np.ones(3)))
0.0
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import numpy as np

from symsearch.programs import compiled as _compiled
from symsearch.programs.lowering import Lowered

#: The candidate program's inputs, in register order, and its outputs.
INPUT_NAMES = ("w", "g", "m", "v", "lr")
OUTPUT_NAMES = ("update", "m", "v")


def kernel(fn):
    """Marks a loop compiled by Numba in :func:`compiled_kernels`; a no-op for NumPy."""
    return fn


def run(program: np.ndarray, constants: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """The NumPy interpreter behind the packed-array signature of the compiled ``run``."""
    lowered = Lowered._from_packed(program, constants, inputs.shape[0], INPUT_NAMES, True)
    return _compiled.run_numpy(lowered, inputs)



# ---- primitives: vectorised NumPy here, fused loops in the compiled copy ----------------------
# One NumPy call per array operation is NumPy's best; one loop per primitive is Numba's (it
# saves the temporaries and the passes). Both compute the same values, up to rounding.

def affine(h, weights, bias, activation, out):
    """``out[:] = act(h @ weights + bias)``: tanh (0), relu (1) or linear (-1)."""
    z = np.dot(h, weights)
    z += bias
    if activation == 0:
        np.tanh(z, out=out)
    elif activation == 1:
        np.maximum(z, 0.0, out=out)
    else:
        out[:, :] = z


def activation_grad(d_h, h, activation):
    """dloss/dz from dloss/dh and the activations ``h`` (tanh: 0, relu: 1)."""
    if activation == 0:
        return d_h * (1.0 - h * h)
    return np.where(h > 0.0, d_h, 0.0)


def output_loss(out, target, loss_kind):
    """(mean loss, dloss/dout): softmax cross-entropy on one-hot ``target`` (kind 0) or mean
    squared error (kind 1)."""
    batch = out.shape[0]
    if loss_kind == 0:
        shifted = out - out.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = -np.sum(target * (shifted - np.log(total))) / batch
        return loss, (e / total - target) / batch
    diff = out - target
    return np.sum(diff * diff) / diff.size, diff * (2.0 / diff.size)


_NUMBA_PRIMITIVES = """
@kernel
def affine(h, weights, bias, activation, out):
    z = np.dot(h, weights)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            value = z[i, j] + bias[j]
            if activation == 0:
                value = np.tanh(value)
            elif activation == 1 and value < 0.0:
                value = 0.0
            out[i, j] = value


@kernel
def activation_grad(d_h, h, activation):
    delta = np.empty_like(d_h)
    for i in range(d_h.shape[0]):
        for j in range(d_h.shape[1]):
            if activation == 0:
                delta[i, j] = d_h[i, j] * (1.0 - h[i, j] * h[i, j])
            else:
                delta[i, j] = d_h[i, j] if h[i, j] > 0.0 else 0.0
    return delta


@kernel
def output_loss(out, target, loss_kind):
    batch = out.shape[0]
    width = out.shape[1]
    grad = np.empty_like(out)
    loss = 0.0
    if loss_kind == 0:
        for i in range(batch):
            row_max = out[i, 0]
            for j in range(1, width):
                if out[i, j] > row_max or out[i, j] != out[i, j]:
                    row_max = out[i, j]
            total = 0.0
            for j in range(width):
                grad[i, j] = np.exp(out[i, j] - row_max)
                total += grad[i, j]
            log_total = np.log(total)
            for j in range(width):
                loss -= target[i, j] * (out[i, j] - row_max - log_total)
                grad[i, j] = (grad[i, j] / total - target[i, j]) / batch
        return loss / batch, grad
    scale = 1.0 / (batch * width)
    for i in range(batch):
        for j in range(width):
            diff = out[i, j] - target[i, j]
            loss += diff * diff
            grad[i, j] = 2.0 * diff * scale
    return loss * scale, grad
"""


_MARKER = "# ==== KERNELS (compiled by Numba as they are) ===="
# ==== KERNELS (compiled by Numba as they are) ====


@kernel
def apply_program(program, constants, state):
    """One optimizer step on ``state`` in place; False when ``w`` is no longer finite."""
    out = run(program, constants, state)
    w = state[0, 0]
    w -= out[0, 0]
    state[2, 0, :] = out[1, 0]
    state[3, 0, :] = out[2, 0]
    return np.all(np.isfinite(w))


@kernel
def new_state(w0, lr):
    state = np.zeros((5, 1, w0.shape[0]))
    state[0, 0, :] = w0
    state[4, 0, :] = lr
    return state


@kernel
def activation_offsets(sizes, batch):
    """Start of each layer's activations ``[batch, sizes[l]]`` in one flat buffer."""
    offsets = np.zeros(sizes.shape[0] + 1, dtype=np.int64)
    for layer in range(sizes.shape[0]):
        offsets[layer + 1] = offsets[layer] + batch * sizes[layer]
    return offsets


@kernel
def mlp_forward(w, sizes, weight_offsets, activation, x, buffer, offsets):
    """The MLP's output for ``x``; every layer's activations are kept in ``buffer``.

    Parameters are laid out layer by layer, ``W`` (``[n_in, n_out]``, row-major) then ``b``;
    hidden layers use tanh (``activation`` 0) or relu (1), the last layer is linear.
    """
    batch = x.shape[0]
    n_layers = sizes.shape[0] - 1
    h = buffer[offsets[0]:offsets[1]].reshape((batch, sizes[0]))
    h[:, :] = x
    for layer in range(n_layers):
        n_in = sizes[layer]
        n_out = sizes[layer + 1]
        start = weight_offsets[layer]
        weights = w[start:start + n_in * n_out].reshape((n_in, n_out))
        bias = w[start + n_in * n_out:start + n_in * n_out + n_out]
        h_out = buffer[offsets[layer + 1]:offsets[layer + 2]].reshape((batch, n_out))
        affine(h, weights, bias, -1 if layer == n_layers - 1 else activation, h_out)
        h = h_out
    return h


@kernel
def mlp_backward(w, sizes, weight_offsets, activation, buffer, offsets, d_out, grad):
    """Writes the gradient of the loss into ``grad`` given ``d_out`` = dloss/doutput."""
    batch = d_out.shape[0]
    n_layers = sizes.shape[0] - 1
    delta = d_out
    for layer in range(n_layers - 1, -1, -1):
        n_in = sizes[layer]
        n_out = sizes[layer + 1]
        start = weight_offsets[layer]
        h_in = buffer[offsets[layer]:offsets[layer + 1]].reshape((batch, n_in))
        grad[start:start + n_in * n_out] = np.dot(h_in.T, delta).ravel()
        grad[start + n_in * n_out:start + n_in * n_out + n_out] = delta.sum(axis=0)
        if layer > 0:
            weights = w[start:start + n_in * n_out].reshape((n_in, n_out))
            delta = activation_grad(np.dot(delta, weights.T), h_in, activation)


@kernel
def mlp_loss(w, sizes, weight_offsets, activation, loss_kind, x, target):
    """The mean loss of the MLP with parameters ``w`` on ``(x, target)``."""
    offsets = activation_offsets(sizes, x.shape[0])
    buffer = np.empty(offsets[-1])
    out = mlp_forward(w, sizes, weight_offsets, activation, x, buffer, offsets)
    loss, _ = output_loss(out, target, loss_kind)
    return loss


@kernel
def train_mlp(program, constants, w0, lr, sizes, weight_offsets, activation, loss_kind,
              x_train, t_train, batches, x_val, t_val):
    """Trains the MLP on minibatches ``x_train[batches[step]]``; returns (validation loss,
    steps taken). The loss is inf when the parameters stopped being finite."""
    state = new_state(w0, lr)
    offsets = activation_offsets(sizes, batches.shape[1])
    buffer = np.empty(offsets[-1])
    steps = 0
    for step in range(batches.shape[0]):
        index = batches[step]
        out = mlp_forward(state[0, 0], sizes, weight_offsets, activation, x_train[index],
                          buffer, offsets)
        _, d_out = output_loss(out, t_train[index], loss_kind)
        mlp_backward(state[0, 0], sizes, weight_offsets, activation, buffer, offsets, d_out,
                     state[1, 0])
        steps += 1
        if not apply_program(program, constants, state):
            return np.inf, steps
    return mlp_loss(state[0, 0], sizes, weight_offsets, activation, loss_kind, x_val,
                    t_val), steps


@kernel
def rosenbrock_value(x):
    a = x[:-1]
    b = x[1:]
    return np.sum(100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2)


@kernel
def function_value(kind, w, hessian, optimum):
    """A quadratic ``0.5 (w - w*)' H (w - w*)`` (kind 0) or Rosenbrock (kind 1)."""
    if kind == 0:
        diff = w - optimum
        return 0.5 * np.dot(diff, np.dot(hessian, diff))
    return rosenbrock_value(w)


@kernel
def train_function(program, constants, w0, lr, kind, hessian, optimum, noise):
    """Minimises a test function with gradient noise ``noise[step]``; returns (final value,
    steps taken), the value inf when the parameters stopped being finite."""
    state = new_state(w0, lr)
    steps = 0
    for step in range(noise.shape[0]):
        w = state[0, 0]
        grad = state[1, 0]
        if kind == 0:
            grad[:] = np.dot(hessian, w - optimum) + noise[step]
        else:
            a = w[:-1]
            r = w[1:] - a * a
            grad[:] = noise[step]
            grad[:-1] += -400.0 * a * r - 2.0 * (1.0 - a)
            grad[1:] += 200.0 * r
        steps += 1
        if not apply_program(program, constants, state):
            return np.inf, steps
    return function_value(kind, state[0, 0], hessian, optimum), steps


# ---- the compiled copy -------------------------------------------------------------------------

def compiled_kernels():
    """The Numba-compiled copy of this module's kernels (and interpreter) for the current op
    registry, or None without Numba (see ``compiled.interpreter_extension``: the module text
    is written once, under a name derived from its content, so Numba's on-disk cache finds
    the compiled loops again in later processes; a registry change makes a new one)."""
    return _compiled.interpreter_extension("_symsearch_optproxy", kernel_source)


def kernel_source(interpreter_module: str) -> str:
    """This module's kernels, jitted, calling the compiled interpreter ``run`` of
    ``interpreter_module`` (the content-addressed module ``compiled.numba_interpreter()``
    loads, so its compiled code and disk cache are shared with the rest of symsearch)."""
    own = Path(__file__).read_text()
    body = own.split(_MARKER, 2)[2].split("# ---- the compiled copy", 1)[0]
    header = ("# Generated by symsearch.evaluators._optimizer_kernels; do not edit.\n"
              "import math  # noqa: F401\n"
              "import numpy as np\n"
              "from numba import njit\n\n"
              f"from {interpreter_module} import run\n\n"
              "kernel = njit(cache=True, error_model=\"numpy\")\n")
    return header + _NUMBA_PRIMITIVES + body


def get_kernels(backend: str) -> Optional[object]:
    """This module (``"numpy"``) or its compiled copy (``"numba"``; None without Numba)."""
    if backend == "numpy":
        return sys.modules[__name__]
    return compiled_kernels()
