"""Compiling a search space into a DNASpec, a materializer and an encoder.

The space is walked once; every hyper-value becomes one decision (``k`` for a
``manyof``) and every node becomes a small closure: ``build(dna)`` makes that node of a
candidate, ``encode(value, values)`` recovers the decisions from a candidate. Parts of
the space without hyper-values are constants, copied unless immutable, so candidates
never share mutable state with the space or each other. Materializing a DNA is then a
handful of closure calls and ``_sym_fast_new`` constructions with no validation, which
is what makes the hot path fast.

Names: a named hyper-value's decision carries its ``name``; the ``k`` slots of a named
``manyof`` are ``name[0]``... ``name[k-1]``, and a named hyper-value inside the
candidates of a ``manyof`` is repeated per slot, so its copies are ``name[0]``... too.
Names must be unique within a space.
"""
from __future__ import annotations

from types import BuiltinFunctionType, FunctionType
from typing import Any, Callable

from symsearch.geno.spec import CHOICE, CUSTOM, FLOAT, INT, ChoiceGroup, Decision, DNASpec
from symsearch.hyper.base import HyperValue
from symsearch.hyper.evolve import Evolve
from symsearch.hyper.numeric import Float, Int
from symsearch.hyper.oneof import ManyOf, OneOf
from symsearch.symbolic.base import MISSING
from symsearch.symbolic.dict import Dict
from symsearch.symbolic.formatting import format_value
from symsearch.symbolic.keypath import join_path
from symsearch.symbolic.list import List
from symsearch.symbolic.ops import clone, eq
from symsearch.symbolic.record import Record


