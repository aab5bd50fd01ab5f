"""Define-by-run search spaces: hyper-values called while a function runs.

Inside a function running under a context of this module, ``ss.oneof(...)``,
``ss.floatv(...)`` etc. return decided values instead of hyper-values::

    def make_model():
        act = ss.oneof(["relu", "gelu"], name="act")
        layers = ss.intv(1, 4, name="layers") if act == "relu" else 2
        return MLP(act=act, layers=layers)

    space = ss.trace(make_model)           # runs make_model to discover the decisions
    candidate = ss.random_sample(space)[0]  # a DynamicCandidate: candidate() builds it

``trace`` runs the function once with default decisions, then once more per unexplored
``oneof`` branch (up to ``max_runs``), so decisions inside branches are found and made
conditional on the branch that reveals them. The function should therefore be cheap:
have it build a configuration, not train a model. Decisions are keyed by ``name`` or,
when unnamed, by their call site (``file:line``, ``#n`` for repeats).
"""
from __future__ import annotations

import operator
import os
import sys
import threading
from typing import Any, Callable, Optional

from symsearch.geno.dna import DNA
from symsearch.geno.spec import CHOICE, CUSTOM, FLOAT, INT, ChoiceGroup, Decision, DNASpec
from symsearch.hyper.base import HyperValue
from symsearch.hyper.compile import CompiledSpace, Mismatch, candidate_literals
from symsearch.hyper.evolve import Evolve
from symsearch.hyper.numeric import Float, Int
from symsearch.hyper.oneof import ManyOf, OneOf
from symsearch.symbolic.formatting import format_value
from symsearch.symbolic.object import Object
from symsearch.symbolic.ops import clone

_LOCAL = threading.local()
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def current_context():
    stack = getattr(_LOCAL, "stack", None)
    return stack[-1] if stack else None


class _Context:
    def __init__(self):
        self.site_counts: dict = {}

    def __enter__(self):
        stack = getattr(_LOCAL, "stack", None)
        if stack is None:
            stack = _LOCAL.stack = []
        stack.append(self)
        return self

    def __exit__(self, *exc):
        _LOCAL.stack.pop()
        return False

    def key_of(self, hyper: HyperValue) -> str:
        if hyper.name is not None:
            return hyper.name
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            frame = frame.f_back
        site = (f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"
                if frame is not None else "<unknown>")
        n = self.site_counts.get(site, 0)
        self.site_counts[site] = n + 1
        return site if n == 0 else f"{site}#{n}"

    def decide(self, hyper: HyperValue) -> Any:
        raise NotImplementedError


def _resolve(hyper: HyperValue, raw: Any, key: str = "") -> Any:
    """The value a decision takes, from its DNA-level value (index, number, object)."""
    if isinstance(hyper, OneOf):
        return clone(hyper.candidates[_candidate_index(hyper, raw, key)])
    if isinstance(hyper, ManyOf):
        if not isinstance(raw, (tuple, list)) or len(raw) != hyper.k:
            raise ValueError(f"Decision {key!r} (manyof) takes a tuple of {hyper.k} "
                             f"candidate indices, got {raw!r}")
        return [clone(hyper.candidates[_candidate_index(hyper, i, key)]) for i in raw]
    return clone(raw)  # a copy: the caller's DNA keeps its value


def _candidate_index(hyper: HyperValue, raw: Any, key: str) -> int:
    n = len(hyper.candidates)
    try:
        i = -1 if isinstance(raw, bool) else operator.index(raw)  # ints, numpy ints
    except TypeError:
        i = -1
    if not 0 <= i < n:
        raise ValueError(f"Decision {key!r} takes a candidate index in [0, {n}) (candidates "
                         f"{format_value(list(hyper.candidates), compact=True)}), got {raw!r}")
    return i


def _default_raw(hyper: HyperValue) -> Any:
    if isinstance(hyper, OneOf):
        return 0
    if isinstance(hyper, ManyOf):
        return tuple(range(hyper.k)) if hyper.distinct else (0,) * hyper.k
    return hyper.default_value()


