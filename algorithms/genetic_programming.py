"""Genetic programming over expression-tree decisions (Pruner-Zero style).

The space holds one or more ``ss.evolve`` decisions whose values are ``symsearch.programs``
expression trees and whose mutator is an :class:`~symsearch.programs.ExprMutator` (or any
object with the same ``variables``, ``ops``, ``constants``, ``const_prob``, ``max_depth`` and
``max_size``): that is the *primitive set* and the size limits. The algorithm sees only the
DNASpec (the evolve hyper-value sits on its decision) and DNA.

- **Initialization from scratch**: ramped half-and-half, depths ``init_depth[0]..[1]``, half
  "full" trees (ops down to the last level), half "grow" trees; the space's initial value is
  not used.
- **Generations**: once ``population_size`` results of a generation are back, the parents
  of the next are the ``elitism`` best individuals seen in the last two generations
  (elitism: the best never get lost) plus the best of the new offspring. ``propose`` never
  waits for a generation to finish (asynchronous workers keep busy on the current parents).
- **Children**: two tournament winners (the best of ``tournament_size`` parents drawn at
  random, with replacement as in DEAP) are crossed over with probability
  ``crossover_prob`` (subtree crossover: a random subtree of the first is replaced by a
  random subtree of the second), then mutated with
  probability ``mutation_prob`` (point mutation: a leaf becomes another leaf or an op
  another op of the same arity; or subtree mutation: a subtree is replaced by a random one).
  Every child respects the depth and size limits.
- **Opposing-operation simplification** (:func:`simplify`): before a child is proposed,
  ``exp(log x)``, ``sqrt(square x)``, ``x - x``, ``x / x``, double negation and friends are
  cancelled and no-op subtrees (``x + 0``, ``x * 1``, constant-only subtrees) dropped, so
  the cache's hash sees the simplified tree and the population does not fill with bloated
  copies. A child equal (up to commutativity) to one proposed before is redrawn, up to
  ``max_retries`` times, to keep the population diverse.

Other decisions in the space (choices, numbers) are crossed over uniformly and mutated by
the default DNA mutation.

The DNA holds each tree as a :class:`~symsearch.programs.trees.Tree` (a tuple tree: plain,
immutable data, so a child shares every unchanged subtree with its parents and nothing is
copied or converted per proposal); materializing the DNA builds the candidate ``Expr`` once
(``result.best.value`` is an ``Expr``). Trees are stored as flat prefix lists
(``{"_tree": ["add", "$x", 1.0]}``).

>>> import symsearch as ss
>>> from symsearch.programs import ExprMutator, Var, evaluate
>>> import numpy as np
>>> x = np.linspace(-2, 2, 21)
>>> space = ss.evolve(Var("x"), ExprMutator(["x"], ops=["add", "mul", "sub"], max_depth=4))
>>> result = ss.search(space, lambda e: float(np.mean((evaluate(e, {"x": x}) - x * x) ** 2)),
...                    objective="min:loss", num_trials=120, seed=0,
...                    algorithm=GeneticProgramming(population_size=20))
>>> result.best.metrics["loss"] < 1e-9
True
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from symsearch.algorithms.base import (Feedback, SearchAlgorithm, _rng_from_json, _rng_state,
                                       register_algorithm)
from symsearch.algorithms.mutators import crossover as dna_crossover
from symsearch.algorithms.mutators import mutate as dna_mutate
from symsearch.geno.codec import dna_from_json, dna_to_json
from symsearch.geno.dna import DNA
from symsearch.geno.sampling import random_dna
from symsearch.geno.spec import CUSTOM
from symsearch.programs.expr import Expr
from symsearch.programs.trees import (ShapeMemo, Tree, as_tree, from_tuple, node_at,
                                     replace_at, to_tuple)
from symsearch.programs.ops import REGISTRY

_LEAF = ("v", "c")
#: Entries each of the algorithm's subtree caches may hold before it is cleared.
_MEMO_LIMIT = 50_000
_PRIMITIVE_FIELDS = ("variables", "ops", "constants", "const_prob", "max_depth", "max_size")


# ---- opposing-operation simplification -------------------------------------------------------

#: f(g(x)) -> replacement, with x the inner argument: ("x",) keeps x, ("abs",) gives abs(x).
_CANCEL = {
    ("exp", "log"): ("abs",),          # protected log is log|x|
    ("log", "exp"): ("x",),
    ("sqrt", "square"): ("abs",),
    ("square", "sqrt"): ("abs",),      # sqrt is sqrt|x|
    ("neg", "neg"): ("x",),
    ("reciprocal", "reciprocal"): ("x",),
    ("abs", "abs"): ("abs",), ("abs", "neg"): ("abs",), ("abs", "square"): ("square",),
    ("abs", "sqrt"): ("sqrt",), ("abs", "exp"): ("exp",), ("abs", "sigmoid"): ("sigmoid",),
    ("square", "neg"): ("square",), ("square", "abs"): ("square",),
    ("sqrt", "abs"): ("sqrt",), ("sqrt", "neg"): ("sqrt",),
    ("log", "abs"): ("log",), ("log", "neg"): ("log",),
    ("zscore", "zscore"): ("zscore",), ("minmax", "minmax"): ("minmax",),
}


def simplify(expr: Expr) -> Expr:
    """``expr`` with opposing operations cancelled and no-op subtrees dropped.

    >>> from symsearch.programs import call, to_source
    >>> to_source(simplify(call("exp", call("log", call("neg", call("neg", "W"))))))
    'abs(W)'
    >>> to_source(simplify(call("add", call("sub", "X", "X"), call("div", "W", 1.0))))
    'W'
    """
    return from_tuple(simplify_tree(to_tuple(expr)))


def simplify_tree(tree: tuple, known: Optional[dict] = None) -> tuple:
    """:func:`simplify` on a tuple tree (``("v", name)``, ``("c", value)``, ``(op, args)``).

    ``known`` maps ``id(subtree)`` to subtrees already simplified (see
    :func:`note_simplified`): they are not walked again, so simplifying a child that shares
    most of its parents' subtrees walks only what changed.
    """
    known = _NOTHING if known is None else known
    for _ in range(50):             # rules only shrink the tree: a fixpoint comes quickly
        new = _simplify(tree, known)
        if new is tree or new == tree:
            return new
        tree = new
    return tree


_NOTHING: dict = {}


def note_simplified(tree: tuple, known: dict) -> None:
    """Records ``tree`` (a result of :func:`simplify_tree`) and its subtrees in ``known``.
    Every subtree of a simplified tree is simplified too (the rules work bottom-up)."""
    if id(tree) in known or tree[0] in _LEAF:
        return
    known[id(tree)] = tree          # the value keeps the id from being reused
    for a in tree[1]:
        note_simplified(a, known)


def _simplify(tree: tuple, known: dict) -> tuple:
    # Hot: every proposed child is simplified. Unary and binary nodes (nearly all of them)
    # are spelled out, without generators or temporary lists.
    head = tree[0]
    if head in _LEAF or id(tree) in known:
        return tree
    old = tree[1]
    n = len(old)
    if n == 2:
        a0, b0 = old
        a = a0 if a0[0] in _LEAF or id(a0) in known else _simplify(a0, known)
        b = b0 if b0[0] in _LEAF or id(b0) in known else _simplify(b0, known)
        args = old if a is a0 and b is b0 else (a, b)
        ka, kb = a[0], b[0]
        if ka == "c" and kb == "c":
            folded = _fold(head, args)
            if folded is not None:
                return folded
        rule = _BINARY.get(head)
        if rule is not None:
            out = rule(a, b, ka, kb)
            if out is not None:
                return out
        return tree if args is old else (head, args)
    if n == 1:
        a0 = old[0]
        inner = a0 if a0[0] in _LEAF or id(a0) in known else _simplify(a0, known)
        kind = inner[0]
        if kind == "c":
            folded = _fold(head, (inner,))
            if folded is not None:
                return folded
        elif kind != "v":
            rule = _CANCEL.get((head, kind))
            if rule is not None:
                x = inner[1][0]
                return x if rule == ("x",) else (rule[0], (x,))
        return tree if inner is a0 else (head, (inner,))
    args = tuple([a if a[0] in _LEAF or id(a) in known else _simplify(a, known) for a in old])
    if all(a is b for a, b in zip(args, old)):
        args = old                  # unchanged subtrees stay the same objects (shared)
    if all(a[0] == "c" for a in args):
        folded = _fold(head, args)
        if folded is not None:
            return folded
    return tree if args is old else (head, args)


# The binary rules, by op: (a, b, a's head, b's head) -> the replacement, or None.
def _add_rule(a, b, ka, kb):
    if kb == "c" and float(b[1]) == 0.0:
        return a
    if ka == "c" and float(a[1]) == 0.0:
        return b
    return None


def _sub_rule(a, b, ka, kb):
    if ka == kb and a == b:
        return ("c", 0.0)
    if kb == "c" and float(b[1]) == 0.0:
        return a
    if ka == "c" and float(a[1]) == 0.0:
        return ("neg", (b,))
    return None


def _mul_rule(a, b, ka, kb):
    if kb == "c":
        value = float(b[1])
        if value == 1.0:
            return a
        if value == 0.0:
            return ("c", 0.0)
    if ka == "c":
        value = float(a[1])
        if value == 1.0:
            return b
        if value == 0.0:
            return ("c", 0.0)
    return None


def _div_rule(a, b, ka, kb):
    if ka == kb and a == b:
        return ("c", 1.0)            # protected division: x / x is 1 even at x = 0
    if kb == "c" and float(b[1]) == 1.0:
        return a
    if ka == "c" and float(a[1]) == 1.0:
        return ("reciprocal", (b,))  # the same protection: 1 where |b| <= EPS
    return None


def _same_rule(a, b, ka, kb):
    return a if ka == kb and a == b else None


_BINARY = {"add": _add_rule, "sub": _sub_rule, "mul": _mul_rule, "div": _div_rule,
           "max": _same_rule, "min": _same_rule}


def _fold(op: str, args: tuple) -> Optional[tuple]:
    try:
        fn = REGISTRY.get(op).numpy_fn
        with np.errstate(all="ignore"):
            value = float(np.asarray(fn(*[np.float64(a[1]) for a in args])).reshape(-1)[0])
    except Exception:
        return None
    return ("c", value) if math.isfinite(value) else None


_COMMUTATIVE: dict = {}          # op name -> whether it is commutative (ops never change it)


def canonical(tree: tuple, memo: Optional[dict] = None, kept: Optional[list] = None) -> str:
    """Source text with commutative arguments sorted: equal for ``mul(a, b)``/``mul(b, a)``.
    ``memo`` (``id(subtree) -> text``) keeps the texts of shared subtrees; the subtrees it
    describes are appended to ``kept`` (required with ``memo``), so that their ids are not
    reused while the memo holds them."""
    head = tree[0]
    if head == "v":
        return tree[1]
    if head == "c":
        return repr(float(tree[1]))
    if memo is not None:
        hit = memo.get(id(tree))
        if hit is not None:
            return hit
    args = tree[1]
    if len(args) == 2:                  # spelled out: every proposal keys its new nodes
        left, right = canonical(args[0], memo, kept), canonical(args[1], memo, kept)
        commutative = _COMMUTATIVE.get(head)
        if commutative is None:
            commutative = _COMMUTATIVE[head] = REGISTRY.get(head).commutative
        if commutative and right < left:
            left, right = right, left
        text = head + "(" + left + ", " + right + ")"
    elif len(args) == 1:
        text = head + "(" + canonical(args[0], memo, kept) + ")"
    else:
        parts = [canonical(a, memo, kept) for a in args]
        text = f"{head}({', '.join(parts)})"
    if memo is not None:
        if kept is None:
            raise TypeError("canonical(tree, memo) needs kept=[] too: the list that keeps the "
                            "memo's subtrees alive (their ids would be reused otherwise)")
        memo[id(tree)] = text
        kept.append(tree)               # keeps its id from being reused
    return text


# ---- tree operators over one primitive set ----------------------------------------------------

class TreeOperators:
    """Random trees, subtree crossover and point/subtree mutation over one primitive set
    (read from an ``ExprMutator``-like ``primitives``), always within its limits."""

    def __init__(self, primitives: Any, subtree_depth: int = 3, max_tries: int = 20) -> None:
        missing = [f for f in _PRIMITIVE_FIELDS if not hasattr(primitives, f)]
        if missing:
            raise TypeError(f"the primitive set (an evolve decision's mutator) must have "
                            f"{list(_PRIMITIVE_FIELDS)}; {type(primitives).__name__} lacks "
                            f"{missing}")
        self.variables = list(primitives.variables)
        self.ops = list(primitives.ops)
        self.constants = [float(c) for c in primitives.constants]
        self.const_prob = float(primitives.const_prob) if self.constants else 0.0
        self.max_depth = int(primitives.max_depth)
        self.max_size = int(primitives.max_size)
        self.arity = {op: REGISTRY.get(op).arity for op in self.ops}
        self.subtree_depth = subtree_depth
        self.max_tries = max_tries
        #: Sizes and depths of the trees seen (children share most nodes with parents).
        self.shapes = ShapeMemo()

    def fits(self, tree: tuple) -> bool:
        return self.shapes.fits(tree, self.max_depth, self.max_size)

    def _shapes(self) -> ShapeMemo:
        # Bounded for a caller that never clears it (the algorithm clears it per generation);
        # cleared only between operations, never while one reads it.
        if len(self.shapes) > 200_000:
            self.shapes.clear()
        return self.shapes

    def leaf(self, rng) -> tuple:
        if self.constants and rng.random() < self.const_prob:
            return ("c", rng.choice(self.constants))
        return ("v", rng.choice(self.variables))

    def random_tree(self, rng, max_depth: int, method: str = "grow") -> tuple:
        """A "full" tree (every branch reaches ``max_depth``) or a "grow" tree (leaves may
        come earlier; the leaf probability is the share of leaves among the primitives)."""
        if max_depth <= 1:
            return self.leaf(rng)
        n_leaves = len(self.variables) + (1 if self.constants else 0)
        if method == "grow" and rng.random() < n_leaves / (n_leaves + len(self.ops)):
            return self.leaf(rng)
        op = rng.choice(self.ops)
        return (op, tuple(self.random_tree(rng, max_depth - 1, method)
                          for _ in range(self.arity[op])))

    def ramped(self, rng, index: int, depths: tuple) -> tuple:
        """The ``index``-th tree of a ramped half-and-half population over ``depths``."""
        lo, hi = depths
        span = hi - lo + 1
        target = lo + index % span
        method = "full" if (index // span) % 2 == 0 else "grow"
        for _ in range(self.max_tries):
            tree = self.random_tree(rng, min(target, self.max_depth), method)
            if self.fits(tree):
                return tree
            method = "grow"
        return self.leaf(rng)

    def crossover(self, a: tuple, b: tuple, rng) -> tuple:
        """A random subtree of ``a`` replaced by a random subtree of ``b``."""
        shapes = self._shapes()
        size_a, size_b = shapes.measure(a)[0], shapes.measure(b)[0]
        sizes = shapes.sizes
        for _ in range(self.max_tries):
            k = rng.randrange(size_a)
            donor = node_at(b, rng.randrange(size_b), sizes)
            child = replace_at(a, k, donor, sizes)
            if self.fits(child):
                return child
        return a

    def mutate(self, tree: tuple, rng, point_prob: float = 0.5) -> tuple:
        """Point mutation with probability ``point_prob``, else subtree mutation."""
        shapes = self._shapes()
        n = shapes.measure(tree)[0]
        sizes = shapes.sizes
        for _ in range(self.max_tries):
            k = rng.randrange(n)
            node = node_at(tree, k, sizes)
            if rng.random() < point_prob:
                if node[0] in _LEAF:
                    new = self.leaf(rng)
                else:
                    same = [o for o in self.ops if o != node[0]
                            and self.arity[o] == len(node[1])]
                    if not same:
                        continue
                    new = (rng.choice(same), node[1])
            else:
                new = self.random_tree(rng, self.subtree_depth, "grow")
            child = replace_at(tree, k, new, sizes)
            if child != tree and self.fits(child):
                return child
        return tree


# ---- the algorithm ------------------------------------------------------------------------------

@register_algorithm("genetic_programming", "gp_tree")
class GeneticProgramming(SearchAlgorithm):
    """Generational genetic programming with elitism; see the module docstring.

    Args:
      population_size: individuals per generation (also the initial population).
      tournament_size: parents sampled per tournament.
      crossover_prob: probability that a child is a subtree crossover of two winners.
      mutation_prob: probability that a child is mutated (a child that is neither crossed
        over nor mutated is always mutated, so no child is a plain copy).
      point_prob: share of point mutations among mutations (the rest are subtree ones).
      elitism: how many of the best individuals always stay among the parents.
      init_depth: ``[min, max]`` depths of the ramped half-and-half initial population.
      simplify: apply the opposing-operation simplification to every proposed tree.
      max_retries: redraws of a child already proposed before, to keep the search diverse.
    """

    needs_objective = True

    def __init__(self, population_size: int = 50, tournament_size: int = 5,
                 crossover_prob: float = 0.7, mutation_prob: float = 0.3,
                 point_prob: float = 0.5, elitism: int = 2, init_depth: Any = (2, 4),
                 simplify: bool = True, max_retries: int = 20,
                 seed: Optional[int] = None) -> None:
        super().__init__(seed)
        _check_int("population_size", population_size, 2)
        _check_int("tournament_size", tournament_size, 1)
        _check_int("elitism", elitism, 0)
        _check_int("max_retries", max_retries, 0)
        if tournament_size > population_size:
            raise ValueError(f"tournament_size must be at most population_size "
                             f"({population_size}), got {tournament_size}")
        if elitism >= population_size:
            raise ValueError(f"elitism must be less than population_size ({population_size}), "
                             f"got {elitism}")
        for name, value in (("crossover_prob", crossover_prob), ("mutation_prob", mutation_prob),
                            ("point_prob", point_prob)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
        if not (isinstance(init_depth, (list, tuple)) and len(init_depth) == 2
                and all(isinstance(d, int) and not isinstance(d, bool) for d in init_depth)
                and 1 <= init_depth[0] <= init_depth[1]):
            raise ValueError(f"init_depth must be [min, max] ints with 1 <= min <= max, got "
                             f"{init_depth!r}")
        self.population_size = population_size
        self.tournament_size = tournament_size
        self.crossover_prob = float(crossover_prob)
        self.mutation_prob = float(mutation_prob)
        self.point_prob = float(point_prob)
        self.elitism = elitism
        self.init_depth = (int(init_depth[0]), int(init_depth[1]))
        self.simplify = bool(simplify)
        self.max_retries = max_retries
        self._reset()

    def _reset(self) -> None:
        self.operators: dict = {}          # decision index -> TreeOperators
        self._only_tree = False
        self.generation = 0
        self.parents: list = []            # [dna, fitness, trial_id, key], best first
        self.offspring: list = []          # results of the current generation
        self.returned = 0                  # results of the current generation, failed included
        self.num_proposed = 0
        self.seen: set = set()
        self._proposed_keys: dict = {}     # id(dna) -> (dna, key) until its feedback
        # Caches keyed by id(subtree), each keeping its subtrees alive (so ids stay unique).
        self._canonical_memo: dict = {}    # -> canonical text
        self._canonical_kept: list = []    # the subtrees it describes (their ids stay unique)
        self._simplified: dict = {}        # -> subtree, for subtrees already simplified

    def setup(self, spec, objectives=None, seed=None) -> None:
        super().setup(spec, objectives, seed)
        if objectives is not None and objectives.is_multi:
            raise ValueError("GeneticProgramming optimizes a single objective")
        self._reset()
        for d in spec.decisions:
            mutator = getattr(d.hyper, "mutator", None)
            if d.kind == CUSTOM and all(hasattr(mutator, f) for f in _PRIMITIVE_FIELDS):
                self.operators[d.index] = TreeOperators(mutator)
        self._only_tree = list(self.operators) == [0]    # the space is one tree decision
        if not self.operators:
            raise ValueError("GeneticProgramming needs a space with an ss.evolve decision over "
                             "expression trees whose mutator is an ExprMutator (the primitive "
                             "set), e.g. symsearch.spaces.pruning_metrics.make_space()")

    # ---- proposals -------------------------------------------------------------------------
    def propose(self) -> DNA:
        index = self.num_proposed
        self.num_proposed += 1
        last = self.max_retries
        for attempt in range(last + 1):
            if self.generation == 0 and index < self.population_size or not self.parents:
                values = self._initial(index)
                index += self.population_size   # a redraw takes another depth/method slot
            else:
                values = self._child()
                if self.simplify:
                    # A child whose unsimplified tree reads (up to commutativity) as one
                    # proposed before simplifies to that tree again (a proposed tree is
                    # simplified already, and the rules treat a commutative op's arguments
                    # alike): it is redrawn without simplifying it (a quarter of children).
                    if attempt < last and self._key(values) in self.seen:
                        continue
                    values = self._simplified_trees(values)
            key = self._key(values)
            if key not in self.seen:
                break
        self.seen.add(key)
        # The DNA holds tuple trees (plain data that children share with their parents);
        # the candidate ``Expr`` is built from it once, when the DNA is materialized.
        for i in self.operators:
            v = values[i]
            if v is not None and type(v) is not Tree:
                values[i] = v = Tree(as_tree(v))
            if v is not None and self.simplify:
                note_simplified(v, self._simplified)
        dna = DNA(values)
        # Its key, for the generation's duplicate checks (the driver feeds this object back).
        self._proposed_keys[id(dna)] = (dna, key)
        return dna

    def _initial(self, index: int) -> list:
        values = list(random_dna(self.spec, self.rng))
        for i, ops in self.operators.items():
            if values[i] is not None:
                values[i] = self._finish(ops, ops.ramped(self.rng, index, self.init_depth))
        return values

    def _child(self) -> list:
        rng = self.rng
        first = self._tournament()
        crossed = rng.random() < self.crossover_prob and len(self.parents) > 1
        mutated = rng.random() < self.mutation_prob or not crossed
        if crossed:
            second = self._tournament()
            if len(self.operators) < len(self.spec.decisions):
                values = list(dna_crossover(self.spec, first, second, rng))
            else:
                values = list(first)
            for i, ops in self.operators.items():
                if values[i] is not None and second[i] is not None:
                    values[i] = ops.crossover(as_tree(values[i]), as_tree(second[i]), rng)
        else:
            values = list(first)
        if mutated:
            active = [i for i in self.spec.active_indices(values)]
            point = rng.choice(active) if active else None
            if point is not None and point not in self.operators:
                values = list(dna_mutate(self.spec, DNA(values), rng))
            elif point is not None:
                values[point] = self.operators[point].mutate(as_tree(values[point]), rng,
                                                             self.point_prob)
        for i in self.operators:
            if values[i] is not None:
                values[i] = as_tree(values[i])
        return values                   # simplified by propose (after its duplicate check)

    def _simplified_trees(self, values: list) -> list:
        """``values`` with every tree simplified."""
        for i in self.operators:
            if values[i] is not None:
                values[i] = simplify_tree(values[i], self._simplified)
        return values

    def _finish(self, ops: TreeOperators, tree: tuple) -> tuple:
        return simplify_tree(tree, self._simplified) if self.simplify else tree

    def _key(self, values: list) -> str:
        if len(values) == 1 and self._only_tree:
            v = values[0]
            return "None" if v is None else self._canonical(v)
        return "|".join(self._canonical(v) if i in self.operators and v is not None
                        else repr(v) for i, v in enumerate(values))

    def _canonical(self, value: Any) -> str:
        # Children share most subtrees with their parents: their texts are remembered.
        memo = self._canonical_memo
        if len(memo) > 100_000:
            memo.clear()
            self._canonical_kept.clear()
        return canonical(as_tree(value), memo, self._canonical_kept)

    def _tournament(self) -> DNA:
        # Entrants drawn with replacement, as DEAP's selTournament does (a draw is one
        # random() call; random.sample costs ten times more).
        parents = self.parents
        n = len(parents)
        draw = self.rng.random
        best = n
        for _ in range(self.tournament_size):
            k = int(draw() * n)
            if k < best:
                best = k
        return parents[best][0]                 # parents are sorted best first

    # ---- feedback and generations -----------------------------------------------------------
    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        self.returned += 1
        fitness = _fitness(feedback, self.objectives)
        proposed = self._proposed_keys.pop(id(dna), None)
        key = proposed[1] if proposed is not None and proposed[0] is dna else None
        if fitness is not None:
            self.offspring.append([dna if type(dna) is DNA else DNA(dna), fitness,
                                   feedback.trial_id, key])
        if self.returned >= self.population_size:
            self._next_generation()

    def _next_generation(self) -> None:
        ranked = sorted(self.offspring, key=lambda e: -e[1])
        pool = sorted(self.parents + ranked, key=lambda e: -e[1])
        elites, keys = [], set()
        for entry in pool:
            if len(elites) >= self.elitism:
                break
            key = self._entry_key(entry)
            if key not in keys:
                elites.append(entry)
                keys.add(key)
        rest = [e for e in ranked if not keys or self._entry_key(e) not in keys]
        new = elites + rest[:self.population_size - len(elites)]
        if new:
            self.parents = sorted(new, key=lambda e: -e[1])
        self.offspring = []
        self.returned = 0
        self.generation += 1
        if len(self._proposed_keys) > 4 * self.population_size:
            self._proposed_keys.clear()     # proposals never fed back (a resume's replay)
        # The caches hold the subtrees of recent generations (children are made of their
        # parents', so a cache kept across generations is read, not rebuilt). They are
        # bounded: a bigger heap would make every garbage collection slower.
        if len(self._canonical_memo) > _MEMO_LIMIT:
            self._canonical_memo.clear()
            self._canonical_kept.clear()
        for ops in self.operators.values():
            if len(ops.shapes) > _MEMO_LIMIT:
                ops.shapes.clear()
        if len(self._simplified) > _MEMO_LIMIT:
            self._simplified.clear()
            if self.simplify:
                for entry in self.parents:
                    for i in self.operators:
                        v = entry[0][i]
                        if type(v) is Tree:
                            note_simplified(v, self._simplified)

    def _entry_key(self, entry: list) -> str:
        """The duplicate-check key of a ``[dna, fitness, trial_id, key]`` entry (computed
        once: a loaded state has no keys)."""
        if entry[3] is None:
            entry[3] = self._key(list(entry[0]))
        return entry[3]

    @property
    def best(self) -> Optional[tuple]:
        """``(dna, fitness)`` of the best parent (None before the first generation ends)."""
        return (self.parents[0][0], self.parents[0][1]) if self.parents else None

    # ---- state ---------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {
            "rng": _rng_state(self.rng),
            "generation": self.generation,
            "parents": [[dna_to_json(e[0]), e[1], e[2]] for e in self.parents],
            "offspring": [[dna_to_json(e[0]), e[1], e[2]] for e in self.offspring],
            "returned": self.returned,
            "num_proposed": self.num_proposed,
            "seen": sorted(self.seen),
        }

    def load_state_dict(self, state: dict) -> None:
        self.rng.setstate(_rng_from_json(state["rng"]))
        self.generation = int(state["generation"])
        self.parents = [[dna_from_json(d), f, t, None] for d, f, t in state["parents"]]
        self.offspring = [[dna_from_json(d), f, t, None] for d, f, t in state["offspring"]]
        self.returned = int(state["returned"])
        self.num_proposed = int(state["num_proposed"])
        self.seen = set(state["seen"])

    def __repr__(self) -> str:
        return (f"GeneticProgramming(population_size={self.population_size}, "
                f"tournament_size={self.tournament_size}, crossover_prob={self.crossover_prob}, "
                f"mutation_prob={self.mutation_prob}, elitism={self.elitism}, seed={self.seed})")


def _fitness(feedback: Feedback, objectives) -> Optional[float]:
    if not feedback.ok:
        return None
    if feedback.score is not None:
        value = float(feedback.score)
    else:
        value = float(feedback.values[0]) * objectives.signs[0]
    return value if math.isfinite(value) else None


def _check_int(name: str, value: Any, lo: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ValueError(f"{name} must be an int >= {lo}, got {value!r}")


__all__ = ["GeneticProgramming", "TreeOperators", "simplify", "simplify_tree", "note_simplified",
           "canonical"]
