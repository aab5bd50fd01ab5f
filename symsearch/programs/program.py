"""Statement-list programs as symbolic objects.

A :class:`Program` reads its ``inputs``, runs ``statements`` in order (each assigns one op's
result to a variable; variables may be reassigned) and returns the final values of its
``outputs``, in order. An argument is a variable name or a :class:`Const`.

>>> p = Program(inputs=["x", "y"],
...             statements=[Statement("t", "mul", ["x", "y"]),
...                         Statement("dead", "exp", ["x"]),
...                         Statement("out", "add", ["t", Const(1.0)])],
...             outputs=["out"])
>>> [float(v) for v in evaluate(p, {"x": 2.0, "y": 3.0})]
[7.0]
>>> len(remove_dead_statements(p).statements)
2
>>> print(to_source(normal_form(p)))
def program(x, y):
    t0 = mul(x, y)
    t1 = add(t0, 1.0)
    return t1
"""
from __future__ import annotations

import hashlib
import heapq
from typing import Any, Iterable, Mapping, Sequence, Tuple, Union

import numpy as np

from symsearch.programs.expr import Const
from symsearch.programs.lazy import (checked_program_data, fill_program, lazy_program,
                                     program_data, program_digest, program_json_text)
from symsearch.programs.ops import REGISTRY
from symsearch.symbolic.list import List
from symsearch.symbolic.object import Object


class Statement(Object, type_name="symsearch.programs.Statement"):
    """``target = op(*args)``; each argument is a variable name or a ``Const``."""

    target: str
    op: str
    args: list

    def _on_bound(self) -> None:
        REGISTRY.check_call(self.op, self.args, (str, Const), "a variable name or a Const",
                            self.sym_path)

    def _sym_init_user(self) -> None:
        # Reached only from ``_sym_fast_new`` (clone, materialize, make_program), whose
        # children were checked already: the ``_on_bound`` checks would only repeat them.
        self.__dict__.update(self._sym_args)


class Program(Object, type_name="symsearch.programs.Program"):
    """Inputs, statements and outputs; see the module docstring."""

    inputs: list
    statements: list
    outputs: list

    def _on_bound(self) -> None:
        defined = set()
        for name in self.inputs:
            if not isinstance(name, str) or not name:
                raise ValueError(f"program inputs must be non-empty strings, got {name!r}")
            defined.add(name)
        for i, st in enumerate(self.statements):
            if not isinstance(st, Statement):
                raise TypeError(f"statements[{i}] must be a Statement, got "
                                f"{type(st).__name__} {st!r}")
            for j, arg in enumerate(st.args):
                if isinstance(arg, str) and arg not in defined:
                    raise ValueError(f"statements[{i}] ({to_line(st)}) reads {arg!r} before it "
                                     f"is assigned (path=statements[{i}].args[{j}])")
            defined.add(st.target)
        for k, name in enumerate(self.outputs):
            if name not in defined:
                raise ValueError(f"output {name!r} is never assigned (path=outputs[{k}])")

    def _sym_init_user(self) -> None:
        # See Statement._sym_init_user.
        self.__dict__.update(self._sym_args)

    def __getattr__(self, name: str) -> Any:
        # Reached only when the usual lookup fails: a lazy program (``programs.lazy``: what
        # mutators and a search's candidates are) builds its statements on first read.
        if name in ("_sym_args", "inputs", "statements", "outputs"):
            if fill_program(self):
                return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _dna_json(self) -> Any:
        """The compact form a DNA stores this program in (see ``geno.codec``):
        ``{"_program": {"inputs": [...], "statements": [[target, op, [args]]...],
        "outputs": [...]}}``, a constant argument as a number. None (use the typed JSON)
        for subclasses."""
        data = program_data(self)
        if data is None:
            return None
        inputs, statements, outputs = data
        return {"_program": {"inputs": list(inputs),
                             "statements": [[t, op, list(args)] for t, op, args in statements],
                             "outputs": list(outputs)}}

    @classmethod
    def from_dna_json(cls, data: Any) -> "Program":
        """The program of ``{"_program": data}`` (checked like ``Program(...)``)."""
        return make_program(data["inputs"], [(t, op, args) for t, op, args in data["statements"]],
                            data["outputs"])

    @staticmethod
    def _sym_clone_value(program: "Program") -> "Program":
        """A copy for a new candidate (see hyper.compile): a lazy program sharing the
        (immutable) plain data, whose statements are built only if something reads them."""
        data = program_data(program)
        if data is None:
            from symsearch.symbolic.ops import clone
            return clone(program)
        new = lazy_program(data)
        digest = program.__dict__.get("_sym_hash_cache")
        if digest is not None:
            new.__dict__["_sym_hash_cache"] = digest
        return new


