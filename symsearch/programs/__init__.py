"""Programs and expression trees: the shared machinery of program search.

- ``ops``: the op registry (NumPy implementations and Numba snippets selected by op code);
- ``expr``: expression trees ``Var``, ``Const``, ``Call`` (symbolic objects);
- ``program``: statement-list programs ``Program``, ``Statement`` (symbolic objects);
- ``compiled``: lowering to op-code arrays, the Numba interpreter and its NumPy twin;
- ``mutation``: ``ExprMutator`` and ``ProgramMutator`` for ``ss.evolve``;
- ``abstract``: abstract execution (scalar/vector shape checking) of programs;
- ``torch_eval``: the ops' torch twins and ``evaluate_torch`` (torch imported on first use).

>>> from symsearch.programs import Program, Statement, Var, Const, Call, evaluate
>>> float(evaluate(Call("sub", [Var("x"), Const(1.0)]), {"x": 3.0}))
2.0
>>> p = Program(["x"], [Statement("y", "square", ["x"])], ["y"])
>>> float(evaluate(p, {"x": 3.0})[0])
9.0
"""
from typing import Any

from symsearch.programs import expr as _expr
from symsearch.programs import program as _program
from symsearch.programs.abstract import (SCALAR, VECTOR, check_program, check_shapes,
                                         infer_shapes)
from symsearch.programs.compiled import (Lowered, lower_expr, lower_program, run, run_numba,
                                         run_numpy, warm_up)
from symsearch.programs.expr import Call, Const, Expr, Var, call, depth, size, to_source, variables
from symsearch.programs.mutation import ExprMutator, ProgramMutator
from symsearch.programs.ops import (EPS, Op, OpRegistry, REGISTRY, get_op, op_names, register_op,
                                    unregister_op)
from symsearch.programs.program import Program, Statement, remove_dead_statements
from symsearch.programs.torch_eval import evaluate_torch, register_torch_op, torch_op


def evaluate(value: Any, inputs: Any) -> Any:
    """Evaluates an expression tree (``inputs``: name -> value; returns its value) or a
    Program (``inputs``: mapping or sequence; returns the tuple of outputs) with NumPy."""
    if isinstance(value, _program.Program):
        return _program.evaluate(value, inputs)
    if isinstance(value, Expr):
        return _expr.evaluate(value, inputs)
    raise TypeError(f"evaluate takes a Program or an expression tree, got "
                    f"{type(value).__name__}")


def normal_form(value: Any) -> Any:
    """The structural normal form of a Program or an expression tree (for ``ss.hash``)."""
    if isinstance(value, _program.Program):
        return _program.normal_form(value)
    if isinstance(value, Expr):
        return _expr.normal_form(value)
    raise TypeError(f"normal_form takes a Program or an expression tree, got "
                    f"{type(value).__name__}")


__all__ = ["Op", "OpRegistry", "REGISTRY", "EPS", "register_op", "unregister_op", "get_op",
           "op_names", "Expr", "Var", "Const", "Call", "call", "size", "depth", "variables",
           "to_source", "Program", "Statement", "remove_dead_statements", "evaluate",
           "normal_form", "Lowered", "lower_expr", "lower_program", "run", "run_numba",
           "run_numpy", "warm_up", "ExprMutator", "ProgramMutator", "SCALAR", "VECTOR",
           "check_program", "check_shapes", "infer_shapes", "evaluate_torch", "torch_op",
           "register_torch_op"]
