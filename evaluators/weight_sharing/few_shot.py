"""Few-shot NAS: split a trained supernet on one decision into one sub-supernet per value.

Zhao et al. (ICML 2021) trace much of one-shot NAS's poor ranking to co-adaptation: one set of
weights must serve every choice that feeds it. Few-shot NAS splits the supernet on a decision:
sub-supernet ``k`` starts from the trained one-shot supernet's weights and then trains only on
paths whose decision takes value ``k``, so the weights after that decision no longer serve
incompatible inputs. A path is scored with the sub-supernet of its value.

:class:`SubSupernets` holds the split. It is built by :class:`~.one_shot.SupernetEvaluator`
with ``split_on=`` (the parent's ``warmup_epochs``, then ``split_epochs`` per value), or
directly from a trained supernet::

    subs = SubSupernets(net, trainer, "edge_2_3", epochs=10, lr=0.05)
    subs.net_for(dna)                    # the sub-supernet that scores dna
"""
from __future__ import annotations

import copy
import math
import random
from typing import Any, Callable, Optional

import symsearch as ss
from symsearch.evaluators.weight_sharing.space_supernet import (Supernet, WeightSharingError,
                                                                decision_values, where)
from symsearch.geno.spec import CHOICE, Decision


def split_decision(net: Supernet, name: str) -> Decision:
    """The decision ``name`` (a decision name or path) a supernet can be split on: one its
    model reads, active in every path (a conditional decision would leave the paths where it
    is inactive without a sub-supernet)."""
    found = [d for d in net.spec.decisions if name in (d.name, d.path)]
    if not found:
        raise WeightSharingError(
            f"split_on={name!r}: the space has no decision of that name or path; decisions: "
            f"{[d.name or d.path for d in net.spec.decisions]}")
    decision = found[0]
    if decision.index not in {d.index for d in net.shared}:
        raise WeightSharingError(f"split_on: {where(decision)} is not read by the model, so "
                                 f"splitting on it would give identical sub-supernets")
    if decision.condition is not None:
        parent = net.spec.decisions[decision.condition[0]]
        raise WeightSharingError(f"split_on: {where(decision)} is conditional (active only "
                                 f"under {parent.path!r}); split on a decision every path has")
    return decision


def clone_supernet(net: Supernet) -> Supernet:
    """A copy of ``net`` with its own weights and BatchNorm statistics; the space, its
    DNASpec and decisions stay shared (they are descriptions, not state)."""
    memo: dict = {id(net.space): net.space, id(net.spec): net.spec}
    for d in net.spec.decisions:
        memo[id(d)] = d
    return copy.deepcopy(net, memo)


def sample_with(net: Supernet, rng: random.Random, decision: Decision, position: int,
                accept: Optional[Callable] = None, tries: int = 10_000) -> tuple:
    """A uniform path whose ``decision`` is at ``position`` (its index among the decision's
    values), accepted by ``accept`` (candidate -> bool) when given: uniform over such paths."""
    for _ in range(tries):
        values = list(net.sample(rng))
        values[decision.index] = (position if decision.kind == CHOICE
                                  else int(decision.lo) + position * decision.step)
        if accept is None or accept(ss.materialize(net.space, values)):
            return tuple(values)
    raise ValueError(f"no path with {where(decision)} at its value #{position} among {tries} "
                     f"samples was accepted by {accept!r}")


class SubSupernets:
    """One sub-supernet per value of ``decision``, each a copy of the trained ``net``
    fine-tuned ``epochs`` epochs on the paths with that value; see the module docstring.
    The fine-tuning is a warm restart of the parent's cosine schedule at ``restart * lr``
    (half the parent's peak by default: the parent's cosine ended near zero, and a restart at
    its full peak undid much of what it had learnt in the pilot on the project's NAS table).
    ``epochs_done`` counts the sub-supernets' training (``len(values) * epochs``), not the
    parent's."""

    def __init__(self, net: Supernet, trainer: Any, decision: str, epochs: int, lr: float,
                 seed: int = 0, accept: Optional[Callable] = None, restart: float = 0.5):
        from symsearch.evaluators.weight_sharing.one_shot import PathTrainer
        self.decision = split_decision(net, decision)
        self.nets: list = []
        self.trainers: list = []
        for k in range(len(decision_values(self.decision))):
            sub = clone_supernet(net)
            sub_trainer = PathTrainer(sub, trainer.x, trainer.y, lr=lr,
                                      batch_size=trainer.batch_size, seed=seed * 1009 + k)
            rng = random.Random(seed * 1009 + k)
            total = epochs * sub_trainer.steps_per_epoch
            for step in range(total):
                sub_trainer.set_lr(0.5 * restart * lr * (1 + math.cos(math.pi * step / total)))
                sub_trainer.step(sample_with(sub, rng, self.decision, k, accept))
            self.nets.append(sub)
            self.trainers.append(sub_trainer)

    def position(self, dna: tuple) -> int:
        value = dna[self.decision.index]
        if self.decision.kind == CHOICE:
            return value
        return (int(value) - int(self.decision.lo)) // self.decision.step

    def net_for(self, dna: tuple) -> Supernet:
        """The sub-supernet that holds ``dna``'s weights."""
        return self.nets[self.position(dna)]

    def trainer_for(self, dna: tuple) -> Any:
        return self.trainers[self.position(dna)]

    @property
    def epochs_done(self) -> float:
        return sum(t.epochs_done for t in self.trainers)
