"""Adapters: how each representation of a function is run on probe inputs.

An adapter is one function ``adapter(candidate, probes, hasher) -> list of arrays``, each of
shape ``(probes.count, ...)``: the candidate's outputs on the probe cases. The hasher
quantizes and hashes those, so every representation that computes the same function on the
probes gets the same hash: a ``Program``, an expression tree, a lambda, a NetworkX compute
graph and a torch module computing ``x * y`` all agree.

Built in: symsearch ``Program`` and expression trees (lowered and run by the compiled
interpreter), ``networkx.DiGraph`` compute graphs (lowered to a Program), ``torch.nn.Module``
and plain callables. A new representation adds one function:

>>> import numpy as np
>>> class Poly:                                   # a toy representation: coefficients
...     def __init__(self, coeffs): self.coeffs = coeffs
>>> @register_adapter(Poly)
... def _poly_outputs(poly, probes, hasher):
...     x = probes.array("x")
...     return [sum(c * x ** i for i, c in enumerate(poly.coeffs))]
>>> from symsearch.cache.hasher import FunctionalHasher
>>> h = FunctionalHasher()
>>> h.hash(Poly([1.0, 2.0])) == h.hash(lambda x: 1.0 + 2.0 * x)
True
>>> unregister_adapter(Poly)

``register_adapter(key, fn)`` takes a type (matched through the candidate's MRO, checked
first) or a predicate ``key(candidate) -> bool`` (checked after types, the most recently
registered first). ``fn`` may also take just ``(candidate, probes)``.
"""
from __future__ import annotations

import copy
import hashlib
import inspect
import sys
from typing import Any, Callable, Optional

import numpy as np

from symsearch.programs.compiled import lower_expr, lower_program, run_prepared
from symsearch.programs.expr import Expr
from symsearch.programs.program import Program, Statement

_TYPE_ADAPTERS: dict = {}
_PREDICATE_ADAPTERS: list = []        # [(predicate, fn)], most recent last


def register_adapter(key: Any, fn: Optional[Callable] = None):
    """Registers ``fn`` for candidates of type ``key`` (or for which ``key(c)`` is true).
    Usable as a decorator: ``@register_adapter(MyType)``."""
    def add(fn: Callable) -> Callable:
        if not callable(fn):
            raise TypeError(f"an adapter must be callable, got {fn!r}")
        wrapped = _normalize_arity(fn)
        if isinstance(key, type):
            _TYPE_ADAPTERS[key] = wrapped
        elif callable(key):
            _PREDICATE_ADAPTERS.append((key, wrapped))
        else:
            raise TypeError(f"register_adapter key must be a type or a predicate, got {key!r}")
        return fn
    return add if fn is None else add(fn)


def unregister_adapter(key: Any) -> None:
    """Removes the adapter registered for ``key``."""
    if isinstance(key, type):
        _TYPE_ADAPTERS.pop(key, None)
    else:
        _PREDICATE_ADAPTERS[:] = [(k, f) for k, f in _PREDICATE_ADAPTERS if k is not key]


def _normalize_arity(fn: Callable) -> Callable:
    try:
        params = inspect.signature(fn).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        takes_var = any(p.kind is p.VAR_POSITIONAL for p in params)
    except (TypeError, ValueError):
        return fn
    if len(positional) == 2 and not takes_var:
        return lambda candidate, probes, hasher: fn(candidate, probes)
    return fn


def find_adapter(candidate: Any) -> Optional[Callable]:
    """The adapter for ``candidate``, or None."""
    for cls in type(candidate).__mro__:
        fn = _TYPE_ADAPTERS.get(cls)
        if fn is not None:
            return fn
    for predicate, fn in reversed(_PREDICATE_ADAPTERS):
        try:
            if predicate(candidate):
                return fn
        except Exception:
            continue
    return None


# ---- programs and expression trees ---------------------------------------------------------------

_LOWERED: dict = {}        # structural digest -> Lowered; re-hashing a seen candidate skips lowering


