"""Architecture search spaces, in one import: ``from symsearch.spaces import nas``.

- :mod:`symsearch.spaces.nas_cell`: the NAS-Bench-201-style DAG cell (:class:`Cell`,
  :func:`cell_space`, canonical forms and the functional-cache hasher).

>>> from symsearch.spaces import nas
>>> nas.NB201_OPS[3], len(nas.cell_space().ops)
('nor_conv_3x3', 6)
"""
from symsearch.spaces.nas_cell import (IDENTITY_OPS, LEVELS, NB201_OPS, PARAMETER_FREE_OPS,
                                       ZERO_OPS, Cell, all_cells, canonical_key, cell_space,
                                       edge_name, nb201_edges, num_edges)

__all__ = ["IDENTITY_OPS", "LEVELS", "NB201_OPS", "PARAMETER_FREE_OPS", "ZERO_OPS", "Cell",
           "all_cells", "canonical_key", "cell_space", "edge_name", "nb201_edges", "num_edges"]