class _TraceContext(_Context):
    def __init__(self, forced: dict):
        super().__init__()
        self.forced = forced
        self.order: list = []
        self.hypers: dict = {}
        self.raw: dict = {}

    def decide(self, hyper: HyperValue) -> Any:
        key = self.key_of(hyper)
        if key in self.hypers:
            raise ValueError(f"Hyper-value name {key!r} is used twice in one run of a "
                             f"define-by-run function; names must be unique.")
        raw = self.forced.get(key, _default_raw(hyper))
        self.order.append(key)
        self.hypers[key] = hyper
        self.raw[key] = raw
        return _resolve(hyper, raw)


class _ReplayContext(_Context):
    def __init__(self, space: "DynamicSpace", raw: dict):
        super().__init__()
        self.space = space
        self.raw_values = raw

    def decide(self, hyper: HyperValue) -> Any:
        key = self.key_of(hyper)
        if key in self.raw_values:
            return _resolve(hyper, self.raw_values[key], key)
        # A branch the trace did not reach, or an inactive decision: use its default.
        return _resolve(hyper, _default_raw(hyper))


class DynamicCandidate(Object, type_name="symsearch.DynamicCandidate"):
    """One candidate of a define-by-run space: the function plus its decisions.

    Calling it runs the function with those decisions (and the traced arguments).
    """

    fn: Callable
    decisions: dict
    args: tuple = ()
    kwargs: dict = {}

    def __call__(self, *args, **kwargs) -> Any:
        space_raw = dict(self.decisions)
        with _ReplayContext(None, space_raw):
            return self.fn(*(args or self.args), **(kwargs or self.kwargs))