def make_program(inputs, statements, outputs) -> Program:
    """``Program(inputs, [Statement(target, op, args)...], outputs)`` from plain data, with
    the same checks but without the generic field binding (the hot path of mutators).
    ``statements`` holds ``(target, op, args)``; an argument is a name or a number.

    >>> print(to_source(make_program(["x"], [("y", "mul", ["x", 2.0])], ["y"])))
    def program(x):
        y = mul(x, 2.0)
        return y
    """
    statements = statements if isinstance(statements, (list, tuple)) else list(statements)
    data = checked_program_data(inputs, statements, outputs)
    if data is not None:
        return lazy_program(data)       # valid: its statements are built when first read
    fast_list = List._sym_fast_new      # invalid: build it to raise the usual error
    const_new = Const._sym_fast_new
    built = []
    for target, op, args in statements:
        if type(target) is not str or not target:
            raise ValueError(f"a statement's target must be a non-empty string, got "
                             f"{target!r}")
        items = [a if type(a) is str else const_new({"value": float(a)}) for a in args]
        st = Statement._sym_fast_new({"target": target, "op": op, "args": fast_list(items)})
        st._on_bound()
        built.append(st)
    program = Program._sym_fast_new({"inputs": fast_list(list(inputs)),
                                     "statements": fast_list(built),
                                     "outputs": fast_list(list(outputs))})
    program._on_bound()
    return program


def to_line(statement: Statement) -> str:
    args = ", ".join(a if isinstance(a, str) else repr(float(a.value)) for a in statement.args)
    return f"{statement.target} = {statement.op}({args})"


def to_source(program: Program, name: str = "program") -> str:
    """The program as Python-like source."""
    lines = [f"def {name}({', '.join(program.inputs)}):"]
    lines += [f"    {to_line(st)}" for st in program.statements]
    outputs = ", ".join(program.outputs)
    lines.append(f"    return {outputs}")
    return "\n".join(lines)


def evaluate(program: Program, inputs: Union[Mapping[str, Any], Sequence[Any]]) -> tuple:
    """Runs the program with NumPy; returns the outputs as a tuple.

    ``inputs`` is a mapping from input names to scalars or arrays, or a sequence in the
    order of ``program.inputs``.
    """
    data = program_data(program)
    names = data[0] if data is not None else program.inputs
    if isinstance(inputs, Mapping):
        missing = [n for n in names if n not in inputs]
        if missing:
            raise KeyError(f"inputs {missing} are missing; the program reads "
                           f"{list(names)}")
        env = {n: inputs[n] for n in names}
    else:
        inputs = list(inputs)
        if len(inputs) != len(names):
            raise ValueError(f"the program takes {len(names)} inputs "
                             f"{list(names)}, got {len(inputs)}")
        env = dict(zip(names, inputs))
    with np.errstate(all="ignore"):
        if data is not None:                 # plain data: the statements are not read
            for target, op, args in data[1]:
                env[target] = REGISTRY.get(op).numpy_fn(
                    *[env[a] if type(a) is str else np.float64(a) for a in args])
            return tuple(env[n] for n in data[2])
        for st in program.statements:
            args = [env[a] if isinstance(a, str) else np.float64(a.value) for a in st.args]
            env[st.target] = REGISTRY.get(st.op).numpy_fn(*args)
    return tuple(env[n] for n in program.outputs)


def live_statements(program: Program) -> list:
    """Indices of the statements whose result reaches an output, in order."""
    return live_indices([(st.target, st.args) for st in program.statements], program.outputs)


def live_indices(statements: Sequence[tuple], outputs: Sequence[str]) -> list:
    """:func:`live_statements` for plain ``(target, args)`` pairs (args: variable names as
    str, anything else is a constant), as mutators keep programs while they edit them."""
    return live_analysis(statements, outputs)[0]


def live_analysis(statements: Sequence[tuple], outputs: Iterable[str]) -> Tuple[list, set]:
    """The live statement indices for ``outputs`` (as :func:`live_indices`) and the variables
    those statements read before any statement assigns them (the inputs they depend on)."""
    live_vars = set(outputs)
    keep = []
    for i in range(len(statements) - 1, -1, -1):
        target, args = statements[i]
        if target in live_vars:
            keep.append(i)
            live_vars.discard(target)
            live_vars.update(a for a in args if isinstance(a, str))
    keep.reverse()
    return keep, live_vars


