"""Search algorithms (installed as ``symsearch.algorithms``).

Each algorithm is one module; all are selectable by name (``algorithm="random"``).
"""
from symsearch.algorithms.base import (Feedback, SearchAlgorithm, algorithm_names,
                                       make_algorithm, register_algorithm)
from symsearch.algorithms.grid import Grid
from symsearch.algorithms.random_search import Random

__all__ = ["Feedback", "SearchAlgorithm", "algorithm_names", "make_algorithm",
           "register_algorithm", "Grid", "Random"]
