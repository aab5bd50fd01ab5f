"""Abstract execution of statement-list programs: shape checking without running anything.

Every value a program computes is either a ``"scalar"`` (one number per sample, e.g. a
learning rate, a constant or a reduction's result) or a ``"vector"`` (one number per element,
e.g. the weights). The rules follow the interpreters' semantics (registers ``[cases,
elements]``, reductions over the elements axis):

- an elementwise op gives a vector when any argument is a vector, else a scalar;
- a reduction (``mean``, ``norm``, ``dot``, ``cosine_sim`` ...) gives a scalar and needs at
  least one vector argument: a reduction over scalars only would depend on how many elements
  the scalar is broadcast over, so the NumPy, Numba and torch evaluations could disagree;
- a ``"vector"`` op (``clip_by_global_norm``) gives a vector and needs a vector first argument;
- ``SCALAR_ARGUMENTS`` lists argument positions that must be scalars (``clip_by_global_norm``'s
  threshold).

Search code runs this before evaluating a candidate, so a malformed child is re-mutated rather
than evaluated.

>>> from symsearch.programs import Program, Statement
>>> p = Program(["x", "lr"], [Statement("n", "norm", ["x"]), Statement("y", "div", ["x", "n"])],
...             ["y", "n"])
>>> infer_shapes(p, {"x": VECTOR, "lr": SCALAR})
{'x': 'vector', 'lr': 'scalar', 'n': 'scalar', 'y': 'vector'}
>>> check_program(p, {"x": VECTOR, "lr": SCALAR}, {"y": VECTOR, "n": VECTOR})
Traceback (most recent call last):
...
ValueError: output 'n' must be a vector, but it is a scalar (path=outputs[1])
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

from symsearch.programs.ops import REGISTRY

SCALAR = "scalar"
VECTOR = "vector"
SHAPES = (SCALAR, VECTOR)

#: op name -> argument positions that must be scalar-shaped.
SCALAR_ARGUMENTS: dict = {"clip_by_global_norm": (1,)}


def _line(target: str, op: str, args: Sequence[Any]) -> str:
    parts = []
    for a in args:
        if isinstance(a, str):
            parts.append(a)
        else:
            parts.append(repr(float(getattr(a, "value", a))))
    return f"{target} = {op}({', '.join(parts)})"


def statement_shapes(statements: Iterable[tuple], input_shapes: Mapping[str, str], *,
                     ops: Optional[Iterable[str]] = None) -> dict:
    """Final shape of every variable after ``statements``.

    ``statements`` are ``(target, op, args)`` tuples (arguments: variable names, or numbers /
    ``Const`` for constants), the cheap form mutators work on; ``ops`` optionally restricts
    the op names allowed. Raises ValueError naming the statement (``statements[i]``) when an
    op is unknown or not allowed, has the wrong number of arguments, reads a variable before
    it is assigned, or breaks a shape rule (see the module docstring).
    """
    if ops is None:
        shapes = _known_shapes(statements, input_shapes)
        if shapes is not None:
            return shapes
    shapes = {}
    for name, shape in input_shapes.items():
        if shape not in SHAPES:
            raise ValueError(f"input {name!r}: shape must be one of {SHAPES}, got {shape!r}")
        shapes[name] = shape
    allowed = None if ops is None else set(ops)
    by_name = REGISTRY._by_name
    for i, (target, op_name, args) in enumerate(statements):
        op = by_name.get(op_name)
        if op is None or (allowed is not None and op_name not in allowed):
            what = "unknown" if op is None else "not allowed here"
            raise ValueError(f"statements[{i}] ({_line(target, op_name, args)}): op "
                             f"{op_name!r} is {what}")
        if len(args) != op.arity:
            raise ValueError(f"statements[{i}] ({_line(target, op_name, args)}): {op_name} "
                             f"takes {op.arity} argument(s), got {len(args)}")
        arg_shapes = []
        for j, a in enumerate(args):
            if isinstance(a, str):
                shape = shapes.get(a)
                if shape is None:
                    raise ValueError(f"statements[{i}] ({_line(target, op_name, args)}) reads "
                                     f"{a!r} before it is assigned (path=statements[{i}]"
                                     f".args[{j}])")
                arg_shapes.append(shape)
            else:
                arg_shapes.append(SCALAR)
        for j in SCALAR_ARGUMENTS.get(op_name, ()):
            if arg_shapes[j] != SCALAR:
                raise ValueError(f"statements[{i}] ({_line(target, op_name, args)}): argument "
                                 f"{j} of {op_name} must be a scalar, got a vector")
        kind = op.kind
        if kind == "elementwise":
            result = VECTOR if VECTOR in arg_shapes else SCALAR
        elif kind == "reduction":
            if VECTOR not in arg_shapes:
                raise ValueError(f"statements[{i}] ({_line(target, op_name, args)}): reduction "
                                 f"{op_name} needs a vector argument, got scalars only")
            result = SCALAR
        else:
            if arg_shapes[0] != VECTOR:
                raise ValueError(f"statements[{i}] ({_line(target, op_name, args)}): vector op "
                                 f"{op_name} needs a vector first argument, got a scalar")
            result = VECTOR
        shapes[target] = result
        if ops is None:
            _RULES[(op_name, *arg_shapes)] = result
    return shapes


#: ``(op name, *argument shapes) -> result shape`` of the statements checked so far (valid
#: for one registry version): mutators check thousands of programs made of the same ops.
_RULES: dict = {}
_RULES_VERSION = [None]


def _known_shapes(statements, input_shapes: Mapping[str, str]) -> Optional[dict]:
    """:func:`statement_shapes` when every statement is of a kind already checked (no
    error possible), else None (the full check names what is wrong)."""
    if _RULES_VERSION[0] != REGISTRY.version:
        _RULES.clear()
        _RULES_VERSION[0] = REGISTRY.version
    shapes = dict(input_shapes)
    if any(shape not in SHAPES for shape in shapes.values()):
        return None
    rules = _RULES
    get = shapes.get
    for target, op_name, args in statements:
        # Unary and binary statements (nearly all) spelled out: no key list to build.
        n = len(args)
        if n == 2:
            a, b = args
            key = (op_name, get(a) if isinstance(a, str) else SCALAR,
                   get(b) if isinstance(b, str) else SCALAR)
        elif n == 1:
            a = args[0]
            key = (op_name, get(a) if isinstance(a, str) else SCALAR)
        else:
            key = tuple([op_name] + [get(a) if isinstance(a, str) else SCALAR for a in args])
        result = rules.get(key)
        if result is None:
            return None
        shapes[target] = result
    return shapes


def _as_tuples(program) -> list:
    return [(st.target, st.op, list(st.args)) for st in program.statements]


def infer_shapes(program, input_shapes: Mapping[str, str], *,
                 ops: Optional[Iterable[str]] = None) -> dict:
    """Final shape of every variable of ``program`` (a ``Program``); see
    :func:`statement_shapes` for the errors."""
    missing = [n for n in program.inputs if n not in input_shapes]
    if missing:
        raise ValueError(f"no shape given for input(s) {missing}")
    return statement_shapes(_as_tuples(program),
                            {n: input_shapes[n] for n in program.inputs}, ops=ops)


def check_shapes(statements: Iterable[tuple], input_shapes: Mapping[str, str],
                 output_shapes: Mapping[str, Optional[str]], *,
                 outputs: Optional[Sequence[str]] = None,
                 ops: Optional[Iterable[str]] = None) -> dict:
    """:func:`statement_shapes`, then checks that each output has its required shape
    (``None``: any). ``outputs`` gives the outputs' order for the error path."""
    shapes = statement_shapes(statements, input_shapes, ops=ops)
    names = list(outputs) if outputs is not None else list(output_shapes)
    for k, name in enumerate(names):
        shape = shapes.get(name)
        if shape is None:
            raise ValueError(f"output {name!r} is never assigned (path=outputs[{k}])")
        want = output_shapes.get(name)
        if want is not None and shape != want:
            raise ValueError(f"output {name!r} must be a {want}, but it is a {shape} "
                             f"(path=outputs[{k}])")
    return shapes


def check_program(program, input_shapes: Mapping[str, str],
                  output_shapes: Optional[Mapping[str, Optional[str]]] = None, *,
                  ops: Optional[Iterable[str]] = None) -> dict:
    """Abstract execution of ``program``: raises ValueError (naming the statement or output)
    when it is malformed; returns the final shape of every variable."""
    missing = [n for n in program.inputs if n not in input_shapes]
    if missing:
        raise ValueError(f"no shape given for input(s) {missing}")
    return check_shapes(_as_tuples(program), {n: input_shapes[n] for n in program.inputs},
                        output_shapes or {}, outputs=list(program.outputs), ops=ops)