def cached_lowering(candidate, lower: Callable):
    """``lower()``, memoized by the candidate's cached structural digest (when it has one), so
    re-hashing a candidate seen before skips lowering it."""
    digest = candidate.__dict__.get("_sym_hash_cache")
    if digest is not None:
        low = _LOWERED.get(digest)
        if low is not None:
            return low
    low = lower()
    if digest is not None:
        if len(_LOWERED) > 50_000:
            _LOWERED.clear()
        _LOWERED[digest] = low
    return low


def program_outputs(program: Program, probes, hasher) -> list:
    low = cached_lowering(program, lambda: lower_program(program))
    out = run_prepared(low, probes.stacked(low.input_names), hasher.backend)
    return list(out)


def expr_outputs(expr: Expr, probes, hasher) -> list:
    low = cached_lowering(expr, lambda: lower_expr(expr))
    names = low.input_names
    inputs = probes.stacked(names) if names else np.zeros((0, probes.count, 1))
    return list(run_prepared(low, inputs, hasher.backend))


register_adapter(Program, program_outputs)
register_adapter(Expr, expr_outputs)


# ---- plain callables -------------------------------------------------------------------------------

def _parameter_names(fn: Callable, probes) -> list:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return probes.names
    names = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            if not names and p.kind is p.VAR_POSITIONAL:
                return probes.names      # f(*args): the declared inputs, in order
            continue
        if p.default is p.empty:
            names.append(p.name)
    return names


def callable_outputs(fn: Callable, probes, hasher) -> list:
    """Calls ``fn`` with the probe arrays of its parameters (by name; ``fn(*args)`` gets the
    declared inputs in order). ``hasher.callable_mode``: "vectorized" calls it once on the
    whole batch, "per_sample" once per case, "auto" tries the batch and falls back."""
    names = _parameter_names(fn, probes)
    arrays = [probes.array(n) for n in names]
    count = probes.count
    mode = hasher.callable_mode
    if mode in ("auto", "vectorized"):
        try:
            with np.errstate(all="ignore"):
                result = fn(*arrays)
            outputs = _as_outputs(result)
            if all(_batched(o, count) for o in outputs):
                return outputs
            if mode == "vectorized":
                raise ValueError(f"{fn!r} returned outputs of shapes "
                                 f"{[np.shape(o) for o in outputs]}, not batched over "
                                 f"{count} probe cases")
        except Exception:
            if mode == "vectorized":
                raise
    with np.errstate(all="ignore"):
        rows = [_as_outputs(fn(*[a[i] for a in arrays])) for i in range(count)]
    return [np.stack([np.asarray(r[k], dtype=np.float64) for r in rows])
            for k in range(len(rows[0]))]


def _as_outputs(result: Any) -> list:
    if isinstance(result, (tuple, list)):
        return [np.asarray(r, dtype=np.float64) for r in result]
    return [np.asarray(result, dtype=np.float64)]


def _batched(output: np.ndarray, count: int) -> bool:
    return output.ndim == 0 or output.shape[0] == count


def _is_plain_callable(candidate: Any) -> bool:
    # Symbolic objects (a symbolized training function bound to its arguments, say) are
    # callable too, but running one may be the whole evaluation: they need an adapter of
    # their own, or ``FunctionalHasher(select=...)`` to pick the runnable part.
    from symsearch.symbolic.base import Symbolic
    return callable(candidate) and not isinstance(candidate, (type, Symbolic))


register_adapter(_is_plain_callable, callable_outputs)


# ---- NetworkX compute graphs -------------------------------------------------------------------

def _is_networkx_graph(candidate: Any) -> bool:
    nx = sys.modules.get("networkx")
    return nx is not None and isinstance(candidate, nx.DiGraph)


