"""Crossover of program decisions (``ss.evolve``): statement lists and expression trees.

For a statement-list :class:`~symsearch.programs.Program` (program evolution, Lion-style
update rules) this is the two-point crossover of linear genetic programming (Brameier and
Banzhaf, "Linear Genetic Programming", ch. 5): a segment of consecutive statements from
each parent is exchanged, ``A[:i] + B[j:j+m] + A[i+n:]``, with segment lengths drawn at
random. A child that would read a variable before it is assigned, lose an output or exceed
``max_statements`` (default: the ``max_statements`` of the decision's ``ProgramMutator``,
else the longer parent's length) is redrawn, up to ``max_tries`` times, after which the
parent is kept. Both parents must have the same inputs and outputs.

For expression trees (an ``Expr`` or the tuple trees genetic programming keeps) it is
subtree crossover within the limits of the decision's ``ExprMutator``, the same operator
:class:`~symsearch.algorithms.genetic_programming.GeneticProgramming` uses.

Any other value is an error naming the decision and the value's type, unless
``unknown="swap"``: then the children take such values whole, each from one parent with
probability 1/2 (what the default variation of NSGA-II and the GAs does, so an ``evolve``
of any other type still searches).

>>> import random
>>> from symsearch.programs.program import make_program
>>> a = make_program(["x"], [("t0", "add", ["x", "x"]), ("y", "mul", ["t0", "x"])], ["y"])
>>> b = make_program(["x"], [("t0", "sin", ["x"]), ("y", "neg", ["t0"])], ["y"])
>>> c1, c2 = cross_statements(a, b, random.Random(3), max_statements=4)
>>> [len(c.statements) <= 4 and c.outputs == ["y"] for c in (c1, c2)]
[True, True]
"""
from __future__ import annotations

import random
from typing import Optional

from symsearch.algorithms.operators.base import OperatorError, check_positive
from symsearch.algorithms.operators.points import point_path
from symsearch.algorithms.operators.recombination import Recombinator


class ProgramCrossover(Recombinator):
    """Crossover for ``evolve`` decisions holding programs; see the module docstring."""

    handles = ("custom",)

    def __init__(self, max_statements: Optional[int] = None, max_tries: int = 20,
                 unknown: str = "error", probability: float = 1.0, children: int = 2):
        super().__init__(probability, children)
        if unknown not in ("error", "swap"):
            raise ValueError(f"ProgramCrossover: unknown must be 'error' or 'swap', got "
                             f"{unknown!r}")
        self.unknown = unknown
        if max_statements is not None:
            check_positive("ProgramCrossover", "max_statements", max_statements)
        self.max_statements = max_statements
        self.max_tries = check_positive("ProgramCrossover", "max_tries", max_tries)
        self._tree_ops: dict = {}

    def cross(self, points, a, b, out1, out2, rng) -> None:
        from symsearch.programs.expr import Expr
        from symsearch.programs.program import Program
        for d in points:
            i = d.index
            va, vb = a[i], b[i]
            if isinstance(va, Program) and isinstance(vb, Program):
                limit = self.max_statements or getattr(d.hyper.mutator, "max_statements", None)
                out1[i], out2[i] = cross_statements(va, vb, rng, limit, self.max_tries)
            elif isinstance(va, (tuple, Expr)) and isinstance(vb, (tuple, Expr)):
                out1[i], out2[i] = self._cross_trees(d, va, vb, rng)
            elif self.unknown == "swap":
                if rng.random() < 0.5:
                    out1[i], out2[i] = vb, va
            else:
                raise OperatorError(
                    f"ProgramCrossover cannot cross decision {point_path(d)!r}: its values are "
                    f"{type(va).__name__} and {type(vb).__name__}; it crosses statement-list "
                    f"Programs and expression trees (Expr or tuple trees)")

    def _cross_trees(self, d, va, vb, rng) -> tuple:
        from symsearch.algorithms.genetic_programming import TreeOperators
        from symsearch.programs.trees import Tree, as_tree, from_tuple
        ops = self._tree_ops.get(d.index)
        if ops is None:
            ops = self._tree_ops[d.index] = TreeOperators(d.hyper.mutator)
        ta, tb = as_tree(va), as_tree(vb)
        c1, c2 = ops.crossover(ta, tb, rng), ops.crossover(tb, ta, rng)

        def like(value, tree):
            if isinstance(value, tuple):
                return Tree(tree) if isinstance(value, Tree) else tree
            return from_tuple(tree)
        return like(va, c1), like(vb, c2)

    def _args(self) -> str:
        parts = [] if self.max_statements is None else [f"max_statements={self.max_statements}"]
        if self.unknown != "error":
            parts.append(f"unknown={self.unknown!r}")
        return ", ".join(parts)


def _plain(program) -> list:
    return [(st.target, st.op, [a if isinstance(a, str) else float(a.value) for a in st.args])
            for st in program.statements]


def _reads_assigned(inputs, statements: list, outputs) -> bool:
    defined = set(inputs)
    for target, _op, args in statements:
        for arg in args:
            if type(arg) is str and arg not in defined:
                return False
        defined.add(target)
    return all(name in defined for name in outputs)


def cross_statements(a, b, rng: random.Random, max_statements: Optional[int] = None,
                     max_tries: int = 20) -> tuple:
    """Two-point crossover of two statement-list programs (see the module docstring)."""
    from symsearch.programs.program import make_program
    if list(a.inputs) != list(b.inputs) or list(a.outputs) != list(b.outputs):
        raise OperatorError(f"ProgramCrossover: parents must have the same inputs and outputs, "
                            f"got {list(a.inputs)} -> {list(a.outputs)} and "
                            f"{list(b.inputs)} -> {list(b.outputs)}")
    sa, sb = _plain(a), _plain(b)
    limit = max_statements or max(len(sa), len(sb), 1)
    result = [a, b]
    for k, (x, y) in enumerate(((sa, sb), (sb, sa))):
        parent = (a, b)[k]
        for _ in range(max_tries):
            i, n = _segment(len(x), rng)
            j, m = _segment(len(y), rng)
            child = x[:i] + y[j:j + m] + x[i + n:]
            if child != x and len(child) <= limit and \
                    _reads_assigned(parent.inputs, child, parent.outputs):
                result[k] = make_program(parent.inputs, child, parent.outputs)
                break
    return result[0], result[1]


def _segment(length: int, rng: random.Random) -> tuple:
    """A start and a length for a segment of a list of ``length`` (possibly empty)."""
    start = rng.randrange(length + 1)
    return start, rng.randrange(length - start + 1)
