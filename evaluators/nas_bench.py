"""The project's NAS table: every cell of a 4-node, 4-op space, trained on digits, looked up.

``benchmarks/build_nas_table.py`` trained one representative of each function-level
canonical class of ``cell_space(ops=("none", "skip_connect", "nor_conv_1x1",
"nor_conv_3x3"))`` (4,096 cells, 1,230 classes) with three seeds and recorded learning curves;
the result ships as ``evaluators/data/nas_digits_table.npz``. :func:`evaluate` answers a
candidate from it in microseconds, with the epoch budget as the fidelity, so a NAS
algorithm (and ASHA or Hyperband on top) can be run for 1,000 evaluations over 20 seeds in
seconds, as NAS-Bench-101/201 allow:

>>> from symsearch.spaces.nas_cell import Cell
>>> cell = Cell(["nor_conv_3x3", "none", "nor_conv_3x3", "none", "none", "nor_conv_1x1"])
>>> metrics = evaluate(cell, epochs=4, seed=0)
>>> metrics["epochs"], 0.0 < metrics["val_accuracy"] <= 1.0, metrics["train_time"] > 0
(4, True, True)

Metrics: ``val_accuracy`` and ``val_loss`` after ``epochs`` epochs (of the full-budget run,
whose cosine schedule spans the table's epochs, as NAS-Bench-201's curves do),
``test_accuracy`` and ``test_loss`` when ``epochs`` is the full budget, ``params``,
``flops``, ``epochs`` and ``train_time``: the CPU seconds those epochs took when the table
was built (one thread), the "GPU-free seconds" a search charges itself for the evaluation.
``seed=None`` answers the mean over the table's seeds; ``seed=k`` the run of seed ``k``.
"""
from __future__ import annotations

import functools
import json
import os
import zipfile
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "nas_digits_table.npz"
_ARRAYS = ("arch", "val_accuracy", "val_loss", "test_accuracy", "test_loss", "train_time",
           "params", "flops", "meta")


class NASTableError(ValueError):
    """The table file is missing pieces or holds values that cannot be a NAS table."""


class ArchitectureNotInTable(LookupError):
    """The candidate is a well-formed cell, but the table has no entry for it."""

    def __str__(self) -> str:       # LookupError's str() would quote the message
        return str(self.args[0]) if self.args else ""


def _cell_parts(candidate: Any) -> tuple:
    """``(ops, n_nodes)`` of a Cell, an architecture string, ``{"ops": ...}`` or an op list.

    ValueError naming the edge or the problem for a malformed cell.
    """
    from symsearch.spaces.nas_cell import Cell, num_edges
    if isinstance(candidate, str):
        candidate = Cell.from_arch_str(candidate)
    if isinstance(candidate, Cell):
        candidate._require_concrete()
        return tuple(candidate.ops), int(candidate.n_nodes)
    if isinstance(candidate, dict) or (hasattr(candidate, "keys") and "ops" in candidate):
        ops, n_nodes = candidate["ops"], candidate.get("n_nodes", 4)
    elif isinstance(candidate, (list, tuple)):
        ops, n_nodes = candidate, 4
    else:
        raise ValueError(f"a NAS-table candidate is a Cell, an architecture string, "
                         f"{{'ops': [...]}} or a list of ops; got {type(candidate).__name__} "
                         f"{candidate!r}")
    ops = tuple(ops)
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, int) or n_nodes < 2 \
            or len(ops) != num_edges(n_nodes):
        raise ValueError(f"a cell of {n_nodes!r} nodes needs "
                         f"{num_edges(n_nodes) if isinstance(n_nodes, int) else '?'} ops "
                         f"(one per edge); got {len(ops)}: {list(ops)}")
    for k, op in enumerate(ops):
        if not isinstance(op, str) or not op:
            raise ValueError(f"cell ops[{k}] must be an op name (a non-empty str); got {op!r}")
    return ops, n_nodes


