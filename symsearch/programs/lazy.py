"""Lazy candidates: symbolic expressions that stay plain data until something reads them.

A search over expression trees proposes a tuple tree per trial (``programs.trees.Tree``)
and hands the evaluator an ``Expr``. Most evaluators only *run* the expression
(:func:`symsearch.programs.evaluate`, lowering, hashing), which the tuple tree answers
without any ``Expr`` node. So the candidate is a **lazy** ``Expr``: a real ``Call`` (or
``Var``/``Const``) object holding only its tuple tree, its digest (``ss.hash``) and its
JSON text. The first read of a field (``expr.args``, ``expr.op``, printing, ``rebind``,
``ss.query``, ...) builds the nodes below it, with the usual parent links, and from then
on it is an ordinary ``Expr``. Nothing a user can do tells the two apart, except that a
candidate nobody reads costs a few microseconds instead of one object per node (and the
garbage collector's time for their reference cycles).

>>> import symsearch as ss
>>> e = lazy_expr(("add", (("v", "x"), ("c", 1.0))))
>>> is_lazy(e)
True
>>> ss.hash(e) == ss.hash(ss.programs.call("add", "x", 1.0)), is_lazy(e)
(True, True)
>>> e.args[1].value, is_lazy(e)
(1.0, False)
"""
from __future__ import annotations

from typing import Any

from symsearch.programs.expr import Call, Const, Expr, Var
from symsearch.programs.trees import (TREE_CACHE, _CALL_PREFIX, _CONST_PREFIX, _VAR_PREFIX,
                                      _arity_matches, _build, _json_float, _json_str,
                                      from_tuple)
from symsearch.symbolic.hashing import DIGEST_SIZE, _blake2b, _float_bytes, _node_prefix

_new = object.__new__
_CLASS = {"v": Var, "c": Const}


def lazy_expr(tree: tuple) -> Expr:
    """The ``Expr`` of a tuple tree, built lazily (see the module docstring), with its
    digest and JSON text computed in one walk of the tree. Unknown ops, wrong arities and
    bad variable names raise here, as ``from_tuple`` does."""
    if len(_DIGESTS) > _MEMO_LIMIT:
        _DIGESTS.clear()
        _TEXTS.clear()
        _KEPT.clear()
    described = _describe(tree)
    if described is None:
        from_tuple(tree)                     # raises the usual error
        raise ValueError(f"not an expression tree: {tree!r}")
    node = _new(_CLASS.get(tree[0], Call))
    d = node.__dict__
    d[TREE_CACHE] = tree
    d["_sym_hash_cache"] = _blake2b(described[0], digest_size=DIGEST_SIZE).digest()
    d["_sym_json_text"] = described[1]
    return node


#: ``id(subtree) -> digest bytes`` and ``-> JSON text`` of the op nodes described lately.
#: A child shares most subtrees with its parents, so describing it walks only what is new.
#: ``_KEPT`` holds the subtrees, so an id is not reused while it is remembered. (Two dicts
#: and a list rather than one dict of tuples: no new object per node for the garbage
#: collector to track.)
_DIGESTS: dict = {}
_TEXTS: dict = {}
_KEPT: list = []
_MEMO_LIMIT = 20_000


def _describe(tree: tuple):
    """``(digest bytes, JSON text)`` of ``tree`` (what ``ss.hash`` and ``ss.to_json_str``
    read from its ``Expr``), or None when it is not a valid tree."""
    head = tree[0]
    if head == "c" or head == "v":
        try:
            hit = _LEAVES.get(tree)         # leaves are half the nodes, and a few recur
        except TypeError:                   # an unhashable value: not a valid leaf
            hit = None
        return hit if hit is not None else _describe_leaf(tree)
    key = id(tree)
    digest = _DIGESTS.get(key)
    if digest is not None:
        return digest, _TEXTS[key]
    sub = tree[1]
    if type(head) is not str or not _arity_matches(head, sub):
        return None
    parts = [_describe(a) for a in sub]
    if None in parts:
        return None
    b = head.encode("utf-8")
    digest = b"".join([_CALL_PREFIX, b"s%d:" % len(b), b, b"args=["]
                      + [p[0] for p in parts] + [b"]>"])
    text = ('{"_type": "symsearch.programs.Call", "op": ' + _json_str(head) + ', "args": ['
            + ", ".join([p[1] for p in parts]) + "]}")
    _DIGESTS[key] = digest
    _TEXTS[key] = text
    _KEPT.append(tree)
    return digest, text