class DynamicSpace:
    """A search space discovered by running a function (see the module docstring)."""

    def __init__(self, fn: Callable, args: tuple = (), kwargs: Optional[dict] = None,
                 max_runs: int = 64):
        self.fn = fn
        self.args = tuple(args)
        self.kwargs = dict(kwargs or {})
        self.hypers: dict = {}
        self.order: list = []
        runs = self._explore(max_runs)
        self._compiled = self._compile(runs)

    def _run(self, forced: dict) -> _TraceContext:
        with _TraceContext(forced) as ctx:
            self.fn(*self.args, **self.kwargs)
        return ctx

    def _explore(self, max_runs: int) -> list:
        runs, queue, explored = [], [{}], set()
        while queue and len(runs) < max_runs:
            forced = queue.pop(0)
            ctx = self._run(forced)
            runs.append(ctx)
            for key in ctx.order:
                if key not in self.hypers:
                    self.hypers[key] = ctx.hypers[key]
                    self.order.append(key)
                hyper = ctx.hypers[key]
                if isinstance(hyper, OneOf) and key not in explored:
                    explored.add(key)
                    context = {k: ctx.raw[k] for k in forced if k in ctx.raw}
                    for i in range(1, len(hyper.candidates)):
                        queue.append({**context, key: i})
        return runs

    def _condition(self, key: str, runs: list) -> Optional[tuple]:
        """The (parent key, branch) whose choice reveals ``key``, if any.

        The parent is the nearest earlier ``oneof`` whose branch decides, in every run
        that reached the parent, whether ``key`` is reached: reached exactly when the
        parent took ``branch``. A decision reached under several branches, or whose
        presence no single choice explains, stays unconditional.
        """
        present = [r for r in runs if key in r.raw]
        first = present[0]
        before = first.order[:first.order.index(key)]
        for parent in reversed(before):
            if not isinstance(self.hypers[parent], OneOf):
                continue
            values = {r.raw.get(parent) for r in present}
            if len(values) != 1 or None in values:
                continue
            (branch,) = values
            reached = [r for r in runs if parent in r.raw]
            if len(present) < len(reached) and all(
                    (key in r.raw) == (r.raw[parent] == branch) for r in reached):
                return parent, branch
        return None

    def _compile(self, runs: list) -> CompiledSpace:
        first_slot, units_of = {}, {}
        conditions = {key: self._condition(key, runs) for key in self.order}
        for key in self.order:
            hyper = self.hypers[key]
            # Indices and conditions are set below, once the tree is known.
            if isinstance(hyper, OneOf):
                d = Decision(-1, key, CHOICE, hyper.name,
                             num_candidates=len(hyper.candidates), hyper=hyper,
                             literals=candidate_literals(hyper.candidates))
                d.children = [[] for _ in hyper.candidates]
                unit = d
            elif isinstance(hyper, ManyOf):
                slots = []
                for s in range(hyper.k):
                    name = None if hyper.name is None else f"{hyper.name}[{s}]"
                    slots.append(Decision(-1, f"{key}[{s}]", CHOICE, name,
                                          num_candidates=len(hyper.candidates), hyper=hyper,
                                          literals=candidate_literals(hyper.candidates)))
                unit = ChoiceGroup(slots, len(hyper.candidates), hyper.distinct, hyper.sorted,
                                   key, hyper.name)
                for d in slots:
                    d.group = unit
                d = slots[0]
            elif isinstance(hyper, (Float, Int)):
                d = Decision(-1, key, FLOAT if isinstance(hyper, Float) else INT,
                             hyper.name, lo=hyper.lo, hi=hyper.hi,
                             scale=hyper.scale, step=getattr(hyper, "step", 1), hyper=hyper)
                unit = d
            elif isinstance(hyper, Evolve):
                d = Decision(-1, key, CUSTOM, hyper.name, hyper=hyper)
                unit = d
            else:
                raise TypeError(f"Unsupported hyper-value {type(hyper).__name__} ({key})")
            first_slot[key] = d
            units_of[key] = unit
        roots = []
        for key in self.order:
            cond = conditions[key]
            if cond is None:
                roots.append(units_of[key])
            else:
                first_slot[cond[0]].children[cond[1]].append(units_of[key])
        # Number decisions depth-first, as compiled symbolic spaces do.
        decisions: list = []

        def number(units):
            for u in units:
                for d in (u.slots if isinstance(u, ChoiceGroup) else (u,)):
                    d.index = len(decisions)
                    decisions.append(d)
                    for branch in d.children:
                        number(branch)
        number(roots)
        slots_of = {key: ([first_slot[key]] if not isinstance(units_of[key], ChoiceGroup)
                          else units_of[key].slots) for key in self.order}
        for key, cond in conditions.items():
            if cond is not None:
                for d in slots_of[key]:
                    d.condition = (first_slot[cond[0]].index, cond[1])
        for d in decisions:
            if d.kind == CHOICE and d.children and not any(d.children):
                d.children = []
        spec = DNASpec(decisions, roots, fingerprint="")
        hypers, fn, args, kwargs = self.hypers, self.fn, self.args, self.kwargs

        def build(dna):
            raw = {}
            for key, slots in slots_of.items():
                values = [dna[d.index] for d in slots]
                if values[0] is None:
                    continue
                raw[key] = tuple(values) if isinstance(hypers[key], ManyOf) else values[0]
            return DynamicCandidate(fn=fn, decisions=raw, args=args, kwargs=kwargs)

        def encode(candidate, values):
            if not isinstance(candidate, DynamicCandidate):
                raise Mismatch(f"Expected a DynamicCandidate, got {type(candidate).__name__}")
            for key, raw in candidate.decisions.items():
                if key not in slots_of:
                    raise Mismatch(f"Decision {key!r} is not in the traced space "
                                   f"(decisions are {list(slots_of)})", key)
                slots = slots_of[key]
                if isinstance(hypers[key], ManyOf):
                    if not isinstance(raw, (tuple, list)) or len(raw) != len(slots):
                        raise Mismatch(f"At {key}: expected {len(slots)} candidate indices, "
                                       f"got {raw!r}", key)
                    for d, v in zip(slots, raw):
                        values[d.index] = v
                else:
                    values[slots[0].index] = raw
            # Decisions of branches the candidate did not take are not part of its DNA.
            active = set(spec.active_indices(values))
            for i in range(len(values)):
                if i not in active:
                    values[i] = None
            try:
                spec.validate(values)
            except ValueError as e:
                raise Mismatch(str(e)) from None
        return CompiledSpace(spec, build, encode)

    def _sym_compiled_space(self) -> CompiledSpace:
        return self._compiled

    def __repr__(self) -> str:
        return f"DynamicSpace({getattr(self.fn, '__name__', self.fn)}, decisions={self.order})"


def trace(fn: Callable, *args, max_runs: int = 64, **kwargs) -> DynamicSpace:
    """Discovers the define-by-run space of ``fn`` by running it (see module docstring)."""
    return DynamicSpace(fn, args, kwargs, max_runs=max_runs)


def sampling(decisions: dict):
    """A context in which hyper-value calls return ``decisions[key]`` (raw DNA values:
    candidate indices for ``oneof``, index tuples for ``manyof``, numbers otherwise)."""
    return _ReplayContext(None, dict(decisions))
