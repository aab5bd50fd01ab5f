"""Architecture search spaces, in one import: ``from symsearch.spaces import nas``.

- :mod:`symsearch.spaces.nas_cell`: the NAS-Bench-201-style DAG cell (:class:`Cell`,
  :func:`cell_space`, the functional-cache hasher); its canonical forms are in
  :mod:`symsearch.spaces.nas_canonical`.
- :mod:`symsearch.spaces.nas_macro`: a symbolized ``nn.Module`` network (:class:`ConvNet`,
  :class:`Stage`, :func:`macro_space`).
- :mod:`symsearch.spaces.nas_lm`: a per-layer transformer space over the byte-level LM
  (:class:`TransformerLM`, :class:`LayerShape`, :func:`lm_space`).

The macro names import torch, so they load on first use: ``import symsearch.spaces.nas``
needs neither torch nor networkx.

>>> from symsearch.spaces import nas
>>> nas.NB201_OPS[3], len(nas.cell_space().ops)
('nor_conv_3x3', 6)
"""
import importlib
from typing import Any

from symsearch.spaces.nas_canonical import (IDENTITY_OPS, LEVELS, PARAMETER_FREE_OPS, ZERO_OPS,
                                            canonical_key, nb201_edges, num_edges)
from symsearch.spaces.nas_cell import NB201_OPS, Cell, all_cells, cell_hasher, cell_space, edge_name
from symsearch.spaces.nas_lm import LayerShape, TransformerLM, lm_space

_LAZY = {"ConvNet": "nas_macro", "Stage": "nas_macro", "macro_space": "nas_macro",
         "num_parameters": "nas_macro"}

__all__ = ["IDENTITY_OPS", "LEVELS", "NB201_OPS", "PARAMETER_FREE_OPS", "ZERO_OPS", "Cell",
           "all_cells", "canonical_key", "cell_hasher", "cell_space", "edge_name",
           "nb201_edges", "num_edges", "LayerShape", "TransformerLM", "lm_space", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'symsearch.spaces.nas' has no attribute {name!r}")
    return getattr(importlib.import_module(f"symsearch.spaces.{module}"), name)
