"""The search loop: ``sample`` (user-driven) and ``search`` (executor-driven)."""
from symsearch.search.driver import ExperimentExistsError, SearchDriver
from symsearch.search.objectives import Objective, Objectives
from symsearch.search.result import Result, TrialView
from symsearch.search.sample import sample
from symsearch.search.search import search
from symsearch.search.trial import Trial

__all__ = ["ExperimentExistsError", "SearchDriver", "Objective", "Objectives", "Result",
           "TrialView", "sample", "search", "Trial"]
