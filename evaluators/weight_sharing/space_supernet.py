"""A supernet derived from a symbolic search space: one ``nn.Module`` holding every choice.

The model code is written once, for a candidate. Where it reads a decision it goes through
:func:`choose` (a choice among modules or op names) or the sliced layers of
:mod:`~symsearch.evaluators.weight_sharing.layers` (widths, depths). Given a concrete value
(a materialized candidate) these return the ordinary module, so the same code trains a
standalone network. Given the hyper-value itself (the model code called on the *space*, which
:func:`supernet` does) they return a module that holds the weights of every choice and runs,
at forward time, the one the current *path* (a DNA) selects. Nothing is written per space::

    import symsearch as ss
    from symsearch.evaluators.weight_sharing import choose, supernet

    def build(cell):                           # the model code: candidate -> nn.Module
        return torch.nn.Sequential(*(choose(op, make_op) for op in cell.ops))

    standalone = build(ss.materialize(space, dna))   # only the chosen ops
    net = supernet(space, build)                     # every op of every edge, once
    logits = net(x, dna)                             # runs exactly dna's sub-network

Define-by-run spaces (``ss.trace(fn)``) work the same way: ``fn`` builds the module and reads
its decisions with ``ss.oneof(...)``; :func:`supernet` runs it under a context in which those
calls return the hyper-values, so ``choose`` sees every candidate.

A decision whose choices cannot share one supernet raises :class:`WeightSharingError` naming
the decision point (path and name): a float decision read as a module choice, a ``manyof``,
choices whose outputs differ in shape (checked on ``example_input``), a width wider than the
layer the supernet holds, a DNA that leaves a decision the model reached inactive.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Iterator, Optional, Sequence

import torch
from torch import nn

import symsearch as ss
from symsearch.geno.spec import CHOICE, FLOAT, INT, ChoiceGroup, Decision, DNASpec
from symsearch.hyper.base import HyperValue
from symsearch.hyper.dynamic import DynamicSpace, _Context
from symsearch.hyper.oneof import ManyOf
from symsearch.runners.device import current_device

#: Integer decisions with more values than this are not enumerated into separate modules.
MAX_ENUMERATED_VALUES = 64

_LOCAL = threading.local()


class WeightSharingError(ValueError):
    """A space, model or DNA that a supernet cannot hold; the message names the decision."""


def where(decision: Decision) -> str:
    """How errors name a decision point: ``'ops[0]' (name 'edge_0_1')``."""
    named = f" (name {decision.name!r})" if decision.name and decision.name != decision.path else ""
    return f"decision {decision.path!r}{named}"


# ---- the build context: which decision a hyper-value is ------------------------------------------

class _Build:
    """Maps the hyper-values of one space to their decisions while the supernet is built."""

    def __init__(self, spec: DNASpec, keys: Optional[dict] = None):
        self.spec = spec
        self.by_hyper: dict = {}
        for d in spec.decisions:
            self.by_hyper.setdefault(id(d.hyper), []).append(d)
        self.keys = {} if keys is None else keys   # id(hyper) -> decision path, define-by-run only
        self.read: dict = {}              # decision index -> the module that reads it

    def decision(self, hyper: HyperValue) -> Decision:
        found = self.by_hyper.get(id(hyper))
        if found is None and id(hyper) in self.keys:
            found = [self.spec.by_path[self.keys[id(hyper)]]]
        if not found:
            raise WeightSharingError(
                f"the model read a hyper-value that is not a decision of the space the supernet "
                f"was built from ({hyper!r}); build the model from that space's own objects")
        if isinstance(hyper, ManyOf) or found[0].group is not None:
            raise WeightSharingError(
                f"{where(found[0])} is a manyof: a supernet module reads one decision; write "
                f"one oneof per slot instead")
        return found[0]


def _current_build() -> Optional[_Build]:
    return getattr(_LOCAL, "build", None)


@contextlib.contextmanager
def _building(build: _Build) -> Iterator[_Build]:
    previous = _current_build()
    _LOCAL.build = build
    try:
        yield build
    finally:
        _LOCAL.build = previous


def shared_decision(value: Any) -> Optional[Decision]:
    """The decision ``value`` is when the supernet is being built from the space, else None
    (``value`` is a concrete value: the model is being built for one candidate)."""
    if not isinstance(value, HyperValue):
        return None
    build = _current_build()
    if build is None:
        raise WeightSharingError(
            f"the model code got a hyper-value ({value!r}) outside supernet(): materialize the "
            f"space (ss.materialize(space, dna)) for a standalone model, or call supernet()")
    return build.decision(value)


def decision_values(decision: Decision) -> list:
    """The concrete values a decision can take, in DNA order (candidate index or int)."""
    if decision.kind == CHOICE:
        return list(decision.hyper.candidates)
    if decision.kind == INT:
        n = decision.num_values
        if n > MAX_ENUMERATED_VALUES:
            raise WeightSharingError(
                f"{where(decision)} is an int in [{decision.lo}, {decision.hi}] with {n} values; "
                f"a supernet holds one module per value up to {MAX_ENUMERATED_VALUES}: use a "
                f"sliced layer (layers.linear/conv2d) for widths, or a coarser step")
        return list(range(int(decision.lo), int(decision.hi) + 1, decision.step))
    if decision.kind == FLOAT:
        raise WeightSharingError(
            f"{where(decision)} is a float in [{decision.lo}, {decision.hi}]: its values cannot "
            f"each have weights in a supernet; make it a oneof of a few values, or keep it out "
            f"of the model (a training hyper-parameter)")
    raise WeightSharingError(f"{where(decision)} is a {decision.kind} decision (evolve): a "
                             f"supernet cannot hold weights for an open-ended value")


# ---- the path context: which sub-network runs ----------------------------------------------------

def current_path() -> Optional[tuple]:
    """The DNA values of the path running now (inside ``Supernet.path``), else None."""
    return getattr(_LOCAL, "path", None)


def path_value(decision: Decision) -> Any:
    """The concrete value the running path gives ``decision`` (candidate or int)."""
    path = current_path()
    if path is None:
        from symsearch.evaluators.weight_sharing.batched import active_paths
        if active_paths() is not None:
            raise WeightSharingError(
                f"{where(decision)} is read by a sliced layer or read(): one value per forward "
                f"pass, so paths that differ in it cannot be scored in one batched pass; "
                f"score them path by path")
        raise WeightSharingError(
            f"a supernet module of {where(decision)} ran outside a path: call net(x, dna) or "
            f"run it inside `with net.path(dna):`")
    raw = path[decision.index]
    if raw is None:
        raise WeightSharingError(
            f"{where(decision)} is inactive in this DNA, but the model reached its module")
    if decision.kind == CHOICE:
        return decision.hyper.candidates[raw]
    return raw


def path_index(decision: Decision) -> int:
    """The position of the running path's value among :func:`decision_values`."""
    path_value(decision)                         # errors for a missing path or value
    return choice_position(decision, current_path())


