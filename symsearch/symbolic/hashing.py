"""Structural hashing that is stable across processes, runs and Python versions.

``ss.hash(value)`` hashes a canonical byte encoding of the value with BLAKE2b (never
Python's salted ``hash()``). Dict keys are ordered canonically; integral floats hash
like the equal int (``1.0 == 1``); functions hash by registered or importable name,
and lambdas/local functions by their normalized source (``ast.unparse``) plus closure
values and defaults, so ``lambda x: x + 1`` and ``lambda x: x + 2`` differ.

A symbolic node caches the digest computed for it; any mutation below it drops the
cache (see ``Symbolic._sym_invalidate``), so re-hashing an unchanged tree is a lookup.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import math
import sys
import textwrap
import types
from typing import Any

from symsearch.symbolic import registry
from symsearch.symbolic.base import MISSING, Symbolic
from symsearch.symbolic.dict import Dict
from symsearch.symbolic.list import List

DIGEST_SIZE = 16
_blake2b = hashlib.blake2b


#: Symbolic type -> function giving the digest of a root of that type (exactly the digest
#: of the generic walk), for types that know a faster way (expression trees hash their
#: cached tuple trees). Consulted once per ``sym_digest`` call, not per node.
_DIGESTERS: dict = {}


def register_digester(cls: type, digest) -> None:
    """Makes ``sym_digest`` of an instance of ``cls`` (not a subclass) ``digest(value)``,
    which must equal what the generic walk gives (or be ``NotImplemented``: walk it)."""
    _DIGESTERS[cls] = digest


def sym_digest(value: Any) -> bytes:
    """The 16-byte structural digest of ``value`` (cached on symbolic nodes)."""
    if isinstance(value, Symbolic):
        cached = value.__dict__.get("_sym_hash_cache")
        if cached is not None:
            return cached
        if _DIGESTERS:
            digester = _DIGESTERS.get(type(value))
            if digester is not None:
                digest = digester(value)
                if digest is not NotImplemented:
                    value.__dict__["_sym_hash_cache"] = digest
                    return digest
        parts: list = []
        _feed_node(value, parts)
        digest = _blake2b(b"".join(parts), digest_size=DIGEST_SIZE).digest()
        value.__dict__["_sym_hash_cache"] = digest
        return digest
    parts = []
    _feed(value, parts)
    return _blake2b(b"".join(parts), digest_size=DIGEST_SIZE).digest()


def sym_hash(value: Any) -> str:
    """Hex string of :func:`sym_digest`; equal for structurally equal values."""
    return sym_digest(value).hex()


def _type_name(cls: type) -> bytes:
    name = registry.name_of(cls) or f"{cls.__module__}.{cls.__qualname__}"
    return name.encode()


# The whole tree is encoded in one pass into one byte stream (children inline, never by
# their cached digest), so a node's digest never depends on which children were hashed
# before. Per-class prefixes and per-field key bytes are memoized: they are the same
# for every instance.
_NODE_PREFIX: dict = {}
_KEY_BYTES: dict = {}


def _node_prefix(cls: type) -> bytes:
    prefix = _NODE_PREFIX.get(cls)
    if prefix is None:
        prefix = _NODE_PREFIX[cls] = b"<" + _type_name(cls) + b"|"
    return prefix


def _key_bytes(k: Any) -> bytes:
    b = _KEY_BYTES.get(k)
    if b is None:
        b = (k.encode() if isinstance(k, str) else repr(k).encode()) + b"="
        if len(_KEY_BYTES) < 100_000:
            _KEY_BYTES[k] = b
    return b


def _feed_node(node: Symbolic, parts: list) -> None:
    if isinstance(node, Dict):
        _feed_mapping(node, parts)
        return
    if isinstance(node, List):
        parts.append(b"[")
        for v in node:
            _feed(v, parts)
        parts.append(b"]")
        return
    cls = type(node)
    parts.append(_NODE_PREFIX.get(cls) or _node_prefix(cls))
    items = node.sym_items()
    fields = getattr(cls, "_sym_fields", None)
    if fields is not None and fields.var_keyword:
        # Extra ``**kwargs`` arguments compare regardless of order (see ``ops.eq``).
        items = sorted(items, key=lambda kv: str(kv[0]))
    key_bytes = _KEY_BYTES
    for k, v in items:
        parts.append(key_bytes.get(k) or _key_bytes(k))
        _feed(v, parts)
    parts.append(b">")


def _feed_mapping(mapping, parts: list) -> None:
    entries = []
    for k, v in mapping.items():
        if type(k) is str:
            b = k.encode("utf-8")
            kb = b"s%d:" % len(b) + b
        else:
            kp: list = []
            _feed(k, kp)
            kb = b"".join(kp)
        entries.append((kb, v))
    entries.sort(key=_first)
    parts.append(b"{")
    for kb, v in entries:
        parts.append(kb + b":")
        _feed(v, parts)
    parts.append(b"}")


def _first(entry: tuple) -> bytes:
    return entry[0]


def _feed(v: Any, parts: list) -> None:
    cls = type(v)
    if cls is str:
        b = v.encode("utf-8")
        parts.append(b"s%d:" % len(b) + b)
    elif cls is int:
        parts.append(b"i%d;" % v)
    elif cls is float:
        parts.append(_float_bytes(v))
    elif v is None:
        parts.append(b"N")
    elif cls is bool:
        parts.append(b"T" if v else b"F")
    elif isinstance(v, Symbolic):
        _feed_node(v, parts)
    elif cls is tuple:
        parts.append(b"(")
        for x in v:
            _feed(x, parts)
        parts.append(b")")
    elif cls is list:
        # Fed exactly like a ``List``, so a plain container and the symbolic one it
        # equals hash the same wherever they sit in the tree.
        parts.append(b"[")
        for x in v:
            _feed(x, parts)
        parts.append(b"]")
    elif cls is dict:
        _feed_mapping(v, parts)
    elif v is MISSING:
        parts.append(b"M")
    else:
        _feed_other(v, parts)


def _float_bytes(v: float) -> bytes:
    if v.is_integer():  # exact: an integral float equals exactly one int, at any magnitude
        return b"i%d;" % int(v)
    if math.isnan(v):
        return b"fnan;"
    return b"f" + repr(v).encode() + b";"


def _feed_other(v: Any, parts: list) -> None:
    if isinstance(v, bool):
        parts.append(b"T" if v else b"F")
    elif isinstance(v, int):
        parts.append(b"i%d;" % int(v))
    elif isinstance(v, float):
        parts.append(_float_bytes(float(v)))
    elif isinstance(v, str):
        _feed(str(v), parts)
    elif isinstance(v, bytes):
        parts.append(b"b%d:" % len(v) + v)
    elif isinstance(v, (list, tuple)):
        _feed(list(v) if isinstance(v, list) else tuple(v), parts)
    elif isinstance(v, dict):
        _feed(dict(v), parts)
    elif isinstance(v, (set, frozenset)):
        keys = sorted(sym_digest(x) for x in v)
        parts.append(b"S" + b"".join(keys) + b";")
    elif isinstance(v, type):
        parts.append(b"c" + _type_name(v) + b";")
    elif isinstance(v, (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                        functools.partial)):
        parts.append(b"F" + function_key(v) + b";")
    elif type(v).__module__ == "numpy":
        _feed_numpy(v, parts)
    elif _is_torch_tensor(v):
        _feed_tensor(v, parts)
    else:
        state = getattr(v, "__dict__", None)
        text = repr(v)
        if " at 0x" not in text:
            parts.append(b"r" + _type_name(type(v)) + b":" + text.encode() + b";")
        elif state is not None:
            parts.append(b"o" + _type_name(type(v)) + b":")
            _feed_mapping(state, parts)
        else:
            raise TypeError(f"Cannot hash a {type(v).__name__} structurally: its repr holds a "
                            f"memory address and it has no __dict__.")


def _feed_numpy(v: Any, parts: list) -> None:
    import numpy as np
    if isinstance(v, np.ndarray):
        arr = np.ascontiguousarray(v)
        parts.append(b"A" + arr.dtype.str.encode() + repr(arr.shape).encode() + b":")
        parts.append(arr.tobytes())
    elif isinstance(v, np.generic):
        _feed(v.item(), parts)
    else:
        parts.append(b"r" + repr(v).encode())


def _is_torch_tensor(v: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(v, torch.Tensor)


def _feed_tensor(v: Any, parts: list) -> None:
    # By content: a tensor's repr elides elements, so two different tensors share it.
    import torch
    t = v.detach().cpu().contiguous()
    parts.append(b"A" + str(t.dtype).encode() + repr(tuple(t.shape)).encode() + b":")
    parts.append(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")


def function_key(fn: Any) -> bytes:
    """A process-independent identity for a function (see the module docstring)."""
    if isinstance(fn, functools.partial):
        parts: list = [b"partial(", function_key(fn.func)]
        _feed(tuple(fn.args), parts)
        _feed(dict(fn.keywords), parts)
        return b"".join(parts) + b")"
    if isinstance(fn, types.MethodType):
        parts = [b"method(", function_key(fn.__func__)]
        _feed(fn.__self__, parts)
        return b"".join(parts) + b")"
    name = registry.name_of(fn)
    if name:
        return name.encode()
    module = getattr(fn, "__module__", None) or ""
    qualname = getattr(fn, "__qualname__", "") or ""
    if "<" not in qualname and module in sys.modules:
        obj: Any = sys.modules[module]
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        if obj is fn:
            return f"{module}.{qualname}".encode()
    code = getattr(fn, "__code__", None)
    if code is None:
        return f"{module}.{qualname}".encode()
    parts = [b"code:", _code_key(code)]
    if getattr(fn, "__defaults__", None):
        _feed(tuple(fn.__defaults__), parts)
    if getattr(fn, "__kwdefaults__", None):
        _feed(dict(fn.__kwdefaults__), parts)
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            _feed(cell.cell_contents, parts)
        except ValueError:  # empty cell
            parts.append(b"E")
    return b"".join(parts)


@functools.lru_cache(maxsize=4096)
def _code_key(code: types.CodeType) -> bytes:
    source = _source_of(code)
    if source is not None:
        return b"src:" + source.encode()
    return b"bytecode:" + _bytecode_key(code)


def _bytecode_key(code: types.CodeType) -> bytes:
    parts = [code.co_code, repr(code.co_names).encode(), repr(code.co_varnames).encode()]
    for c in code.co_consts:
        parts.append(_bytecode_key(c) if isinstance(c, types.CodeType) else repr(c).encode())
    return hashlib.blake2b(b"|".join(parts), digest_size=DIGEST_SIZE).digest()


def _source_of(code: types.CodeType):
    """Normalized source (``ast.unparse``) of a lambda or def, or None if unavailable."""
    try:
        lines, _ = inspect.findsource(code)
    except (OSError, TypeError):
        return None
    start = code.co_firstlineno - 1
    snippet = textwrap.dedent("".join(inspect.getblock(lines[start:])))
    tree = None
    for text in (snippet, "(\n" + snippet + "\n)", snippet.rstrip().rstrip(",")):
        try:
            tree = ast.parse(text)
            break
        except SyntaxError:
            continue
    if tree is None:
        return None
    wanted = ast.Lambda if code.co_name == "<lambda>" else (ast.FunctionDef, ast.AsyncFunctionDef)
    nodes = [n for n in ast.walk(tree) if isinstance(n, wanted)
             and (code.co_name == "<lambda>" or n.name == code.co_name)]
    if not nodes:
        return None
    if len(nodes) > 1:
        target = _bytecode_key(code)
        matching = [n for n in nodes if _compiled_key(n) == target]
        if len(matching) != 1:
            return None
        nodes = matching
    return ast.unparse(nodes[0])


def _compiled_key(node: ast.AST):
    try:
        if isinstance(node, ast.Lambda):
            module = compile(ast.fix_missing_locations(ast.Expression(node)), "<hash>", "eval")
        else:
            module = compile(ast.fix_missing_locations(ast.Module([node], [])), "<hash>", "exec")
    except Exception:
        return None
    for c in module.co_consts:
        if isinstance(c, types.CodeType):
            return _bytecode_key(c)
    return None
