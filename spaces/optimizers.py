"""The optimizer program space: update rules as statement lists (Lion-style search).

A candidate optimizer is a :class:`~symsearch.programs.Program`
``train(w, g, m, v, lr) -> (update, m, v)``: each statement is ``var = op(args)`` with
arguments that are variables already assigned or constants; the returned ``m`` and ``v`` are
the optimizer's state for the next step and the fixed outer loop is ``w = w - update``.

**Vector semantics.** A program runs on the flat vector of *all* the parameters it updates
(the proxy evaluators concatenate every parameter of the model; :func:`to_torch_optimizer`
concatenates the parameters of a param group). ``w, g, m, v`` are such vectors, ``lr`` is a
scalar broadcast over the elements. Reductions (``norm``, ``dot``, ``cosine_sim``, ``mean``,
``global_norm``) reduce over the whole vector, so ``norm`` and ``global_norm`` coincide (both
are the L2 norm over all parameters; both names are kept so the op set matches the paper, and
the functional hash sees them as equal). In the interpreters' registers ``[cases, elements]``
the vector is the elements axis.

**Validity** is checked by abstract execution (:func:`validate`): every value is a scalar or a
vector, reductions need a vector argument, and ``update``, ``m``, ``v`` must be vectors.

>>> import random
>>> p = adamw()
>>> validate(p)
>>> print(to_source(p).splitlines()[1])
    m = interp(g, m, 0.9)
>>> child = OptimizerMutator(max_statements=20)(p, random.Random(0))
>>> validate(child)
"""
from __future__ import annotations

import itertools
import math
import random
from typing import Any, Callable, Dict, Optional, Sequence, Union

from symsearch.programs.abstract import SCALAR, VECTOR, check_program, check_shapes
from symsearch.programs.expr import Const
from symsearch.programs.lazy import program_data
from symsearch.programs.ops import REGISTRY
from symsearch.programs.program import (Program, Statement, live_indices, live_statements,
                                        make_program)
from symsearch.programs.program import normal_form as program_normal_form
from symsearch.symbolic.object import Object
from symsearch.spaces.optimizer_budget import (STATE_NAMES, check_budget, check_state_slots,
                                               forbidden_state, state_buffers, violates)
from symsearch.spaces.optimizer_export import to_source, to_torch_optimizer, step_program

#: The program's inputs and outputs, in order.
INPUTS = ("w", "g", "m", "v", "lr")
OUTPUTS = ("update", "m", "v")
INPUT_SHAPES = {"w": VECTOR, "g": VECTOR, "m": VECTOR, "v": VECTOR, "lr": SCALAR}
OUTPUT_SHAPES = {"update": VECTOR, "m": VECTOR, "v": VECTOR}

#: The ops the search draws from: the paper's function set (42 ops; with the constants π, e
#: and ε below, 45). ``neg`` is NumPy's ``negative``.
OPTIMIZER_OPS = (
    "add", "sub", "mul", "div", "max", "min",
    "abs", "sign", "sqrt", "log", "square", "cube", "cbrt", "exp", "expm1", "exp2", "log1p",
    "log2", "log10", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "arcsinh", "arccosh", "arctanh", "reciprocal", "neg", "relu",
    "interp", "power",
    "norm", "global_norm", "dot", "cosine_sim", "mean", "clip_by_global_norm",
)

#: Named constants the mutator may pick (besides N(0, 1) draws).
CONSTANTS = {"pi": math.pi, "e": math.e, "eps": 1e-8}
#: Variables the mutator may assign besides the outputs.
TEMPORARIES = ("t0", "t1", "t2", "t3", "t4", "t5")
MUTATIONS = ("insert", "delete", "arg", "constant", "op")


def perturb_constant(old: float, rng: random.Random, replace_prob: float = 0.5,
                     scale_sigma: float = 1.0) -> float:
    """The paper's constant mutation: a N(0, 1) draw with probability ``replace_prob``, else
    ``old`` scaled by 2^N(0, ``scale_sigma``)."""
    if rng.random() < replace_prob:
        return rng.gauss(0.0, 1.0)
    return old * 2.0 ** rng.gauss(0.0, scale_sigma)


