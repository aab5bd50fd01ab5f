"""Mutators for ``ss.evolve``: expression trees and statement-list programs.

Every mutator is a callable ``mutator(value, rng) -> new value`` whose results are always
valid (arities respected, size limits kept, programs only read assigned variables).

>>> import random
>>> from symsearch.programs.expr import Var, to_source
>>> mutate = ExprMutator(variables=["x", "y"], max_depth=4)
>>> child = mutate(Var("x"), random.Random(0))
>>> isinstance(child, Expr)
True
"""
from __future__ import annotations

import random
from typing import Optional, Sequence

from symsearch.programs.expr import Call, Const, Expr, Var
from symsearch.programs.ops import ELEMENTWISE_DEFAULTS, REGISTRY
from symsearch.programs.program import Program, make_program
from symsearch.programs.trees import from_tuple, to_tuple  # noqa: F401  (re-exported)

DEFAULT_CONSTANTS = (0.0, 0.5, 1.0, 2.0, -1.0)
EXPR_MUTATIONS = ("point", "subtree", "insert", "delete")
PROGRAM_MUTATIONS = ("insert", "delete", "op", "arg")


def _check_weights(weights: Optional[dict], names: Sequence[str]) -> dict:
    weights = dict(weights) if weights else {n: 1.0 for n in names}
    unknown = set(weights) - set(names)
    if unknown:
        raise ValueError(f"unknown mutation(s) {sorted(unknown)}; known: {list(names)}")
    if any(not isinstance(w, (int, float)) or w < 0 for w in weights.values()) \
            or not sum(weights.values()) > 0:
        raise ValueError(f"mutation weights must be non-negative with a positive sum, got "
                         f"{weights}")
    return weights


def _check_ops(ops: Sequence[str]) -> list:
    ops = list(ops)
    if not ops:
        raise ValueError("ops must name at least one registered op")
    for name in ops:
        REGISTRY.get(name)
    return ops


class ExprMutator:
    """Mutates expression trees: point mutation (a leaf becomes another leaf, an op another op
    of the same arity), subtree replacement, insertion (a node becomes an argument of a new
    op) and deletion (an op is replaced by one of its arguments).

    Args:
      variables: the variable names leaves may use.
      ops: op names new nodes may use (default: the elementwise default ops).
      constants: constants leaves may use; ``const_prob`` of new leaves are constants.
      max_depth, max_size: limits on the result (a mutation that breaks them is retried).
      weights: relative probability of each mutation kind, e.g. ``{"point": 2, "insert": 1}``.
      subtree_depth: the depth of random subtrees.
    """

    #: Never changes the tree it is given (``ss.evolve`` then passes it without a copy).
    pure = True

    def __init__(self, variables: Sequence[str] = ("x",), ops: Sequence[str] = ELEMENTWISE_DEFAULTS,
                 constants: Sequence[float] = DEFAULT_CONSTANTS, const_prob: float = 0.3,
                 max_depth: int = 6, max_size: int = 40, weights: Optional[dict] = None,
                 subtree_depth: int = 2, max_tries: int = 20) -> None:
        self.variables = list(variables)
        if not self.variables:
            raise ValueError("variables must name at least one variable")
        self.ops = _check_ops(ops)
        self.constants = [float(c) for c in constants]
        self.const_prob = float(const_prob) if self.constants else 0.0
        if max_depth < 1 or max_size < 1:
            raise ValueError(f"max_depth and max_size must be >= 1, got {max_depth}, {max_size}")
        self.max_depth = max_depth
        self.max_size = max_size
        self.weights = _check_weights(weights, EXPR_MUTATIONS)
        self.subtree_depth = subtree_depth
        self.max_tries = max_tries

    def __repr__(self) -> str:
        return (f"ExprMutator(variables={self.variables}, ops={len(self.ops)} ops, "
                f"max_depth={self.max_depth})")

    def __call__(self, expr: Expr, rng: random.Random) -> Expr:
        tree = expr if isinstance(expr, tuple) else to_tuple(expr)
        kinds = list(self.weights)
        weights = [self.weights[k] for k in kinds]
        for _ in range(self.max_tries):
            kind = rng.choices(kinds, weights)[0]
            new = getattr(self, f"_{kind}")(tree, rng)
            if new is not None and new != tree and tree_depth(new) <= self.max_depth \
                    and tree_size(new) <= self.max_size:
                return from_tuple(new)
        return from_tuple(tree)

    # ---- random pieces -------------------------------------------------------------------------
    def random_leaf(self, rng: random.Random) -> tuple:
        if self.constants and rng.random() < self.const_prob:
            return ("c", rng.choice(self.constants))
        return ("v", rng.choice(self.variables))

    def random_tree(self, rng: random.Random, depth: int) -> tuple:
        if depth <= 1 or rng.random() < 0.3:
            return self.random_leaf(rng)
        op = rng.choice(self.ops)
        arity = REGISTRY.get(op).arity
        return (op, tuple(self.random_tree(rng, depth - 1) for _ in range(arity)))

    def random_expr(self, rng: random.Random, depth: int = 3) -> Expr:
        """A random expression of at most ``depth`` levels."""
        return from_tuple(self.random_tree(rng, depth))

    # ---- the mutations ---------------------------------------------------------------------------
    def _point(self, tree, rng):
        path, node = rng.choice(tree_paths(tree))
        if node[0] in ("v", "c"):
            return tree_replace(tree, path, self.random_leaf(rng))
        arity = len(node[1])
        same = [o for o in self.ops if o != node[0] and REGISTRY.get(o).arity == arity]
        if not same:
            return None
        return tree_replace(tree, path, (rng.choice(same), node[1]))

    def _subtree(self, tree, rng):
        path, _node = rng.choice(tree_paths(tree))
        return tree_replace(tree, path, self.random_tree(rng, self.subtree_depth))

    def _insert(self, tree, rng):
        path, node = rng.choice(tree_paths(tree))
        op = rng.choice(self.ops)
        arity = REGISTRY.get(op).arity
        args = [self.random_leaf(rng) for _ in range(arity)]
        args[rng.randrange(arity)] = node
        return tree_replace(tree, path, (op, tuple(args)))

    def _delete(self, tree, rng):
        calls = [(p, n) for p, n in tree_paths(tree) if n[0] not in ("v", "c")]
        if not calls:
            return None
        path, node = rng.choice(calls)
        return tree_replace(tree, path, rng.choice(node[1]))


