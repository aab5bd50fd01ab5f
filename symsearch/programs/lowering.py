"""Lowering programs and expression trees to op-code arrays (see ``compiled`` for the format
and the interpreters that run them).

>>> from symsearch.programs.expr import Var, Const, Call
>>> low = lower_expr(Call("mul", [Var("x"), Const(2.0)]))
>>> low.input_names, low.constants.tolist(), low.instructions.tolist(), low.outputs.tolist()
(('x',), [2.0], [[2, 2, 0, 1, 0]], [2])
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from symsearch.programs.expr import Call, Const, Var
from symsearch.programs.ops import MAX_ARITY, REGISTRY
from symsearch.programs.program import Program, live_indices, live_statements

WIDTH = 2 + MAX_ARITY


class Lowered:
    """A program or expression as arrays (see the module docstring).

    ``packed`` holds everything the compiled interpreter reads in one int32 array,
    ``[n_registers, n_outputs, *outputs, *instructions.ravel()]`` (one argument to unbox
    instead of four); ``instructions`` and ``outputs`` are views into it.
    """

    __slots__ = ("packed", "instructions", "constants", "outputs", "n_inputs", "n_registers",
                 "input_names", "numba_ok")

    def __init__(self, instructions, constants, outputs, n_inputs, input_names,
                 numba_ok: bool = True):
        instructions = np.asarray(instructions, dtype=np.int32).reshape(-1, WIDTH)
        outputs = np.asarray(outputs, dtype=np.int32).reshape(-1)
        constants = np.asarray(constants, dtype=np.float64).reshape(-1)
        # At least one register, so unused argument slots (register 0) are always valid.
        n_registers = max(1, n_inputs + len(constants) + len(instructions))
        packed = np.concatenate([np.array([n_registers, len(outputs)], dtype=np.int32),
                                 outputs, instructions.reshape(-1)])
        self._set(packed, constants, n_inputs, input_names, numba_ok)

    @classmethod
    def _from_packed(cls, packed, constants, n_inputs, input_names, numba_ok) -> "Lowered":
        obj = cls.__new__(cls)
        obj._set(packed, constants, n_inputs, input_names, numba_ok)
        return obj

    def _set(self, packed, constants, n_inputs, input_names, numba_ok) -> None:
        n_out = int(packed[1])
        self.packed = packed
        self.outputs = packed[2:2 + n_out]
        self.instructions = packed[2 + n_out:].reshape(-1, WIDTH)
        self.constants = constants
        self.n_inputs = n_inputs
        self.n_registers = int(packed[0])
        self.input_names = tuple(input_names)
        self.numba_ok = numba_ok

    def __repr__(self) -> str:
        return (f"Lowered({len(self.instructions)} instructions, {len(self.constants)} "
                f"constants, inputs={list(self.input_names)})")


# While lowering, a register is ``index * 4 + kind`` (kind 0: input, 1: constant, 2: result of
# instruction ``index``); ``_finish`` maps them to the final layout with a few array ops.
_INPUT, _CONST, _TEMP = 0, 1, 2


class _Builder:
    __slots__ = ("rows", "const_values", "const_index", "names", "index", "fixed", "numba_ok",
                 "ops")

    def __init__(self, input_names: Optional[Sequence[str]]):
        self.rows: list = []
        self.const_values: list = []
        self.const_index: dict = {}
        self.fixed = input_names is not None
        self.names = list(input_names) if input_names is not None else []
        self.index = {name: i for i, name in enumerate(self.names)}
        self.numba_ok = True
        self.ops = REGISTRY._by_name

    def input(self, name: str) -> int:
        i = self.index.get(name)
        if i is None:
            if self.fixed:
                raise KeyError(f"variable {name!r} is not among the inputs {self.names}")
            i = self.index[name] = len(self.names)
            self.names.append(name)
        return i * 4 + _INPUT

    def const(self, value: float) -> int:
        value = float(value)
        key = (value, np.signbit(value)) if value == 0 else value
        slot = self.const_index.get(key)
        if slot is None:
            slot = self.const_index[key] = len(self.const_values)
            self.const_values.append(value)
        return slot * 4 + _CONST

    def emit(self, op_name: str, args: list) -> int:
        try:
            op = self.ops[op_name]
        except KeyError:
            REGISTRY.get(op_name)        # raises the KeyError listing the registered ops
            raise
        if op.numba_source is None:
            self.numba_ok = False
        dst = len(self.rows) * 4 + _TEMP
        if len(args) < MAX_ARITY:
            args = args + [0] * (MAX_ARITY - len(args))
        self.rows.append([op.code, dst] + args)
        return dst

    def finish(self, outputs: list) -> Lowered:
        n_in, n_const = len(self.names), len(self.const_values)
        offsets = (0, n_in, n_in + n_const, 0)
        # Plain Python: for the few dozen registers of a typical program this beats array
        # arithmetic, whose per-call overhead dominates.
        n_registers = max(1, n_in + n_const + len(self.rows))
        flat = [n_registers, len(outputs)]
        flat += [(r >> 2) + offsets[r & 3] for r in outputs]
        for row in self.rows:
            flat.append(row[0])
            flat += [(r >> 2) + offsets[r & 3] for r in row[1:]]
        return Lowered._from_packed(np.array(flat, dtype=np.int32),
                                    np.array(self.const_values, dtype=np.float64), n_in,
                                    self.names, self.numba_ok)


def lower_expr(expr, input_names: Optional[Sequence[str]] = None) -> Lowered:
    """Lowers an expression tree. ``input_names`` fixes the input registers' order (a
    variable not in it is an error); by default the inputs are the variables in order of
    first appearance (``Lowered.input_names``)."""
    builder = _Builder(input_names)
    # The hot path of functional hashing: the builder's methods are inlined here.
    rows, ops, pad = builder.rows, builder.ops, [0] * MAX_ARITY
    index, const_index = builder.index, builder.const_index

    def visit(node) -> int:
        cls = type(node)
        if cls is Call:
            args = [visit(a) for a in node.args]
            op = ops.get(node.op)
            if op is None or op.numba_source is None:
                return builder.emit(node.op, args)
            dst = len(rows) * 4 + _TEMP
            rows.append([op.code, dst] + args + pad[len(args):])
            return dst
        if cls is Var:
            i = index.get(node.name)
            return builder.input(node.name) if i is None else i * 4
        if cls is Const:
            slot = const_index.get(node.value)
            if slot is None or node.value == 0:
                return builder.const(node.value)
            return slot * 4 + _CONST
        raise TypeError(f"not an expression node: {type(node).__name__} {node!r}")

    out = visit(expr)
    return builder.finish([out])


def lower_program(program: Program) -> Lowered:
    """Lowers a program (dead statements are left out)."""
    from symsearch.programs.lazy import program_data
    data = program_data(program)
    if data is not None:                     # plain data: the statements are not read
        inputs, statements, outputs = data
        builder = _Builder(list(inputs))
        current = {name: builder.input(name) for name in inputs}
        for i in live_indices([(t, args) for t, _op, args in statements], outputs):
            target, op, args = statements[i]
            current[target] = builder.emit(op, [current[a] if type(a) is str
                                                else builder.const(a) for a in args])
        return builder.finish([current[n] for n in outputs])
    builder = _Builder(list(program.inputs))
    current = {name: builder.input(name) for name in program.inputs}
    statements = program.statements
    for i in live_statements(program):
        st = statements[i]
        args = [current[a] if isinstance(a, str) else builder.const(a.value) for a in st.args]
        current[st.target] = builder.emit(st.op, args)
    return builder.finish([current[n] for n in program.outputs])