class NASTable:
    """The loaded table; ``NASTable.load(path)`` (cached per path) or ``NASTable(arrays, path)``.

    Attributes: ``arch`` (architecture strings), ``val_accuracy``/``val_loss`` (archs x seeds
    x epochs), ``test_accuracy``/``test_loss``/``train_time`` (archs x seeds), ``params``,
    ``flops``, ``meta`` (the build's settings), ``epochs``, ``seeds``, ``ops``, ``level``.
    """

    def __init__(self, arrays: dict, path: Union[str, os.PathLike] = "<memory>"):
        self.path = str(path)
        missing = [k for k in _ARRAYS if k not in arrays]
        if missing:
            raise NASTableError(f"NAS table {self.path} lacks {missing}; rebuild it with "
                                f"benchmarks/build_nas_table.py")
        try:
            self.meta = json.loads(str(arrays["meta"]))
        except (TypeError, ValueError) as e:
            raise NASTableError(f"NAS table {self.path}: its 'meta' entry is not JSON ({e})")
        self.arch = [str(a) for a in arrays["arch"]]
        n = len(self.arch)
        self.val_accuracy = np.asarray(arrays["val_accuracy"], dtype=np.float64)
        self.val_loss = np.asarray(arrays["val_loss"], dtype=np.float64)
        self.test_accuracy = np.asarray(arrays["test_accuracy"], dtype=np.float64)
        self.test_loss = np.asarray(arrays["test_loss"], dtype=np.float64)
        self.train_time = np.asarray(arrays["train_time"], dtype=np.float64)
        self.params = np.asarray(arrays["params"], dtype=np.int64)
        self.flops = np.asarray(arrays["flops"], dtype=np.int64)
        if self.val_accuracy.ndim != 3 or self.val_accuracy.shape[0] != n or n == 0:
            raise NASTableError(f"NAS table {self.path}: 'val_accuracy' has shape "
                                f"{self.val_accuracy.shape}, expected ({n}, seeds, epochs)")
        _, n_seeds, self.epochs = self.val_accuracy.shape
        for name in ("val_loss",):
            if getattr(self, name).shape != self.val_accuracy.shape:
                raise NASTableError(f"NAS table {self.path}: {name!r} has shape "
                                    f"{getattr(self, name).shape}, expected "
                                    f"{self.val_accuracy.shape}")
        for name in ("test_accuracy", "test_loss", "train_time"):
            if getattr(self, name).shape != (n, n_seeds):
                raise NASTableError(f"NAS table {self.path}: {name!r} has shape "
                                    f"{getattr(self, name).shape}, expected ({n}, {n_seeds})")
        for name in ("params", "flops"):
            if getattr(self, name).shape != (n,):
                raise NASTableError(f"NAS table {self.path}: {name!r} has shape "
                                    f"{getattr(self, name).shape}, expected ({n},)")
        for name in ("val_accuracy", "test_accuracy"):
            values = getattr(self, name)
            if not np.all((values >= 0) & (values <= 1)):
                raise NASTableError(f"NAS table {self.path}: {name!r} holds values outside "
                                    f"[0, 1]")
        self.seeds = list(self.meta.get("settings", {}).get("seeds", range(n_seeds)))
        if len(self.seeds) != n_seeds:
            raise NASTableError(f"NAS table {self.path}: meta names seeds {self.seeds} but "
                                f"the arrays hold {n_seeds}")
        self.ops = tuple(self.meta.get("ops", ()))
        self.level = self.meta.get("level", "function")
        self.n_nodes = int(self.meta.get("n_nodes", 4))
        self._index = self._build_index()
        self._memo: dict = {}

    @classmethod
    def load(cls, path: Union[str, os.PathLike, None] = None) -> "NASTable":
        """The table at ``path`` (default: the shipped one), loaded once per process."""
        return _load_cached(str(Path(path if path is not None else DEFAULT_PATH).resolve()))

    def _build_index(self) -> dict:
        from symsearch.spaces.nas_cell import Cell, canonical_key
        index = {}
        for row, text in enumerate(self.arch):
            try:
                cell = Cell.from_arch_str(text)
            except (TypeError, ValueError) as e:
                raise NASTableError(f"NAS table {self.path}: row {row} holds no cell ({e})")
            key = repr(canonical_key(tuple(cell.ops), cell.n_nodes, self.level))
            if key in index:
                raise NASTableError(f"NAS table {self.path}: rows {index[key]} and {row} are "
                                    f"the same architecture ({text})")
            index[key] = row
        return index

    def __len__(self) -> int:
        return len(self.arch)

    def row(self, candidate: Any) -> int:
        """The table row of ``candidate``'s canonical class; ArchitectureNotInTable if none."""
        ops, n_nodes = _cell_parts(candidate)
        found = self._memo.get((ops, n_nodes))
        if found is not None:
            return found
        from symsearch.spaces.nas_cell import Cell, canonical_key
        unknown = sorted({op for op in ops if op not in self.ops})
        if unknown or n_nodes != self.n_nodes:
            text = Cell(ops=list(ops), n_nodes=n_nodes).to_arch_str()
            why = (f"ops {unknown} are not among the table's ops {list(self.ops)}" if unknown
                   else f"the table's cells have {self.n_nodes} nodes, not {n_nodes}")
            raise ArchitectureNotInTable(f"architecture {text} is not in the NAS table "
                                         f"{self.path}: {why}")
        row = self._index.get(repr(canonical_key(ops, n_nodes, self.level)))
        if row is None:
            text = Cell(ops=list(ops), n_nodes=n_nodes).to_arch_str()
            raise ArchitectureNotInTable(f"architecture {text} is not in the NAS table "
                                         f"{self.path} (a partial build?)")
        self._memo[(ops, n_nodes)] = row
        return row

    def _seed_index(self, seed: Optional[int]) -> Optional[int]:
        if seed is None:
            return None
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) \
                or int(seed) not in self.seeds:
            raise ValueError(f"seed must be None (the mean over seeds) or one of the table's "
                             f"seeds {self.seeds}; got {seed!r}")
        return self.seeds.index(int(seed))

    def query(self, candidate: Any, epochs: Optional[int] = None,
              seed: Optional[int] = None) -> dict:
        """The metrics of ``candidate`` after ``epochs`` epochs (see the module docstring)."""
        epochs = self.epochs if epochs is None else epochs
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) \
                or not 1 <= epochs <= self.epochs:
            raise ValueError(f"epochs must be an int in 1..{self.epochs} (the table's budget); "
                             f"got {epochs!r}")
        row, s = self.row(candidate), self._seed_index(seed)
        pick = (lambda a: float(a.mean())) if s is None else (lambda a: float(a[s]))
        metrics = {"val_accuracy": pick(self.val_accuracy[row, :, epochs - 1]),
                   "val_loss": pick(self.val_loss[row, :, epochs - 1]),
                   "epochs": int(epochs),
                   "train_time": pick(self.train_time[row]) * epochs / self.epochs,
                   "params": int(self.params[row]), "flops": int(self.flops[row])}
        if epochs == self.epochs:
            metrics["test_accuracy"] = pick(self.test_accuracy[row])
            metrics["test_loss"] = pick(self.test_loss[row])
        return metrics

    def mean_test_accuracy(self) -> np.ndarray:
        """Final test accuracy of every row, averaged over seeds."""
        return self.test_accuracy.mean(axis=1)

    def cells(self) -> list:
        """The representative :class:`Cell` of every row."""
        from symsearch.spaces.nas_cell import Cell
        return [Cell.from_arch_str(text) for text in self.arch]


