"""Single-path one-shot: train a supernet on sampled paths, score paths with inherited weights.

Guo et al.'s single-path one-shot (SPOS) trains the supernet one uniformly sampled path per
mini-batch, then searches sub-networks by their accuracy with the weights they inherit. A
TuNAS-style search instead alternates one supernet step on the path a controller samples with
one controller step on that path's reward (:func:`train_jointly`).

Inherited-weight accuracy is measured with each BatchNorm normalizing by the evaluation
batch's own statistics (its running statistics are shared by every path, so they fit none;
this is the "BN recalibration" of SPOS without a separate pass), without changing the
running statistics.

>>> from symsearch.spaces.nas_cell import cell_space
>>> from symsearch.evaluators.weight_sharing.cell_model import cell_network
>>> import torch
>>> data = {"train": (torch.randn(64, 1, 8, 8), torch.randint(0, 10, (64,))),
...         "val": (torch.randn(32, 1, 8, 8), torch.randint(0, 10, (32,)))}
>>> evaluator = SupernetEvaluator(cell_space(), cell_network, data=data, warmup_epochs=1)
>>> metrics = evaluator((3, 3, 0, 2, 0, 1))
>>> sorted(metrics), metrics["supernet_epochs"]
(['supernet_epochs', 'supernet_steps', 'val_accuracy', 'val_loss'], 1.0)
"""
from __future__ import annotations

import contextlib
import math
import random
import time
from typing import Any, Callable, Iterator, Optional, Sequence

import torch
from torch import nn
from torch.nn import functional

import symsearch as ss

from symsearch.evaluators.weight_sharing.space_supernet import Supernet, supernet
from symsearch.runners.device import current_device


#: How warm-up paths are drawn: uniformly one per mini-batch (SPOS), or FairNAS's fair sets.
SAMPLING = ("uniform", "fair")


def _check_positive(owner: str, name: str, value: Any, allow_zero: bool = False,
                    kind: type = int) -> None:
    ok = (not isinstance(value, bool) and isinstance(value, (int, float) if kind is float else int)
          and math.isfinite(value) and (value >= 0 if allow_zero else value > 0))
    if not ok:
        what = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"{owner}: {name!r} must be {what} {kind.__name__}, got {value!r}")


@contextlib.contextmanager
def torch_threads(n: Optional[int]) -> Iterator[None]:
    """PyTorch's intra-op threads set to ``n`` within the block (None: left alone). Networks
    this small run many times faster on one thread, above all on a busy machine."""
    if n is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextlib.contextmanager
def batch_statistics(net: nn.Module) -> Iterator[None]:
    """BatchNorm layers normalize by the batch's statistics and leave their running ones
    alone (momentum 0); no gradients."""
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [(m.momentum, m.training, None if m.num_batches_tracked is None
              else m.num_batches_tracked.clone()) for m in norms]
    was_training = net.training
    net.eval()
    for m in norms:
        m.train()
        m.momentum = 0.0
    try:
        with torch.no_grad():
            yield
    finally:
        for m, (momentum, training, tracked) in zip(norms, saved):
            m.momentum, m.training = momentum, training
            if tracked is not None:
                m.num_batches_tracked.copy_(tracked)
        net.train(was_training)


def path_metrics(net: Supernet, x: torch.Tensor, y: torch.Tensor,
                 paths: Sequence[Any]) -> list:
    """``(accuracy, cross-entropy)`` of each path on ``(x, y)`` with inherited weights (one
    forward pass per path)."""
    out = []
    with batch_statistics(net):
        for path in paths:
            logits = net(x, path)
            out.append((float((logits.argmax(1) == y).float().mean()),
                        float(functional.cross_entropy(logits, y))))
    return out


def path_accuracy(net: Supernet, x: torch.Tensor, y: torch.Tensor,
                  paths: Sequence[Any]) -> list:
    """Inherited-weight accuracy of each path on ``(x, y)``."""
    return [accuracy for accuracy, _ in path_metrics(net, x, y, paths)]


def path_loss(net: Supernet, x: torch.Tensor, y: torch.Tensor, paths: Sequence[Any]) -> list:
    """Inherited-weight cross-entropy of each path on ``(x, y)``."""
    return [loss for _, loss in path_metrics(net, x, y, paths)]