#: ``(kind, value) -> (digest bytes, JSON text)`` of variables and nonzero constants (by
#: value: 0.0 == -0.0, but they are different constants).
_LEAVES: dict = {}


def _describe_leaf(tree: tuple):
    if tree[0] == "c":
        try:
            value = float(tree[1])
        except (TypeError, ValueError):
            return None
        out = (_CONST_PREFIX + _float_bytes(value) + b">",
               '{"_type": "symsearch.programs.Const", "value": ' + _json_float(value) + "}")
        if value and len(_LEAVES) < _MEMO_LIMIT:
            _LEAVES[tree] = out
        return out
    name = tree[1]
    if type(name) is not str or not name:
        return None
    b = name.encode("utf-8")
    out = (_VAR_PREFIX + b"s%d:" % len(b) + b + b">",
           '{"_type": "symsearch.programs.Var", "name": ' + _json_str(name) + "}")
    if len(_LEAVES) < _MEMO_LIMIT:
        _LEAVES[tree] = out
    return out


def is_lazy(expr: Any) -> bool:
    """Whether ``expr`` is a lazy ``Expr`` whose nodes were not built yet."""
    d = getattr(expr, "__dict__", None)
    return isinstance(expr, Expr) and d is not None and "_sym_args" not in d \
        and TREE_CACHE in d


def fill(node: Expr) -> bool:
    """Builds the fields of a lazy ``node`` from its tuple tree (children link to it as
    usual); False if ``node`` is not lazy."""
    d = node.__dict__
    tree = d.get(TREE_CACHE)
    if tree is None or "_sym_args" in d:
        return False
    built = _build(tree).__dict__
    args = built.get("args")
    d.update(built)
    if args is not None:
        args.__dict__["_sym_parent"] = node
    return True


__all__ = ["lazy_expr", "is_lazy", "fill"]


# ---- programs ---------------------------------------------------------------------------------
# A program's plain data is ``(inputs, statements, outputs)``: tuples of names, and
# ``(target, op, args)`` statements whose args are variable names or floats. It is cached on
# the Program under PROGRAM_CACHE (dropped, like the other caches, when the program changes).

PROGRAM_CACHE = "_sym_program_cache"
_CONST_VALUE = _node_prefix(Const) + b"value="


def program_data(program: Any):
    """The plain data of a ``Program`` (cached on it), or None for a subclass or a program
    holding other values than names and ``Const`` floats. A lazy program has it already."""
    d = program.__dict__
    data = d.get(PROGRAM_CACHE)
    if data is not None:
        return data
    from symsearch.programs.program import Program, Statement
    if type(program) is not Program:
        return None
    statements = []
    for st in program.statements:
        if type(st) is not Statement or type(st.target) is not str or type(st.op) is not str:
            return None
        args = []
        for a in st.args:
            if type(a) is str:
                args.append(a)
            elif type(a) is Const and type(a.value) is float:
                args.append(a.value)
            else:
                return None
        statements.append((st.target, st.op, tuple(args)))
    inputs, outputs = tuple(program.inputs), tuple(program.outputs)
    if any(type(n) is not str for n in inputs) or any(type(n) is not str for n in outputs):
        return None
    data = d[PROGRAM_CACHE] = (inputs, tuple(statements), outputs)
    return data


