"""Search algorithms (installed as ``symsearch.algorithms``).

Each algorithm is one module; all are selectable by name (``algorithm="tpe"``), and see
only the DNASpec and DNA, so every algorithm works on every space.
"""
from symsearch.algorithms.base import (Feedback, SearchAlgorithm, algorithm_names,
                                       make_algorithm, register_algorithm)
from symsearch.algorithms.bandit import ArmBandit
from symsearch.algorithms.bayesian import CMAES, GP, TPE, Bayesian, OptunaNSGA2
from symsearch.algorithms.cma_es import CMAEvolutionStrategy
from symsearch.algorithms.early_stopping import make_policy, policy_names
from symsearch.algorithms.composed_evolution import ComposedEvolution
from symsearch.algorithms.controller import Reinforce
from symsearch.algorithms.evolution import HillClimbing, ProgramEvolution, RegularizedEvolution
from symsearch.algorithms.ga import AgingEvolution, MuCommaLambdaGA, MuPlusLambdaGA, SteadyStateGA
from symsearch.algorithms.genetic_programming import GeneticProgramming
from symsearch.algorithms.grid import Grid
from symsearch.algorithms.hyperband import Hyperband
from symsearch.algorithms.mutators import Mutator, crossover, mutate
from symsearch.algorithms.nsga2 import NSGA2
from symsearch.algorithms.one_plus_one_cma_es import OnePlusOneCMAES
from symsearch.algorithms.quadratic_surrogate import QuadraticSurrogate
from symsearch.algorithms.random_search import Random
from symsearch.algorithms.successive_halving import ASHA, SuccessiveHalving
from symsearch.algorithms.tunas import TuNAS

__all__ = ["Feedback", "SearchAlgorithm", "algorithm_names", "make_algorithm",
           "register_algorithm", "ArmBandit", "make_policy", "policy_names", "Hyperband",
           "ASHA", "SuccessiveHalving", "Bayesian", "CMAES", "GP", "NSGA2", "TPE", "HillClimbing",
           "ProgramEvolution", "RegularizedEvolution", "GeneticProgramming", "Grid", "Mutator", "crossover",
           "mutate", "Random", "OptunaNSGA2", "ComposedEvolution", "AgingEvolution",
           "MuCommaLambdaGA", "MuPlusLambdaGA", "SteadyStateGA", "TuNAS", "Reinforce", "CMAEvolutionStrategy",
           "OnePlusOneCMAES", "QuadraticSurrogate"]