def _program(lines: Sequence[tuple]) -> Program:
    """A program from ``(target, op, *args)`` tuples; numbers become constants."""
    return Program(list(INPUTS),
                   [Statement(t, op, [a if isinstance(a, str) else Const(float(a)) for a in args])
                    for t, op, *args in lines],
                   list(OUTPUTS))


# ---- known programs --------------------------------------------------------------------------

def sgd(lr_scale: float = 1.0) -> Program:
    """``update = g * lr * lr_scale``."""
    return _program([("t0", "mul", "g", "lr"), ("update", "mul", "t0", lr_scale)])


def sgd_momentum(momentum: float = 0.9, lr_scale: float = 1.0,
                 weight_decay: float = 0.0) -> Program:
    """Heavy ball as ``torch.optim.SGD(momentum=μ, weight_decay=wd)``: ``m = μ m + g + wd w``,
    ``update = m lr``. The weight-decay statements are there only when ``weight_decay`` is
    not 0, so the default program is the four-statement heavy ball."""
    lines = [("m", "mul", "m", momentum)]
    if weight_decay:
        lines += [("t1", "mul", "w", weight_decay), ("m", "add", "m", "t1")]
    lines += [("m", "add", "m", "g"), ("t0", "mul", "m", "lr"),
              ("update", "mul", "t0", lr_scale)]
    return _program(lines)


def adamw(beta1: float = 0.9, beta2: float = 0.999, weight_decay: float = 0.01,
          lr_scale: float = 1.0, eps: Optional[float] = None) -> Program:
    """AdamW as the search's warm start: no bias correction and (by default) no ε.

    ``m = interp(g, m, β1)``, ``v = interp(g², v, β2)``,
    ``update = (m / sqrt(v) + wd w) lr lr_scale``. Every number is a constant the search can
    change. Division is protected (a denominator within 1e-12 of 0 gives 1), where torch adds
    ε; pass ``eps`` to add it to ``sqrt(v)`` as torch does.
    """
    lines = [("m", "interp", "g", "m", beta1), ("t0", "square", "g"),
             ("v", "interp", "t0", "v", beta2), ("t1", "sqrt", "v")]
    if eps is not None:
        lines.append(("t1", "add", "t1", eps))
    lines += [("t1", "div", "m", "t1"), ("t2", "mul", "w", weight_decay),
              ("t1", "add", "t1", "t2"), ("t1", "mul", "t1", "lr"),
              ("update", "mul", "t1", lr_scale)]
    return _program(lines)


def lion(beta1: float = 0.9, beta2: float = 0.99, weight_decay: float = 0.0,
         lr_scale: float = 1.0) -> Program:
    """Lion (Chen et al. 2023): ``c = interp(g, m, β1)``, ``update = (sign(c) + λ w) lr``,
    ``m = interp(g, m, β2)``."""
    return _program([("t0", "interp", "g", "m", beta1), ("t0", "sign", "t0"),
                     ("t1", "mul", "w", weight_decay), ("t0", "add", "t0", "t1"),
                     ("t0", "mul", "t0", "lr"), ("update", "mul", "t0", lr_scale),
                     ("m", "interp", "g", "m", beta2)])


def c_lion(beta1: float = 0.9, beta2: float = 0.99, weight_decay: float = 0.0,
           lr_scale: float = 1.0) -> Program:
    """Cautious Lion (Liang et al. 2024): Lion's sign update kept only where it agrees in sign
    with the gradient, rescaled by the mask's mean: ``u = sign(c)``,
    ``mask = relu(sign(u g))`` (1 where ``u g > 0``, else 0), ``u = u mask / mean(mask)``
    (protected: when no element agrees the update is 0), ``update = (u + λ w) lr``."""
    return _program([("t0", "interp", "g", "m", beta1), ("t0", "sign", "t0"),
                     ("t1", "mul", "t0", "g"), ("t1", "sign", "t1"), ("t1", "relu", "t1"),
                     ("t2", "mean", "t1"), ("t2", "reciprocal", "t2"),
                     ("t0", "mul", "t0", "t1"), ("t0", "mul", "t0", "t2"),
                     ("t1", "mul", "w", weight_decay), ("t0", "add", "t0", "t1"),
                     ("t0", "mul", "t0", "lr"), ("update", "mul", "t0", lr_scale),
                     ("m", "interp", "g", "m", beta2)])