# Statements recur across a search (a child shares all but one or two with its parent), so
# their checked form is remembered by value (one shared object per distinct statement), and
# their digest bytes and JSON text by identity (each entry holds its statement, so an id is
# not reused while remembered). A statement with a zero constant is not remembered by value:
# 0.0 == -0.0, but they are different constants.
_STATEMENTS: dict = {}      # (target, op, args tuple) as given -> checked plain statement
_CHECKED: dict = {}         # id(checked plain statement) -> it (the values of _STATEMENTS)
_ST_DIGEST: dict = {}       # id(plain statement) -> (statement, its digest bytes)
_ST_TEXT: dict = {}         # id(plain statement) -> (statement, its JSON text)
_STATEMENT_LIMIT = 50_000


def _plain_statement(target, op, args):
    """The checked plain form of one statement (names and floats), or None if invalid."""
    if type(target) is not str or not target or type(op) is not str \
            or not _arity_matches(op, args):
        return None
    items = []
    for a in args:
        if type(a) is str or type(a) is float:
            items.append(a)
        elif isinstance(a, (int, float)) and not isinstance(a, bool):
            items.append(float(a))
        else:
            return None
    return target, op, tuple(items)


def checked_program_data(inputs, statements, outputs):
    """``(inputs, statements, outputs)`` as plain data if they make a valid program (the
    checks of ``Program(...)``), else None."""
    inputs = tuple(inputs)
    defined = set()
    for name in inputs:
        if type(name) is not str or not name:
            return None
        defined.add(name)
    if len(_STATEMENTS) > _STATEMENT_LIMIT:
        _STATEMENTS.clear()
        _CHECKED.clear()
    plain = []
    checked_ids = _CHECKED
    for st in statements:
        # A statement of a checked program (what a mutator's child mostly holds) is known
        # by identity: no hashing of its nested tuple.
        checked = checked_ids.get(id(st))
        if checked is not st:
            target, op, args = st
            try:
                # A statement of a checked program (its args a tuple) is its own key.
                key = st if type(st) is tuple and type(args) is tuple \
                    else (target, op, tuple(args))
                checked = _STATEMENTS.get(key)
            except TypeError:                      # unhashable: not plain data
                return None
            if checked is None:
                checked = _plain_statement(target, op, args)
                if checked is None:
                    return None
                if 0.0 not in key[2]:
                    _STATEMENTS[key] = checked
                    checked_ids[id(checked)] = checked
        else:
            target = st[0]
        for a in checked[2]:
            if type(a) is str and a not in defined:
                return None
        plain.append(checked)
        defined.add(target)
    outputs = tuple(outputs)
    if any(type(n) is not str or n not in defined for n in outputs):
        return None
    return inputs, tuple(plain), outputs


_NAMES: dict = {}            # names tuple -> its digest bytes (inputs, outputs, targets)


def _names_bytes(names) -> bytes:
    out = _NAMES.get(names)
    if out is None:
        out = b"".join([b"s%d:" % len(b) + b for b in (n.encode("utf-8") for n in names)])
        if len(_NAMES) < _STATEMENT_LIMIT:
            _NAMES[names] = out
    return out


#: ``[Program, Program's digest prefix, Statement's digest prefix]``, filled on first use:
#: symsearch.programs.program imports this module, so it cannot be imported at load time, and
#: an import statement on every call would be a hot-path cost.
_PROGRAM_TYPES: list = []


def _program_types() -> list:
    if not _PROGRAM_TYPES:
        from symsearch.programs.program import Program, Statement
        _PROGRAM_TYPES[:] = [Program, _node_prefix(Program), _node_prefix(Statement)]
    return _PROGRAM_TYPES