def graph_to_program(graph) -> Program:
    """A Program computing the same as a NetworkX DAG.

    Nodes carry an ``op`` attribute: ``"input"`` (the input named by the node's ``name``
    attribute, else the node itself), ``"const"`` (``value`` attribute) or a registered op,
    whose arguments are the node's predecessors ordered by the edges' ``arg`` attribute
    (else by insertion order). Outputs are ``graph.graph["outputs"]`` (node ids), else the
    sink nodes sorted by ``str(node)``.
    """
    import networkx as nx
    from symsearch.programs.expr import Const
    if not nx.is_directed_acyclic_graph(graph):
        raise ValueError("a compute graph must be a directed acyclic graph")
    names: dict = {}
    inputs, statements = [], []
    for node in nx.topological_sort(graph):
        attrs = graph.nodes[node]
        op = attrs.get("op")
        if op is None:
            raise ValueError(f"graph node {node!r} has no 'op' attribute")
        if op == "input":
            names[node] = str(attrs.get("name", node))
            if names[node] not in inputs:
                inputs.append(names[node])
            continue
        if op == "const":
            names[node] = Const(float(attrs["value"]))
            continue
        preds = list(graph.in_edges(node, data=True))
        if any("arg" in d for _, _, d in preds):
            preds.sort(key=lambda e: e[2].get("arg", 0))
        args = [names[u] for u, _, _ in preds]
        target = f"n{len(statements)}"
        statements.append(Statement(target, op, args))
        names[node] = target
    outputs = graph.graph.get("outputs")
    if outputs is None:
        outputs = sorted((n for n in graph.nodes if graph.out_degree(n) == 0), key=str)
    out_names = []
    for node in outputs:
        name = names[node]
        if isinstance(name, Const):          # a constant output: materialize it
            target = f"n{len(statements)}"
            statements.append(Statement(target, "add", [name, Const(0.0)]))
            name = target
        out_names.append(name)
    return Program(sorted(inputs), statements, out_names)


def graph_outputs(graph, probes, hasher) -> list:
    return program_outputs(graph_to_program(graph), probes, hasher)


register_adapter(_is_networkx_graph, graph_outputs)


# ---- torch modules ----------------------------------------------------------------------------------

def _is_torch_module(candidate: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(candidate, torch.nn.Module)


def _seed_of(*parts: Any) -> int:
    data = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little") >> 1


def initialize_module(module, init: Optional[str], seed: int) -> None:
    """Deterministically re-initializes ``module``'s parameters in place.

    ``"by_signature"``: each leaf module is re-initialized from a seed derived from its type
    and its parameters' names and shapes, so equal layers get equal weights wherever they sit
    (reordered independent branches compute the same). ``"by_order"``: one seeded stream in
    module order (what building the module after ``torch.manual_seed(seed)`` gives).
    ``None``: keep the weights.
    """
    import torch
    if init is None:
        return
    if init not in ("by_signature", "by_order"):
        raise ValueError(f"torch_init must be 'by_signature', 'by_order' or None, got {init!r}")
    with torch.random.fork_rng(devices=[]):
        if init == "by_order":
            torch.manual_seed(seed)
        for sub in module.modules():
            params = list(sub.named_parameters(recurse=False))
            if not params:
                continue
            if init == "by_signature":
                torch.manual_seed(_seed_of(seed, type(sub).__name__,
                                           [(n, tuple(p.shape)) for n, p in params]))
            reset = getattr(sub, "reset_parameters", None)
            if callable(reset):
                reset()
                continue
            with torch.no_grad():
                for _, p in params:
                    bound = 1.0 / max(1, p.shape[-1] if p.ndim > 1 else p.numel()) ** 0.5
                    p.uniform_(-bound, bound)


def torch_outputs(module, probes, hasher) -> list:
    """Runs a copy of ``module`` in float64 and eval mode, re-initialized deterministically
    (``hasher.torch_init``, ``hasher.torch_seed``), on the probe batch under ``no_grad``.
    Inputs are ``hasher.torch_inputs`` or the probe set's declared names, in order."""
    import torch
    names = list(hasher.torch_inputs or probes.names)
    if not names:
        raise ValueError("hashing a torch module needs declared probe inputs with shapes, "
                         "e.g. ProbeSet({'x': (8,)})")
    clone = copy.deepcopy(module).to(device="cpu", dtype=torch.float64).eval()
    initialize_module(clone, hasher.torch_init, hasher.torch_seed)
    xs = [torch.from_numpy(np.array(probes.array(n))) for n in names]
    with torch.no_grad():
        result = clone(*xs)
    if isinstance(result, dict):
        result = [result[k] for k in sorted(result)]
    if not isinstance(result, (tuple, list)):
        result = [result]
    return [r.detach().cpu().numpy().astype(np.float64) if hasattr(r, "detach")
            else np.asarray(r, dtype=np.float64) for r in result]


register_adapter(_is_torch_module, torch_outputs)