def choice_position(decision: Decision, path: Sequence) -> int:
    """The position of ``path``'s value of ``decision`` among :func:`decision_values`."""
    raw = path[decision.index]
    if raw is None:
        raise WeightSharingError(
            f"{where(decision)} is inactive in this DNA, but the model reached its module")
    if decision.kind == CHOICE:
        return raw
    return (int(raw) - int(decision.lo)) // decision.step


class ChoiceModule(nn.Module):
    """The modules of every value of one decision; forward runs the path's one.

    ``output_shapes`` records, while :meth:`Supernet.check` probes, the output shape of
    each choice so that choices that cannot share what follows are found.
    """

    def __init__(self, decision: Decision, modules: Sequence[nn.Module]):
        super().__init__()
        self.decision = decision
        self.choices = nn.ModuleList(modules)
        self.output_shapes: Optional[dict] = None

    def forward(self, *args, **kwargs):
        from symsearch.evaluators.weight_sharing.batched import active_paths, choice_forward
        if current_path() is None and active_paths() is not None:
            return choice_forward(self, *args, **kwargs)
        i = path_index(self.decision)
        out = self.choices[i](*args, **kwargs)
        if self.output_shapes is not None:
            self.output_shapes[i] = None if out is None else tuple(out.shape)
        return out

    def extra_repr(self) -> str:
        return f"{where(self.decision)}, {len(self.choices)} choices"