#: name -> builder of the known programs.
KNOWN_PROGRAMS: Dict[str, Callable[..., Program]] = {
    "sgd": sgd, "sgd_momentum": sgd_momentum, "adamw": adamw, "lion": lion, "c_lion": c_lion}


# ---- validity and simplification ---------------------------------------------------------------

def validate(program: Program, ops: Optional[Sequence[str]] = None,
             state_slots: int = 2) -> None:
    """Checks that ``program`` is an optimizer program, by abstract execution.

    Inputs must be exactly ``INPUTS`` and outputs ``OUTPUTS``; every statement's op must be
    registered (and in ``ops`` when given) with the right arity and read only assigned
    variables; shapes must fit (see ``symsearch.programs.abstract``) and ``update``, ``m``,
    ``v`` must be vectors; with ``state_slots`` below 2 no statement may read or write the
    state buffers beyond the budget (``v``, then ``m``; see ``optimizer_budget``). Raises
    ValueError naming the statement index otherwise.

    >>> validate(_program([("update", "mul", "lr", 2.0)]))
    Traceback (most recent call last):
    ...
    ValueError: output 'update' must be a vector, but it is a scalar (path=outputs[0])
    """
    if not isinstance(program, Program):
        raise TypeError(f"expected a Program, got {type(program).__name__}")
    if list(program.inputs) != list(INPUTS):
        raise ValueError(f"an optimizer program's inputs must be {list(INPUTS)}, got "
                         f"{list(program.inputs)}")
    if list(program.outputs) != list(OUTPUTS):
        raise ValueError(f"an optimizer program's outputs must be {list(OUTPUTS)}, got "
                         f"{list(program.outputs)}")
    check_program(program, INPUT_SHAPES, OUTPUT_SHAPES, ops=ops)
    check_budget(program, state_slots)


def is_valid(program: Program, ops: Optional[Sequence[str]] = None,
             state_slots: int = 2) -> bool:
    """Whether :func:`validate` accepts ``program``."""
    try:
        validate(program, ops, state_slots)
        return True
    except (ValueError, TypeError, KeyError):
        return False


def simplify(program: Program) -> Program:
    """A runnable simplified copy: dead statements removed (dependency tracking from the
    outputs back) and the arguments of commutative ops in a canonical order. Variable names
    and outputs are kept, so the result is still an optimizer program.

    >>> p = _program([("t0", "exp", "w"), ("update", "mul", "lr", "g")])
    >>> [(st.target, st.op, list(st.args)) for st in simplify(p).statements]
    [('update', 'mul', ['g', 'lr'])]
    """
    statements = program.statements
    out = []
    for i in live_statements(program):
        st = statements[i]
        args = [a if isinstance(a, str) else Const(float(a.value)) for a in st.args]
        if REGISTRY.get(st.op).commutative:
            args.sort(key=_arg_key)
        out.append(Statement(st.target, st.op, args))
    return Program(list(program.inputs), out, list(program.outputs))


def _arg_key(arg: Any) -> tuple:
    return (0, arg, 0.0) if isinstance(arg, str) else (1, "", float(arg.value))


def normal_form(program: Program) -> Program:
    """The structural normal form for hashing (``ss.hash(normal_form(p))``): dead statements
    removed, common subexpressions merged, commutative arguments sorted, statements in a
    canonical order, temporaries renamed. Not runnable as an optimizer program (outputs are
    renamed); identities such as ``m / sqrt(m * m) == sign(m)`` are left to the functional
    hash."""
    return program_normal_form(program)


# ---- mutation ----------------------------------------------------------------------------------

