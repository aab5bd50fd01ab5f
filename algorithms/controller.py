"""A REINFORCE controller: independent categorical policies over a space's decisions.

Each ``oneof`` decision (and each ``intv`` with at most ``max_int_values`` grid values) gets a
vector of logits; ``propose`` samples every active decision from its softmax (conditional
decisions only when their parent chose their branch). Each result updates the logits of the
decisions the DNA used by policy gradient (Williams, 1992, as in Zoph & Le's NAS and the
NAS-Bench-201 baseline):

    advantage = (reward - baseline) / scale
    logits   += Adam( advantage * grad log p(dna) + entropy_weight * grad H(p) )

where ``baseline`` is an exponential moving average of the rewards (``baseline_decay``), and
``scale`` the moving standard deviation of ``reward - baseline`` (``normalize=True``; so one
learning rate suits accuracies in percent and losses near 1e-3 alike). The entropy bonus keeps
the policy from collapsing onto the first good candidate.

``update(dna, reward)`` is the public step: a weight-sharing search (a supernet trained on the
controller's samples) calls it with rewards of its own. ``feedback`` calls it with the trial's
score (larger is better; failed trials teach nothing). Decisions the policy cannot model
(``floatv``, ``evolve``, the slots of a ``manyof``) are an error naming the decision, or with
``unsupported="random"`` are drawn uniformly at random and not learned.

>>> import symsearch as ss
>>> from symsearch.algorithms.controller import Reinforce
>>> space = ss.Dict(a=ss.oneof([0, 1, 2, 3]), b=ss.oneof([0, 1, 2, 3]))
>>> result = ss.search(space, lambda c: {"r": c["a"] + c["b"]}, objective="max:r",
...                    algorithm=Reinforce(learning_rate=0.2), num_trials=150, seed=0)
>>> result.best.metrics["r"]
6
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from symsearch.algorithms.base import (Feedback, SearchAlgorithm, _rng_from_json, _rng_state,
                                       register_algorithm)
from symsearch.geno.dna import DNA
from symsearch.geno.sampling import sample_decision, sample_group
from symsearch.geno.spec import CHOICE, INT, ChoiceGroup, DNASpec

UNSUPPORTED = ("error", "random")
OPTIMIZERS = ("adam", "sgd")
_ADAM_BETAS = (0.9, 0.999)
_ADAM_EPS = 1e-8


@register_algorithm("reinforce", "controller")
class Reinforce(SearchAlgorithm):
    """REINFORCE with a moving-average baseline and an entropy bonus; see the module docstring.

    Args:
      learning_rate: step size of the optimizer on the logits.
      baseline_decay: weight of the old baseline in its moving average (0.9 as in
        NAS-Bench-201's REINFORCE).
      entropy_weight: weight of the policy entropy in the objective.
      normalize: divide advantages by their moving standard deviation.
      optimizer: ``"adam"`` or ``"sgd"``.
      max_int_values: an ``intv`` with at most this many values is a categorical decision.
      unsupported: ``"error"`` or ``"random"`` for decisions the policy cannot model.
    """

    needs_objective = True

    def __init__(self, learning_rate: float = 0.05, baseline_decay: float = 0.9,
                 entropy_weight: float = 0.01, normalize: bool = True, optimizer: str = "adam",
                 max_int_values: int = 64, unsupported: str = "error",
                 seed: Optional[int] = None):
        super().__init__(seed)
        _check_number("learning_rate", learning_rate, 0.0, math.inf, open_low=True)
        _check_number("baseline_decay", baseline_decay, 0.0, 1.0, open_high=True)
        _check_number("entropy_weight", entropy_weight, 0.0, math.inf)
        if not isinstance(normalize, bool):
            raise ValueError(f"normalize must be True or False, got {normalize!r}")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
        if isinstance(max_int_values, bool) or not isinstance(max_int_values, int) \
                or max_int_values < 1:
            raise ValueError(f"max_int_values must be a positive int, got {max_int_values!r}")
        if unsupported not in UNSUPPORTED:
            raise ValueError(f"unsupported must be one of {UNSUPPORTED}, got {unsupported!r}")
        self.learning_rate = float(learning_rate)
        self.baseline_decay = float(baseline_decay)
        self.entropy_weight = float(entropy_weight)
        self.normalize = normalize
        self.optimizer = optimizer
        self.max_int_values = max_int_values
        self.unsupported = unsupported
        self.logits: dict = {}          # decision index -> np.ndarray of logits
        self._reset_learning()

    def _reset_learning(self) -> None:
        self.adam_m: dict = {}
        self.adam_v: dict = {}
        self.steps = 0
        self.baseline: Optional[float] = None
        self.advantage_var: Optional[float] = None
        self.num_proposed = 0

    # ---- set-up ------------------------------------------------------------------------------
    def setup(self, spec: DNASpec, objectives=None, seed=None) -> None:
        super().setup(spec, objectives, seed)
        if objectives is not None and objectives.is_multi:
            raise ValueError("reinforce needs a single objective (its reward is one number); "
                             "for several objectives use 'evolution' or 'nsga2'")
        self.logits = {}
        for d in spec.decisions:
            size = self._policy_size(d)
            if size is not None:
                self.logits[d.index] = np.zeros(size)
            elif self.unsupported == "error":
                raise ValueError(
                    f"reinforce cannot learn decision {d.name or d.path!r} "
                    f"({_describe(d, self.max_int_values)}); it learns oneof choices and intv "
                    f"with at most max_int_values={self.max_int_values} values. Pass "
                    f"unsupported='random' to draw such decisions at random")
        self._reset_learning()

    def _policy_size(self, d) -> Optional[int]:
        if d.group is not None:
            return None
        if d.kind == CHOICE:
            return d.num_candidates
        if d.kind == INT and d.num_values <= self.max_int_values:
            return int(d.num_values)
        return None

    # ---- the policy --------------------------------------------------------------------------
    def probabilities(self, decision: Any) -> np.ndarray:
        """The current softmax of a decision (its index, path or name)."""
        index = self.spec[decision].index if not isinstance(decision, int) else decision
        if index not in self.logits:
            raise KeyError(f"decision {decision!r} has no learned policy")
        return _softmax(self.logits[index])

    def propose(self) -> DNA:
        self.num_proposed += 1
        values = [None] * len(self.spec.decisions)
        self._sample_units(self.spec.units, values)
        return DNA(values)

    def most_likely(self) -> DNA:
        """The DNA of the policy's mode (every active decision at its argmax)."""
        values = [None] * len(self.spec.decisions)
        self._sample_units(self.spec.units, values, greedy=True)
        return DNA(values)

    def _sample_units(self, units, values: list, greedy: bool = False) -> None:
        for u in units:
            if type(u) is ChoiceGroup:
                for slot, i in zip(u.slots, sample_group(u, self.rng)):
                    values[slot.index] = i
                    if slot.children and slot.children[i]:
                        self._sample_units(slot.children[i], values, greedy)
                continue
            logits = self.logits.get(u.index)
            if logits is None:
                values[u.index] = sample_decision(u, self.rng)
                continue
            position = int(np.argmax(logits)) if greedy else _draw(logits, self.rng.random())
            if u.kind == CHOICE:
                values[u.index] = position
                if u.children and u.children[position]:
                    self._sample_units(u.children[position], values, greedy)
            else:
                values[u.index] = int(u.lo) + position * u.step

    # ---- learning ----------------------------------------------------------------------------
    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        if feedback.ok and feedback.score is not None and math.isfinite(feedback.score):
            self.update(dna, feedback.score)

    def update(self, dna: Any, reward: float) -> float:
        """One REINFORCE step for ``dna`` with ``reward`` (larger is better); returns the
        advantage used. Decisions inactive in ``dna`` or not learned are left alone."""
        reward = float(reward)
        if not math.isfinite(reward):
            raise ValueError(f"reward must be a finite number, got {reward!r}")
        if self.baseline is None:
            self.baseline = reward
        advantage = reward - self.baseline
        if self.normalize:
            if self.advantage_var is None:
                self.advantage_var = advantage * advantage
            else:
                d = self.baseline_decay
                self.advantage_var = d * self.advantage_var + (1 - d) * advantage * advantage
            scale = math.sqrt(self.advantage_var)
            step_advantage = advantage / scale if scale > 1e-12 else 0.0
        else:
            step_advantage = advantage
        self.steps += 1
        for index, logits in self.logits.items():
            value = dna[index]
            if value is None:
                continue
            d = self.spec.decisions[index]
            position = value if d.kind == CHOICE else (int(value) - int(d.lo)) // d.step
            p = _softmax(logits)
            grad = -step_advantage * p
            grad[position] += step_advantage
            if self.entropy_weight:
                log_p = np.log(np.maximum(p, 1e-300))
                entropy = -float(np.dot(p, log_p))
                grad += self.entropy_weight * (-p * (log_p + entropy))
            self._ascend(index, grad)
        self.baseline = self.baseline_decay * self.baseline + (1 - self.baseline_decay) * reward
        return advantage

    def _ascend(self, index: int, grad: np.ndarray) -> None:
        if self.optimizer == "sgd":
            self.logits[index] = self.logits[index] + self.learning_rate * grad
            return
        b1, b2 = _ADAM_BETAS
        m = self.adam_m.get(index)
        v = self.adam_v.get(index)
        if m is None:
            m, v = np.zeros_like(grad), np.zeros_like(grad)
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        self.adam_m[index], self.adam_v[index] = m, v
        t = self.steps
        step = self.learning_rate * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + _ADAM_EPS)
        self.logits[index] = self.logits[index] + step

    # ---- state -------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {
            "rng": _rng_state(self.rng),
            "logits": {str(i): l.tolist() for i, l in self.logits.items()},
            "adam_m": {str(i): m.tolist() for i, m in self.adam_m.items()},
            "adam_v": {str(i): v.tolist() for i, v in self.adam_v.items()},
            "steps": self.steps,
            "baseline": self.baseline,
            "advantage_var": self.advantage_var,
            "num_proposed": self.num_proposed,
        }

    def load_state_dict(self, state: dict) -> None:
        self.rng.setstate(_rng_from_json(state["rng"]))
        expected = set(self.logits)
        loaded = {int(i): np.array(l, dtype=np.float64) for i, l in state["logits"].items()}
        if set(loaded) != expected or any(loaded[i].shape != self.logits[i].shape
                                          for i in expected):
            raise ValueError("the saved reinforce state was made for another search space "
                             "(its decisions differ)")
        self.logits = loaded
        self.adam_m = {int(i): np.array(m, dtype=np.float64) for i, m in state["adam_m"].items()}
        self.adam_v = {int(i): np.array(v, dtype=np.float64) for i, v in state["adam_v"].items()}
        self.steps = int(state["steps"])
        self.baseline = state["baseline"]
        self.advantage_var = state["advantage_var"]
        self.num_proposed = int(state["num_proposed"])

    def __repr__(self) -> str:
        return (f"Reinforce(learning_rate={self.learning_rate}, baseline_decay="
                f"{self.baseline_decay}, entropy_weight={self.entropy_weight}, seed={self.seed})")


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max())
    return z / z.sum()


def _draw(logits: np.ndarray, u: float) -> int:
    cumulative = np.cumsum(_softmax(logits))
    return min(int(np.searchsorted(cumulative, u * cumulative[-1], side="right")),
               len(logits) - 1)


def _describe(d, max_int_values: int) -> str:
    if d.group is not None:
        return "a slot of a manyof"
    if d.kind == INT:
        return f"an intv with {int(d.num_values)} values"
    if d.kind == "float":
        return "a floatv"
    return "an evolve decision"


def _check_number(name: str, value: Any, lo: float, hi: float, open_low: bool = False,
                  open_high: bool = False) -> None:
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) \
        if hi != math.inf else not isinstance(value, bool) and isinstance(value, (int, float))
    if ok:
        ok = (value > lo if open_low else value >= lo) and (value < hi if open_high else value <= hi)
    if not ok:
        low = "(" if open_low else "["
        high = ")" if open_high else "]"
        raise ValueError(f"{name} must be a number in {low}{lo}, {hi}{high}, got {value!r}")