def program_digest(data: tuple) -> bytes:
    """``ss.hash``'s digest of the ``Program`` of plain ``data``."""
    if len(_ST_DIGEST) > _STATEMENT_LIMIT:
        _ST_DIGEST.clear()
    inputs, statements, outputs = data
    _cls, program_prefix, statement_prefix = _PROGRAM_TYPES or _program_types()
    parts = [program_prefix, b"inputs=[", _names_bytes(inputs), b"]statements=["]
    for st in statements:
        hit = _ST_DIGEST.get(id(st))          # by identity: statements are shared objects
        part = hit[1] if hit is not None and hit[0] is st else None
        if part is None:
            target, op, args = st
            part = b"".join([statement_prefix, b"target=", _names_bytes((target,)),
                             b"op=", _names_bytes((op,)), b"args=["]
                            + [_names_bytes((a,)) if type(a) is str
                               else _CONST_VALUE + _float_bytes(a) + b">" for a in args]
                            + [b"]>"])
            _ST_DIGEST[id(st)] = (st, part)
        parts.append(part)
    parts += [b"]outputs=[", _names_bytes(outputs), b"]>"]
    return _blake2b(b"".join(parts), digest_size=DIGEST_SIZE).digest()


def program_json_text(data: tuple) -> str:
    """``json.dumps(ss.to_json(program))`` of the ``Program`` of plain ``data``."""
    if len(_ST_TEXT) > _STATEMENT_LIMIT:
        _ST_TEXT.clear()
    inputs, statements, outputs = data
    texts = []
    for st in statements:
        hit = _ST_TEXT.get(id(st))
        text = hit[1] if hit is not None and hit[0] is st else None
        if text is None:
            target, op, args = st
            text = ('{"_type": "symsearch.programs.Statement", "target": ' + _json_str(target)
                    + ', "op": ' + _json_str(op) + ', "args": ['
                    + ", ".join([_json_str(a) if type(a) is str else
                                 '{"_type": "symsearch.programs.Const", "value": '
                                 + _json_float(a) + "}" for a in args]) + "]}")
            _ST_TEXT[id(st)] = (st, text)
        texts.append(text)
    return ('{"_type": "symsearch.programs.Program", "inputs": ['
            + ", ".join([_json_str(n) for n in inputs]) + '], "statements": ['
            + ", ".join(texts) + '], "outputs": ['
            + ", ".join([_json_str(n) for n in outputs]) + "]}")


def lazy_program(data: tuple) -> Any:
    """A lazy ``Program`` of checked plain data (see :func:`checked_program_data`): its
    statements are built the first time a field is read."""
    node = _new((_PROGRAM_TYPES or _program_types())[0])
    node.__dict__[PROGRAM_CACHE] = data
    return node


def fill_program(program: Any) -> bool:
    """Builds the fields of a lazy ``program`` from its plain data; False if it is not lazy."""
    from symsearch.programs.program import Statement
    from symsearch.symbolic.list import List
    d = program.__dict__
    data = d.get(PROGRAM_CACHE)
    if data is None or "_sym_args" in d:
        return False
    inputs, statements, outputs = data
    fast_list, const_new, st_new = List._sym_fast_new, Const._sym_fast_new, \
        Statement._sym_fast_new
    built = [st_new({"target": target, "op": op,
                     "args": fast_list([a if type(a) is str else const_new({"value": a})
                                        for a in args])})
             for target, op, args in statements]
    fields = {"inputs": fast_list(list(inputs)), "statements": fast_list(built),
              "outputs": fast_list(list(outputs))}
    for key, value in fields.items():
        vd = value.__dict__
        vd["_sym_parent"] = program
        vd["_sym_key"] = key
    d["_sym_args"] = fields
    d.update(fields)
    return True


def is_lazy_program(program: Any) -> bool:
    """Whether ``program`` is a lazy ``Program`` whose statements were not built yet."""
    d = getattr(program, "__dict__", None)
    return d is not None and PROGRAM_CACHE in d and "_sym_args" not in d


__all__ += ["program_data", "checked_program_data", "program_digest", "program_json_text", "lazy_program", "fill_program",
            "is_lazy_program", "PROGRAM_CACHE"]
