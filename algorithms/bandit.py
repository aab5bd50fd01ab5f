"""``ArmBandit``: CASH as a bandit over the candidates of a top-level ``oneof``.

Combined algorithm selection and hyper-parameter optimization (CASH) spaces look like
``oneof([svm(C=...), forest(n=..., depth=...), knn(k=...)])``. One optimizer over the
joint space must model every branch at once; the alternating approach of Li et al.
("Efficient Automatic CASH via Rising Bandits") gives each candidate (an *arm*) its own
inner algorithm over that branch's small sub-space (see
:class:`~symsearch.algorithms.branch_space.Branch`), and spends the budget across arms
with a bandit:

- **warm-up**: each arm is pulled ``min_pulls`` times (fewest pulls first);
- **choice** (UCB): then the active arm with the largest
  ``reward + exploration * sqrt(2 ln N / n_arm)`` is pulled, where ``reward`` is the arm's
  best score so far (``reward="best"``) or the mean of its last ``window`` scores
  (``"recent"``), scaled to [0, 1] by the lowest and highest scores seen on any arm, ``N``
  counts all pulls and ``n_arm`` this arm's (a pull is a proposal, so trials still
  running count too);
- **elimination** (Rising Bandits): an arm's best-so-far curve ``y(n)`` rises and, as an
  arm's tuning converges, flattens. Its best attainable value is bounded by extrapolating
  its recent slope ``(y(n) - y(n - window)) / window`` linearly over the whole remaining
  budget ``budget - N``; an arm whose bound falls below the leader's current best is
  eliminated and never pulled again. Needs ``window + 1`` results on the arm; the arm
  holding the best score is never eliminated.

Each pull asks the arm's inner algorithm for a DNA of its branch and maps it into the
space; feedback goes to the arm the DNA's choice names.

>>> import symsearch as ss
>>> space = ss.oneof([ss.Dict(kind="svm", C=ss.floatv(0.01, 10, scale="log")),
...                   ss.Dict(kind="forest", n=ss.intv(10, 500)), "knn"])
>>> result = ss.search(space, evaluate, objective="max:acc", num_trials=100,
...                    algorithm=ArmBandit(inner="tpe", budget=100))       # doctest: +SKIP
"""
from __future__ import annotations

import copy
import importlib
import math
from typing import Any, Callable, Optional, Union

from symsearch.algorithms.base import (Feedback, SearchAlgorithm, _rng_from_json, _rng_state,
                                       make_algorithm, register_algorithm)
from symsearch.algorithms.branch_space import Branch, root_choice
from symsearch.geno.dna import DNA

#: Budget assumed for elimination when ``budget`` is not given.
DEFAULT_BUDGET = 200
# Modules defining algorithms that may not be imported yet when ``inner`` names one.
_ALGORITHM_MODULES = ("symsearch.algorithms.bayesian", "symsearch.algorithms.evolution")


class Arm:
    """One candidate of the choice: its branch, inner algorithm and results."""

    __slots__ = ("branch", "algorithm", "scores", "curve", "pulls", "eliminated_at",
                 "exhausted")

    def __init__(self, branch: Branch, algorithm: SearchAlgorithm):
        self.branch = branch
        self.algorithm = algorithm
        self.scores: list = []          # per result in arrival order; None when it failed
        self.curve: list = []           # best score after each result (None before any)
        self.pulls = 0
        self.eliminated_at: Optional[int] = None   # total pulls when eliminated
        self.exhausted = False

    def record(self, score: Optional[float]) -> None:
        best = self.best
        self.scores.append(score)
        self.curve.append(score if score is not None and (best is None or score > best)
                          else best)

    @property
    def best(self) -> Optional[float]:
        return self.curve[-1] if self.curve else None

    @property
    def active(self) -> bool:
        return self.eliminated_at is None and not self.exhausted


