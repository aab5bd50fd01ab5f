"""Expression trees as symbolic objects: ``Var``, ``Const`` and ``Call``.

Trees are ``ss.Object``s, so they rebind, clone, serialize and hash structurally like any
other symbolic value, and can sit inside a search space (``ss.evolve(expr, mutator)``).

>>> import numpy as np
>>> e = Call("add", [Call("mul", [Var("x"), Const(2.0)]), Var("y")])
>>> to_source(e)
'add(mul(x, 2.0), y)'
>>> float(evaluate(e, {"x": 1.5, "y": 1.0}))
4.0
>>> size(e), depth(e), variables(e)
(5, 3, ['x', 'y'])
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np

from symsearch.programs.ops import REGISTRY
from symsearch.symbolic.object import Object


#: [programs.lazy.lazy_expr, programs.trees.to_tuple] once imported (on first use: both
#: modules import this one; an import statement per candidate is a hot-path cost).
_LAZY: list = []


class Expr(Object):
    """Base class of expression nodes."""

    def _sym_init_user(self) -> None:
        # Reached only from ``_sym_fast_new`` (clone, load, materialize), whose children
        # were checked when first bound: the ``_on_bound`` checks would only repeat them.
        self.__dict__.update(self._sym_args)

    def __getattr__(self, name: str) -> Any:
        # Reached only when the usual lookup fails: a lazy node (``programs.lazy``, the
        # candidates of a search) builds its fields the first time one is read.
        if name[:2] != "__" and (name == "_sym_args" or name in type(self)._sym_fields.checkers):
            from symsearch.programs.lazy import fill
            if fill(self):
                return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @staticmethod
    def _sym_clone_value(expr: "Expr") -> "Expr":
        """A copy for a new candidate: a lazy ``Expr`` of the (cached) tuple tree
        (``programs.lazy``), whose nodes are built only if something reads them."""
        if type(expr) not in (Var, Const, Call):
            from symsearch.symbolic.ops import clone
            return clone(expr)
        if not _LAZY:
            from symsearch.programs.lazy import lazy_expr
            from symsearch.programs.trees import to_tuple
            _LAZY[:] = [lazy_expr, to_tuple]
        lazy_expr, to_tuple = _LAZY
        return lazy_expr(to_tuple(expr))


class Var(Expr, type_name="symsearch.programs.Var"):
    """An input variable, looked up by name in the environment."""

    name: str

    def _on_bound(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Var.name must be a non-empty string, got {self.name!r}")


class Const(Expr, type_name="symsearch.programs.Const"):
    """A float constant."""

    value: float


class Call(Expr, type_name="symsearch.programs.Call"):
    """A registered op applied to argument expressions."""

    op: str
    args: list

    def _on_bound(self) -> None:
        REGISTRY.check_call(self.op, self.args, (Expr,), "an Expr (Var, Const, Call)",
                            self.sym_path)


def evaluate(expr: Expr, env: Mapping[str, Any]) -> Any:
    """Evaluates ``expr`` with NumPy; ``env`` maps variable names to scalars or arrays.

    Reductions (``mean``, ``norm``, ``dot``) reduce the last axis and keep it. An
    expression whose tuple tree is cached (every candidate of a search; see
    ``programs.trees.to_tuple``) is run from the tuple tree, without reading its nodes.
    """
    tree = expr.__dict__.get("_sym_tree_cache") if isinstance(expr, Expr) else None
    with np.errstate(all="ignore"):
        if tree is not None:
            return _evaluate_tree(tree, env, _numpy_fns())
        return _evaluate(expr, env)


_FNS: list = [None, {}]          # [registry version, {op name: NumPy function}]


def _numpy_fns() -> dict:
    """``{op name: NumPy function}``, rebuilt when the registry changes."""
    if _FNS[0] != REGISTRY.version:
        _FNS[1] = {name: REGISTRY.get(name).numpy_fn for name in REGISTRY.names()}
        _FNS[0] = REGISTRY.version
    return _FNS[1]


def _evaluate_tree(tree: tuple, env: Mapping[str, Any], fns: dict) -> Any:
    head = tree[0]
    if head == "v":
        try:
            return env[tree[1]]
        except KeyError:
            raise KeyError(f"variable {tree[1]!r} is not in the environment (it has "
                           f"{sorted(env)})") from None
    if head == "c":
        return _float64(tree[1])
    fn = fns.get(head)
    if fn is None:
        fn = REGISTRY.get(head).numpy_fn          # names the unknown op
    args = []
    for a in tree[1]:                             # leaves inline: half the nodes
        kind = a[0]
        if kind == "v" and a[1] in env:
            args.append(env[a[1]])
        elif kind == "c":
            args.append(_float64(a[1]))
        else:
            args.append(_evaluate_tree(a, env, fns))
    return fn(*args)


_F64: dict = {}                  # constant -> its np.float64 (a few hundred at most)


def _float64(value: float) -> np.float64:
    out = _F64.get(value)
    if out is None:
        out = np.float64(value)
        if value and len(_F64) < 1000:       # never a zero: 0.0 == -0.0 as a key
            _F64[value] = out
    return out


def _evaluate(expr: Expr, env: Mapping[str, Any]) -> Any:
    cls = type(expr)
    if cls is Call:
        return REGISTRY.get(expr.op).numpy_fn(*[_evaluate(a, env) for a in expr.args])
    if cls is Var:
        try:
            return env[expr.name]
        except KeyError:
            raise KeyError(f"variable {expr.name!r} is not in the environment (it has "
                           f"{sorted(env)})") from None
    if cls is Const:
        return np.float64(expr.value)
    raise TypeError(f"not an expression node: {type(expr).__name__} {expr!r}")


def nodes(expr: Expr) -> Iterator[Expr]:
    """Every node, parents before children, left to right."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if type(node) is Call:
            stack.extend(reversed(node.args))


