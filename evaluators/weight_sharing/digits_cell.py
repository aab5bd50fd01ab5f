"""The cell-space evaluator of ``experiments/weight_sharing.yaml``: one key switches weight
sharing on.

``evaluate(cell, weight_sharing=False)`` scores the cell standalone: its trained accuracy from
the project's NAS table (``standalone="table"``, :mod:`symsearch.evaluators.nas_bench`), or by
training its network now (``standalone="train"``, NAS-B's ``train_cell``).
``weight_sharing=True`` scores it with the weights it inherits from one supernet of the
cell space (:class:`~symsearch.evaluators.weight_sharing.one_shot.SupernetEvaluator`): the
first call trains the supernet ``warmup_epochs`` epochs on uniform paths (60: a tenth of 100
standalone evaluations of the table's 6 epochs; learning rate and batch size the table's own,
:func:`table_settings`), each call trains
``train_steps`` mini-batches on the cell's path (0: single-path one-shot; a few with
``algorithm: tunas``: TuNAS's alternating steps). Warm-up paths skip cells whose output is
zero (``skip_zero_cells``): they have no weights of their own to train. ``split_on`` (an
edge's name, e.g. ``edge_2_3``) splits the trained supernet into one sub-supernet per op of
that edge, each trained ``split_epochs`` more epochs (few-shot NAS); ``eval_split:
val+train`` scores on both splits. The same space and the same model code
(:func:`~symsearch.evaluators.weight_sharing.cell_model.cell_network`) serve both.

Metrics in both modes: ``val_accuracy`` (the objective) and ``epochs``: the training epochs
this evaluation cost (a standalone network's epochs; the supernet epochs it trained, so the
first call carries the warm-up), so a search's compute is the sum over its trials.
"""
from __future__ import annotations

from typing import Optional, Sequence

from symsearch.spaces.nas_cell import Cell, cell_space

#: The op set of the project's NAS table (``benchmarks/build_nas_table.py``).
TABLE_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")
STANDALONE = ("table", "train")

_SUPERNETS: dict = {}


def table_settings() -> dict:
    """The shipped NAS table's training recipe (``epochs``, ``lr``, ``batch_size``...), so the
    supernet and a standalone ``train`` run train as the table's networks did."""
    if "settings" not in _SUPERNETS:
        from symsearch.evaluators import nas_bench
        table = nas_bench.NASTable.load()
        _SUPERNETS["settings"] = {"epochs": table.epochs, "lr": 0.05, "batch_size": 32,
                                  **table.meta.get("settings", {})}
    return _SUPERNETS["settings"]


def has_output(cell: Cell) -> bool:
    """Whether some input -> output path of ``cell`` carries a non-zero op."""
    return not cell.is_zero()


def _supernet_evaluator(n_nodes: int, ops: tuple, settings: tuple, skip_zero_cells: bool):
    """One supernet per process and settings, shared by every trial of a search."""
    key = (n_nodes, ops, settings, skip_zero_cells)
    if key not in _SUPERNETS:
        from symsearch.evaluators.weight_sharing.cell_model import cell_network
        from symsearch.evaluators.weight_sharing.one_shot import SupernetEvaluator
        _SUPERNETS[key] = SupernetEvaluator(cell_space(n_nodes, ops), cell_network,
                                            accept=has_output if skip_zero_cells else None,
                                            **dict(settings))
    return _SUPERNETS[key]


def evaluate(candidate: Cell, weight_sharing: bool = False, standalone: str = "table",
             epochs: Optional[int] = None, ops: Sequence[str] = TABLE_OPS,
             warmup_epochs: int = 60, train_steps: int = 0, lr: Optional[float] = None,
             skip_zero_cells: bool = True, seed: int = 0, device: str = "auto",
             eval_split: str = "val", split_on: Optional[str] = None,
             split_epochs: int = 10) -> dict:
    """Scores a cell standalone or with inherited weights; see the module docstring."""
    if not isinstance(weight_sharing, bool):
        raise ValueError(f"evaluate: 'weight_sharing' must be true or false, got "
                         f"{weight_sharing!r}")
    if not isinstance(candidate, Cell):
        raise ValueError(f"evaluate: the candidate must be a Cell (the cell space's "
                         f"candidates), got {type(candidate).__name__}")
    ops = tuple(ops)
    recipe = table_settings()
    lr = recipe["lr"] if lr is None else lr
    unknown = sorted({op for op in candidate.ops if op not in ops})
    if unknown:
        raise ValueError(f"evaluate: the cell has ops {unknown} outside 'ops' {list(ops)}")
    if weight_sharing:
        settings = (("warmup_epochs", warmup_epochs), ("train_steps", train_steps), ("lr", lr),
                    ("batch_size", int(recipe["batch_size"])),
                    ("seed", seed), ("device", device), ("eval_split", eval_split),
                    ("split_on", split_on), ("split_epochs", split_epochs))
        evaluator = _supernet_evaluator(candidate.n_nodes, ops, settings, skip_zero_cells)
        before = evaluator.epochs_done
        metrics = evaluator(candidate)
        return {"val_accuracy": metrics["val_accuracy"], "val_loss": metrics["val_loss"],
                "epochs": metrics["supernet_epochs"] - before,
                "supernet_epochs": metrics["supernet_epochs"]}
    if standalone == "table":
        from symsearch.evaluators import nas_bench
        metrics = nas_bench.evaluate(candidate, epochs=epochs, seed=seed)
        return {**metrics, "epochs": metrics.get("epochs", epochs)}
    if standalone == "train":
        from symsearch.evaluators.nas_cell_net import train_cell
        from symsearch.evaluators.weight_sharing.one_shot import torch_threads
        with torch_threads(1):          # as the table was built: one thread per network
            run = train_cell(candidate, epochs=epochs or recipe["epochs"], seeds=(seed,),
                             channels=recipe.get("channels", 8),
                             n_cells=recipe.get("n_cells", 1), lr=lr,
                             batch_size=int(recipe["batch_size"]), device=device)[0]
        return {"val_accuracy": run["val_accuracy"][-1], "test_accuracy": run["test_accuracy"],
                "params": run["params"], "epochs": epochs or recipe["epochs"]}
    raise ValueError(f"evaluate: 'standalone' must be one of {STANDALONE}, got {standalone!r}")
