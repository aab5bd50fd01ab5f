"""The op registry shared by expression trees, statement-list programs and their interpreters.

An :class:`Op` has a name, an arity, a NumPy implementation (used by ``evaluate`` and by the
NumPy interpreter) and, optionally, a Numba source snippet from which the compiled interpreter
is generated (``symsearch.programs.compiled``). Ops are selected in compiled code by their
integer ``code``.

Kinds and what the Numba snippet is:

- ``"elementwise"``: a scalar expression in ``a``, ``b``, ``c`` (the arguments, float64), e.g.
  ``"a + b"``. The NumPy function gets arrays and broadcasts.
- ``"reduction"``: an expression over one sample's 1-D rows ``a``, ``b``, ``c`` that gives a
  scalar, broadcast back over the sample (``"np.sqrt(np.sum(a * a))"``). The NumPy function
  reduces the **last axis** and keeps it (``keepdims=True``), so the result broadcasts.
- ``"vector"``: an expression over one sample's rows that gives a row of the same length
  (``"a * min(1.0, b[0] / max(np.sqrt(np.sum(a * a)), EPS))"``).

``EPS``, ``math`` and ``np`` are in scope for the snippets. Division, ``log`` and
``reciprocal`` are *protected* (finite for every input), as is usual in genetic programming.

Besides the original set (arithmetic, ``max``/``min``, common unary functions, ``mean``,
``norm``, ``dot``), the registry holds the wider set of optimizer search (Lion's function
set): ``tan``, ``arcsin``/``arccos`` (input clipped to [-1, 1]), ``arctan``, ``sinh``, ``cosh``,
``arcsinh``, ``arccosh`` (of ``max(|x|, 1)``), ``arctanh`` (input clipped to +-ATANH_LIMIT),
``cbrt``, ``expm1``, ``exp2``, ``log1p``/``log2``/``log10`` (protected), ``power`` (``a ** b``
for integral ``b``, ``|a| ** b`` otherwise), ``interp(x, y, a) = (1 - a) x + a y`` (arity 3),
the reductions ``global_norm`` and ``cosine_sim`` and the vector op
``clip_by_global_norm(x, c)``. Overflow gives inf, never an exception. Every op has a
``numba_source``, so the compiled interpreter covers them all.

>>> import numpy as np
>>> add = get_op("add")
>>> add.arity, add.commutative, add.numpy_fn(np.array([1.0]), np.array([2.0]))
(2, True, array([3.]))
>>> op = register_op("halve", 1, lambda a: a * 0.5, numba_source="a * 0.5")
>>> get_op("halve").numpy_fn(4.0)
2.0
>>> unregister_op("halve")
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

import numpy as np

#: Threshold of protected ops: |x| <= EPS counts as zero.
EPS = 1e-12
KINDS = ("elementwise", "reduction", "vector")
#: Most arguments an op may take (the compiled instruction has one column per argument).
MAX_ARITY = 3


@dataclass(frozen=True)
class Op:
    """One operation. See the module docstring for ``kind`` and ``numba_source``."""

    name: str
    arity: int
    numpy_fn: Callable
    code: int
    commutative: bool = False
    kind: str = "elementwise"
    numba_source: Optional[str] = None
    doc: str = field(default="", compare=False)

    def __call__(self, *args):
        return self.numpy_fn(*args)


class OpRegistry:
    """Ops by name and by code. ``version`` changes whenever an op is added or removed, so
    compiled interpreters know when to regenerate."""

    def __init__(self) -> None:
        self._by_name: dict = {}
        self._by_code: dict = {}
        self._next_code = 0
        self._lock = threading.RLock()
        self.version = 0

    def register(self, name: str, arity: int, numpy_fn: Callable, *, commutative: bool = False,
                 kind: str = "elementwise", numba_source: Optional[str] = None,
                 code: Optional[int] = None, doc: str = "", replace: bool = False) -> Op:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"op name must be an identifier, got {name!r}")
        if isinstance(arity, bool) or not isinstance(arity, int) or not 1 <= arity <= MAX_ARITY:
            raise ValueError(f"op {name!r}: arity must be an int in [1, {MAX_ARITY}], got "
                             f"{arity!r}")
        if kind not in KINDS:
            raise ValueError(f"op {name!r}: kind must be one of {KINDS}, got {kind!r}")
        if not callable(numpy_fn):
            raise TypeError(f"op {name!r}: numpy_fn must be callable, got {numpy_fn!r}")
        if commutative and arity != 2:
            raise ValueError(f"op {name!r}: only binary ops can be commutative (arity={arity})")
        if numba_source is not None and not isinstance(numba_source, str):
            raise TypeError(f"op {name!r}: numba_source must be a str or None")
        with self._lock:
            old = self._by_name.get(name)
            if old is not None and not replace:
                raise ValueError(f"op {name!r} is already registered; pass replace=True to "
                                 f"replace it")
            if code is None:
                code = old.code if old is not None else self._next_code
            if isinstance(code, bool) or not isinstance(code, int) or code < 0:
                raise ValueError(f"op {name!r}: code must be a non-negative int, got {code!r}")
            holder = self._by_code.get(code)
            if holder is not None and holder.name != name:
                raise ValueError(f"op {name!r}: code {code} is taken by op {holder.name!r}")
            if old is not None:
                del self._by_code[old.code]
            op = Op(name, arity, numpy_fn, code, bool(commutative), kind, numba_source, doc)
            self._by_name[name] = op
            self._by_code[code] = op
            self._next_code = max(self._next_code, code + 1)
            self.version += 1
            return op

    def unregister(self, name: str) -> None:
        with self._lock:
            op = self._by_name.pop(name)
            del self._by_code[op.code]
            self.version += 1

    def get(self, name: str) -> Op:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"unknown op {name!r}; registered ops are "
                           f"{sorted(self._by_name)}") from None

    def check_call(self, name: str, args: list, arg_types: tuple, what: str,
                   path: str) -> Op:
        """The op ``name`` after checking ``args``' count and types (errors name ``path``)."""
        op = self.get(name)
        if len(args) != op.arity:
            raise ValueError(f"op {name!r} takes {op.arity} argument(s), got {len(args)} "
                             f"(path={path or '<root>'})")
        for i, arg in enumerate(args):
            if not isinstance(arg, arg_types):
                raise TypeError(f"argument {i} of {name!r} must be {what}, got "
                                f"{type(arg).__name__} {arg!r}")
        return op

    def by_code(self, code: int) -> Op:
        return self._by_code[code]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def names(self, kind: Optional[str] = None, arity: Optional[int] = None) -> list:
        return [n for n, op in self._by_name.items()
                if (kind is None or op.kind == kind) and (arity is None or op.arity == arity)]

    def ops(self) -> list:
        return sorted(self._by_name.values(), key=lambda op: op.code)


