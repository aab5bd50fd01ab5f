"""Evolution operators on DNA, composable with ``>>`` (installed as
``symsearch.algorithms.operators``).

One module per family: selection, recombination over decision points (uniform, k-point,
segmented, by decision type), numeric recombination (SBX, blend, average), permutation
recombination (partially mapped, order, cycle), program crossover (statement lists and
expression trees), mutation (the default mutator, polynomial, rates per decision type),
population updates (aging, steady-state, (mu+lambda), (mu,lambda)) and Pareto ranking.
:class:`~symsearch.algorithms.composed_evolution.ComposedEvolution` runs a pipeline
``selection >> recombination >> mutation >> population update`` as a search algorithm.
"""
from symsearch.algorithms.operators.base import (Context, Individual, Lambda, Operator,
                                                 OperatorError, Pipeline)
from symsearch.algorithms.operators.mutation import (DecisionMutation, Mutate, MutationStep,
                                                     PolynomialMutation)
from symsearch.algorithms.operators.numeric_recombination import SBX, Average, Blend
from symsearch.algorithms.operators.pareto import (crowding_distance, dominates,
                                                   non_dominated_fronts, rank_and_crowding,
                                                   survival_order)
from symsearch.algorithms.operators.permutation import Cycle, Order, PartiallyMapped
from symsearch.algorithms.operators.population import (Aging, MuCommaLambda, MuPlusLambda,
                                                       PopulationUpdate, SteadyState)
from symsearch.algorithms.operators.program_crossover import ProgramCrossover
from symsearch.algorithms.operators.recombination import (ByDecisionType, KPoint, Recombinator,
                                                          Segmented, Uniform)
from symsearch.algorithms.operators.selection import (NonDominatedSorting, RandomSelection,
                                                      Selection, Tournament, Truncation)

__all__ = ["Context", "Individual", "Lambda", "Operator", "OperatorError", "Pipeline",
           "DecisionMutation", "Mutate", "MutationStep", "PolynomialMutation", "SBX", "Average",
           "Blend", "crowding_distance", "dominates", "non_dominated_fronts",
           "rank_and_crowding", "survival_order", "Cycle", "Order", "PartiallyMapped",
           "Aging", "MuCommaLambda", "MuPlusLambda", "PopulationUpdate", "SteadyState",
           "ProgramCrossover", "ByDecisionType", "KPoint", "Recombinator", "Segmented",
           "Uniform", "NonDominatedSorting", "RandomSelection", "Selection", "Tournament",
           "Truncation", "variation_for"]


def variation_for(eta_crossover: float = 15.0, eta_mutation: float = 20.0,
                  crossover_probability: float = 0.9) -> tuple:
    """The recombination and mutation NSGA-II and the GAs use by default, for any space:
    SBX on numeric decisions, order crossover on permutations, program crossover on
    ``evolve`` programs (other ``evolve`` values are swapped whole), uniform crossover
    elsewhere (applied with
    ``crossover_probability``); then each point mutates with probability ``1/n`` (numeric
    ones by polynomial mutation)."""
    sbx = SBX(eta=eta_crossover)
    recombination = ByDecisionType(float=sbx, int=sbx, permutation=Order(),
                                   custom=ProgramCrossover(unknown="swap"), default=Uniform(),
                                   probability=crossover_probability)
    return recombination, DecisionMutation(eta=eta_mutation)
