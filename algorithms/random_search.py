"""Random search: every decision drawn independently (log-uniform on log scales).

>>> import symsearch as ss
>>> from symsearch.algorithms import Random
>>> algo = Random(seed=0)
>>> algo.setup(ss.dna_spec(ss.Dict(x=ss.floatv(0, 1))))
>>> 0 <= algo.propose()[0] <= 1
True
"""
from __future__ import annotations

from symsearch.algorithms.base import SearchAlgorithm, register_algorithm
from symsearch.geno.dna import DNA
from symsearch.geno.sampling import random_dna


@register_algorithm("random")
class Random(SearchAlgorithm):
    """Uniform random proposals; ignores feedback."""

    def propose(self) -> DNA:
        return random_dna(self.spec, self.rng)
