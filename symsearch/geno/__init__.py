"""The genotype: DNA and DNASpec, what search algorithms see."""
from symsearch.geno.dna import DNA, as_dna
from symsearch.geno.sampling import iterate_dna, make_rng, random_dna, sample_decision, sample_group
from symsearch.geno.spec import CHOICE, CUSTOM, FLOAT, INT, ChoiceGroup, Decision, DNASpec
from symsearch.geno.vector import from_vector, to_vector, vector_bounds

__all__ = ["DNA", "as_dna", "iterate_dna", "make_rng", "random_dna", "sample_decision",
           "sample_group", "CHOICE", "CUSTOM", "FLOAT", "INT", "ChoiceGroup", "Decision",
           "DNASpec", "from_vector", "to_vector", "vector_bounds"]