#: The registry every program, expression and interpreter uses.
REGISTRY = OpRegistry()


def register_op(name: str, arity: int, numpy_fn: Callable, *, commutative: bool = False,
                kind: str = "elementwise", numba_source: Optional[str] = None,
                code: Optional[int] = None, doc: str = "", replace: bool = False) -> Op:
    """Adds an op to the registry (see the module docstring); returns it.

    Without ``numba_source`` the op still works everywhere, but programs using it are run by
    the NumPy interpreter instead of the compiled one.
    """
    return REGISTRY.register(name, arity, numpy_fn, commutative=commutative, kind=kind,
                             numba_source=numba_source, code=code, doc=doc, replace=replace)


def unregister_op(name: str) -> None:
    """Removes an op (mainly for tests)."""
    REGISTRY.unregister(name)


def get_op(name: str) -> Op:
    """The op named ``name``; KeyError listing the registered ops when there is none."""
    return REGISTRY.get(name)


def op_names(kind: Optional[str] = None, arity: Optional[int] = None) -> list:
    """Names of the registered ops, optionally only those of one kind or arity."""
    return REGISTRY.names(kind, arity)


# ---- the default op set ------------------------------------------------------------------------
# The NumPy implementations mirror the Numba snippets exactly (same protection, same NaN
# behaviour), so the two interpreters agree to rounding.

