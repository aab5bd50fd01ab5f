"""TuNAS (Bender et al., 2020): a REINFORCE controller with warm-up and an absolute reward.

It is the REINFORCE controller of :mod:`symsearch.algorithms.controller` (per-decision
categorical logits, moving-average baseline, entropy bonus, Adam), with TuNAS's two changes:

- **warm-up**: the first ``warmup_trials`` proposals are uniform at random and teach the
  policy nothing, so the shared weights of a supernet are trained on every path before the
  controller starts to prefer some (TuNAS disables controller updates for the first 25% of
  the search). Their rewards still set the baseline and the advantage scale, so the first
  policy step after the warm-up is measured against a mean reward, not a single one. On
  standalone evaluations there is no supernet to warm up: leave ``warmup_trials`` at 0
  (a warm-up of a quarter of 100 evaluations spends them without learning; on the project's
  NAS table that costs TuNAS its lead over random search, see ``benchmarks/README.md``);
- **absolute reward**: with ``cost_metric`` and ``cost_target`` the reward is
  ``score + cost_weight * |cost / cost_target - 1|`` (``cost_weight`` < 0), which pulls the
  search toward architectures at the cost target instead of merely under it.

Through the ordinary interface it is a search algorithm like any other: on standalone
evaluations (the project's NAS table) or, with the weight-sharing evaluator training the
supernet a few steps on each proposed path, as TuNAS's alternating supernet and controller
steps. :meth:`update` is the controller step, :meth:`most_likely` the final architecture.

>>> import symsearch as ss
>>> space = ss.Dict(a=ss.oneof([0, 1, 2, 3]), b=ss.oneof([0, 1, 2, 3]))
>>> result = ss.search(space, lambda c: {"r": c["a"] + c["b"]}, objective="max:r",
...                    algorithm=TuNAS(warmup_trials=20, learning_rate=0.2), num_trials=150,
...                    seed=0)
>>> result.best.metrics["r"]
6
"""
from __future__ import annotations

import math
from typing import Any, Optional

from symsearch.algorithms.base import Feedback, register_algorithm
from symsearch.algorithms.controller import Reinforce
from symsearch.geno.dna import DNA
from symsearch.geno.sampling import random_dna


@register_algorithm("tunas")
class TuNAS(Reinforce):
    """REINFORCE with warm-up and TuNAS's absolute reward; see the module docstring.

    Args:
      warmup_trials: proposals drawn uniformly before the controller learns.
      cost_metric: a metric of the trial (e.g. ``"params"``) to hold near ``cost_target``.
      cost_target: the target cost (positive).
      cost_weight: the (negative) weight of ``|cost / cost_target - 1|`` in the reward.
      learning_rate, baseline_decay, entropy_weight, normalize, optimizer, max_int_values,
      unsupported: as for :class:`~symsearch.algorithms.controller.Reinforce`; the baseline
      decays more slowly (0.95, TuNAS's momentum).
    """

    def __init__(self, warmup_trials: int = 0, cost_metric: Optional[str] = None,
                 cost_target: Optional[float] = None, cost_weight: float = -0.5,
                 learning_rate: float = 0.05, baseline_decay: float = 0.95,
                 entropy_weight: float = 0.01, seed: Optional[int] = None, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, baseline_decay=baseline_decay,
                         entropy_weight=entropy_weight, seed=seed, **kwargs)
        if isinstance(warmup_trials, bool) or not isinstance(warmup_trials, int) \
                or warmup_trials < 0:
            raise ValueError(f"TuNAS: warmup_trials must be a non-negative int, got "
                             f"{warmup_trials!r}")
        if (cost_metric is None) != (cost_target is None):
            raise ValueError("TuNAS: cost_metric and cost_target go together (got "
                             f"cost_metric={cost_metric!r}, cost_target={cost_target!r})")
        if cost_metric is not None and not isinstance(cost_metric, str):
            raise ValueError(f"TuNAS: cost_metric must be a metric name, got {cost_metric!r}")
        if cost_target is not None and (isinstance(cost_target, bool) or not isinstance(
                cost_target, (int, float)) or not cost_target > 0):
            raise ValueError(f"TuNAS: cost_target must be a positive number, got "
                             f"{cost_target!r}")
        if isinstance(cost_weight, bool) or not isinstance(cost_weight, (int, float)) \
                or not cost_weight <= 0:
            raise ValueError(f"TuNAS: cost_weight must be a number <= 0 (a penalty), got "
                             f"{cost_weight!r}")
        self.warmup_trials = warmup_trials
        self.cost_metric, self.cost_target = cost_metric, cost_target
        self.cost_weight = float(cost_weight)

    def propose(self) -> DNA:
        if self.num_proposed < self.warmup_trials:
            self.num_proposed += 1
            return random_dna(self.spec, self.rng)
        return super().propose()

    def reward(self, feedback: Feedback) -> Optional[float]:
        """The reward of a finished trial (None when it teaches nothing)."""
        if not feedback.ok or feedback.score is None or not math.isfinite(feedback.score):
            return None
        if self.cost_metric is None:
            return feedback.score
        cost = (feedback.metrics or {}).get(self.cost_metric)
        if isinstance(cost, bool) or not isinstance(cost, (int, float)):
            raise ValueError(f"TuNAS: the trial's metrics have no number {self.cost_metric!r} "
                             f"(cost_metric); metrics: {sorted(feedback.metrics or {})}")
        return feedback.score + self.cost_weight * abs(cost / self.cost_target - 1.0)

    def feedback(self, dna: DNA, feedback: Feedback) -> None:
        reward = self.reward(feedback)
        if reward is not None:
            self.learn(dna, reward)

    def learn(self, dna: Any, reward: float) -> None:
        """The controller step of a proposal: :meth:`update` after the warm-up, only
        :meth:`observe` during it. A weight-sharing loop that computes rewards itself
        (:func:`~symsearch.evaluators.weight_sharing.one_shot.train_jointly`) calls this."""
        if self.num_proposed > self.warmup_trials:
            self.update(dna, reward)
        else:
            self.observe(reward)

    def observe(self, reward: float) -> None:
        """A warm-up reward: it moves the baseline and the advantage scale as :meth:`update`
        does, and leaves the logits alone."""
        reward = float(reward)
        if not math.isfinite(reward):
            raise ValueError(f"reward must be a finite number, got {reward!r}")
        if self.baseline is None:
            self.baseline = reward
            return
        advantage = reward - self.baseline
        d = self.baseline_decay
        self.advantage_var = advantage * advantage if self.advantage_var is None else \
            d * self.advantage_var + (1 - d) * advantage * advantage
        self.baseline = d * self.baseline + (1 - d) * reward

    def __repr__(self) -> str:
        return (f"TuNAS(warmup_trials={self.warmup_trials}, learning_rate={self.learning_rate}, "
                f"entropy_weight={self.entropy_weight}, seed={self.seed})")