class PathTrainer:
    """SGD (Nesterov momentum 0.9, weight decay 5e-4) of a supernet, one path per mini-batch.

    ``step(path)`` trains one mini-batch of the training split on ``path`` (the batches come
    from a reshuffled epoch order, as in standalone training); ``epochs_done`` counts
    mini-batches in epochs, so its cost compares with standalone training's epochs.
    """

    def __init__(self, net: Supernet, x: torch.Tensor, y: torch.Tensor, lr: float = 0.05,
                 batch_size: int = 32, seed: int = 0):
        _check_positive("PathTrainer", "lr", lr, kind=float)
        _check_positive("PathTrainer", "batch_size", batch_size)
        self.net, self.x, self.y = net, x, y
        self.batch_size = batch_size
        self.steps_per_epoch = math.ceil(len(y) / batch_size)
        self.optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, nesterov=True,
                                         weight_decay=5e-4)
        self.generator = torch.Generator().manual_seed(seed)
        self.order: list = []
        self.steps = 0

    def set_lr(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    @property
    def epochs_done(self) -> float:
        return self.steps / self.steps_per_epoch

    def step(self, path: Any) -> float:
        """One mini-batch on ``path``; returns its loss."""
        return self.step_many([path])

    def step_many(self, paths: Sequence[Any]) -> float:
        """One optimizer step on one mini-batch, the gradients of ``paths`` summed (fair
        sampling); counted as ``len(paths)`` path steps. Returns the mean loss."""
        if not self.order:
            self.order = list(torch.randperm(len(self.y), generator=self.generator)
                              .split(self.batch_size))
        index = self.order.pop(0).to(self.x.device)
        self.net.train()
        self.optimizer.zero_grad(set_to_none=True)
        total = 0.0
        for path in paths:
            loss = functional.cross_entropy(self.net(self.x[index], path), self.y[index])
            loss.backward()
            total += float(loss.detach())
        self.optimizer.step()
        self.steps += len(paths)
        return total / len(paths)


def sample_path(net: Supernet, rng: random.Random, accept: Optional[Callable] = None,
                tries: int = 1000) -> tuple:
    """A uniform path; with ``accept`` (candidate -> bool), uniform over accepted ones."""
    for _ in range(tries):
        path = net.sample(rng)
        if accept is None or accept(ss.materialize(net.space, path)):
            return path
    raise ValueError(f"no path among {tries} samples was accepted by {accept!r}")


def train_uniform(net: Supernet, trainer: PathTrainer, epochs: int, lr: float,
                  seed: int = 0, accept: Optional[Callable] = None) -> dict:
    """SPOS: ``epochs`` epochs of uniformly sampled paths, cosine learning rate from ``lr``.

    ``accept`` (candidate -> bool) leaves paths out of training: for a cell space,
    ``lambda cell: not cell.is_zero()`` skips cells whose output is zero, which have no
    weights of their own and only pull the shared classifier toward constant outputs."""
    rng = random.Random(seed)
    total = epochs * trainer.steps_per_epoch
    start = time.perf_counter()
    for k in range(total):
        trainer.set_lr(0.5 * lr * (1 + math.cos(math.pi * k / total)))
        trainer.step(sample_path(net, rng, accept))
    return {"epochs": epochs, "seconds": time.perf_counter() - start}


def fair_paths(net: Supernet, rng: random.Random) -> list:
    """FairNAS's strict fairness: ``n`` paths (``n`` the most values a decision has) in which
    every value of every decision appears equally often (a random permutation per decision,
    cycled for decisions with fewer values); conditional decisions follow their parents."""
    from symsearch.geno.spec import CHOICE, INT
    count = max([int(d.num_values) for d in net.shared] or [1])
    orders = {}
    for d in net.spec.decisions:
        if d.kind in (CHOICE, INT) and d.num_values <= count:
            values = list(range(int(d.num_values)))
            rng.shuffle(values)
            orders[d.index] = [values[k % len(values)] for k in range(count)]
    paths = []
    for k in range(count):
        values = list(net.sample(rng))
        for index, order in orders.items():
            if values[index] is None:
                continue
            d = net.spec.decisions[index]
            values[index] = order[k] if d.kind == CHOICE else int(d.lo) + order[k] * d.step
        try:
            net.spec.validate(values)
        except ValueError:               # a parent changed: the child's branch is not active
            values = list(net.sample(rng))
        paths.append(tuple(values))
    return paths


def train_fair(net: Supernet, trainer: PathTrainer, epochs: int, lr: float,
               seed: int = 0) -> dict:
    """FairNAS (Chu et al., 2021): each mini-batch trains :func:`fair_paths` with summed
    gradients, one optimizer step; ``epochs`` counts path-epochs (compute), as for
    :func:`train_uniform`. Cosine learning rate from ``lr``."""
    rng = random.Random(seed)
    start = time.perf_counter()
    target = epochs * trainer.steps_per_epoch
    begin = trainer.steps
    while trainer.steps - begin < target:
        done = (trainer.steps - begin) / target
        trainer.set_lr(0.5 * lr * (1 + math.cos(math.pi * done)))
        trainer.step_many(fair_paths(net, rng))
    return {"epochs": epochs, "seconds": time.perf_counter() - start}


def train_jointly(net: Supernet, trainer: PathTrainer, controller: Any, x_val: torch.Tensor,
                  y_val: torch.Tensor, steps: int, reward_batch: int = 128,
                  seed: int = 0, num_threads: Optional[int] = 1) -> list:
    """TuNAS-style alternation, ``steps`` times: the controller proposes a path, the supernet
    trains one mini-batch on it, the path's accuracy on a random validation batch is the
    reward of the controller's step: ``controller.learn(dna, reward)`` where it has one (TuNAS:
    no policy step during its warm-up), else ``controller.update(dna, reward)``. Returns the
    rewards."""
    generator = torch.Generator().manual_seed(seed)
    rewards = []
    learn = getattr(controller, "learn", controller.update)
    with torch_threads(num_threads):
        for _ in range(steps):
            dna = controller.propose()
            trainer.step(dna)
            index = torch.randperm(len(y_val), generator=generator)[:reward_batch]
            index = index.to(x_val.device)
            reward = path_accuracy(net, x_val[index], y_val[index], [dna])[0]
            learn(dna, reward)
            rewards.append(reward)
    return rewards


def default_data(device: str = "cpu") -> dict:
    """The digits split of the project's NAS table (``nas_cell_net.load_digits_split(0)``)."""
    from symsearch.evaluators.nas_cell_net import _split
    return {k: (x.to(device), y.to(device)) for k, (x, y) in _split(0).items()}


class SupernetEvaluator:
    """An evaluator ``candidate -> {"val_accuracy": ...}`` scored with inherited weights.

    On the first call the supernet of ``space`` (:func:`supernet` with ``build_fn``) trains
    ``warmup_epochs`` epochs of uniform paths (SPOS). Each call then trains ``train_steps``
    mini-batches on the candidate's path (0 for SPOS; more for a search that trains the
    supernet jointly, such as ``algorithm: tunas``) and answers the path's validation accuracy.
    ``candidate`` may be a materialized candidate of ``space`` or its DNA. Metrics also say the
    supernet training spent so far (``supernet_epochs``), the search's compute.

    ``eval_split`` names the data split a path is scored on; ``"val+train"`` scores on both
    (more samples: a finer, less noisy ranking; the training split's loss with inherited
    weights measures how well the path fits, which at this size is what separates cells).
    ``split_on`` (a decision's name or path) makes it few-shot NAS
    (:mod:`~symsearch.evaluators.weight_sharing.few_shot`): after the warm-up, one copy of the
    supernet per value of that decision trains ``split_epochs`` more epochs on its paths.
    ``paths_per_pass`` > 1 scores that many candidates per forward pass
    (:mod:`~symsearch.evaluators.weight_sharing.batched`; same figures; on two CPU cores it
    is slower for the cell network, see ``benchmarks/README.md``).

    The evaluator holds the supernet in its process: run it in-process (the default runner);
    Ray workers would each train a supernet of their own.
    """

    def __init__(self, space: Any, build_fn: Optional[Callable] = None, *,
                 data: Optional[dict] = None, warmup_epochs: int = 8, train_steps: int = 0,
                 lr: float = 0.05, batch_size: int = 32, eval_split: str = "val",
                 seed: int = 0, device: str = "auto", num_threads: Optional[int] = 1,
                 sampling: str = "uniform", accept: Optional[Callable] = None,
                 split_on: Optional[str] = None, split_epochs: int = 10,
                 paths_per_pass: int = 1):
        _check_positive("SupernetEvaluator", "warmup_epochs", warmup_epochs, allow_zero=True)
        _check_positive("SupernetEvaluator", "paths_per_pass", paths_per_pass)
        _check_positive("SupernetEvaluator", "train_steps", train_steps, allow_zero=True)
        _check_positive("SupernetEvaluator", "lr", lr, kind=float)
        _check_positive("SupernetEvaluator", "split_epochs", split_epochs)
        if sampling not in SAMPLING:
            raise ValueError(f"SupernetEvaluator: 'sampling' must be one of {SAMPLING}, got "
                             f"{sampling!r}")
        if split_on is not None and not isinstance(split_on, str):
            raise ValueError(f"SupernetEvaluator: 'split_on' must be a decision's name or path, "
                             f"got {split_on!r}")
        self.sampling, self.accept = sampling, accept
        self.device = current_device(device)
        self.data = default_data(self.device) if data is None else {
            k: (x.to(self.device), y.to(self.device)) for k, (x, y) in data.items()}
        parts = eval_split.split("+") if isinstance(eval_split, str) else [eval_split]
        for split in ["train"] + parts:
            if split not in self.data:
                raise ValueError(f"SupernetEvaluator: data has no {split!r} split (has "
                                 f"{sorted(self.data)})")
        if len(parts) > 1:
            self.data[eval_split] = (torch.cat([self.data[p][0] for p in parts]),
                                     torch.cat([self.data[p][1] for p in parts]))
        torch.manual_seed(seed)
        self.net = supernet(space, build_fn, device=self.device,
                            example_input=self.data["train"][0][:2])
        self.trainer = PathTrainer(self.net, *self.data["train"], lr=lr, batch_size=batch_size,
                                   seed=seed)
        if split_on is not None:
            from symsearch.evaluators.weight_sharing.few_shot import split_decision
            split_decision(self.net, split_on)          # a bad name fails now, not after training
        self.split_on, self.split_epochs = split_on, split_epochs
        self.paths_per_pass = paths_per_pass
        self.sub_supernets = None
        self.warmup_epochs, self.train_steps, self.lr = warmup_epochs, train_steps, lr
        self.eval_split, self.seed = eval_split, seed
        self.warmed_up = False
        self.warmup_seconds = 0.0
        self.num_threads = num_threads

    def warm_up(self) -> None:
        with torch_threads(self.num_threads):
            self._warm_up()

    def _warm_up(self) -> None:
        if not self.warmed_up:
            self.warmed_up = True
            start = time.perf_counter()
            if self.warmup_epochs:
                if self.sampling == "uniform":
                    train_uniform(self.net, self.trainer, self.warmup_epochs, self.lr,
                                  self.seed, self.accept)
                else:
                    train_fair(self.net, self.trainer, self.warmup_epochs, self.lr, self.seed)
            if self.split_on is not None:
                from symsearch.evaluators.weight_sharing.few_shot import SubSupernets
                self.sub_supernets = SubSupernets(self.net, self.trainer, self.split_on,
                                                  self.split_epochs, self.lr, self.seed,
                                                  self.accept)
                for trainer in self.sub_supernets.trainers:
                    trainer.set_lr(self.lr * 0.1)
            self.warmup_seconds = time.perf_counter() - start
            self.trainer.set_lr(self.lr * 0.1 if self.warmup_epochs else self.lr)

    @property
    def epochs_done(self) -> float:
        """Supernet epochs trained so far (the sub-supernets' included): the compute."""
        subs = 0.0 if self.sub_supernets is None else self.sub_supernets.epochs_done
        return self.trainer.epochs_done + subs

    @property
    def steps_done(self) -> int:
        subs = 0 if self.sub_supernets is None else sum(t.steps for t in
                                                         self.sub_supernets.trainers)
        return self.trainer.steps + subs

    def net_for(self, dna: tuple) -> Supernet:
        """The supernet that scores ``dna``: the one, or its few-shot sub-supernet."""
        return self.net if self.sub_supernets is None else self.sub_supernets.net_for(dna)

    def _trainer_for(self, dna: tuple) -> PathTrainer:
        return self.trainer if self.sub_supernets is None else \
            self.sub_supernets.trainer_for(dna)

    def metrics_of(self, candidates: Sequence[Any]) -> list:
        """``(accuracy, cross-entropy)`` of each candidate on ``eval_split`` with inherited
        weights, without training steps."""
        self.warm_up()
        dnas = [self.net.dna(c) for c in candidates]
        out: list = [None] * len(dnas)
        groups: dict = {}
        for i, dna in enumerate(dnas):
            groups.setdefault(id(self.net_for(dna)), []).append(i)
        with torch_threads(self.num_threads):
            for members in groups.values():
                net = self.net_for(dnas[members[0]])
                paths = [dnas[i] for i in members]
                if self.paths_per_pass > 1:
                    from symsearch.evaluators.weight_sharing.batched import batched_metrics
                    found = batched_metrics(net, *self.data[self.eval_split], paths,
                                            self.paths_per_pass)
                else:
                    found = path_metrics(net, *self.data[self.eval_split], paths)
                for i, m in zip(members, found):
                    out[i] = m
        return out

    def scores(self, candidates: Sequence[Any], metric: str = "accuracy") -> list:
        """Inherited-weight accuracies (or, ``metric="loss"``, cross-entropies) of several
        candidates, without training steps."""
        if metric not in ("accuracy", "loss"):
            raise ValueError(f"scores: metric must be 'accuracy' or 'loss', got {metric!r}")
        k = 0 if metric == "accuracy" else 1
        return [m[k] for m in self.metrics_of(candidates)]

    def __call__(self, candidate: Any) -> dict:
        self.warm_up()
        dna = self.net.dna(candidate)
        with torch_threads(self.num_threads):
            trainer = self._trainer_for(dna)
            for _ in range(self.train_steps):
                trainer.step(dna)
            (accuracy, loss), = path_metrics(self.net_for(dna), *self.data[self.eval_split],
                                             [dna])
        return {"val_accuracy": accuracy, "val_loss": loss,
                "supernet_epochs": self.epochs_done, "supernet_steps": self.steps_done}