def _safe_den(b):
    return np.where(np.abs(b) > EPS, b, 1.0)


def _div(a, b):
    safe = np.abs(b) > EPS              # computed once: division is a hot op
    return np.where(safe, np.asarray(a) / np.where(safe, b, 1.0), 1.0)


def _reciprocal(a):
    safe = np.abs(a) > EPS
    return np.where(safe, 1.0 / np.where(safe, a, 1.0), 1.0)


def _log(a):
    magnitude = np.abs(a)
    return np.where(magnitude > EPS, np.log(np.where(magnitude > EPS, magnitude, 1.0)), 0.0)


def _relu(a):
    return np.where(np.asarray(a) > 0, a, 0.0)


def _reduce(fn):
    def reduce(*args):
        args = [np.asarray(a, dtype=np.float64) for a in args]
        shape = np.broadcast_shapes(*(a.shape for a in args))
        if not shape:
            args = [a.reshape(1) for a in args]
            return fn(*args)[0]
        args = [np.broadcast_to(a, shape) for a in args]
        return np.broadcast_to(fn(*args), shape)
    return reduce


_DEFAULT_OPS = (
    # name, arity, numpy_fn, numba_source, commutative, kind
    ("add", 2, np.add, "a + b", True, "elementwise"),
    ("sub", 2, np.subtract, "a - b", False, "elementwise"),
    ("mul", 2, np.multiply, "a * b", True, "elementwise"),
    ("div", 2, _div, "a / b if abs(b) > EPS else 1.0", False, "elementwise"),
    ("max", 2, np.maximum, "a if (a >= b or a != a) else b", True, "elementwise"),
    ("min", 2, np.minimum, "a if (a <= b or a != a) else b", True, "elementwise"),
    ("neg", 1, np.negative, "-a", False, "elementwise"),
    ("abs", 1, np.abs, "abs(a)", False, "elementwise"),
    ("sign", 1, np.sign,
     "1.0 if a > 0 else (-1.0 if a < 0 else (0.0 if a == 0 else a))", False, "elementwise"),
    ("sqrt", 1, lambda a: np.sqrt(np.abs(a)), "np.sqrt(abs(a))", False, "elementwise"),
    ("log", 1, _log, "np.log(abs(a)) if abs(a) > EPS else 0.0", False, "elementwise"),
    ("exp", 1, np.exp, "np.exp(a)", False, "elementwise"),
    ("square", 1, np.square, "a * a", False, "elementwise"),
    ("cube", 1, lambda a: np.asarray(a) * a * a, "a * a * a", False, "elementwise"),
    ("reciprocal", 1, _reciprocal, "1.0 / a if abs(a) > EPS else 1.0", False, "elementwise"),
    ("sin", 1, np.sin, "np.sin(a)", False, "elementwise"),
    ("cos", 1, np.cos, "np.cos(a)", False, "elementwise"),
    ("tanh", 1, np.tanh, "np.tanh(a)", False, "elementwise"),
    ("relu", 1, _relu, "a if a > 0 else 0.0", False, "elementwise"),
    ("mean", 1, _reduce(lambda a: np.mean(a, axis=-1, keepdims=True)), "np.mean(a)", False,
     "reduction"),
    ("norm", 1, _reduce(lambda a: np.sqrt(np.sum(a * a, axis=-1, keepdims=True))),
     "np.sqrt(np.sum(a * a))", False, "reduction"),
    ("dot", 2, _reduce(lambda a, b: np.sum(a * b, axis=-1, keepdims=True)), "np.sum(a * b)",
     True, "reduction"),
)

#: Elementwise ops that expression and program mutation draw from by default. Fixed to the
#: original set so that adding ops to the registry does not change existing searches.
ELEMENTWISE_DEFAULTS = ("add", "sub", "mul", "div", "max", "min", "neg", "abs", "sign", "sqrt",
                        "log", "exp", "square", "cube", "reciprocal", "sin", "cos", "tanh",
                        "relu")


# ---- the wider op set of optimizer search (Lion's "45 functions") -----------------------------
# Protected like the defaults: inverse trigonometric/hyperbolic functions clip their input into
# the domain, logarithms take |x| (0 at |x| <= EPS), overflow gives inf (never an exception).