class RandomExpr:
    """An ``ss.evolve`` initializer: a random tree of depth 2..``max_depth`` drawn by an
    :class:`ExprMutator`. A plain class, not a closure, so a space holding it hashes by value
    (its repr); spaces subclass it under their own name.

    >>> import random
    >>> init = RandomExpr(ExprMutator(variables=["x"], ops=["add", "neg"]), 3)
    >>> init, init(random.Random(0)) is not None
    (RandomExpr(max_depth=3), True)
    """

    def __init__(self, mutator: ExprMutator, max_depth: int = 4) -> None:
        self.mutator = mutator
        self.max_depth = max(2, min(max_depth, mutator.max_depth))

    def __call__(self, rng):
        return self.mutator.random_expr(rng, depth=rng.randint(2, self.max_depth))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_depth={self.max_depth})"


# ---- tuple trees: ("v", name) | ("c", value) | (op, (args...)) -------------------------------

def tree_paths(tree, path=()) -> list:
    """``(path, node)`` of every node of a tuple tree, the root first; a path is the tuple of
    argument indices leading to the node."""
    out = [(path, tree)]
    if tree[0] not in ("v", "c"):
        for i, child in enumerate(tree[1]):
            out.extend(tree_paths(child, path + (i,)))
    return out


def tree_replace(tree, path, new):
    """A copy of ``tree`` with the node at ``path`` replaced by ``new``."""
    if not path:
        return new
    i = path[0]
    args = list(tree[1])
    args[i] = tree_replace(args[i], path[1:], new)
    return (tree[0], tuple(args))


def tree_depth(tree) -> int:
    if tree[0] in ("v", "c"):
        return 1
    return 1 + max(tree_depth(a) for a in tree[1])


def tree_size(tree) -> int:
    if tree[0] in ("v", "c"):
        return 1
    return 1 + sum(tree_size(a) for a in tree[1])