class Mismatch(ValueError):
    """A candidate does not belong to the space (raised by encoders at ``path``)."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message)
        self.path = path


class CompiledSpace:
    """What ``dna_spec``/``materialize``/``encode`` need, built once per space."""

    __slots__ = ("spec", "build", "encode_fn")

    def __init__(self, spec: DNASpec, build: Callable, encode_fn: Callable):
        self.spec = spec
        self.build = build
        self.encode_fn = encode_fn


def compile_space(space: Any) -> CompiledSpace:
    compiler = _Compiler()
    units, build, encode = compiler.node(space, "", None)
    if build is None:
        build = _const_builder(space)
    from symsearch.symbolic.hashing import sym_hash
    try:
        fingerprint = sym_hash(space)
    except TypeError:
        fingerprint = ""
    spec = DNASpec(compiler.decisions, units, fingerprint)
    return CompiledSpace(spec, build, encode)


_IMMUTABLE_TYPES = frozenset((str, int, float, bool, type(None), bytes, complex, frozenset))


def _is_immutable(value: Any) -> bool:
    t = type(value)
    if t in _IMMUTABLE_TYPES or value is MISSING:
        return True
    if t is tuple:
        return all(_is_immutable(v) for v in value)
    return isinstance(value, (type, FunctionType, BuiltinFunctionType))


def _const_builder(value: Any) -> Callable:
    if _is_immutable(value):
        return lambda dna: value
    return lambda dna: clone(value)  # symbolic or not: deep, so nothing is shared


def _where(path: str) -> str:
    return path or "<root>"


class _Compiler:
    def __init__(self):
        self.decisions: list = []
        self.names: dict = {}
        # "[s]" per enclosing manyof slot: names below a slot are repeated per slot.
        self.name_suffix = ""

    def _name(self, hyper: HyperValue):
        return None if hyper.name is None else hyper.name + self.name_suffix

    def _decision(self, path: str, kind: str, hyper: HyperValue, condition, name=MISSING,
                  **kw) -> Decision:
        d = Decision(index=len(self.decisions), path=path, kind=kind,
                     name=self._name(hyper) if name is MISSING else name,
                     condition=condition, hyper=hyper, **kw)
        self.decisions.append(d)
        return d

    def _claim_name(self, hyper: HyperValue, path: str) -> None:
        name = self._name(hyper)
        if name is None:
            return
        self._claim(name, path)
        if isinstance(hyper, ManyOf):  # its slots are named too
            for s in range(hyper.k):
                self._claim(f"{name}[{s}]", f"{path}[{s}]")

    def _claim(self, name: str, path: str) -> None:
        if name in self.names:
            raise ValueError(f"Duplicate hyper-value name {name!r} at "
                             f"{_where(self.names[name])} and {_where(path)}")
        self.names[name] = path

    # Each method returns (units, build or None when constant, encode).
    def node(self, value: Any, path: str, condition) -> tuple:
        if isinstance(value, HyperValue):
            self._claim_name(value, path)
            if isinstance(value, OneOf):
                return self.oneof(value, path, condition)
            if isinstance(value, ManyOf):
                return self.manyof(value, path, condition)
            if isinstance(value, (Float, Int)):
                return self.numeric(value, path, condition)
            if isinstance(value, Evolve):
                return self.custom(value, path, condition)
            raise TypeError(f"Unsupported hyper-value {type(value).__name__} at {_where(path)}")
        if isinstance(value, Dict) or type(value) is dict:
            return self.container(value, path, condition, list(value.items()), "dict")
        if isinstance(value, List) or type(value) is list:
            return self.container(value, path, condition, list(enumerate(value)), "list")
        if isinstance(value, Record):
            return self.container(value, path, condition, list(value.sym_items()), "record")
        if type(value) is tuple and not _is_immutable(value):
            return self.container(value, path, condition, list(enumerate(value)), "tuple")
        return [], None, _const_encoder(value, path)

    def container(self, value, path, condition, items, kind) -> tuple:
        units, plan, encoders, dynamic = [], [], [], False
        for key, child in items:
            child_units, child_build, child_encode = self.node(child, join_path(path, key),
                                                               condition)
            units.extend(child_units)
            if child_build is not None:
                dynamic = True
                plan.append((key, True, child_build))
            elif _is_immutable(child):
                plan.append((key, False, child))
            else:
                plan.append((key, True, _const_builder(child)))
            encoders.append((key, child_encode))
        encode = _container_encoder(value, kind, encoders, path)
        if not dynamic:
            return units, None, encode
        return units, _container_builder(value, kind, plan), encode

    def oneof(self, hyper: OneOf, path: str, condition) -> tuple:
        literals = candidate_literals(hyper.candidates)
        d = self._decision(path, CHOICE, hyper, condition,
                           num_candidates=len(hyper.candidates), literals=literals)
        builds, encodes = [], []
        for i, candidate in enumerate(hyper.candidates):
            child_units, child_build, child_encode = self.node(
                candidate, f"{path}[={i}]", (d.index, i))
            d.children.append(child_units)
            builds.append(child_build or _const_builder(candidate))
            encodes.append(child_encode)
        if not any(d.children):
            d.children = []
        index, builds = d.index, tuple(builds)

        def build(dna):
            return builds[dna[index]](dna)
        return [d], build, _choice_encoder(index, encodes, path)

    def manyof(self, hyper: ManyOf, path: str, condition) -> tuple:
        literals = candidate_literals(hyper.candidates)
        n = len(hyper.candidates)
        group_name, outer_suffix = self._name(hyper), self.name_suffix
        slots, slot_builds, slot_encodes = [], [], []
        for s in range(hyper.k):
            slot_path = f"{path}[{s}]"
            d = self._decision(slot_path, CHOICE, hyper, condition, num_candidates=n,
                               literals=literals,
                               name=None if group_name is None else f"{group_name}[{s}]")
            builds, encodes = [], []
            self.name_suffix = f"{outer_suffix}[{s}]"
            try:
                for i, candidate in enumerate(hyper.candidates):
                    child_units, child_build, child_encode = self.node(
                        candidate, f"{slot_path}[={i}]", (d.index, i))
                    d.children.append(child_units)
                    builds.append(child_build or _const_builder(candidate))
                    encodes.append(child_encode)
            finally:
                self.name_suffix = outer_suffix
            if not any(d.children):
                d.children = []
            slots.append(d)
            slot_builds.append(tuple(builds))
            slot_encodes.append(encodes)
        group = ChoiceGroup(slots=slots, num_candidates=n, distinct=hyper.distinct,
                            sorted=hyper.sorted, path=path, name=group_name)
        for d in slots:
            d.group = group
        pairs = tuple((d.index, b) for d, b in zip(slots, slot_builds))
        fast_new = List._sym_fast_new

        def build(dna):
            return fast_new([b[dna[i]](dna) for i, b in pairs])
        return [group], build, _group_encoder(group, slot_encodes, path)

    def numeric(self, hyper, path: str, condition) -> tuple:
        kind = FLOAT if isinstance(hyper, Float) else INT
        d = self._decision(path, kind, hyper, condition, lo=hyper.lo, hi=hyper.hi,
                           scale=hyper.scale, step=getattr(hyper, "step", 1))
        index = d.index

        def build(dna):
            return dna[index]
        return [d], build, _numeric_encoder(d, path)

    def custom(self, hyper: Evolve, path: str, condition) -> tuple:
        d = self._decision(path, CUSTOM, hyper, condition)
        index = d.index

        def build(dna):
            v = dna[index]
            if _is_immutable(v):
                return v
            # The DNA keeps its own value; a type may know a faster copy than the generic one.
            fast = getattr(type(v), "_sym_clone_value", None)
            return clone(v) if fast is None else fast(v)

        def encode(value, values):
            values[index] = value
        return [d], build, encode


def _container_builder(value, kind: str, plan: list) -> Callable:
    """``plan`` holds ``(key, True, builder)`` or ``(key, False, immutable constant)``."""
    plan = tuple(plan)
    if kind == "record":
        fast_new = type(value)._sym_fast_new

        def build_record(dna):
            return fast_new({key: (x(dna) if dynamic else x) for key, dynamic, x in plan})
        return build_record
    if kind == "dict":
        fast_new = Dict._sym_fast_new

        def build_dict(dna):
            return fast_new({key: (x(dna) if dynamic else x) for key, dynamic, x in plan})
        return build_dict
    if kind == "list":
        fast_new = List._sym_fast_new

        def build_list(dna):
            return fast_new([x(dna) if dynamic else x for _, dynamic, x in plan])
        return build_list

    def build_tuple(dna):
        return tuple(x(dna) if dynamic else x for _, dynamic, x in plan)
    return build_tuple


def candidate_literals(candidates) -> tuple:
    """What ``DNA.to_dict(value="literal")`` shows per candidate: plain scalars as they
    are, anything else as compact text."""
    return tuple(c if type(c) in _IMMUTABLE_TYPES and type(c) is not bytes
                 else format_value(c, compact=True) for c in candidates)


# ---- encoders: candidate -> decision values --------------------------------------------
def _const_encoder(const: Any, path: str) -> Callable:
    def encode(value, values):
        if const is not MISSING and not eq(value, const):
            raise Mismatch(f"At {_where(path)}: expected {format_value(const, compact=True)}, "
                           f"got {format_value(value, compact=True)}", path)
    return encode


def _container_encoder(space_value, kind: str, encoders: list, path: str) -> Callable:
    cls = type(space_value)
    where = _where(path)

    def encode(value, values):
        if kind == "record":
            if type(value) is not cls:
                raise Mismatch(f"At {where}: expected a {cls.__name__}, got "
                               f"{type(value).__name__}", path)
            items = value._sym_args
        elif kind == "dict":
            if not isinstance(value, dict) or len(value) != len(encoders):
                raise Mismatch(f"At {where}: expected a dict with keys "
                               f"{[k for k, _ in encoders]}, got "
                               f"{format_value(value, compact=True)}", path)
            items = value
        else:
            if not isinstance(value, (list, tuple)) or len(value) != len(encoders):
                raise Mismatch(f"At {where}: expected a {kind} of {len(encoders)} items, got "
                               f"{format_value(value, compact=True)}", path)
            items = value
        for key, child_encode in encoders:
            try:
                child = items[key]
            except (KeyError, IndexError):
                child_path = join_path(path, key)
                raise Mismatch(f"At {_where(child_path)}: value is missing",
                               child_path) from None
            child_encode(child, values)
    return encode


def _choice_encoder(index: int, encodes: list, path: str) -> Callable:
    def encode(value, values):
        closest = None
        for i, child_encode in enumerate(encodes):
            trial = list(values)
            try:
                child_encode(value, trial)
            except Mismatch as e:
                # A failure below the candidate's own node means its structure matched:
                # the deepest such failure is the most useful one to report.
                own = f"{path}[={i}]"
                if e.path != own and e.path.startswith(own) and \
                        (closest is None or len(e.path) > len(closest[1].path)):
                    closest = (i, e)
                continue
            values[:] = trial
            values[index] = i
            return
        hint = f"; closest is candidate {closest[0]}: {closest[1]}" if closest else ""
        raise Mismatch(f"At {_where(path)}: {format_value(value, compact=True)} matches no "
                       f"candidate of the oneof{hint}", closest[1].path if closest else path)
    return encode


def _group_encoder(group: ChoiceGroup, slot_encodes: list, path: str) -> Callable:
    where = _where(path)
    slot_encoders = [_choice_encoder(slot.index, slot_encodes[s], f"{path}[{s}]")
                     for s, slot in enumerate(group.slots)]

    def encode(value, values):
        if not isinstance(value, (list, tuple)) or len(value) != group.k:
            raise Mismatch(f"At {where}: expected a list of {group.k} choices, got "
                           f"{format_value(value, compact=True)}", path)
        picks = []
        for slot, slot_encode, item in zip(group.slots, slot_encoders, value):
            slot_encode(item, values)
            picks.append(values[slot.index])
        if group.distinct and len(set(picks)) != len(picks):
            raise Mismatch(f"At {where}: choices must be distinct, got {picks}", path)
        if group.sorted and picks != sorted(picks):
            raise Mismatch(f"At {where}: choices must be in candidate order, got {picks}",
                           path)
    return encode


def _numeric_encoder(d: Decision, path: str) -> Callable:
    index, lo, hi, where = d.index, d.lo, d.hi, _where(path)

    def encode(value, values):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Mismatch(f"At {where}: expected a number, got {value!r}", path)
        if d.kind == INT and (not float(value).is_integer() or (value - lo) % d.step):
            raise Mismatch(f"At {where}: {value!r} is not on the grid {lo}..{hi} "
                           f"step {d.step}", path)
        tolerance = 1e-12 * max(1.0, abs(hi - lo))
        if not lo - tolerance <= value <= hi + tolerance:
            raise Mismatch(f"At {where}: {value!r} is outside [{lo}, {hi}]", path)
        value = min(max(value, lo), hi)  # within tolerance: snap onto the bounds
        values[index] = int(value) if d.kind == INT else float(value)
    return encode