class OptimizerMutator(Object, type_name="symsearch.spaces.optimizers.OptimizerMutator"):
    """Mutates optimizer programs for ``ss.evolve``; every child passes :func:`validate`.

    Mutations (chosen by ``weights``): ``insert`` a random statement (random op from ``ops``,
    random target among the outputs and ``temporaries``, arguments among the variables
    assigned before it or constants), ``delete`` one, ``arg``: change one argument (a
    variable is swapped for another, or a constant; a constant is replaced by a N(0, 1) draw,
    scaled by 2^N(0, 1) or swapped for a variable), ``constant``: change one constant of a
    live statement (one that the outputs depend on) as ``arg`` changes constants, and ``op``
    (off by default): replace a statement's op by another of the same arity. ``constant``
    carries as much weight as the three structural mutations together by default: at equal
    evaluations, a search that rarely touched constants lost to one that tunes only them
    (``benchmarks/optimizer_discovery.py``). The outputs (the return) never change. A
    child that fails abstract execution, is unchanged or exceeds ``max_statements`` is
    re-mutated (up to ``max_tries`` times; then the parent is returned unchanged).

    ``state_slots`` (2: no limit) is the state budget (``optimizer_budget``): with 1 the
    mutator never assigns ``v`` nor draws it as an argument, and a child that would mention
    it is redrawn, so a parent within the budget only has children within it.

    New constants are one of ``constants`` (π, e, ε) with probability ``named_const_prob``,
    else a N(0, 1) draw.

    >>> import random
    >>> mutate = OptimizerMutator(max_statements=12)
    >>> p = sgd()
    >>> for _ in range(50):
    ...     p = mutate(p, random.Random(_))
    >>> is_valid(p) and len(p.statements) <= 12
    True
    """

    #: Never changes the program it is given (``ss.evolve`` passes it without a copy).
    pure = True

    ops: list = list(OPTIMIZER_OPS)
    max_statements: int = 30
    temporaries: list = list(TEMPORARIES)
    constants: list = list(CONSTANTS.values())
    const_prob: float = 0.25
    named_const_prob: float = 0.3
    weights: Optional[dict] = None
    max_tries: int = 100
    state_slots: int = 2

    def _on_bound(self) -> None:
        ops = list(self.ops)
        if not ops:
            raise ValueError("OptimizerMutator: ops must name at least one op")
        for name in ops:
            REGISTRY.get(name)
        if not isinstance(self.max_statements, int) or self.max_statements < 1:
            raise ValueError(f"OptimizerMutator: max_statements must be an int >= 1, got "
                             f"{self.max_statements!r}")
        if not 0.0 <= self.const_prob <= 1.0:
            raise ValueError(f"OptimizerMutator: const_prob must be in [0, 1], got "
                             f"{self.const_prob!r}")
        if not isinstance(self.max_tries, int) or self.max_tries < 1:
            raise ValueError(f"OptimizerMutator: max_tries must be an int >= 1, got "
                             f"{self.max_tries!r}")
        weights = dict(self.weights) if self.weights is not None else \
            {"insert": 1.0, "delete": 1.0, "arg": 1.0, "constant": 3.0, "op": 0.0}
        unknown = set(weights) - set(MUTATIONS)
        if unknown or any(w < 0 for w in weights.values()) or not sum(weights.values()) > 0:
            raise ValueError(f"OptimizerMutator: weights must map {list(MUTATIONS)} to "
                             f"non-negative numbers with a positive sum, got {self.weights!r}")
        self._ops = ops
        self._arity = {n: REGISTRY.get(n).arity for n in ops}
        self._kinds = [k for k in weights if weights[k] > 0]
        self._weights = [weights[k] for k in self._kinds]
        # Drawn from as rng.choices(kinds, weights) would (the same random stream), without
        # accumulating the weights or looking the method up by name on every call (the
        # class's functions: no bound method, so no reference cycle through the mutator).
        self._mutations = [getattr(type(self), f"_{k}") for k in self._kinds]
        self._cum_weights = list(itertools.accumulate(self._weights))
        self._forbidden = forbidden_state(check_state_slots(self.state_slots))
        self._targets = [t for t in OUTPUTS if t not in self._forbidden] + \
            [t for t in self.temporaries if t not in OUTPUTS]
        self._constants = [float(c) for c in self.constants]

    def __call__(self, program: Program, rng: random.Random) -> Program:
        # A lazy program (what this mutator returns) is read as plain data, unbuilt: its
        # statements are (target, op, args tuple), which the mutations copy before editing.
        data = program_data(program)
        statements = list(data[1]) if data is not None \
            else [(st.target, st.op, [a if isinstance(a, str) else float(a.value)
                                      for a in st.args]) for st in program.statements]
        mutations, cum_weights = self._mutations, self._cum_weights
        for _ in range(self.max_tries):
            new = rng.choices(mutations, cum_weights=cum_weights)[0](self, statements, rng)
            if new is None or new == statements or len(new) > self.max_statements:
                continue
            if self._forbidden and violates(new, self._forbidden):
                continue
            try:
                check_shapes(new, INPUT_SHAPES, OUTPUT_SHAPES, outputs=OUTPUTS)
            except ValueError:
                continue
            return _build(new)
        return _build(statements)

    # ---- random pieces -------------------------------------------------------------------------
    def random_constant(self, rng: random.Random) -> float:
        if self._constants and rng.random() < self.named_const_prob:
            return rng.choice(self._constants)
        return rng.gauss(0.0, 1.0)

    def _defined_before(self, statements: list, i: int) -> list:
        names = [n for n in INPUTS if n not in self._forbidden]
        for target, _op, _args in statements[:i]:
            if target not in names:
                names.append(target)
        return names

    def _random_arg(self, names: list, rng: random.Random) -> Any:
        if rng.random() < self.const_prob:
            return self.random_constant(rng)
        return rng.choice(names)

    # ---- the mutations -------------------------------------------------------------------------
    def _insert(self, statements, rng):
        i = rng.randrange(len(statements) + 1)
        names = self._defined_before(statements, i)
        op = rng.choice(self._ops)
        args = [self._random_arg(names, rng) for _ in range(self._arity[op])]
        return statements[:i] + [(rng.choice(self._targets), op, args)] + statements[i:]

    def _delete(self, statements, rng):
        if not statements:
            return None
        i = rng.randrange(len(statements))
        return statements[:i] + statements[i + 1:]

    def _arg(self, statements, rng):
        if not statements:
            return None
        i = rng.randrange(len(statements))
        target, op, args = statements[i]
        args = list(args)
        j = rng.randrange(len(args))
        old = args[j]
        if isinstance(old, str):
            names = [n for n in self._defined_before(statements, i) if n != old]
            args[j] = self.random_constant(rng) if (not names or rng.random() < self.const_prob) \
                else rng.choice(names)
        else:
            choice = rng.random()
            if choice < 0.8:
                args[j] = perturb_constant(old, rng)
            else:
                args[j] = rng.choice(self._defined_before(statements, i))
        return statements[:i] + [(target, op, args)] + statements[i + 1:]

    def _constant(self, statements, rng):
        slots = _constant_slots(statements)
        if not slots:
            return None
        i, j = rng.choice(slots)
        target, op, args = statements[i]
        args = list(args)
        args[j] = perturb_constant(args[j], rng)
        return statements[:i] + [(target, op, args)] + statements[i + 1:]

    def _op(self, statements, rng):
        if not statements:
            return None
        i = rng.randrange(len(statements))
        target, op, args = statements[i]
        same = [o for o in self._ops if o != op and self._arity[o] == len(args)]
        if not same:
            return None
        return statements[:i] + [(target, rng.choice(same), list(args))] + statements[i + 1:]