class ProgramMutator:
    """Mutates statement-list programs: insert a random statement, delete one, change a
    statement's op (same arity) or one of its arguments. Results always read only assigned
    variables and keep at most ``max_statements`` statements.

    Args:
      ops: op names statements may use (default: the elementwise default ops).
      constants: constants arguments may use; ``const_prob`` of new arguments are constants.
      temporaries: names of extra variables statements may assign (besides the outputs and
        the inputs, which may be reassigned when ``assign_inputs``).
      max_statements: the longest program.
    """

    #: Never changes the program it is given (``ss.evolve`` then passes it without a copy).
    pure = True

    def __init__(self, ops: Sequence[str] = ELEMENTWISE_DEFAULTS,
                 constants: Sequence[float] = DEFAULT_CONSTANTS, const_prob: float = 0.2,
                 temporaries: Sequence[str] = ("t0", "t1", "t2", "t3"),
                 max_statements: int = 20, assign_inputs: bool = True,
                 weights: Optional[dict] = None, max_tries: int = 20) -> None:
        self.ops = _check_ops(ops)
        self.constants = [float(c) for c in constants]
        self.const_prob = float(const_prob) if self.constants else 0.0
        self.temporaries = list(temporaries)
        if max_statements < 1:
            raise ValueError(f"max_statements must be >= 1, got {max_statements}")
        self.max_statements = max_statements
        self.assign_inputs = assign_inputs
        self.weights = _check_weights(weights, PROGRAM_MUTATIONS)
        self.max_tries = max_tries

    def __repr__(self) -> str:
        return f"ProgramMutator(ops={len(self.ops)} ops, max_statements={self.max_statements})"

    def __call__(self, program: Program, rng: random.Random) -> Program:
        statements = [(st.target, st.op, [a if isinstance(a, str) else float(a.value)
                                          for a in st.args]) for st in program.statements]
        kinds = list(self.weights)
        weights = [self.weights[k] for k in kinds]
        for _ in range(self.max_tries):
            kind = rng.choices(kinds, weights)[0]
            new = getattr(self, f"_{kind}")(program, statements, rng)
            if new is None or new == statements or len(new) > self.max_statements:
                continue
            if _valid(program, new):
                return _build(program, new)
        return _build(program, statements)

    def _defined_before(self, program, statements, i) -> list:
        names = list(program.inputs)
        for target, _op, _args in statements[:i]:
            if target not in names:
                names.append(target)
        return names

    def _random_arg(self, names, rng):
        if self.constants and rng.random() < self.const_prob:
            return rng.choice(self.constants)
        return rng.choice(names)

    def _insert(self, program, statements, rng):
        i = rng.randrange(len(statements) + 1)
        names = self._defined_before(program, statements, i)
        targets = list(program.outputs) + self.temporaries
        if self.assign_inputs:
            targets += list(program.inputs)
        op = rng.choice(self.ops)
        args = [self._random_arg(names, rng) for _ in range(REGISTRY.get(op).arity)]
        return statements[:i] + [(rng.choice(targets), op, args)] + statements[i:]

    def _delete(self, program, statements, rng):
        if not statements:
            return None
        i = rng.randrange(len(statements))
        return statements[:i] + statements[i + 1:]

    def _op(self, program, statements, rng):
        if not statements:
            return None
        i = rng.randrange(len(statements))
        target, op, args = statements[i]
        same = [o for o in self.ops if o != op and REGISTRY.get(o).arity == len(args)]
        if not same:
            return None
        return statements[:i] + [(target, rng.choice(same), list(args))] + statements[i + 1:]

    def _arg(self, program, statements, rng):
        if not statements:
            return None
        i = rng.randrange(len(statements))
        target, op, args = statements[i]
        args = list(args)
        args[rng.randrange(len(args))] = self._random_arg(
            self._defined_before(program, statements, i), rng)
        return statements[:i] + [(target, op, args)] + statements[i + 1:]


def _valid(program: Program, statements: list) -> bool:
    defined = set(program.inputs)
    for target, _op, args in statements:
        if any(isinstance(a, str) and a not in defined for a in args):
            return False
        defined.add(target)
    return all(n in defined for n in program.outputs)


def _build(program: Program, statements: list) -> Program:
    return make_program(program.inputs, statements, program.outputs)