#: arctanh clips into [-ATANH_LIMIT, ATANH_LIMIT] so that it stays finite (about +-14.2).
ATANH_LIMIT = 1.0 - 1e-12


def _protected_log(fn):
    def log(a):
        magnitude = np.abs(a)
        return np.where(magnitude > EPS, fn(np.where(magnitude > EPS, magnitude, 1.0)), 0.0)
    return log


def _log1p(a):
    a = np.asarray(a, dtype=np.float64)
    inside = a > -1.0
    outside = -1.0 - a
    far = outside > EPS
    return np.where(inside, np.log1p(np.where(inside, a, 0.0)),
                    np.where(far, np.log(np.where(far, outside, 1.0)), 0.0))


def _arccosh(a):
    magnitude = np.abs(a)
    return np.arccosh(np.where((magnitude >= 1.0) | np.isnan(magnitude), magnitude, 1.0))


def _power(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.where(np.mod(b, 1.0) == 0.0, np.power(a, b), np.power(np.abs(a), b))


def _interp(a, b, c):
    return (1.0 - np.asarray(c)) * a + c * np.asarray(b)


def _cosine_sim(a, b):
    return np.sum(a * b, axis=-1, keepdims=True) / np.maximum(
        np.sqrt(np.sum(a * a, axis=-1, keepdims=True) * np.sum(b * b, axis=-1, keepdims=True)),
        EPS)


def _clip_by_global_norm(x, c):
    x, c = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(c, dtype=np.float64))
    scalar = x.ndim == 0
    if scalar:
        x, c = x.reshape(1), c.reshape(1)
    norm = np.sqrt(np.sum(x * x, axis=-1, keepdims=True))
    out = x * np.minimum(1.0, c[..., :1] / np.maximum(norm, EPS))
    return out[0] if scalar else out


_L = repr(ATANH_LIMIT)
_OPTIMIZER_OPS = (
    # name, arity, numpy_fn, numba_source, commutative, kind
    ("tan", 1, np.tan, "np.tan(a)", False, "elementwise"),
    ("arcsin", 1, lambda a: np.arcsin(np.clip(a, -1.0, 1.0)),
     "np.arcsin(-1.0 if a < -1.0 else (1.0 if a > 1.0 else a))", False, "elementwise"),
    ("arccos", 1, lambda a: np.arccos(np.clip(a, -1.0, 1.0)),
     "np.arccos(-1.0 if a < -1.0 else (1.0 if a > 1.0 else a))", False, "elementwise"),
    ("arctan", 1, np.arctan, "np.arctan(a)", False, "elementwise"),
    ("sinh", 1, np.sinh, "np.sinh(a)", False, "elementwise"),
    ("cosh", 1, np.cosh, "np.cosh(a)", False, "elementwise"),
    ("arcsinh", 1, np.arcsinh, "np.arcsinh(a)", False, "elementwise"),
    ("arccosh", 1, _arccosh, "np.arccosh(abs(a) if (abs(a) >= 1.0 or a != a) else 1.0)", False,
     "elementwise"),
    ("arctanh", 1, lambda a: np.arctanh(np.clip(a, -ATANH_LIMIT, ATANH_LIMIT)),
     f"np.arctanh(-{_L} if a < -{_L} else ({_L} if a > {_L} else a))", False, "elementwise"),
    ("cbrt", 1, np.cbrt, "np.cbrt(a)", False, "elementwise"),
    ("expm1", 1, np.expm1, "np.expm1(a)", False, "elementwise"),
    ("exp2", 1, np.exp2, "np.exp2(a)", False, "elementwise"),
    ("log1p", 1, _log1p,
     "np.log1p(a) if a > -1.0 else (np.log(-1.0 - a) if -1.0 - a > EPS else 0.0)", False,
     "elementwise"),
    ("log2", 1, _protected_log(np.log2), "np.log2(abs(a)) if abs(a) > EPS else 0.0", False,
     "elementwise"),
    ("log10", 1, _protected_log(np.log10), "np.log10(abs(a)) if abs(a) > EPS else 0.0", False,
     "elementwise"),
    ("power", 2, _power, "np.power(a, b) if b % 1.0 == 0.0 else np.power(abs(a), b)", False,
     "elementwise"),
    ("interp", 3, _interp, "(1.0 - c) * a + c * b", False, "elementwise"),
    ("global_norm", 1, _reduce(lambda a: np.sqrt(np.sum(a * a, axis=-1, keepdims=True))),
     "np.sqrt(np.sum(a * a))", False, "reduction"),
    ("cosine_sim", 2, _reduce(_cosine_sim),
     "np.sum(a * b) / np.maximum(np.sqrt(np.sum(a * a) * np.sum(b * b)), EPS)", True, "reduction"),
    ("clip_by_global_norm", 2, _clip_by_global_norm,
     "a * np.minimum(1.0, b[0] / np.maximum(np.sqrt(np.sum(a * a)), EPS))", False, "vector"),
)