#: statements' ids -> (the statements, their live constants' slots); see _constant_slots.
_CONSTANT_SLOTS: dict = {}


def _constant_slots(statements: list) -> list:
    """``(statement, argument)`` indices of the constants of live statements. Remembered by
    the statements' identities (a tournament winner is mutated again and again); the entry
    holds the statements, so that their ids are not reused while it is kept."""
    key = tuple(map(id, statements))
    hit = _CONSTANT_SLOTS.get(key)
    if hit is not None:
        return hit[1]
    live = set(live_indices([(t, args) for t, _op, args in statements], OUTPUTS))
    slots = [(i, j) for i, (_t, _op, args) in enumerate(statements) if i in live
             for j, a in enumerate(args) if not isinstance(a, str)]
    if len(_CONSTANT_SLOTS) > 5_000:
        _CONSTANT_SLOTS.clear()
    _CONSTANT_SLOTS[key] = (list(statements), slots)
    return slots


#: A mutator with the default settings (``OptimizerMutator()``).
mutator = OptimizerMutator()


class ConstantsMutator(Object, type_name="symsearch.spaces.optimizers.ConstantsMutator"):
    """Changes only the constants of a program: the paper's "constants-only" baseline (hyper-
    parameter tuning of the warm start by the same evolution, structure fixed).

    One constant is replaced by a N(0, 1) draw with probability ``replace_prob``, else scaled
    by 2^N(0, ``scale_sigma``). A program without constants is returned unchanged.

    >>> import random
    >>> child = ConstantsMutator()(adamw(), random.Random(0))
    >>> [st.op for st in child.statements] == [st.op for st in adamw().statements]
    True
    """

    #: Never changes the program it is given (``ss.evolve`` passes it without a copy).
    pure = True

    replace_prob: float = 0.2
    scale_sigma: float = 1.0

    def _on_bound(self) -> None:
        if not 0.0 <= self.replace_prob <= 1.0:
            raise ValueError(f"ConstantsMutator: replace_prob must be in [0, 1], got "
                             f"{self.replace_prob!r}")
        if not self.scale_sigma > 0:
            raise ValueError(f"ConstantsMutator: scale_sigma must be > 0, got "
                             f"{self.scale_sigma!r}")

    def __call__(self, program: Program, rng: random.Random) -> Program:
        slots = [(i, j) for i, st in enumerate(program.statements)
                 for j, a in enumerate(st.args) if isinstance(a, Const)]
        statements = [(st.target, st.op, [a if isinstance(a, str) else float(a.value)
                                          for a in st.args]) for st in program.statements]
        if not slots:
            return _build(statements)
        i, j = rng.choice(slots)
        statements[i][2][j] = perturb_constant(statements[i][2][j], rng, self.replace_prob,
                                               self.scale_sigma)
        return _build(statements)