def choose(value: Any, make: Callable[[Any], nn.Module]) -> nn.Module:
    """The module of a choice point: ``make(value)`` for a concrete value, and for a
    decision of the space (while :func:`supernet` builds) a :class:`ChoiceModule` holding
    ``make(v)`` for every value ``v`` it can take, each built once.

    >>> import symsearch as ss
    >>> choose("relu", lambda name: nn.ReLU() if name == "relu" else nn.GELU())
    ReLU()
    """
    decision = shared_decision(value)
    if decision is None:
        return make(value)
    modules = []
    for v in decision_values(decision):
        module = make(v)
        if not isinstance(module, nn.Module):
            raise WeightSharingError(
                f"{where(decision)}: the model's make({v!r}) returned "
                f"{type(module).__name__}, not an nn.Module")
        modules.append(module)
    _current_build().read[decision.index] = decision
    return ChoiceModule(decision, modules)


def read(value: Any) -> Any:
    """A decision's value where no weights depend on it (an activation's slope, a flag): the
    concrete value, or while the supernet runs, the running path's value."""
    decision = shared_decision(value)
    if decision is None:
        return value
    _current_build().read[decision.index] = decision
    return _PathValue(decision)


class _PathValue:
    """A decision read with :func:`read` in a supernet: call it for the path's value."""

    def __init__(self, decision: Decision):
        self.decision = decision

    def __call__(self) -> Any:
        return path_value(self.decision)


def value_of(value: Any) -> Any:
    """What :func:`read` returned, as a concrete value (at forward time)."""
    return value() if isinstance(value, _PathValue) else value


# ---- the supernet ---------------------------------------------------------------------------------

class _BuildContext(_Context):
    """Define-by-run: hyper-value calls return the hyper-values themselves (keyed)."""

    def __init__(self):
        super().__init__()
        self.keys: dict = {}

    def decide(self, hyper: HyperValue) -> Any:
        self.keys[id(hyper)] = self.key_of(hyper)
        return hyper