def size(expr: Expr) -> int:
    """Number of nodes."""
    return sum(1 for _ in nodes(expr))


def depth(expr: Expr) -> int:
    """Number of nodes on the longest root-to-leaf path (a leaf has depth 1)."""
    if type(expr) is Call:
        return 1 + max(depth(a) for a in expr.args)
    return 1


def variables(expr: Expr) -> list:
    """Names of the variables used, sorted."""
    return sorted({n.name for n in nodes(expr) if type(n) is Var})


def to_source(expr: Expr) -> str:
    """Readable source, ops written as calls: ``add(mul(x, 2.0), y)``."""
    cls = type(expr)
    if cls is Call:
        return f"{expr.op}({', '.join(to_source(a) for a in expr.args)})"
    if cls is Var:
        return expr.name
    if cls is Const:
        return repr(float(expr.value))
    raise TypeError(f"not an expression node: {type(expr).__name__} {expr!r}")


def normal_form(expr: Expr) -> Expr:
    """A copy with the arguments of commutative ops in a canonical order (by source text), so
    ``mul(b, a)`` and ``mul(a, b)`` have one normal form. Use it for structural hashing:
    ``ss.hash(normal_form(e))``."""
    return _normal(expr)[0]


def _normal(expr: Expr):
    cls = type(expr)
    if cls is Call:
        parts = [_normal(a) for a in expr.args]
        if REGISTRY.get(expr.op).commutative:
            parts.sort(key=lambda p: p[1])
        source = f"{expr.op}({', '.join(p[1] for p in parts)})"
        return Call(expr.op, [p[0] for p in parts]), source
    if cls is Var:
        return Var(expr.name), expr.name
    return Const(float(expr.value)), repr(float(expr.value))


def var(name: str) -> Var:
    """Shorthand for ``Var(name)``."""
    return Var(name)


def call(op: str, *args: Any) -> Call:
    """``call("add", x, 1.0)``: numbers become ``Const``, strings ``Var``."""
    return Call(op, [_as_expr(a) for a in args])


def _as_expr(value: Any) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, str):
        return Var(value)
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        return Const(float(value))
    raise TypeError(f"cannot make an expression from {type(value).__name__} {value!r}")