@register_algorithm("bandit", "cash")
class ArmBandit(SearchAlgorithm):
    """A bandit over the candidates of a top-level choice; see the module docstring.

    Args:
      inner: the algorithm each arm runs on its branch: a registered name (``"tpe"``,
        ``"random"``, ``"evolution"``...), a ``{"type": name, ...}`` dict, a
        SearchAlgorithm instance (copied per arm) or a callable returning a new one.
        A branch without decisions (a candidate with no hyper-values) is one candidate:
        its algorithm proposes the empty DNA (grid once, others every time).
      arm_path: path or name of the choice whose candidates are the arms; None: the first
        top-level choice.
      exploration: the UCB coefficient (0: always the best arm after the warm-up).
      elimination: whether to eliminate arms by the Rising Bandits bound.
      budget: total trials of the search, for the elimination bound (None: 200).
      reward: ``"best"`` or ``"recent"``, what UCB ranks arms by.
      window: results over which an arm's improvement slope (and recent reward) is taken.
      min_pulls: warm-up pulls per arm (``window + 1`` lets elimination judge every arm
        right after the warm-up).
      seed: seeds the bandit and, offset per arm, the inner algorithms.
    """

    needs_objective = True

    def __init__(self, inner: Union[str, dict, SearchAlgorithm, Callable] = "tpe",
                 arm_path: Union[str, int, None] = None, exploration: float = 0.5,
                 elimination: bool = True, budget: Optional[int] = None,
                 reward: str = "best", window: int = 3, min_pulls: int = 4,
                 seed: Optional[int] = None):
        super().__init__(seed)
        if not (isinstance(inner, (str, dict, SearchAlgorithm)) or callable(inner)):
            raise TypeError(f"The 'inner' parameter of ArmBandit must be an algorithm name, a "
                            f"dict, a SearchAlgorithm or a callable making one. Got {inner!r} "
                            f"instead.")
        _check_number("exploration", exploration, 0, integer=False)
        _check_number("window", window, 1)
        _check_number("min_pulls", min_pulls, 1)
        if budget is not None:
            _check_number("budget", budget, 1)
        if not isinstance(elimination, bool):
            raise TypeError(f"The 'elimination' parameter of ArmBandit must be a bool. Got "
                            f"{elimination!r} instead.")
        if reward not in ("best", "recent"):
            raise ValueError(f"The 'reward' parameter of ArmBandit must be 'best' or 'recent'."
                             f" Got {reward!r} instead.")
        self.inner = inner
        self.arm_path = arm_path
        self.exploration = float(exploration)
        self.elimination = elimination
        self.budget = budget
        self.reward = reward
        self.window = window
        self.min_pulls = min_pulls
        self.arms: list = []
        self.choice_index = -1
        self._lo = self._hi = None      # lowest and highest score seen on any arm
        if isinstance(inner, (str, dict)):
            self._make_inner()          # an unknown name or bad arguments fail here

    # ---- setup ---------------------------------------------------------------------------------
    def setup(self, spec, objectives=None, seed=None) -> None:
        super().setup(spec, objectives, seed)
        if objectives.is_multi:
            raise ValueError(f"ArmBandit ranks arms by one objective but the search has "
                             f"{objectives.to_list()}")
        root = root_choice(spec, self.arm_path)
        self.choice_index = root.index
        self.arms = []
        self._lo = self._hi = None
        for i in range(root.num_candidates):
            branch = Branch(spec, root.index, i)
            algorithm = self._make_inner()
            arm_seed = None if self.seed is None else self.seed * 1009 + 1 + i
            algorithm.setup(branch.spec, objectives, arm_seed)
            self.arms.append(Arm(branch, algorithm))

    def _make_inner(self) -> SearchAlgorithm:
        inner = self.inner
        if isinstance(inner, SearchAlgorithm):
            return copy.deepcopy(inner)
        if isinstance(inner, (str, dict)):
            try:
                return make_algorithm(inner)
            except ValueError:
                for module in _ALGORITHM_MODULES:   # registers the names they define
                    try:
                        importlib.import_module(module)
                    except ImportError:
                        pass
                return make_algorithm(inner)
        algorithm = inner()
        if not isinstance(algorithm, SearchAlgorithm):
            raise TypeError(f"ArmBandit(inner={inner!r}) must return a SearchAlgorithm; it "
                            f"returned {algorithm!r}")
        return algorithm

    @property
    def finite(self) -> bool:
        """Whether the search ends by itself: every arm's algorithm does."""
        return bool(self.arms) and all(arm.algorithm.finite for arm in self.arms)

    # ---- propose and feedback ------------------------------------------------------------------
    @property
    def total_pulls(self) -> int:
        return sum(arm.pulls for arm in self.arms)

    def propose(self) -> DNA:
        while True:
            if self.elimination:
                self._eliminate()
            active = [i for i, arm in enumerate(self.arms) if arm.active]
            if not active:
                raise StopIteration("every arm's algorithm is exhausted")
            i = self.choose(active)
            arm = self.arms[i]
            try:
                sub = arm.algorithm.propose()
            except StopIteration:
                arm.exhausted = True
                continue
            arm.pulls += 1
            return arm.branch.to_full(sub)

    def choose(self, active: list) -> int:
        """The arm to pull next among ``active`` (warm-up, then UCB)."""
        arms = self.arms
        fewest = min(arms[i].pulls for i in active)
        if fewest < self.min_pulls:
            return next(i for i in active if arms[i].pulls == fewest)
        lo, hi = self._lo, self._hi
        total = sum(arms[i].pulls for i in active)
        best_value, best_arms = -math.inf, []
        for i in active:
            arm = arms[i]
            raw = arm.best if self.reward == "best" else _mean_recent(arm.scores, self.window)
            if raw is None:
                # Results still running: as good as the best so far; all failed: the worst.
                reward = 1.0 if arm.pulls > len(arm.scores) else 0.0
            else:
                reward = (raw - lo) / (hi - lo) if hi > lo else 1.0
            value = reward + self.exploration * math.sqrt(2.0 * math.log(total) / arm.pulls)
            if value > best_value + 1e-12:
                best_value, best_arms = value, [i]
            elif abs(value - best_value) <= 1e-12:
                best_arms.append(i)
        return best_arms[0] if len(best_arms) == 1 else self.rng.choice(best_arms)

    def upper_bound(self, arm: Arm) -> Optional[float]:
        """The arm's optimistic best attainable score (None: too few results to tell)."""
        curve = arm.curve
        w = self.window
        if len(curve) <= w or curve[-1 - w] is None:
            return None
        slope = (curve[-1] - curve[-1 - w]) / w
        remaining = max((self.budget or DEFAULT_BUDGET) - self.total_pulls, 0)
        return curve[-1] + slope * remaining if slope else curve[-1]

    def _eliminate(self) -> None:
        bests = [arm.best for arm in self.arms]
        if all(b is None for b in bests):
            return
        leader = max((b for b in bests if b is not None))
        leaders = [i for i, b in enumerate(bests) if b == leader]
        for i, arm in enumerate(self.arms):
            if not arm.active or i in leaders:
                continue
            bound = self.upper_bound(arm)
            if bound is not None and bound < leader:
                arm.eliminated_at = self.total_pulls

    def feedback(self, dna, feedback: Feedback) -> None:
        i = dna[self.choice_index]
        if not isinstance(i, int) or not 0 <= i < len(self.arms):
            return
        arm = self.arms[i]
        score = feedback.score
        arm.record(score)
        if score is not None:
            self._lo = score if self._lo is None else min(self._lo, score)
            self._hi = score if self._hi is None else max(self._hi, score)
        arm.algorithm.feedback(arm.branch.to_sub(dna), feedback)

    # ---- inspection and state ------------------------------------------------------------------
    def summary(self) -> list:
        """Per arm: pulls, results, best score, whether active, when eliminated."""
        return [{"arm": i, "pulls": arm.pulls, "results": len(arm.scores), "best": arm.best,
                 "active": arm.active,
                 "eliminated_at": arm.eliminated_at, "exhausted": arm.exhausted}
                for i, arm in enumerate(self.arms)]

    def state_dict(self) -> dict:
        return {"rng": _rng_state(self.rng),
                "arms": [{"algorithm": arm.algorithm.state_dict(), "scores": list(arm.scores),
                          "pulls": arm.pulls, "eliminated_at": arm.eliminated_at,
                          "exhausted": arm.exhausted} for arm in self.arms]}

    def load_state_dict(self, state: dict) -> None:
        if len(state["arms"]) != len(self.arms):
            raise ValueError(f"ArmBandit state has {len(state['arms'])} arms but the space's "
                             f"choice has {len(self.arms)}")
        self.rng.setstate(_rng_from_json(state["rng"]))
        for arm, saved in zip(self.arms, state["arms"]):
            arm.algorithm.load_state_dict(saved["algorithm"])
            arm.scores, arm.curve = [], []
            for score in saved["scores"]:
                arm.record(score)
            arm.pulls = int(saved["pulls"])
            arm.eliminated_at = saved["eliminated_at"]
            arm.exhausted = bool(saved["exhausted"])
        seen = [s for arm in self.arms for s in arm.scores if s is not None]
        self._lo, self._hi = (min(seen), max(seen)) if seen else (None, None)

    def __repr__(self) -> str:
        return (f"ArmBandit(inner={self.inner!r}, arm_path={self.arm_path!r}, "
                f"exploration={self.exploration!r}, elimination={self.elimination!r}, "
                f"budget={self.budget!r}, seed={self.seed!r})")


def _mean_recent(scores: list, window: int) -> Optional[float]:
    recent = [s for s in scores[-window:] if s is not None]
    return sum(recent) / len(recent) if recent else None


def _check_number(name: str, value: Any, minimum: float, integer: bool = True) -> None:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or value < minimum:
        raise ValueError(f"The {name!r} parameter of ArmBandit must be "
                         f"{'an int' if integer else 'a number'} >= {minimum}. Got {value!r} "
                         f"instead.")