class Supernet(nn.Module):
    """The model built from the space, plus the path context; see the module docstring.

    ``shared`` lists the decisions the model reads (they select sub-networks); the space's
    other decisions (training hyper-parameters, say) do not change the forward pass.
    """

    def __init__(self, space: Any, model: nn.Module, spec: DNASpec, shared: dict,
                 build_fn: Optional[Callable] = None):
        super().__init__()
        # Not a submodule, even when the space is a (symbolized, unbuilt) nn.Module class.
        self.__dict__["space"] = space
        self.build_fn = build_fn
        self.model = model
        self.spec = spec
        self.shared = [shared[i] for i in sorted(shared)]

    def dna(self, choice: Any) -> tuple:
        """DNA values from a DNA, a tuple/list of values, or a materialized candidate."""
        if isinstance(choice, (tuple, list)):          # DNA is a tuple
            values = tuple(choice)
        else:
            try:
                values = tuple(ss.encode(self.space, choice))
            except Exception as e:  # the candidate is not of this space
                raise WeightSharingError(f"the candidate is not one of the supernet's space: "
                                         f"{e}") from None
        try:
            self.spec.validate(values)
        except ValueError as e:
            raise WeightSharingError(f"a DNA the supernet cannot run: {e}") from None
        return values

    @contextlib.contextmanager
    def path(self, choice: Any) -> Iterator[tuple]:
        """Within the block, the model runs the sub-network of ``choice``."""
        values = self.dna(choice)
        previous = current_path()
        _LOCAL.path = values
        try:
            yield values
        finally:
            _LOCAL.path = previous

    def forward(self, x: Any, choice: Any, *args, **kwargs):
        with self.path(choice):
            return self.model(x, *args, **kwargs)

    def extract(self, choice: Any) -> nn.Module:
        """The standalone model of ``choice`` (the model code on the materialized candidate)
        with the weights it inherits from the supernet: fine-tune or export the result."""
        values = self.dna(choice)
        candidate = ss.materialize(self.space, values)
        standalone = candidate() if isinstance(self.space, DynamicSpace) else self.build_fn(candidate)
        with self.path(values), torch.no_grad():
            _inherit(self.model, standalone.to(next(self.parameters()).device), "model")
        return standalone

    def sample(self, rng: Any = None) -> tuple:
        """A uniformly random path (``random.Random`` or seed)."""
        return tuple(ss.random_dna(self.spec, rng))

    def probe_paths(self) -> list:
        """``(decision, paths)`` pairs: a base path (every decision at its first value), and
        for each decision the model reads that is active in it, one path per value of that
        decision with the rest of the base path unchanged (a changed choice opens its own
        branch at first values)."""
        base = [None] * len(self.spec.decisions)
        _fill(self.spec.units, base, 0)
        probes = []
        for d in self.shared:
            if base[d.index] is None:
                continue
            paths = []
            for k in range(len(decision_values(d))):
                values = list(base)
                if d.kind == CHOICE:
                    for branch in d.children:
                        _clear(branch, values)
                    values[d.index] = k
                    if d.children and d.children[k]:
                        _fill(d.children[k], values, 0)
                else:
                    values[d.index] = int(d.lo) + k * d.step
                paths.append(tuple(values))
            probes.append((d, paths))
        return probes

    def check(self, example_input: Any) -> None:
        """Runs every value of every decision once on ``example_input`` (the others held) and
        raises :class:`WeightSharingError` naming the decision whose values give outputs of
        different shapes at its own choice point (what follows could not share weights), or
        whose path fails to run."""
        choices = {m.decision.index: m for m in self.model.modules()
                   if isinstance(m, ChoiceModule)}
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                for d, paths in self.probe_paths():
                    module = choices.get(d.index)
                    if module is not None:
                        module.output_shapes = {}
                    for values in paths:
                        self._probe(example_input, values)
                    if module is not None:
                        seen = module.output_shapes
                        module.output_shapes = None
                        shapes = {s for s in seen.values() if s is not None}
                        if len(shapes) > 1:
                            names = decision_values(d)
                            raise WeightSharingError(
                                f"{where(d)}: its choices give outputs of different shapes "
                                f"({ {names[i]: s for i, s in sorted(seen.items())} }), so the "
                                f"layers after it cannot share weights across them; make every "
                                f"choice keep the shape (or use a sliced layer for widths)")
        finally:
            for m in choices.values():
                m.output_shapes = None
            self.train(was_training)

    def _probe(self, example_input: Any, values: tuple) -> None:
        try:
            self(example_input, values)
        except WeightSharingError:
            raise
        except Exception as e:
            named = {d.name or d.path: ss_value(d, values) for d in self.shared
                     if values[d.index] is not None}
            raise WeightSharingError(f"the supernet fails on the path {named}: "
                                     f"{type(e).__name__}: {e}") from e