def remove_dead_statements(program: Program) -> Program:
    """A copy without the statements whose results never reach an output."""
    statements = program.statements
    return Program(list(program.inputs),
                   [_copy_statement(statements[i]) for i in live_statements(program)],
                   list(program.outputs))


def _copy_statement(st: Statement, target=None, args=None) -> Statement:
    if args is None:
        args = [a if isinstance(a, str) else Const(float(a.value)) for a in st.args]
    return Statement(st.target if target is None else target, st.op, args)


def normal_form(program: Program) -> Program:
    """A canonical copy for structural hashing.

    Dead statements are removed, statements computing the same value are merged, the
    arguments of commutative ops are sorted, independent statements are put in a canonical
    order and temporaries are renamed ``t0, t1, ...`` in that order. So programs that differ
    only in those respects have equal normal forms (and equal ``ss.hash``).
    """
    statements = program.statements
    # Value numbering: each live statement's value gets a signature (a digest of its op and
    # its arguments' signatures), which is what it computes, independent of names and order.
    current = {name: ("i", name) for name in program.inputs}       # var -> value key
    signature = {("i", name): _digest(b"i:" + name.encode()) for name in program.inputs}
    nodes: dict = {}                                                # signature -> node
    for i in live_statements(program):
        st = statements[i]
        op = REGISTRY.get(st.op)
        arg_keys = []
        for a in st.args:
            if isinstance(a, str):
                arg_keys.append(current[a])
            else:
                value = float(a.value)
                key = ("c", value)
                signature.setdefault(key, _digest(b"c:" + repr(value).encode()))
                arg_keys.append(key)
        arg_sigs = [signature[k] for k in arg_keys]
        if op.commutative:
            order = sorted(range(len(arg_keys)), key=arg_sigs.__getitem__)
            arg_keys = [arg_keys[j] for j in order]
            arg_sigs = [arg_sigs[j] for j in order]
        sig = _digest(st.op.encode() + b"(" + b",".join(arg_sigs) + b")")
        key = ("s", sig)
        signature[key] = sig
        nodes.setdefault(sig, (st.op, arg_keys))
        current[st.target] = key
    # Canonical topological order: among the ready statements, the smallest signature first.
    users: dict = {sig: [] for sig in nodes}
    waiting = {}
    for sig, (_op, arg_keys) in nodes.items():
        deps = {k[1] for k in arg_keys if k[0] == "s"}
        waiting[sig] = len(deps)
        for d in deps:
            users[d].append(sig)
    ready = [sig for sig, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    names: dict = {}
    new_statements = []
    while ready:
        sig = heapq.heappop(ready)
        op_name, arg_keys = nodes[sig]
        name = names[sig] = f"t{len(names)}"
        args = [Const(k[1]) if k[0] == "c" else (k[1] if k[0] == "i" else names[k[1]])
                for k in arg_keys]
        new_statements.append(Statement(name, op_name, args))
        for user in users[sig]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, user)
    outputs = [current[n][1] if current[n][0] == "i" else names[current[n][1]]
               for n in program.outputs]
    return Program(list(program.inputs), new_statements, outputs)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=12).hexdigest().encode()


# ---- hashing and JSON of programs without the generic walk --------------------------------------
# Exactly the bytes and JSON of the generic walk (tests/programs/test_trees.py checks it), for
# programs whose nodes are exactly Program, Statement and Const; others take the generic walk.

def _program_digest(program: Program):
    data = program_data(program)
    return NotImplemented if data is None else program_digest(data)


def _program_json_text(program: Program):
    data = program_data(program)
    return NotImplemented if data is None else program_json_text(data)


_PROGRAM, _STATEMENT, _CONST = ("symsearch.programs.Program", "symsearch.programs.Statement",
                                "symsearch.programs.Const")


def _program_json(program: Program):
    data = program_data(program)
    if data is None:
        return NotImplemented
    inputs, statements, outputs = data
    return {"_type": _PROGRAM, "inputs": list(inputs),
            "statements": [{"_type": _STATEMENT, "target": target, "op": op,
                            "args": [a if type(a) is str else {"_type": _CONST, "value": a}
                                     for a in args]} for target, op, args in statements],
            "outputs": list(outputs)}


def _register() -> None:
    from symsearch.symbolic.hashing import register_digester
    from symsearch.symbolic.serialization import (register_json_encoder,
                                                  register_json_text_encoder)
    register_digester(Program, _program_digest)
    register_json_encoder(Program, _program_json)
    register_json_text_encoder(Program, _program_json_text)


_register()