class RandomProgram(Object, type_name="symsearch.spaces.optimizers.RandomProgram"):
    """An ``initializer`` for random program search: ``update = g * lr`` followed by
    ``min_statements``..``max_statements`` random inserts of :class:`OptimizerMutator` (so
    every program is valid, and statements may read ``m``, ``v`` and earlier results).

    >>> import random
    >>> p = RandomProgram()(random.Random(0))
    >>> is_valid(p)
    True
    """

    min_statements: int = 3
    max_statements: int = 12
    ops: list = list(OPTIMIZER_OPS)
    state_slots: int = 2

    def _on_bound(self) -> None:
        if not 1 <= self.min_statements <= self.max_statements:
            raise ValueError(f"RandomProgram: need 1 <= min_statements <= max_statements, got "
                             f"{self.min_statements!r}, {self.max_statements!r}")
        self._inserter = OptimizerMutator(ops=list(self.ops),
                                          max_statements=self.max_statements + 1,
                                          weights={"insert": 1.0},
                                          state_slots=self.state_slots)

    def __call__(self, rng: random.Random) -> Program:
        program = _build([("update", "mul", ["g", "lr"])])
        for _ in range(rng.randint(self.min_statements, self.max_statements)):
            program = self._inserter(program, rng)
        return program


def _build(statements: list) -> Program:
    return make_program(INPUTS, statements, OUTPUTS)


# ---- the search space --------------------------------------------------------------------------