def _inherit(shared: nn.Module, own: nn.Module, where_: str) -> None:
    """Copies the running path's weights of ``shared`` (a supernet part) into ``own`` (the
    same part of the standalone model), walking both module trees side by side."""
    from symsearch.evaluators.weight_sharing.layers import RepeatedBlocks
    if isinstance(shared, ChoiceModule):
        _inherit(shared.choices[path_index(shared.decision)], own, where_)
        return
    if isinstance(shared, RepeatedBlocks):
        for k, block in enumerate(own):
            _inherit(shared.blocks[k], block, f"{where_}.blocks.{k}")
        return
    for name, tensor in list(own.named_parameters(recurse=False)) + \
            list(own.named_buffers(recurse=False)):
        source = getattr(shared, name)
        if source is None or tensor is None:
            continue
        if source.dim() != tensor.dim():
            raise WeightSharingError(f"{where_}.{name}: the supernet holds shape "
                                     f"{tuple(source.shape)}, the standalone model "
                                     f"{tuple(tensor.shape)}")
        tensor.copy_(source[tuple(slice(0, n) for n in tensor.shape)])
    own_children = dict(own.named_children())
    for name, child in shared.named_children():
        if name in own_children:
            _inherit(child, own_children[name], f"{where_}.{name}")


def ss_value(decision: Decision, values: Sequence) -> Any:
    raw = values[decision.index]
    return decision.hyper.candidates[raw] if decision.kind == CHOICE else raw


def _clear(units: list, values: list) -> None:
    for u in units:
        for d in (u.slots if isinstance(u, ChoiceGroup) else [u]):
            values[d.index] = None
            for branch in d.children:
                _clear(branch, values)


def _fill(units: list, values: list, j: int) -> None:
    for u in units:
        slots = u.slots if isinstance(u, ChoiceGroup) else [u]
        for k, d in enumerate(slots):
            if d.kind == CHOICE:
                i = (j + (k if isinstance(u, ChoiceGroup) else 0)) % d.num_candidates
                values[d.index] = i
                if d.children and d.children[i]:
                    _fill(d.children[i], values, j)
            elif d.kind == INT:
                n = int(d.num_values)
                values[d.index] = int(d.lo) + (j % n) * d.step
            else:
                values[d.index] = d.hyper.default_value()


def supernet(space: Any, build_fn: Optional[Callable[[Any], nn.Module]] = None, *,
             example_input: Any = None, device: str = "auto") -> Supernet:
    """The supernet of ``space``: ``build_fn`` (the model code, candidate -> ``nn.Module``)
    called on the space itself, its choice points holding every choice's weights.

    For a define-by-run space (``ss.trace(fn)``) leave ``build_fn`` out: ``fn`` builds the
    model. With ``example_input`` every choice runs once (:meth:`Supernet.check`).
    ``device="auto"`` puts it on CUDA when available, else the CPU.
    """
    device = current_device(device)
    spec = ss.dna_spec(space)
    if isinstance(space, DynamicSpace):
        if build_fn is not None:
            raise ValueError("supernet(): a define-by-run space builds its own model; pass no "
                             "build_fn")
        context = _BuildContext()
        build = _Build(spec, context.keys)
        with _building(build), context:
            model = space.fn(*space.args, **space.kwargs)
    else:
        if not callable(build_fn):
            raise ValueError(f"supernet(): build_fn must be the model code (candidate -> "
                             f"nn.Module), got {build_fn!r}")
        build = _Build(spec)
        with _building(build):
            try:
                model = build_fn(space)
            except WeightSharingError:
                raise
            except Exception as e:
                raise WeightSharingError(
                    f"building the supernet from the space failed: {type(e).__name__}: {e}. The "
                    f"model code must read every decision through choose(), read() or the sliced "
                    f"layers; decisions: {[d.path for d in spec.decisions]}") from e
    if not isinstance(model, nn.Module):
        raise WeightSharingError(f"the model code returned {type(model).__name__}, not an "
                                 f"nn.Module")
    if not build.read:
        raise WeightSharingError(
            f"the model reads none of the space's decisions ({[d.path for d in spec.decisions]}) "
            f"through choose()/read()/sliced layers, so there is nothing to share; a model that "
            f"materialized its choices itself would train standalone")
    net = Supernet(space, model, spec, build.read, build_fn).to(device)
    if example_input is not None:
        net.check(example_input.to(device) if hasattr(example_input, "to") else example_input)
    return net