def load_arrays(path: str, what: str, build_command: str) -> dict:
    """The arrays of the ``.npz`` file at ``path`` (no pickles); FileNotFoundError naming the
    command that builds it, or NASTableError when it is corrupt."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no {what} at {path}; build it with `{build_command}`")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise NASTableError(f"{what} {path} is corrupt or not an .npz file: {e}") from e


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> NASTable:
    arrays = load_arrays(path, "NAS table", f"python benchmarks/build_nas_table.py --out {path}")
    return NASTable(arrays, path)


def evaluate(candidate: Any, trial: Any = None, epochs: Optional[int] = None,
             seed: Optional[int] = None, table: Union[str, os.PathLike, NASTable, None] = None
             ) -> dict:
    """Answers ``candidate`` from the table; reports each epoch to ``trial`` when given.

    With a ``trial`` (``ss.search`` passes one to evaluators that take it), epochs
    ``1..epochs`` are reported as ``trial.report(epoch, val_accuracy=..., val_loss=...)``,
    stopping when ``trial.should_stop()`` says so (ASHA, Hyperband); the metrics are then
    those of the last epoch reached, with ``train_time`` charged for those epochs only.
    ``table``: a path or a loaded :class:`NASTable` (default: the shipped table).
    """
    table = table if isinstance(table, NASTable) else NASTable.load(table)
    epochs = table.epochs if epochs is None else epochs
    if trial is None:
        return table.query(candidate, epochs, seed)
    metrics = table.query(candidate, 1, seed)          # checks candidate, epochs and seed
    for epoch in range(1, epochs + 1):
        metrics = table.query(candidate, epoch, seed) if epoch > 1 else metrics
        trial.report(epoch, val_accuracy=metrics["val_accuracy"], val_loss=metrics["val_loss"])
        if trial.should_stop():
            break
    return metrics


def epochs_of(metrics: Optional[dict]) -> int:
    """The epochs a trial was charged for, from its metrics (0 when none)."""
    return int((metrics or {}).get("epochs", 0))