def initial_program(initial: Union[str, Program] = "adamw", state_slots: int = 2) -> Program:
    """A known program by name (``KNOWN_PROGRAMS``), or a validated copy of a Program; either
    must keep to the state budget ``state_slots`` (ValueError naming the statement)."""
    if isinstance(initial, str):
        if initial not in KNOWN_PROGRAMS:
            raise ValueError(f"initial must be a Program or one of {sorted(KNOWN_PROGRAMS)}, "
                             f"got {initial!r}")
        program = KNOWN_PROGRAMS[initial]()
        try:
            check_budget(program, state_slots)
        except ValueError as error:
            raise ValueError(f"initial program {initial!r} does not fit the state budget: "
                             f"{error}") from None
        return program
    validate(initial, state_slots=state_slots)
    return initial


def space(initial: Union[str, Program] = "adamw", max_statements: int = 30,
          ops: Sequence[str] = OPTIMIZER_OPS, name: Optional[str] = "program",
          state_slots: int = 2, **mutator_kwargs: Any) -> Any:
    """The optimizer program search space: ``ss.evolve(initial program,
    OptimizerMutator(...))``. Every candidate starts from ``initial`` (AdamW by default, the
    paper's warm start) and is reached by mutation; use with evolutionary algorithms.

    ``state_slots`` is the state budget (``optimizer_budget``): with 1, only ``m`` is
    reachable (``space("sgd_momentum", state_slots=1)`` is the one-buffer search, which
    Lion fits and AdamW does not); ``initial`` must fit it. The mutator builds every
    candidate from ops and constants: no known program is ever injected whole.

    >>> import symsearch as ss
    >>> s = space("lion", max_statements=15)
    >>> isinstance(ss.materialize(s, ss.random_dna(ss.dna_spec(s), 0)), Program)
    True
    """
    import symsearch as ss

    program = initial_program(initial, state_slots)
    mutator = OptimizerMutator(ops=list(ops), max_statements=max_statements,
                               state_slots=state_slots, **mutator_kwargs)
    return ss.evolve(program, mutator, name=name)


def constants_space(initial: Union[str, Program] = "adamw", name: Optional[str] = "program",
                    state_slots: int = 2, **mutator_kwargs: Any) -> Any:
    """The constants-only baseline space: ``initial``'s structure with its constants evolved
    by :class:`ConstantsMutator`. The structure never changes, so ``state_slots`` only
    checks that ``initial`` fits the budget."""
    import symsearch as ss

    return ss.evolve(initial_program(initial, state_slots), ConstantsMutator(**mutator_kwargs),
                     name=name)


def random_space(min_statements: int = 3, max_statements: int = 12,
                 ops: Sequence[str] = OPTIMIZER_OPS, name: Optional[str] = "program",
                 state_slots: int = 2) -> Any:
    """The random-program-search baseline space: every random sample is a fresh
    :class:`RandomProgram` (use with ``algorithm="random"``); mutation, if an evolutionary
    algorithm is used, is :class:`OptimizerMutator`'s; both keep to ``state_slots``."""
    import symsearch as ss

    init = RandomProgram(min_statements=min_statements, max_statements=max_statements,
                         ops=list(ops), state_slots=state_slots)
    mutate = OptimizerMutator(ops=list(ops), max_statements=max_statements,
                              state_slots=state_slots)
    return ss.evolve(sgd(), mutate, initializer=init, name=name)


__all__ = ["INPUTS", "OUTPUTS", "INPUT_SHAPES", "OUTPUT_SHAPES", "OPTIMIZER_OPS", "CONSTANTS",
           "TEMPORARIES", "sgd", "sgd_momentum", "adamw", "lion", "c_lion", "KNOWN_PROGRAMS",
           "validate", "is_valid", "simplify", "normal_form", "OptimizerMutator", "mutator",
           "ConstantsMutator", "RandomProgram", "constants_space", "random_space",
           "initial_program", "space", "to_source", "to_torch_optimizer", "step_program",
           "STATE_NAMES", "state_buffers", "check_budget"]
