"""Search algorithms (installed as ``symsearch.algorithms``).

Each algorithm is one module; all are selectable by name (``algorithm="tpe"``), and see
only the DNASpec and DNA, so every algorithm works on every space.
"""
from symsearch.algorithms.base import (Feedback, SearchAlgorithm, algorithm_names,
                                       make_algorithm, register_algorithm)
from symsearch.algorithms.bayesian import CMAES, GP, NSGA2, TPE, Bayesian
from symsearch.algorithms.evolution import HillClimbing, RegularizedEvolution
from symsearch.algorithms.grid import Grid
from symsearch.algorithms.mutators import Mutator, crossover, mutate
from symsearch.algorithms.random_search import Random

__all__ = ["Feedback", "SearchAlgorithm", "algorithm_names", "make_algorithm",
           "register_algorithm", "Bayesian", "CMAES", "GP", "NSGA2", "TPE", "HillClimbing",
           "RegularizedEvolution", "Grid", "Mutator", "crossover", "mutate", "Random"]