# ---- the pruning-metric ops (Pruner-Zero): a sigmoid and normalizations over a row -------------
# In the defaults (not registered by the pruning space) so that the registry, and with it the
# generated Numba interpreter, is the same in every process.

def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-np.asarray(a, dtype=np.float64)))


def _rowwise(fn):
    """A NumPy "vector" op over the last axis; a scalar counts as a one-element row."""
    def op(a):
        a = np.asarray(a, dtype=np.float64)
        if a.ndim == 0:
            return fn(a.reshape(1))[0]
        return fn(a)
    return op


def _minmax(a):
    lo = np.min(a, axis=-1, keepdims=True)
    span = np.max(a, axis=-1, keepdims=True) - lo
    return np.where(span > EPS, (a - lo) / np.where(span > EPS, span, 1.0), 0.0 * a)


def _zscore(a):
    mean = np.mean(a, axis=-1, keepdims=True)
    std = np.std(a, axis=-1, keepdims=True)
    return np.where(std > EPS, (a - mean) / np.where(std > EPS, std, 1.0), 0.0 * a)


_PRUNING_OPS = (
    ("sigmoid", 1, _sigmoid, "1.0 / (1.0 + np.exp(-a))", False, "elementwise"),
    ("minmax", 1, _rowwise(_minmax),
     "(a - np.min(a)) / (np.max(a) - np.min(a)) if np.max(a) - np.min(a) > EPS else a * 0.0",
     False, "vector"),
    ("zscore", 1, _rowwise(_zscore),
     "(a - np.mean(a)) / np.std(a) if np.std(a) > EPS else a * 0.0", False, "vector"),
)

#: Docs of the ops whose behaviour is not obvious from the name.
_DOCS = {
    "power": "a ** b for integral b, |a| ** b otherwise (no NaN from negative bases)",
    "interp": "interp(x, y, a) = (1 - a) * x + a * y",
    "log1p": "log(1 + a) for a > -1, log|1 + a| below (0 within EPS of -1)",
    "arccosh": "arccosh(max(|a|, 1))",
    "arctanh": "arctanh of a clipped into [-ATANH_LIMIT, ATANH_LIMIT] (finite)",
    "global_norm": "the L2 norm over all elements (equal to norm: a program sees all parameters "
                   "as one vector)",
    "cosine_sim": "dot(a, b) / max(|a| |b|, EPS)",
    "clip_by_global_norm": "x * min(1, c / max(|x|, EPS)) with c's first element (a scalar)",
    "minmax": "(a - min) / (max - min) over the last axis (0 where max - min <= EPS)",
    "zscore": "(a - mean) / std over the last axis (0 where std <= EPS)",
}


def _register_defaults(names: Optional[Iterable[str]] = None) -> None:
    # Registration order fixes the op codes: the original ops keep codes 0-21.
    for name, arity, fn, source, commutative, kind in \
            _DEFAULT_OPS + _OPTIMIZER_OPS + _PRUNING_OPS:
        if names is None or name in names:
            REGISTRY.register(name, arity, fn, commutative=commutative, kind=kind,
                              numba_source=source, doc=_DOCS.get(name, ""), replace=True)


_register_defaults()
